//! The README's "log in, list restore points" example, run against a mock VB365 server, so
//! the example a newcomer copies is known to work.

use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- begin README example ----
use vb365::types::{TokenBody, TokenBodyGrantType};

async fn list_restore_points(base_url: &str, user: &str, password: &str) -> Result<(), Box<dyn std::error::Error>> {
    // Log in with the password grant; the token endpoint needs no bearer token.
    let anonymous = vb365::Client::new(base_url);
    let token = anonymous
        .token()
        .body(
            TokenBody::builder()
                .grant_type(TokenBodyGrantType::Password)
                .username(user.to_string())
                .password(password.to_string())
                .disable_antiforgery_token(true),
        )
        .send()
        .await?
        .into_inner();

    // Every other call carries the bearer token.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {}", token.access_token).parse()?);
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    let client = vb365::Client::new_with_client(base_url, http);

    let page = client.restore_point_get_restore_points().limit(100).send().await?.into_inner();
    for point in &page.results {
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
        .and(body_string("disable_antiforgery_token=true&grant_type=password&password=s3cret&username=admin%40example.com"))
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
    list_restore_points(&server.uri(), "admin@example.com", "s3cret").await.unwrap();
}
