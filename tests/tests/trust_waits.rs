//! Waits, tokens and timestamps (issue 23, items 5 and 7): .NET's zoneless timestamps and
//! its "not set" date, fatal errors that end a wait at once, token lifetimes the server
//! words oddly, a refresh answer without a new refresh token, a still-valid token kept when
//! its early renewal fails, auth errors that keep their cause. The token tests a server
//! would answer that way run on `vb365-mock`; the odd answers it would not give, on wiremock.

mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use support::tls::{https_server, HttpsServer};
use vb365::runtime::{RetryPolicy, WaitOptions};
use vb365::ErrorKind;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

fn id() -> uuid::Uuid {
    SESSION.parse().unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default().with_interval(Duration::from_millis(5), Duration::from_millis(20))
}

fn session_path() -> String {
    format!("/v8/RestoreSessions/{SESSION}")
}

async fn get_session(client: &vb365::Client) -> Result<(), vb365::Error> {
    client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(id())
        .send()
        .await
        .map(|_| ())
}

// ---- .NET timestamps ----

#[tokio::test]
async fn a_wait_on_a_running_session_whose_end_time_is_unset_works() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": SESSION, "state": "Working",
            "creationTime": "2026-11-01T00:00:00.1234567", "endTime": "0001-01-01T00:00:00"
        })))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": SESSION, "state": "Stopped",
            "creationTime": "2026-11-01T00:00:00.1234567", "endTime": "2026-11-01T01:02:03.7654321"
        })))
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap();
    let done = client.wait_restore_session(&id(), &quick()).await.unwrap();
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    assert_eq!(done.creation_time, Some(at("2026-11-01T00:00:00.1234567Z")));
    assert_eq!(done.end_time, Some(at("2026-11-01T01:02:03.7654321Z")));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // While it runs, the sentinel reads as "not set".
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": SESSION, "state": "Working", "endTime": "0001-01-01T00:00:00"
        })))
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap();
    let running = client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(id())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(running.end_time, None);
}

// ---- Fatal errors end a wait at once ----

async fn wait_against(builder: veeam_runtime::ClientBuilder<vb365::Client>, server: &HttpsServer) {
    let client = builder
        .bearer_token("T")
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            ..Default::default()
        })
        .build()
        .unwrap();
    // Were the failure taken as transient, the wait would poll until this deadline and end
    // with a timeout.
    let e = client
        .wait_restore_session(&id(), &quick().with_deadline(Duration::from_secs(3)))
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e}");
    assert_eq!(
        server.connections(),
        1,
        "neither retried nor polled again: {e}"
    );
}

#[tokio::test]
async fn an_invalid_certificate_ends_a_wait_at_once() {
    let server = https_server(r#"{"state":"Working"}"#).await;
    let builder = vb365::Client::builder(format!("https://localhost:{}", server.port));
    wait_against(builder, &server).await;
}

#[tokio::test]
async fn a_pin_mismatch_ends_a_wait_at_once() {
    let server = https_server(r#"{"state":"Working"}"#).await;
    let builder = vb365::Client::builder(format!("https://localhost:{}", server.port))
        .pin_certificate_sha256(&("00:".repeat(31) + "00"))
        .unwrap();
    wait_against(builder, &server).await;
}

// ---- Tokens ----

fn token(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn expires_in_zero_is_not_a_renewal_before_every_request() {
    let mock = vb365_mock::Mock::start().await;
    mock.set_token_lifetime(0);
    mock.restore_session_get_by_restore_session_id()
        .returns(serde_json::from_value(json!({"id": SESSION})).unwrap());
    let client = mock.client();
    for _ in 0..3 {
        get_session(&client).await.unwrap();
    }
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.refreshes), (1, 0));
    assert_eq!(
        mock.restore_session_get_by_restore_session_id()
            .received()
            .count(),
        3
    );
}

#[tokio::test]
async fn a_refresh_answer_without_a_refresh_token_keeps_the_old_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=password"))
        .respond_with(token(
            json!({"access_token": "AT1", "refresh_token": "RT1", "expires_in": 3600}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Both refreshes are asked with RT1: the first answer carried no refresh token.
    Mock::given(method("POST"))
        .and(body_string_contains("refresh_token=RT1"))
        .respond_with(token(json!({"access_token": "AT2", "expires_in": 3600})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("refresh_token=RT1"))
        .respond_with(token(json!({"access_token": "AT3", "expires_in": 3600})))
        .expect(1)
        .mount(&server)
        .await;
    let ok = || ResponseTemplate::new(200).set_body_json(json!({"id": SESSION}));
    Mock::given(header("authorization", "Bearer AT1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    // AT2 works once, then the server revokes it.
    Mock::given(header("authorization", "Bearer AT2"))
        .respond_with(ok())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer AT2"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer AT3"))
        .respond_with(ok())
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .password("admin", "pw")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    get_session(&client).await.unwrap();
    get_session(&client).await.unwrap();
}

#[tokio::test]
async fn a_still_valid_token_is_used_when_its_early_renewal_fails_transiently() {
    let mock = vb365_mock::Mock::start().await;
    // A 4 s token is renewed at half its life; by then the token endpoint is unavailable.
    mock.set_token_lifetime(4);
    mock.restore_session_get_by_restore_session_id()
        .returns(serde_json::from_value(json!({"id": SESSION})).unwrap());
    let client = vb365::Client::builder(mock.uri())
        .password("admin", "pw")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.session().login().await.unwrap();
    mock.token().always(vb365_mock::Fault::Status(503)).mount();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    get_session(&client).await.unwrap();
    let renewals = mock.token().received().count();
    assert!(
        renewals >= 2,
        "a renewal was tried: {renewals} token requests"
    );
    assert_eq!(
        mock.restore_session_get_by_restore_session_id()
            .received()
            .authorizations(),
        [Some("Bearer access-1".to_string())],
        "the token still valid was sent"
    );
}

#[tokio::test]
async fn auth_errors_keep_their_cause_as_source() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = vb365::Client::builder(format!("http://127.0.0.1:{closed}"))
        .password("admin", "pw")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.session().login().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Auth(_)), "{e}");
    let source = std::error::Error::source(&e).expect("a source");
    let cause = source
        .downcast_ref::<vb365::Error>()
        .expect("the request's error");
    assert!(matches!(cause.kind(), ErrorKind::Transport(_)), "{cause}");
    assert!(
        e.is_transient(),
        "a login that got no answer may succeed later"
    );
}
