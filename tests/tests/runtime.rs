//! The generated vb365 client wired to veeam-runtime, against local mock servers: login and
//! refresh, paging, lenient decoding, errors, retries and timeouts, downloads, waiting.

mod support;

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use support::{read_head, reset, respond_json, RawServer};
use vb365::runtime::{RetryPolicy, Timeouts, WaitOptions};
use vb365::{types, ErrorKind};
use wiremock::matchers::{
    body_string, body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

fn token(access: &str, refresh: &str, expires_in: u64) -> ResponseTemplate {
    // `.issued`/`.expires` in the RFC 1123 form some servers send: must not fail the login.
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "refresh_token": refresh, "token_type": "bearer",
        "expires_in": expires_in, "userName": "admin",
        ".issued": "Sun, 22 Nov 2026 10:00:00 GMT", ".expires": "Sun, 22 Nov 2026 11:00:00 GMT"
    }))
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_secs(5),
        retry_non_idempotent: false,
    }
}

fn password_client(server: &MockServer) -> vb365::Client {
    vb365::Client::builder(server.uri())
        .password("admin@example.com", "s3cret&pw")
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn bearer_client(url: &str) -> vb365::Client {
    vb365::Client::builder(url)
        .bearer_token("T")
        .retry(fast_retry())
        .build()
        .unwrap()
}

/// A GET that returns a small JSON object: the restore session `SESSION`.
fn session_json(state: &str) -> serde_json::Value {
    json!({"id": SESSION, "type": "Vex", "creationTime": "2026-11-22T10:00:00Z", "state": state, "result": "Success"})
}

async fn get_session(client: &vb365::Client) -> Result<types::RestRestoreSession, vb365::Error> {
    Ok(client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await?
        .into_inner())
}

fn session_path() -> wiremock::matchers::PathExactMatcher {
    path(format!("/v8/RestoreSessions/{SESSION}"))
}

/// Answers the token endpoint's requests whose form contains `form` (e.g.
/// `grant_type=refresh_token&refresh_token=RT1`), `times` times if given (checked on drop).
async fn on_token(server: &MockServer, form: &str, answer: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("POST"))
        .and(path("/v8/token"))
        .and(body_string_contains(form))
        .respond_with(answer);
    match times {
        Some(n) => mock.expect(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

/// Answers `GET` of the restore session sent with bearer `token`, `times` times if given.
async fn on_session_get(
    server: &MockServer,
    token: &str,
    answer: ResponseTemplate,
    times: Option<u64>,
) {
    let mock = Mock::given(method("GET"))
        .and(session_path())
        .and(header("authorization", format!("Bearer {token}")))
        .respond_with(answer);
    match times {
        Some(n) => mock.expect(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

fn ok(state: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(session_json(state))
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.unwrap();
    all.into_iter().filter(|r| r.url.path() == p).collect()
}

fn auth_of(r: &wiremock::Request) -> String {
    r.headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

// ---- 1. Login ----

#[tokio::test]
async fn logs_in_once_with_the_form_password_grant_and_sends_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "grant_type=password&username=admin%40example.com&password=s3cret%26pw&disable_antiforgery_token=true",
        ))
        .respond_with(token("AT1", "RT1", 3600))
        .expect(1)
        .mount(&server)
        .await;
    on_session_get(&server, "AT1", ok("Working"), Some(2)).await;
    let client = password_client(&server);
    get_session(&client).await.unwrap();
    get_session(&client).await.unwrap();
}

#[tokio::test]
async fn refreshes_before_expiry_with_the_refresh_token() {
    let server = MockServer::start().await;
    on_token(
        &server,
        "grant_type=password",
        token("AT1", "RT1", 1),
        Some(1),
    )
    .await;
    on_token(
        &server,
        "grant_type=refresh_token&refresh_token=RT1",
        token("AT2", "RT2", 3600),
        Some(1),
    )
    .await;
    on_session_get(&server, "AT1", ok("Working"), Some(2)).await;
    on_session_get(&server, "AT2", ok("Working"), Some(1)).await;
    // The token lives 1 s, less than the 60 s margin: it is renewed at half its life, not
    // before every request (the two first calls share it), and renewed after that.
    let client = vb365::Client::builder(server.uri())
        .password("admin", "pw")
        .refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    get_session(&client).await.unwrap();
    get_session(&client).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    get_session(&client).await.unwrap();
    let gets = requests_to(&server, &format!("/v8/RestoreSessions/{SESSION}")).await;
    assert_eq!(
        gets.iter().map(auth_of).collect::<Vec<_>>(),
        ["Bearer AT1", "Bearer AT1", "Bearer AT2"]
    );
}

/// A password client of a `vb365-mock` server, whose stub answers the session `SESSION` in
/// `state`.
async fn mock_with_session(state: &str) -> (vb365_mock::Mock, vb365::Client) {
    let mock = vb365_mock::Mock::start().await;
    mock.restore_session_get_by_restore_session_id()
        .path_param("restoreSessionId", SESSION)
        .returns(serde_json::from_value(session_json(state)).unwrap());
    let client = vb365::Client::builder(mock.uri())
        .password("admin@example.com", "s3cret&pw")
        .retry(fast_retry())
        .build()
        .unwrap();
    (mock, client)
}

/// The bearer tokens the session's requests carried.
fn session_tokens(mock: &vb365_mock::Mock) -> Vec<Option<String>> {
    mock.restore_session_get_by_restore_session_id()
        .received()
        .authorizations()
}

fn bearers(tokens: &[&str]) -> Vec<Option<String>> {
    tokens.iter().map(|t| Some(format!("Bearer {t}"))).collect()
}

#[tokio::test]
async fn a_401_refreshes_once_and_repeats_the_request() {
    let (mock, client) = mock_with_session("Stopped").await;
    client.session().login().await.unwrap();
    mock.expire_tokens();
    let s = get_session(&client).await.unwrap();
    assert_eq!(s.state, Some(types::RestRestoreSessionState::Stopped));
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.refreshes), (1, 1));
    assert_eq!(session_tokens(&mock), bearers(&["access-1", "access-2"]));
}

#[tokio::test]
async fn a_refused_refresh_falls_back_to_a_password_login() {
    let (mock, client) = mock_with_session("Working").await;
    client.session().login().await.unwrap();
    mock.revoke_tokens();
    get_session(&client).await.unwrap();
    let sessions = mock.sessions();
    assert_eq!(
        (sessions.logins, sessions.refreshes, sessions.refused),
        (2, 0, 1)
    );
    assert_eq!(session_tokens(&mock), bearers(&["access-1", "access-2"]));
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let server = MockServer::start().await;
    on_token(&server, "grant_type=", token("AT", "RT", 3600), None).await;
    on_session_get(&server, "AT", ResponseTemplate::new(401), Some(2)).await;
    let err = get_session(&password_client(&server)).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn a_ready_bearer_token_is_sent_as_is_without_login() {
    let server = MockServer::start().await;
    on_session_get(&server, "ready-made", ok("Working"), Some(1)).await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("ready-made")
        .build()
        .unwrap();
    get_session(&client).await.unwrap();
    assert!(requests_to(&server, "/v8/token").await.is_empty());
}

#[tokio::test]
async fn logout_revokes_on_the_server_and_the_next_call_logs_in_again() {
    let (mock, client) = mock_with_session("Working").await;
    client.session().login().await.unwrap();
    // The mock revokes only the token the logout carries, and refuses one it does not know.
    client.session().logout().await.unwrap();
    get_session(&client).await.unwrap();
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.logouts), (2, 1));
    assert_eq!(session_tokens(&mock), bearers(&["access-2"]));
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "The user name or password is incorrect."
        })))
        .mount(&server)
        .await;
    let builder = vb365::Client::builder(server.uri()).password("admin", "hunter2-password");
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let err = get_session(&client).await.unwrap_err();
    let shown = format!(
        "{err} {err:?} {builder_debug} {client:?} {:?}",
        client.session()
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(matches!(err.kind(), ErrorKind::Auth(_)), "{err:?}");
    assert!(
        err.to_string().contains("invalid_grant"),
        "the server's reason is kept: {err}"
    );
    assert_eq!(
        err.operation(),
        Some("restore_session_get_by_restore_session_id")
    );

    let client = vb365::Client::builder(server.uri())
        .bearer_token("tok-abcdef-123")
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("tok-abcdef"), "{shown}");
}

// ---- 3. Pagination ----

fn drives(from: usize, n: usize) -> Vec<serde_json::Value> {
    (from..from + n)
        .map(|i| json!({"id": format!("d{i}"), "name": format!("drive {i}")}))
        .collect()
}

#[tokio::test]
async fn stream_walks_pages_lazily_passing_the_set_id() {
    let server = MockServer::start().await;
    let org = "11111111-2222-3333-4444-555555555555";
    let set = "99999999-8888-7777-6666-555555555555";
    let p = format!("/v8/Organizations/{org}/Users/u1/OneDrives");
    let page = |offset: usize, n: usize| {
        ResponseTemplate::new(200).set_body_json(json!({
            "offset": offset, "limit": 2, "setId": set, "results": drives(offset, n)
        }))
    };
    Mock::given(method("GET"))
        .and(path(&p))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("setId"))
        .respond_with(page(0, 2))
        .expect(2)
        .mount(&server)
        .await;
    for offset in [2, 4] {
        Mock::given(method("GET"))
            .and(path(&p))
            .and(query_param("offset", offset.to_string()))
            .and(query_param("limit", "2"))
            .and(query_param("setId", set))
            .respond_with(page(offset, if offset == 4 { 1 } else { 2 }))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = bearer_client(&server.uri());
    let all: Vec<types::RestOneDrive> = client
        .organization_user_one_drive_get_page()
        .organization_id(org.parse::<uuid::Uuid>().unwrap())
        .user_id("u1")
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = all.iter().map(|d| d.id.clone().unwrap()).collect();
    assert_eq!(names, ["d0", "d1", "d2", "d3", "d4"]);

    // Lazy: taking one item fetches one page.
    let before = server.received_requests().await.unwrap().len();
    let first: Vec<_> = client
        .organization_user_one_drive_get_page()
        .organization_id(org.parse::<uuid::Uuid>().unwrap())
        .user_id("u1")
        .limit(2)
        .stream()
        .take(1)
        .collect()
        .await;
    assert_eq!(first.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn stream_default_page_size_and_empty_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .and(query_param("limit", "500"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": 0, "limit": 500, "results": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let n = client
        .restore_point_get_restore_points()
        .stream()
        .count()
        .await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn stream_reports_a_failing_page_and_stops() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": 0, "limit": 1, "results": [{"id": "a"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .and(query_param("offset", "1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"message": "bad offset", "errorCode": "ParameterValidationFailure"}),
        ))
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let got: Vec<_> = client
        .restore_point_get_restore_points()
        .limit(1)
        .stream()
        .collect()
        .await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap().id.as_deref(), Some("a"));
    let err = got[1].as_ref().unwrap_err();
    assert_eq!(err.error_code(), Some("ParameterValidationFailure"));
}

// ---- 4. Lenient decoding ----

#[test]
fn unknown_enum_values_are_kept_and_round_trip() {
    let raw = json!({"id": SESSION, "type": "Vexx", "creationTime": "2026-11-22T10:00:00Z",
                     "state": "Pausing", "result": "Success"});
    let s: types::RestRestoreSession = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(
        s.type_,
        Some(types::RestRestoreSessionType::Unknown("Vexx".into()))
    );
    assert_eq!(
        s.state,
        Some(types::RestRestoreSessionState::Unknown("Pausing".into()))
    );
    assert_eq!(
        s.result,
        Some(types::RestRestoreSessionResult::Success),
        "known values stay typed"
    );
    let back = serde_json::to_value(&s).unwrap();
    assert_eq!(back["type"], "Vexx");
    assert_eq!(back["state"], "Pausing");

    for (status, want) in [
        ("Queued", types::RestJobSessionStatus::Queued),
        ("Running", types::RestJobSessionStatus::Running),
        (
            "Throttled",
            types::RestJobSessionStatus::Unknown("Throttled".into()),
        ),
    ] {
        let j: types::RestJobSession = serde_json::from_value(json!({"status": status})).unwrap();
        assert_eq!(j.status, Some(want));
    }
    let e: types::RestExceptionInfo =
        serde_json::from_value(json!({"message": "m", "errorCode": "QuotaExceeded"})).unwrap();
    assert_eq!(
        e.error_code,
        Some(types::RestExceptionInfoErrorCode::Unknown(
            "QuotaExceeded".into()
        ))
    );
    assert!(e.error_code.unwrap().is_unknown());
}

#[test]
fn nulls_in_optional_fields_decode_as_absent() {
    // `errors` and `warnings` are optional lists, not nullable in the spec.
    let stats: types::RestRestoreSessionStatistics = serde_json::from_value(json!({
        "errors": null, "warnings": null, "items": [],
        "failedItemsCount": 0, "restoredItemsCount": 1, "skippedItemsCount": 0, "totalItemsCount": 1
    }))
    .unwrap();
    assert!(stats.errors.is_empty() && stats.warnings.is_empty());
    // Optional scalars, objects and enums.
    let j: types::RestJobSession = serde_json::from_value(json!({
        "id": null, "status": null, "statistics": null, "details": null, "progress": null
    }))
    .unwrap();
    assert_eq!((j.id, j.status, j.progress), (None, None, None));
}

#[tokio::test]
async fn lenient_decoding_through_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v8/JobSessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "limit": 30, "setId": null, "_links": null,
            "results": [{"status": "Queued", "jobType": "Archive", "details": null}]
        })))
        .mount(&server)
        .await;
    let page = bearer_client(&server.uri())
        .job_session_get()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        page.results[0].status,
        Some(types::RestJobSessionStatus::Queued)
    );
    assert_eq!(
        page.results[0].job_type,
        Some(types::RestJobSessionJobType::Unknown("Archive".into()))
    );
}

// ---- 5. Errors ----

#[tokio::test]
async fn error_responses_carry_status_operation_and_decoded_exception_info() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "message": "Restore session not found.", "errorCode": "ResourceNotFound", "stackTrace": null
        })))
        .mount(&server)
        .await;
    let err = get_session(&bearer_client(&server.uri()))
        .await
        .unwrap_err();
    assert_eq!(
        err.operation(),
        Some("restore_session_get_by_restore_session_id")
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::NOT_FOUND));
    assert_eq!(err.error_code(), Some("ResourceNotFound"));
    let api = err.api().unwrap();
    assert_eq!(
        api.info.as_ref().unwrap().message.as_deref(),
        Some("Restore session not found.")
    );
    let typed: types::RestExceptionInfo = api.decode().unwrap();
    assert_eq!(
        typed.error_code,
        Some(types::RestExceptionInfoErrorCode::ResourceNotFound)
    );
    assert_eq!(
        err.to_string(),
        "restore_session_get_by_restore_session_id: HTTP 404 Not Found ResourceNotFound: Restore session not found."
    );
}

#[tokio::test]
async fn any_2xx_is_a_success_even_one_the_spec_does_not_list() {
    let server = MockServer::start().await;
    // The spec lists 200 for this GET; a server answering 203 has still answered.
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(203).set_body_json(session_json("Working")))
        .mount(&server)
        .await;
    // The spec lists 204 for stopping a session; this server sends 200 with a body.
    Mock::given(method("POST"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}/Stop")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ignored": true})))
        .expect(1)
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let session = get_session(&client).await.unwrap();
    assert_eq!(session.id.to_string(), SESSION);
    let stopped = client
        .restore_session_stop_action()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_parameter_that_does_not_convert_fails_before_any_request() {
    let server = MockServer::start().await;
    let err = bearer_client(&server.uri())
        .restore_session_get_by_restore_session_id()
        .restore_session_id("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    let ErrorKind::InvalidRequest(message) = err.kind() else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "conversion to `:: uuid :: Uuid` for restore_session_id failed"
    );
    assert_eq!(
        err.operation(),
        Some("restore_session_get_by_restore_session_id")
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn non_json_and_empty_error_bodies_are_kept_raw() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v8/Jobs"))
        .respond_with(
            ResponseTemplate::new(500).set_body_raw("<html>Internal error</html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let err = client.job_get().send().await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status.as_u16(), 500);
    assert!(api.info.is_none());
    assert_eq!(api.body_text(), "<html>Internal error</html>");
    assert!(
        err.to_string()
            .ends_with("HTTP 500 Internal Server Error: <html>Internal error</html>"),
        "{err}"
    );

    let err = client
        .restore_point_get_restore_points()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert!(err.api().unwrap().body.is_empty());
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(200).set_body_raw("{\"id\": ", "application/json"))
        .mount(&server)
        .await;
    let err = get_session(&bearer_client(&server.uri()))
        .await
        .unwrap_err();
    match err.kind() {
        ErrorKind::Decode { body, .. } => assert_eq!(&body[..], b"{\"id\": "),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn truncated_bodies_fail_cleanly() {
    // Announces 100 bytes, sends 12, closes: for a success and for an error response.
    let server = RawServer::start(|n, mut s| async move {
        read_head(&mut s).await;
        let status = if n == 0 { "200 OK" } else { "500 Internal Server Error" };
        let head = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"message\":");
        let _ = tokio::io::AsyncWriteExt::write_all(&mut s, head.as_bytes()).await;
    })
    .await;
    let client = vb365::Client::builder(server.url())
        .bearer_token("T")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = get_session(&client).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Transport(_) | ErrorKind::Decode { .. }
        ),
        "{err:?}"
    );
    let err = get_session(&client).await.unwrap_err();
    let api = err.api().expect("the status survives a broken body");
    assert_eq!(api.status.as_u16(), 500);
    assert!(api.truncated);
}

// ---- 6. Retries and timeouts ----

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ok("Working"))
        .mount(&server)
        .await;
    get_session(&bearer_client(&server.uri())).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let err = get_session(&bearer_client(&server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 502);
    assert_eq!(server.received_requests().await.unwrap().len(), 1 + 3);
}

#[tokio::test]
async fn retry_after_is_honoured_and_too_long_a_wait_is_returned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ok("Working"))
        .mount(&server)
        .await;
    let start = Instant::now();
    get_session(&bearer_client(&server.uri())).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        start.elapsed()
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let err = get_session(&bearer_client(&server.uri()))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 429);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn post_is_not_retried_unless_opted_in() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/Jobs/00000000-0000-0000-0000-000000000001/start"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let id: uuid::Uuid = "00000000-0000-0000-0000-000000000001".parse().unwrap();
    let err = bearer_client(&server.uri())
        .job_start_action()
        .job_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .retry(RetryPolicy {
            max_retries: 2,
            retry_non_idempotent: true,
            ..fast_retry()
        })
        .build()
        .unwrap();
    client
        .job_start_action()
        .job_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1 + 3);
}

#[tokio::test]
async fn connection_resets_are_retried() {
    let server = RawServer::start(|n, mut s| async move {
        read_head(&mut s).await;
        if n == 0 {
            reset(s);
        } else {
            respond_json(&mut s, "200 OK", &session_json("Working").to_string()).await;
        }
    })
    .await;
    get_session(&bearer_client(&server.url())).await.unwrap();
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn requests_time_out_but_downloads_get_longer() {
    // Answers after 600 ms: JSON or a 3-byte file.
    let server = RawServer::start(|_, mut s| async move {
        let head = read_head(&mut s).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        if head.contains("/save") {
            let r = "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 3\r\nconnection: close\r\n\r\nPST";
            let _ = tokio::io::AsyncWriteExt::write_all(&mut s, r.as_bytes()).await;
        } else {
            respond_json(&mut s, "200 OK", &session_json("Working").to_string()).await;
        }
    })
    .await;
    let client = vb365::Client::builder(server.url())
        .bearer_token("T")
        .retry(RetryPolicy::none())
        .timeouts(Timeouts {
            request: Duration::from_millis(200),
            download: Duration::from_secs(20),
            ..Default::default()
        })
        .build()
        .unwrap();
    let err = get_session(&client).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Transport(e) if e.is_timeout()),
        "{err:?}"
    );

    let mut file = Vec::new();
    let n = client
        .exchange_item_save_item_action()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .mailbox_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .item_id("item-1")
        .write_to(&mut file)
        .await
        .unwrap();
    assert_eq!((n, &file[..]), (3, &b"PST"[..]));
}

// ---- 8. Waiting ----

fn quick() -> WaitOptions {
    WaitOptions::default().with_interval(Duration::from_millis(5), Duration::from_millis(20))
}

#[tokio::test]
async fn waits_for_a_restore_session_to_stop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ok("Working"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(session_path())
        .respond_with(ok("Stopped"))
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let started = types::RestAsyncRestoreResponse {
        session_id: Some(SESSION.parse().unwrap()),
    };
    let done = client.wait_async_restore(&started, &quick()).await.unwrap();
    assert_eq!(done.state, Some(types::RestRestoreSessionState::Stopped));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn waits_for_a_job_session_and_gives_up_at_the_deadline() {
    let id = "00000000-0000-0000-0000-0000000000aa";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/JobSessions/{id}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": id, "status": "Queued"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/JobSessions/{id}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": id, "status": "Warning"})),
        )
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let id: uuid::Uuid = id.parse().unwrap();
    let done = client.wait_job_session(&id, &quick()).await.unwrap();
    assert_eq!(done.status, Some(types::RestJobSessionStatus::Warning));

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/JobSessions/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "Running"})))
        .mount(&server)
        .await;
    let client = bearer_client(&server.uri());
    let err = client
        .wait_job_session(&id, &quick().with_deadline(Duration::from_millis(100)))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout(_)), "{err:?}");
}
