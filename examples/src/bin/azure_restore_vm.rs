//! Restores an Azure VM from a restore point to its original place, then waits for the
//! restore session to finish; exits with an error unless it ends in `Success` or `Warning`.
//!
//! `VBAZURE_USER=... VBAZURE_PASSWORD=... cargo run -p vb365-examples --bin azure_restore_vm -- <restore point id> "<reason>"`

use vbazure::runtime::WaitOptions;
use vbazure::types;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let point: uuid::Uuid = args
        .next()
        .ok_or("usage: azure_restore_vm <restore point id> [reason]")?
        .parse()?;
    let reason = args
        .next()
        .unwrap_or_else(|| "restore from vbazure example".into());
    let client = vb365_examples::azure_client_from_env()?;

    let started = client
        .virtual_machine_restore_point_restore_vm()
        .restore_point_id(point)
        .body(types::VirtualMachineRestoreOptions::builder().reason(reason))
        .send()
        .await?
        .into_inner();
    println!(
        "restore session {} started",
        started.id.as_deref().unwrap_or("?")
    );

    let options = WaitOptions::default().with_deadline(std::time::Duration::from_secs(4 * 3600));
    let done = client.wait_started_session(&started, &options).await?;
    let status = done
        .status
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    println!("restore session ended: {status}");
    client.session().logout().await?;
    match done.status {
        Some(types::JobStatus::Success | types::JobStatus::Warning) => Ok(()),
        _ => Err(format!("the restore ended in {status}").into()),
    }
}
