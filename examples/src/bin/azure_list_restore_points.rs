//! Lists every Azure VM that VB for Microsoft Azure protects, with its restore points, newest
//! first: two paged lists walked to the end.
//!
//! `VBAZURE_URL=https://vbazure.example.com VBAZURE_USER=... VBAZURE_PASSWORD=... cargo run -p vb365-examples --bin azure_list_restore_points`

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = vb365_examples::azure_client_from_env()?;

    let vms: Vec<_> = client
        .protected_virtual_machine_get_protected_item_page()
        .stream()
        .try_collect()
        .await?;
    let mut total = 0;
    for vm in &vms {
        let (Some(id), name) = (vm.id.as_deref(), vm.name.as_deref().unwrap_or("?")) else {
            continue;
        };
        let mut points: Vec<_> = client
            .virtual_machine_restore_point_get_restore_point_page()
            .virtual_machine_id(id.to_string())
            .stream()
            .try_collect()
            .await?;
        points.sort_by_key(|p| std::cmp::Reverse(p.point_in_time));
        println!("{name}: {} restore points", points.len());
        for point in &points {
            let when = point
                .point_in_time
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            let kind = point
                .backup_destination
                .as_ref()
                .map(|d| d.as_str().to_string())
                .unwrap_or_default();
            println!("  {when}  {kind:<14}  {}", point.id);
        }
        total += points.len();
    }
    println!("{} protected VMs, {total} restore points", vms.len());
    client.session().logout().await?;
    Ok(())
}
