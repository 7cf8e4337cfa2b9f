//! Runs the example binaries against mock VB365 and VB for Azure servers: no real Veeam
//! needed.

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

/// Runs an example binary with the mock's URL and credentials (as VB365's and as VB for
/// Azure's); returns whether it succeeded, and its stdout and stderr.
async fn run_status(
    exe: &'static str,
    server: &MockServer,
    args: &[&'static str],
) -> (bool, String, String) {
    let url = server.uri();
    let args = args.to_vec();
    let output = tokio::task::spawn_blocking(move || {
        let mut command = std::process::Command::new(exe);
        command.args(args).env("VB365_ORGANIZATION", ORG);
        for prefix in ["VB365", "VBAZURE"] {
            command
                .env(format!("{prefix}_URL"), &url)
                .env(format!("{prefix}_USER"), "admin")
                .env(format!("{prefix}_PASSWORD"), "pw");
        }
        command.output().unwrap()
    })
    .await
    .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// [`run_status`] for a run that must succeed: its stdout.
async fn run(exe: &'static str, server: &MockServer, args: &[&'static str]) -> String {
    let (ok, stdout, stderr) = run_status(exe, server, args).await;
    assert!(ok, "{exe} failed: {stderr}\n{stdout}");
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

// ---- VB for Microsoft Azure ----

const VM_POINT: &str = "15ed5dd3-c759-4726-9682-be9f9d72a7d5";
const AZ_SESSION: &str = "9d3e1a47-5a0c-4c3e-9a55-0b7e1c2d3f40";

/// A mock VB for Azure server: password login, and logout once at the end.
async fn azure_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth2/token"))
        .and(body_string_contains(
            "grant_type=Password&username=admin&password=pw",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "AZ", "refresh_token": "AZR", "token_type": "bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/oauth2/token"))
        .and(header("authorization", "Bearer AZ"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn azure_list_restore_points_walks_vms_and_their_points() {
    let server = azure_server().await;
    Mock::given(method("GET"))
        .and(path("/api/v8.1/protectedItem/virtualMachines"))
        .and(header("authorization", "Bearer AZ"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "limit": 500, "totalCount": 2, "results": [
                {"id": "vm-1", "name": "web-01", "azureId": "/subscriptions/s/vm/web-01"},
                {"id": "vm-2", "name": "sql-01"}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let point = |id: &str, when: &str, kind: &str| json!({"id": id, "pointInTime": when, "backupDestination": kind, "vmName": "web-01"});
    Mock::given(method("GET"))
        .and(path("/api/v8.1/restorePoints/virtualMachines"))
        .and(query_param("VirtualMachineId", "vm-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "limit": 500, "totalCount": 2, "results": [
                point("00000000-0000-4000-8000-000000000001", "2026-11-20T22:00:00Z", "Snapshot"),
                point(VM_POINT, "2026-11-22T22:00:00Z", "AzureBlob")
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v8.1/restorePoints/virtualMachines"))
        .and(query_param("VirtualMachineId", "vm-2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": 0, "limit": 500, "totalCount": 0, "results": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        env!("CARGO_BIN_EXE_azure_list_restore_points"),
        &server,
        &[],
    )
    .await;
    assert_eq!(
        out,
        format!(
            "web-01: 2 restore points\n  2026-11-22T22:00:00+00:00  AzureBlob       {VM_POINT}\n  2026-11-20T22:00:00+00:00  Snapshot        00000000-0000-4000-8000-000000000001\nsql-01: 0 restore points\n2 protected VMs, 2 restore points\n"
        )
    );
}

/// A server on which restoring `VM_POINT` starts `AZ_SESSION`, which runs once and then
/// ends in `end`.
async fn azure_restore_server(end: &str) -> MockServer {
    let server = azure_server().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v8.1/restorePoints/virtualMachines/{VM_POINT}/restoreVirtualMachine"
        )))
        .and(body_json(json!({"reason": "ticket 4711"})))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(
                json!({"id": AZ_SESSION, "type": "RestoreVms", "status": "Pending"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let session = format!("/api/v8.1/jobSessions/{AZ_SESSION}");
    Mock::given(method("GET"))
        .and(path(session.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": AZ_SESSION, "status": "Running"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(session.as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": AZ_SESSION, "status": end})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn azure_restore_vm_starts_a_restore_and_waits_for_its_end() {
    let server = azure_restore_server("Success").await;
    let out = run(
        env!("CARGO_BIN_EXE_azure_restore_vm"),
        &server,
        &[VM_POINT, "ticket 4711"],
    )
    .await;
    assert_eq!(
        out,
        format!("restore session {AZ_SESSION} started\nrestore session ended: Success\n")
    );
}

#[tokio::test]
async fn azure_restore_vm_fails_when_the_restore_does() {
    let server = azure_restore_server("Error").await;
    let (ok, out, err) = run_status(
        env!("CARGO_BIN_EXE_azure_restore_vm"),
        &server,
        &[VM_POINT, "ticket 4711"],
    )
    .await;
    assert!(!ok, "{out}");
    assert!(out.ends_with("restore session ended: Error\n"), "{out}");
    assert!(err.contains("the restore ended in Error"), "{err}");
}
