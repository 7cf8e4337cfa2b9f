//! The README's "log in, list restore points" example, run against the generated mock VB365
//! server (`vb365-mock`), so the example a newcomer copies is known to work.

// ---- begin README example ----
use futures::TryStreamExt;

async fn list_restore_points(
    base_url: &str,
    user: &str,
    password: &str,
) -> Result<(), vb365::Error> {
    // Logs in on first use, refreshes the token before it expires, retries what is safe.
    let client = vb365::Client::builder(base_url)
        .password(user, password)
        .build()?;

    // One page...
    let page = client
        .restore_point_get_restore_points()
        .limit(100)
        .send()
        .await?
        .into_inner();
    println!("first page: {} restore points", page.results.len());

    // ...or all of them, fetched lazily page by page.
    let mut points = std::pin::pin!(client.restore_point_get_restore_points().stream());
    while let Some(point) = points.try_next().await? {
        println!("{:?} {:?}", point.id, point.backup_time);
    }
    Ok(())
}
// ---- end README example ----

#[tokio::test]
async fn readme_example_logs_in_and_lists_restore_points() {
    let mock = vb365_mock::Mock::start().await;
    mock.set_credentials("admin@example.com", "s3cret");
    let points: Vec<vb365::types::RestRestorePoint> = ["a", "b"]
        .map(|id| vb365::types::RestRestorePoint {
            id: Some(id.to_string()),
            ..Default::default()
        })
        .into();
    mock.restore_point_get_restore_points().returns(points);
    list_restore_points(&mock.uri(), "admin@example.com", "s3cret")
        .await
        .unwrap();
    let login = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    assert_eq!(
        login,
        "grant_type=password&username=admin%40example.com&password=s3cret&disable_antiforgery_token=true"
    );
    assert_eq!(mock.sessions().logins, 1);
    // One page of 100, then the stream's pages of 500: one short page ends it.
    let pages = mock.restore_point_get_restore_points().received();
    assert_eq!(pages.count(), 2);
    assert_eq!(
        (
            pages.query(0, "limit"),
            pages.query(1, "limit"),
            pages.query(1, "offset")
        ),
        (Some("100".into()), Some("500".into()), Some("0".into()))
    );
    assert_eq!(
        pages.authorizations(),
        [
            Some("Bearer access-1".to_string()),
            Some("Bearer access-1".to_string())
        ]
    );
}
