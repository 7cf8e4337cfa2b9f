//! Runs the example binaries against the generated mock VB365 and VB for Azure servers
//! (`vb365-mock`, `vbazure-mock`): no real Veeam needed.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use vb365::types as m365;
use vbazure::types as azure;

const ORG: &str = "3c424478-0811-4920-8aab-01f0bf2a2822";
const SESSION: &str = "8caccbcb-3e6c-4e55-83b2-d7d196e11cbe";

/// A value of one of the crates' types, written as the server sends it.
fn from<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// A mock VB365 server on which only the examples' credentials log in.
async fn vb365_server() -> vb365_mock::Mock {
    let mock = vb365_mock::Mock::start().await;
    mock.set_credentials("admin", "pw");
    mock
}

/// Runs an example binary with the mock's URL and credentials (as VB365's and as VB for
/// Azure's); returns whether it succeeded, and its stdout and stderr.
async fn run_status(
    exe: &'static str,
    server: &veeam_mock::Server,
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
async fn run(exe: &'static str, server: &veeam_mock::Server, args: &[&'static str]) -> String {
    let (ok, stdout, stderr) = run_status(exe, server, args).await;
    assert!(ok, "{exe} failed: {stderr}\n{stdout}");
    stdout
}

#[tokio::test]
async fn list_restore_points_walks_every_page() {
    let server = vb365_server().await;
    let points: Vec<m365::RestRestorePoint> = (0..1003)
        .map(|i| from(json!({"id": format!("5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da{i:04}"),
                             "backupTime": "2026-11-20T22:00:00Z"})))
        .collect();
    server
        .restore_point_get_restore_points()
        .query("organizationId", ORG)
        .query("orderAsc", "false")
        .returns(points);
    let out = run(env!("CARGO_BIN_EXE_list_restore_points"), &server, &[]).await;
    assert!(out.ends_with("1003 restore points\n"), "{out}");
    assert!(
        out.starts_with("2026-11-20T22:00:00+00:00  5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204"),
        "{out}"
    );
    let pages = server.restore_point_get_restore_points().received();
    assert_eq!(pages.count(), 2);
    assert_eq!(
        (pages.query(1, "offset"), pages.query(1, "limit")),
        (Some("1000".into()), Some("1000".into()))
    );
    let sessions = server.sessions();
    assert_eq!((sessions.logins, sessions.logouts), (1, 1));
}

#[tokio::test]
async fn explore_mailboxes_opens_lists_and_stops_a_restore_session() {
    let server = vb365_server().await;
    server.organization_explore().path_param("organizationId", ORG).returns(from(json!({
        "id": SESSION, "name": "Exchange restore", "type": "Vex", "creationTime": "2026-11-22T10:00:00Z",
        "endTime": "9999-12-31T23:59:59.9999999Z", "state": "Working", "result": "Success"
    })));
    server
        .exchange_mailbox_get()
        .path_param("restoreSessionId", SESSION)
        .returns(vec![
            from(json!({"id": "11111111-1111-1111-1111-111111111111", "email": "adele@abc.onmicrosoft.com", "name": "Adele Vance"})),
            from(json!({"id": "22222222-2222-2222-2222-222222222222", "email": "alex@abc.onmicrosoft.com", "name": "Alex Wilber", "actions": null})),
        ]);
    server
        .restore_session_stop_action()
        .path_param("restoreSessionId", SESSION)
        .returns(());
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
    let explore = server.organization_explore().received();
    let sent: m365::RestOrganizationExploreOptions = explore.last_body().unwrap().unwrap();
    let want: m365::RestOrganizationExploreOptions = from(
        json!({"dateTime": "2026-11-01T00:00:00Z", "type": "Vex", "showAllVersions": false, "showDeleted": false}),
    );
    assert_eq!(
        serde_json::to_value(sent).unwrap(),
        serde_json::to_value(want).unwrap()
    );
    assert_eq!(server.restore_session_stop_action().received().count(), 1);
}

// ---- VB for Microsoft Azure ----

const VM_POINT: &str = "15ed5dd3-c759-4726-9682-be9f9d72a7d5";
const AZ_SESSION: &str = "9d3e1a47-5a0c-4c3e-9a55-0b7e1c2d3f40";

/// A mock VB for Azure server on which only the examples' credentials log in.
async fn azure_server() -> vbazure_mock::Mock {
    let mock = vbazure_mock::Mock::start().await;
    mock.set_credentials("admin", "pw");
    mock
}

#[tokio::test]
async fn azure_list_restore_points_walks_vms_and_their_points() {
    let server = azure_server().await;
    server
        .protected_virtual_machine_get_protected_item_page()
        .returns(vec![
            from(json!({"id": "vm-1", "name": "web-01", "azureId": "/subscriptions/s/vm/web-01"})),
            from(json!({"id": "vm-2", "name": "sql-01"})),
        ]);
    let point = |id: &str, when: &str, kind: &str| -> azure::VirtualMachineRestorePoint {
        from(json!({"id": id, "pointInTime": when, "backupDestination": kind, "vmName": "web-01"}))
    };
    let points = || server.virtual_machine_restore_point_get_restore_point_page();
    points().query("VirtualMachineId", "vm-1").returns(vec![
        point(
            "00000000-0000-4000-8000-000000000001",
            "2026-11-20T22:00:00Z",
            "Snapshot",
        ),
        point(VM_POINT, "2026-11-22T22:00:00Z", "AzureBlob"),
    ]);
    points().query("VirtualMachineId", "vm-2").returns(vec![]);
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
    assert_eq!(points().received().count(), 2);
    assert_eq!(
        (server.sessions().logins, server.sessions().logouts),
        (1, 1)
    );
}

/// A server on which restoring `VM_POINT` starts `AZ_SESSION`, which runs once and then
/// ends in `end`.
async fn azure_restore_server(end: &str) -> vbazure_mock::Mock {
    let server = azure_server().await;
    server
        .virtual_machine_restore_point_restore_vm()
        .path_param("restorePointId", VM_POINT)
        .body(&from(json!({"reason": "ticket 4711"})))
        .returns(from(
            json!({"id": AZ_SESSION, "type": "RestoreVms", "status": "Pending"}),
        ));
    server.job_sessions_get_job_session_by_id().polls(
        1,
        from(json!({"id": AZ_SESSION, "status": "Running"})),
        from(json!({"id": AZ_SESSION, "status": end})),
    );
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
