//! Login and token renewal against servers as they are deployed: behind a reverse proxy with
//! a path prefix, refusing the token endpoint itself, under concurrent first calls, with odd
//! token lifetimes. Every case ends within its timeout: a hang is a failure.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

fn token(access: &str, refresh: &str, expires_in: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": expires_in
    }))
}

fn session() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"id": SESSION, "state": "Working"}))
}

async fn get(client: &vb365::Client) -> Result<(), vb365::Error> {
    client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .map(|_| ())
}

fn client(base: String) -> vb365::Client {
    vb365::Client::builder(base)
        .password("admin", "pw")
        .retry(vb365::runtime::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Fails the test instead of hanging it.
async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: hung"))
}

#[tokio::test]
async fn a_path_prefix_is_kept_for_login_and_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/vbo/v8/token"))
        .respond_with(token("AT", "RT", json!(3600)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/vbo/v8/RestoreSessions/{SESSION}")))
        .and(header("authorization", "Bearer AT"))
        .respond_with(session())
        .expect(2)
        .mount(&server)
        .await;
    let c = client(format!("{}/vbo", server.uri()));
    within("two calls", async {
        get(&c).await.unwrap();
        get(&c).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_401_from_the_token_endpoint_behind_a_prefix_is_an_error_not_a_hang() {
    // The token request's path is /vbo/v8/token, not the profile's /v8/token: the runtime
    // must not take it for an ordinary request and try to renew the token from inside the
    // renewal (which held the token lock: a deadlock).
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/vbo/v8/token"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(format!("{}/vbo", server.uri()));
    let e = within("a refused login", get(&c)).await.unwrap_err();
    assert!(matches!(e.kind(), vb365::ErrorKind::Auth(_)), "{e}");
    assert!(e.to_string().contains("login: HTTP 401"), "{e}");
}

#[tokio::test]
async fn concurrent_first_calls_log_in_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(token("AT", "RT", json!(3600)).set_delay(Duration::from_millis(50)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer AT"))
        .respond_with(session())
        .expect(20)
        .mount(&server)
        .await;
    let c = client(server.uri());
    let calls = (0..20).map(|_| get(&c));
    for r in within("20 calls", futures::future::join_all(calls)).await {
        r.unwrap();
    }
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_refresh_once() {
    let server = MockServer::start().await;
    // A token that lives 1 s (renewed at half-life), then one refresh for everyone.
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=password"))
        .respond_with(token("AT1", "RT1", json!(1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains(
            "grant_type=refresh_token&refresh_token=RT1",
        ))
        .respond_with(token("AT2", "RT2", json!(3600)).set_delay(Duration::from_millis(50)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer AT1"))
        .respond_with(session())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer AT2"))
        .respond_with(session())
        .expect(10)
        .mount(&server)
        .await;
    let c = client(server.uri());
    get(&c).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    for r in within(
        "10 calls",
        futures::future::join_all((0..10).map(|_| get(&c))),
    )
    .await
    {
        r.unwrap();
    }
}

#[tokio::test]
async fn concurrent_401s_renew_the_token_once() {
    // The server revokes AT1 (401 with an empty body): every call in flight gets a 401, one
    // renewal serves them all, and each repeats its request once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=password"))
        .respond_with(token("AT1", "RT1", json!(3600)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains(
            "grant_type=refresh_token&refresh_token=RT1",
        ))
        .respond_with(token("AT2", "RT2", json!(3600)).set_delay(Duration::from_millis(50)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer AT1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer AT2"))
        .respond_with(session())
        .expect(10)
        .mount(&server)
        .await;
    let c = client(server.uri());
    c.session().login().await.unwrap();
    for r in within(
        "10 calls",
        futures::future::join_all((0..10).map(|_| get(&c))),
    )
    .await
    {
        r.unwrap();
    }
}

#[tokio::test]
async fn a_huge_or_odd_lifetime_neither_panics_nor_refreshes_every_call() {
    for lifetime in [
        json!(u64::MAX),
        json!("18446744073709551615"),
        json!(-5),
        json!("soon"),
        json!(null),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v8/token"))
            .respond_with(token("AT", "RT", lifetime.clone()))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(header("authorization", "Bearer AT"))
            .respond_with(session())
            .expect(3)
            .mount(&server)
            .await;
        let c = client(server.uri());
        within("three calls", async {
            for _ in 0..3 {
                get(&c)
                    .await
                    .unwrap_or_else(|e| panic!("expires_in {lifetime}: {e}"));
            }
        })
        .await;
    }
}
