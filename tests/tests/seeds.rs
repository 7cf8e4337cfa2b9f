//! Seed conformance: every request and response example of the help-center pages we
//! started from (transcribed into fixtures/seeds, with their differences from v8 noted there)
//! must decode with the generated types, and the generated client must send those requests.

use serde::Deserialize;
use vb365::types;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Deserialize)]
struct Exchange {
    request: Request,
    response: Response,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    path: String,
    #[serde(default)]
    query: String,
    body: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    status: u16,
    #[serde(default)]
    body: String,
    /// The fixture whose response body this one shares (the same page, another version).
    #[serde(default)]
    from: Option<String>,
}

fn seed(name: &str) -> Exchange {
    let file = format!("{}/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut ex: Exchange = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    if let Some(from) = ex.response.from.take() {
        ex.response.body = seed(&from).response.body;
    }
    ex
}

/// The pages show bare arrays where v8 answers a page envelope: wrap the items.
fn as_v8_page(items: &str) -> String {
    let items: serde_json::Value = serde_json::from_str(items).expect("seed body is JSON");
    serde_json::json!({"offset": 0, "limit": 30, "results": items}).to_string()
}

const TOKEN: &str = "seed-test-token";

/// A mock server answering `ex`'s request with `body`.
async fn serve_mock(ex: &Exchange, body: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(ex.request.method.as_str()))
        .and(path(ex.request.path.as_str()))
        .respond_with(
            ResponseTemplate::new(ex.response.status)
                .set_body_raw(body, "application/json; charset=utf-8"),
        )
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// The v6 client of a mock VB365 server answering `ex`'s request with `body`.
async fn serve_v6(ex: &Exchange, body: String) -> (MockServer, vb365_v6::Client) {
    let server = serve_mock(ex, body).await;
    let client = vb365_v6::Client::builder(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

/// A mock VB365 server answering `ex`'s request with `body`, and a client for it.
async fn serve(ex: &Exchange, body: String) -> (MockServer, vb365::Client) {
    let server = serve_mock(ex, body).await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

/// The one request the server received matches the documented one: method, path, query
/// (as a set of pairs: their order carries no meaning), bearer token and JSON body.
async fn assert_received(server: &MockServer, ex: &Exchange) {
    let received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "exactly one request");
    let got = &received[0];
    assert_eq!(got.method.as_str(), ex.request.method);
    assert_eq!(got.url.path(), ex.request.path);
    let mut got_query: Vec<_> = got.url.query_pairs().into_owned().collect();
    let mut want_query: Vec<(String, String)> = url_pairs(&ex.request.query);
    got_query.sort();
    want_query.sort();
    assert_eq!(got_query, want_query, "query of {}", got.url);
    assert_eq!(
        got.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    match &ex.request.body {
        Some(want) => {
            let want: serde_json::Value = serde_json::from_str(want).unwrap();
            let got: serde_json::Value = serde_json::from_slice(&got.body).expect("JSON body");
            assert_eq!(got, want);
        }
        None => assert!(got.body.is_empty(), "no body expected"),
    }
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn restore_points_seed_items_decode() {
    let ex = seed("000_restore_points.yaml");
    let points: Vec<types::RestRestorePoint> = serde_json::from_str(&ex.response.body).unwrap();
    assert_eq!(points.len(), 4);
    let first = &points[0];
    let id = first.id.as_deref().unwrap();
    assert_eq!(
        id,
        "5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da7e07"
    );
    assert_eq!(id.len(), 72, "two GUIDs joined, not a UUID");
    assert_eq!(
        first.repository_id.unwrap().to_string(),
        "5f7c94d0-c339-46f1-9b0f-2b9763ba83de"
    );
    assert_eq!(
        first.backup_time.unwrap().to_rfc3339(),
        "2022-02-22T14:44:22.376470900+00:00"
    );
    assert_eq!(first.is_share_point, Some(true));
    assert_eq!(points[1].is_long_term_copy, Some(true));
    let links = &first.links;
    assert_eq!(
        links["organization"].href.as_deref(),
        Some("/v6/organizations/e60dfb9c-ac58-4463-879f-9855ac35576b")
    );
}

#[tokio::test]
async fn restore_points_request_matches_seed() {
    let ex = seed("000_restore_points.yaml");
    let (server, client) = serve(&ex, as_v8_page(&ex.response.body)).await;
    let page = client
        .restore_point_get_restore_points()
        .organization_id(
            "b7f43a7f-3508-4d04-8ec2-ece6944e916b"
                .parse::<uuid::Uuid>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_received(&server, &ex).await;
    assert_eq!(page.results.len(), 4);
    assert_eq!(
        page.results[3].id.as_deref(),
        Some("79f3e494-4991-4dd5-b6fa-f1cf8c421265bc0e58d5-2bb3-41ca-ba7b-176957d4b601")
    );
}

#[tokio::test]
async fn v6_restore_points_are_replayed_as_the_page_shows_them() {
    let ex = seed("000_restore_points_v6.yaml");
    let (server, client) = serve_v6(&ex, ex.response.body.clone()).await;
    let points = client
        .restore_point_get_restore_points()
        .organization_id(
            "b7f43a7f-3508-4d04-8ec2-ece6944e916b"
                .parse::<uuid::Uuid>()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(points.status().as_u16(), 200);
    assert_received(&server, &ex).await;
    let points = points.into_inner();
    assert_eq!(points.len(), 4, "the page's bare array");
    assert_eq!(
        points[3].id.as_deref(),
        Some("79f3e494-4991-4dd5-b6fa-f1cf8c421265bc0e58d5-2bb3-41ca-ba7b-176957d4b601")
    );
    assert_eq!(points[0].is_share_point, Some(true));
}

#[tokio::test]
async fn v6_organization_explore_is_replayed_as_the_page_shows_it() {
    let ex = seed("003_organization_explore_v6.yaml");
    let (server, client) = serve_v6(&ex, ex.response.body.clone()).await;
    let session = client
        .organization_explore_action()
        .organization_id(
            "3c424478-0811-4920-8aab-01f0bf2a2822"
                .parse::<uuid::Uuid>()
                .unwrap(),
        )
        .body(vb365_v6::types::RestExploreOptions {
            datetime: Some("2022-01-22T14:56:55.862Z".parse().unwrap()),
            type_: Some(vb365_v6::types::RestExploreOptionsType::Vet),
            show_all_versions: Some(false),
            show_deleted: Some(false),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        session.status().as_u16(),
        200,
        "the page's documented status"
    );
    assert_received(&server, &ex).await;
    let session = session.into_inner();
    assert_eq!(
        session.id.to_string(),
        "8caccbcb-3e6c-4e55-83b2-d7d196e11cbe"
    );
    assert_eq!(
        session.initiated_by.as_deref(),
        Some("EPSILON\\Administrator")
    );
}

#[tokio::test]
async fn restore_sessions_request_matches_seed_and_items_decode() {
    let ex = seed("002_restore_sessions.yaml");
    let (server, client) = serve(&ex, as_v8_page(&ex.response.body)).await;
    let page = client
        .restore_session_get_page()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_received(&server, &ex).await;
    let [stopped, working] = &page.results[..] else {
        panic!("two sessions expected, got {}", page.results.len())
    };
    assert_eq!(
        stopped.id.to_string(),
        "0800471b-d0e2-422b-9d7c-35d15661c3fb"
    );
    assert_eq!(stopped.type_, Some(types::RestRestoreSessionType::Vex));
    assert_eq!(stopped.state, Some(types::RestRestoreSessionState::Stopped));
    assert_eq!(
        stopped.result,
        Some(types::RestRestoreSessionResult::Success)
    );
    assert!(stopped.end_time.is_some());
    assert_eq!(working.state, Some(types::RestRestoreSessionState::Working));
    assert!(working.end_time.is_none());
}

#[tokio::test]
async fn organization_explore_request_matches_seed_and_response_decodes() {
    let ex = seed("003_organization_explore.yaml");
    let (server, client) = serve(&ex, ex.response.body.clone()).await;
    let session = client
        .organization_explore()
        .organization_id(
            "3c424478-0811-4920-8aab-01f0bf2a2822"
                .parse::<uuid::Uuid>()
                .unwrap(),
        )
        .body(types::RestOrganizationExploreOptions {
            date_time: Some("2022-01-22T14:56:55.862Z".parse().unwrap()),
            type_: Some(types::RestOrganizationExploreOptionsType::Vet),
            show_all_versions: Some(false),
            show_deleted: Some(false),
            repository_id: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(session.status().as_u16(), 201);
    assert_received(&server, &ex).await;
    let session = session.into_inner();
    assert_eq!(
        session.id.to_string(),
        "8caccbcb-3e6c-4e55-83b2-d7d196e11cbe"
    );
    assert_eq!(session.type_, Some(types::RestRestoreSessionType::Vet));
    assert_eq!(
        session.initiated_by.as_deref(),
        Some("EPSILON\\Administrator")
    );
    assert_eq!(session.scope_name.as_deref(), Some(""));
    assert_eq!(
        session.end_time.unwrap().to_rfc3339(),
        "9999-12-31T23:59:59.999999900+00:00"
    );
}

#[tokio::test]
async fn backup_repositories_request_matches_seed_and_page_decodes() {
    let ex = seed("004_backup_repositories.yaml");
    let (server, client) = serve(&ex, ex.response.body.clone()).await;
    let page = client
        .backup_repository_get_repositories()
        .limit(30)
        .offset(0)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_received(&server, &ex).await;
    assert_eq!(
        page.set_id.unwrap().to_string(),
        "83e19bc1-5428-42b5-88ea-b28354e481f3"
    );
    let repo = &page.results[0];
    assert_eq!(repo.name.as_deref(), Some("string"));
    assert_eq!(repo.is_out_of_order, Some(true));
}

#[tokio::test]
async fn vbazure_v1_restore_points_page_decodes_as_the_v8_1_page() {
    let ex = seed("001_vbazure_restore_points_v8.1.yaml");
    let server = serve_mock(&ex, ex.response.body.clone()).await;
    let client = vbazure::Client::builder(server.uri())
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let page = client
        .virtual_machine_restore_point_get_restore_point_page()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_received(&server, &ex).await;
    assert_eq!(
        (page.offset, page.limit, page.total_count),
        (Some(0), Some(30), Some(5))
    );
    assert_eq!(page.results.len(), 5);
    let first = &page.results[0];
    assert_eq!(first.id.to_string(), "15ed5dd3-c759-4726-9682-be9f9d72a7d5");
    assert_eq!(
        first.backup_size_bytes,
        Some(136_367_309_312),
        "a number on the wire"
    );
    assert_eq!(
        first.backup_destination,
        Some(vbazure::types::BackupDestination::ManualSnapshot)
    );
    assert_eq!(
        page.results[1].backup_destination,
        Some(vbazure::types::BackupDestination::AzureBlob)
    );
    assert_eq!(
        page.results[2].backup_destination,
        Some(vbazure::types::BackupDestination::Snapshot)
    );
    assert_eq!(
        first.links.as_ref().unwrap()["BackupJob"].href.as_deref(),
        Some("https://abc.ukwest.cloudapp.azure.com/api/v1/jobSessions/7")
    );
    assert_eq!(
        first.point_in_time.unwrap().to_rfc3339(),
        "2020-02-03T13:02:39.357730+00:00"
    );
    assert_eq!(first.vm_name, None, "v8.1 fields v1 does not send");
}

#[tokio::test]
async fn vbazure_login_is_a_form_encoded_password_grant() {
    use wiremock::matchers::{body_string, header};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "grant_type=Password&password=p%26ss&username=admin",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "AT", "token_type": "bearer", "expires_in": 3600, "refresh_token": "RT"
        })))
        .expect(1)
        .mount(&server)
        .await;
    // No credentials: the token operation itself is called directly.
    let client = vbazure::Client::builder(server.uri()).build().unwrap();
    let token = client
        .login_authenticate()
        .body(
            vbazure::types::LoginFromClient::builder()
                .grant_type(vbazure::types::GrantType::Password)
                .username("admin".to_string())
                .password("p&ss".to_string()),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(token.access_token.as_deref(), Some("AT"));
    assert_eq!(token.expires_in, Some(3600));
}

#[test]
fn v1_restore_sessions_decode_with_the_oldest_version_s_types() {
    // Seed 002 is the VBO 1.5 page (API v1): its sessions decode as v6 restore sessions.
    let ex = seed("002_restore_sessions.yaml");
    let sessions: Vec<vb365_v6::types::RestRestoreSession> =
        serde_json::from_str(&ex.response.body).unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions[0].id.to_string(),
        "0800471b-d0e2-422b-9d7c-35d15661c3fb"
    );
    assert_eq!(
        sessions[0].state.as_ref().map(|s| s.as_str()),
        Some("Stopped")
    );
    assert_eq!(
        sessions[1].state.as_ref().map(|s| s.as_str()),
        Some("Working")
    );
}
