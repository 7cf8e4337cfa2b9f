//! Redirects (issue 23, item 1): the client follows a redirect only for a GET or HEAD, only
//! within the server's origin, and a bounded number of times. Anything else comes back as
//! an error naming the status and where it pointed (without its query), and the other host
//! receives nothing: no token, no password, no body. A second server on another loopback
//! port records what reaches it.

mod support;

use support::Recorder;
use vb365::runtime::RetryPolicy;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";
const TOKEN: &str = "AT-redirect-7c1e";
const PASSWORD: &str = "pw-redirect-93ab";

fn session_path() -> String {
    format!("/v8/RestoreSessions/{SESSION}")
}

fn redirect(status: u16, to: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", to)
}

async fn get_session(client: &vb365::Client) -> Result<(), vb365::Error> {
    client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .map(|_| ())
}

fn bearer(server: &MockServer) -> vb365::Client {
    vb365::Client::builder(server.uri())
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_names_where_it_pointed() {
    let other = Recorder::start(r#"{"state":"Stopped"}"#).await;
    let server = MockServer::start().await;
    let target = format!("{}{}?authCode=q-secret-55", other.url(), session_path());
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(redirect(302, &target))
        .mount(&server)
        .await;
    let err = get_session(&bearer(&server)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    let shown = err.to_string();
    assert!(shown.contains("302"), "{shown}");
    assert!(
        shown.contains(&format!("{}{}", other.url(), session_path())),
        "names the Location: {shown}"
    );
    assert!(!shown.contains("q-secret-55"), "without its query: {shown}");
    assert_eq!(other.text(), "", "the other host received a request");
}

#[tokio::test]
async fn a_token_request_is_never_redirected_elsewhere() {
    let other =
        Recorder::start(r#"{"access_token":"stolen","refresh_token":"stolen","expires_in":3600}"#)
            .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(redirect(307, &format!("{}/collect?x=1", other.url())))
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .password("admin", PASSWORD)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.session().login().await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("307"), "{shown}");
    assert!(
        shown.contains(&format!("{}/collect", other.url())),
        "{shown}"
    );
    assert!(!shown.contains("x=1"), "{shown}");
    assert_eq!(other.text(), "", "the password was re-sent to another host");
}

#[tokio::test]
async fn a_token_request_is_not_redirected_even_within_the_origin() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(redirect(308, "/v8/token2"))
        .mount(&server)
        .await;
    Mock::given(path("/v8/token2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "AT", "refresh_token": "RT", "expires_in": 3600}),
        ))
        .expect(0)
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .password("admin", PASSWORD)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.session().login().await.unwrap_err();
    assert!(err.to_string().contains("308"), "{err}");
}

#[tokio::test]
async fn a_post_is_not_redirected_even_within_the_origin() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(redirect(307, "/v8/elsewhere"))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v8/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"PST".to_vec()))
        .expect(0)
        .mount(&server)
        .await;
    let id: uuid::Uuid = SESSION.parse().unwrap();
    let mut file = Vec::new();
    let err = bearer(&server)
        .exchange_item_save_item_action()
        .restore_session_id(id)
        .mailbox_id(id)
        .item_id("item-1")
        .write_to(&mut file)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err}");
    assert!(err.to_string().contains("/v8/elsewhere"), "{err}");
    assert!(file.is_empty());
}

#[tokio::test]
async fn a_get_redirect_within_the_origin_is_followed_with_its_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(redirect(301, &format!("/v8/moved/{SESSION}")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/moved/{SESSION}")))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {TOKEN}"),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": SESSION, "state": "Stopped"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    get_session(&bearer(&server)).await.unwrap();
}

#[tokio::test]
async fn redirects_within_the_origin_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(redirect(302, &session_path()))
        .mount(&server)
        .await;
    let err = get_session(&bearer(&server)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    // The request and five redirects: then the redirect answer is the error.
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

/// An auth kind of the caller's own (`Credentials::Custom`): a key in a header of its own.
struct ApiKey(&'static str);

impl vb365::runtime::auth::Authorize for ApiKey {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), vb365::runtime::Error>> + Send + 'a>,
    > {
        Box::pin(async move {
            let mut value = reqwest::header::HeaderValue::from_static(self.0);
            value.set_sensitive(true);
            request.headers_mut().insert("x-api-key", value);
            Ok(())
        })
    }
}

#[tokio::test]
async fn own_credentials_go_with_each_request_to_the_server_and_nowhere_else() {
    const KEY: &str = "key-custom-61d0";
    let other = Recorder::start(r#"{"state":"Stopped"}"#).await;
    let server = MockServer::start().await;
    let moved = format!("/v8/Moved/{SESSION}");
    Mock::given(method("GET"))
        .and(path(session_path()))
        .respond_with(redirect(302, &moved))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(moved.as_str()))
        .and(wiremock::matchers::header("x-api-key", KEY))
        .respond_with(redirect(302, &format!("{}{}", other.url(), session_path())))
        .mount(&server)
        .await;
    let builder = vb365::Client::builder(server.uri())
        .credentials(vb365::runtime::auth::Credentials::Custom(
            std::sync::Arc::new(ApiKey(KEY)),
        ))
        .retry(RetryPolicy::none());
    assert!(!format!("{builder:?}").contains(KEY), "{builder:?}");
    let err = get_session(&builder.build().unwrap()).await.unwrap_err();
    // The same-origin redirect was followed with the key (the second mock matched it and
    // answered); the one to another origin was refused, and that host received nothing.
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    assert!(err.to_string().contains(&other.url()), "{err}");
    assert_eq!(other.text(), "", "the other host received a request");
    assert!(!err.to_string().contains(KEY), "{err}");
}
