//! Runs the example binaries against a mock VB365 server: no real Veeam needed.

use serde_json::json;
use wiremock::matchers::{body_json, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG: &str = "3c424478-0811-4920-8aab-01f0bf2a2822";
const SESSION: &str = "8caccbcb-3e6c-4e55-83b2-d7d196e11cbe";

async fn server_with_login() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .and(body_string_contains(
            "grant_type=password&username=admin&password=pw",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "AT", "refresh_token": "RT", "token_type": "bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// Runs an example binary with the mock's URL and credentials; returns its stdout.
async fn run(exe: &'static str, server: &MockServer, args: &[&'static str]) -> String {
    let url = server.uri();
    let args = args.to_vec();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .args(args)
            .env("VB365_URL", url)
            .env("VB365_USER", "admin")
            .env("VB365_PASSWORD", "pw")
            .env("VB365_ORGANIZATION", ORG)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{exe} failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn list_restore_points_walks_every_page() {
    let server = server_with_login().await;
    let points = |from: usize, n: usize| -> Vec<serde_json::Value> {
        (from..from + n)
            .map(|i| json!({"id": format!("5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da{i:04}"),
                            "backupTime": "2026-11-20T22:00:00Z"}))
            .collect()
    };
    for (offset, n) in [(0, 1000), (1000, 3)] {
        Mock::given(method("GET"))
            .and(path("/v8/RestorePoints"))
            .and(query_param("organizationId", ORG))
            .and(query_param("orderAsc", "false"))
            .and(query_param("limit", "1000"))
            .and(query_param("offset", offset.to_string()))
            .and(header("authorization", "Bearer AT"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "offset": offset, "limit": 1000, "results": points(offset, n)
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/v8/token/logout"))
        .and(header("authorization", "Bearer AT"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(env!("CARGO_BIN_EXE_list_restore_points"), &server, &[]).await;
    assert!(out.ends_with("1003 restore points\n"), "{out}");
    assert!(
        out.starts_with("2026-11-20T22:00:00+00:00  5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204"),
        "{out}"
    );
}

#[tokio::test]
async fn explore_mailboxes_opens_lists_and_stops_a_restore_session() {
    let server = server_with_login().await;
    Mock::given(method("POST"))
        .and(path(format!("/v8/Organizations/{ORG}/explore")))
        .and(body_json(json!({
            "dateTime": "2026-11-01T00:00:00Z", "type": "Vex", "showAllVersions": false, "showDeleted": false
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": SESSION, "name": "Exchange restore", "type": "Vex", "creationTime": "2026-11-22T10:00:00Z",
            "endTime": "9999-12-31T23:59:59.9999999Z", "state": "Working", "result": "Success"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}/organization/mailboxes")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "limit": 500, "results": [
                {"id": "11111111-1111-1111-1111-111111111111", "email": "adele@abc.onmicrosoft.com", "name": "Adele Vance"},
                {"id": "22222222-2222-2222-2222-222222222222", "email": "alex@abc.onmicrosoft.com", "name": "Alex Wilber", "actions": null}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}/Stop")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        env!("CARGO_BIN_EXE_explore_mailboxes"),
        &server,
        &["2026-11-01T00:00:00Z"],
    )
    .await;
    assert_eq!(
        out,
        format!(
            "restore session {SESSION} (Working)\nadele@abc.onmicrosoft.com  Adele Vance\nalex@abc.onmicrosoft.com  Alex Wilber\nrestore session {SESSION} stopped\n"
        )
    );
}
