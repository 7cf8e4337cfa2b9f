//! A mock VB365 v8 server and a mock VB for Microsoft Azure server, with a little data, for
//! trying the `veeam` command line (or any script) without a Veeam server:
//!
//! ```text
//! cargo run -p vb365-examples --bin mock_server
//! ```
//!
//! It prints each server's URL, the user and the password, and serves until Ctrl-C. The
//! organization `3c424478-0811-4920-8aab-01f0bf2a2822` has five restore points (served two
//! to a page); exploring it opens a restore session that stops after two polls; its mailbox
//! exports to a PST; an Azure VM restore answers with a job session that succeeds after two
//! polls.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const ORG: &str = "3c424478-0811-4920-8aab-01f0bf2a2822";
const SESSION: &str = "8caccbcb-3e6c-4e55-83b2-d7d196e11cbe";

fn from<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a value of the crate's type")
}

#[tokio::main]
async fn main() {
    let m365 = vb365_mock::Mock::start().await;
    m365.set_page_cap(Some(2));
    // `veeam login` asks which API version the server serves.
    m365.service_instance_get()
        .returns(from(json!({"version": "8.1.0.331"})));
    let points: Vec<vb365::types::RestRestorePoint> = (1..=5)
        .map(|n| {
            from(json!({
                "id": format!("{ORG}{n:0>4}"),
                "backupTime": format!("2026-11-2{n}T02:00:00Z"),
                "organizationId": ORG,
                "isExchange": true,
            }))
        })
        .collect();
    m365.restore_point_get_restore_points()
        .query("organizationId", ORG)
        .returns(points);
    let session = |state: &str| -> vb365::types::RestRestoreSession {
        from(json!({"id": SESSION, "name": "Explore Contoso", "type": "Vex", "state": state}))
    };
    m365.organization_explore()
        .path_param("organizationId", ORG)
        .returns(session("Working"));
    m365.restore_session_get_by_restore_session_id()
        .path_param("restoreSessionId", SESSION)
        .polls(2, session("Working"), session("Stopped"));
    m365.exchange_mailbox_export_mailbox_to_pst_action()
        .path_param("restoreSessionId", SESSION)
        .returns((0..3_000_000u32).map(|n| (n % 251) as u8).collect());

    let azure = vbazure_mock::Mock::start().await;
    let job = |status: &str| -> vbazure::types::JobSession {
        from(json!({"id": "7f1c2a9e-restore", "type": "RestoreVirtualMachine", "status": status}))
    };
    azure
        .virtual_machine_restore_point_restore_vm()
        .returns(job("Running"));
    azure
        .job_sessions_get_job_session_by_id()
        .polls(2, job("Running"), job("Success"));

    println!("VB365 v8:             {}", m365.uri());
    println!("VB for Microsoft Azure: {}", azure.uri());
    println!(
        "user {} password {} (plain http on loopback; Ctrl-C stops)",
        veeam_mock::USERNAME,
        veeam_mock::PASSWORD
    );
    let _ = tokio::signal::ctrl_c().await;
}
