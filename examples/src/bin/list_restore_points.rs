//! Lists every restore point of one organization, newest first, page by page.
//!
//! `VB365_USER=... VB365_PASSWORD=... VB365_ORGANIZATION=<id> cargo run -p vb365-examples --bin list_restore_points`

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vb365_examples::client_from_env()?;
    let organization = vb365_examples::organization_from_env()?;

    let points = client
        .restore_point_get_restore_points()
        .organization_id(organization)
        .order_asc(false)
        .limit(1000)
        .stream();
    let mut points = std::pin::pin!(points);
    let mut count = 0;
    while let Some(point) = points.try_next().await? {
        count += 1;
        let when = point
            .backup_time
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        println!("{when}  {}", point.id.as_deref().unwrap_or("?"));
    }
    println!("{count} restore points");
    client.session().logout().await?;
    Ok(())
}
