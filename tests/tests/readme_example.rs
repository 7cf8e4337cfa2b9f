//! The README's "log in, list restore points" example, run against a mock VB365 server, so
//! the example a newcomer copies is known to work.

use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=password&username=admin%40example.com&password=s3cret&disable_antiforgery_token=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "AT", "refresh_token": "RT", "token_type": "bearer", "expires_in": 3600,
            ".issued": "2026-11-22T10:00:00Z", ".expires": "2026-11-22T11:00:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .and(query_param("limit", "100"))
        .and(header("authorization", "Bearer AT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "offset": 0, "limit": 100, "results": [{"id": "a", "backupTime": "2022-02-22T14:44:22Z"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    // The stream asks for pages of 500: one short page ends it.
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .and(query_param("limit", "500"))
        .and(query_param("offset", "0"))
        .and(header("authorization", "Bearer AT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "offset": 0, "limit": 500, "results": [{"id": "a"}, {"id": "b"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    list_restore_points(&server.uri(), "admin@example.com", "s3cret")
        .await
        .unwrap();
}
