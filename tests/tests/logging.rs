//! What the runtime tells an operator: every span and event at TRACE level, captured while a
//! client logs in, renews a refused token, retries a 503, walks pages and waits. Each kind of
//! event is there, and no password or token appears in any of them.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;
use support::capture::Capture;

const PASSWORD: &str = "pw-Zq81!secret";
const TOKENS: [&str; 4] = [
    "AT-first-7f3a9c",
    "RT-first-51d2e8",
    "AT-second-c0ffee",
    "RT-second-beef42",
];
const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

fn token(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"access_token": access, "refresh_token": refresh, "expires_in": 3600}),
    )
}

#[tokio::test]
async fn every_step_is_logged_and_no_secret_is() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=password"))
        .respond_with(token(TOKENS[0], TOKENS[1]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(token(TOKENS[2], TOKENS[3]))
        .mount(&server)
        .await;
    // The first token is revoked server-side: 401 with an empty body.
    Mock::given(header("authorization", format!("Bearer {}", TOKENS[0])))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    // One 503, then the session: a retry.
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": SESSION, "state": "Stopped"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": 0, "limit": 30, "results": []})),
        )
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .password("admin", PASSWORD)
        .retry(vb365::runtime::RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            ..Default::default()
        })
        .build()
        .unwrap();
    client.session().login().await.unwrap();
    let id: uuid::Uuid = SESSION.parse().unwrap();
    let options = vb365::runtime::WaitOptions::default()
        .with_interval(Duration::from_millis(5), Duration::from_millis(5));
    client.wait_restore_session(&id, &options).await.unwrap();
    let points: Vec<_> = client
        .restore_point_get_restore_points()
        .stream()
        .collect()
        .await;
    assert!(points.is_empty());
    client.session().logout().await.ok();

    let text = capture.text.lock().unwrap().clone();
    for wanted in [
        "span request: operation=\"restore_session_get_by_restore_session_id\" method=GET path=\"/v8/RestoreSessions/{restoreSessionId}\"",
        "logging in",
        "HTTP 401: renewing the token",
        "refreshing the access token",
        "retrying",
        "status=503",
        "status=200",
        "elapsed_ms=",
        "attempt=1",
        "operation=\"restore_point_get_restore_points\" page=1",
        "wait: finished",
    ] {
        assert!(text.contains(wanted), "no {wanted:?} in what was logged:{text}");
    }
    for secret in std::iter::once(PASSWORD).chain(TOKENS) {
        assert!(!text.contains(secret), "{secret:?} was logged:{text}");
        let encoded: String = secret.replace('!', "%21");
        assert!(!text.contains(&encoded), "{encoded:?} was logged:{text}");
    }
}
