//! Opens an organization's Exchange backup as it was at a point in time, lists its
//! mailboxes, and closes the restore session again.
//!
//! `VB365_USER=... VB365_PASSWORD=... VB365_ORGANIZATION=<id> cargo run -p vb365-examples --bin explore_mailboxes -- 2026-11-01T00:00:00Z`

use futures::TryStreamExt;
use vb365::types::{RestOrganizationExploreOptions, RestOrganizationExploreOptionsType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vb365_examples::client_from_env()?;
    let organization = vb365_examples::organization_from_env()?;
    let at: chrono::DateTime<chrono::Utc> = match std::env::args().nth(1) {
        Some(t) => t.parse()?,
        None => chrono::Utc::now(),
    };

    let session = client
        .organization_explore()
        .organization_id(organization)
        .body(RestOrganizationExploreOptions {
            date_time: Some(at),
            type_: Some(RestOrganizationExploreOptionsType::Vex),
            show_all_versions: Some(false),
            show_deleted: Some(false),
            repository_id: None,
        })
        .send()
        .await?
        .into_inner();
    // Response fields are `Option`s (servers send nulls); the session's own id is not.
    let state = session
        .state
        .as_ref()
        .map_or("-".to_string(), ToString::to_string);
    println!("restore session {} ({state})", session.id);

    // List, then stop the session whatever happened: it holds resources on the server.
    let listed = async {
        let mailboxes = client
            .exchange_mailbox_get()
            .restore_session_id(session.id)
            .stream();
        let mut mailboxes = std::pin::pin!(mailboxes);
        while let Some(mailbox) = mailboxes.try_next().await? {
            println!(
                "{}  {}",
                mailbox.email.as_deref().unwrap_or("-"),
                mailbox.name.as_deref().unwrap_or("-")
            );
        }
        Ok::<_, vb365::Error>(())
    }
    .await;
    client
        .restore_session_stop_action()
        .restore_session_id(session.id)
        .send()
        .await?;
    println!("restore session {} stopped", session.id);
    listed?;
    Ok(())
}
