//! What the runtime tells an operator: every span and event at TRACE level, captured while a
//! client logs in, renews a refused token, retries a 503, walks pages and waits. Each kind of
//! event is there, and no password or token appears in any of them. The server is
//! `vb365-mock`: its tokens are known, so the test can look for them.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use vb365_mock::Fault;

mod support;
use support::capture::Capture;

const PASSWORD: &str = "pw-Zq81!secret";
/// The tokens the mock issues: the login's, then the refresh's.
const TOKENS: [&str; 4] = ["access-1", "refresh-1", "access-2", "refresh-2"];
const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

#[tokio::test]
async fn every_step_is_logged_and_no_secret_is() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = vb365_mock::Mock::start().await;
    mock.set_credentials("admin", PASSWORD);
    // One 503, then the session: a retry.
    mock.restore_session_get_by_restore_session_id()
        .fault(Fault::Status(503))
        .returns(serde_json::from_value(json!({"id": SESSION, "state": "Stopped"})).unwrap());
    mock.restore_point_get_restore_points().returns(vec![]);
    let client = vb365::Client::builder(mock.uri())
        .password("admin", PASSWORD)
        .retry(vb365::runtime::RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            ..Default::default()
        })
        .build()
        .unwrap();
    client.session().login().await.unwrap();
    // The first token is forgotten server-side: a 401 with an empty body, and a refresh.
    mock.expire_tokens();
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
    client.session().logout().await.unwrap();
    let sessions = mock.sessions();
    assert_eq!(
        (sessions.logins, sessions.refreshes, sessions.logouts),
        (1, 1, 1)
    );

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
