//! Login and token renewal against servers as they are deployed: behind a reverse proxy with
//! a path prefix, refusing the token endpoint itself, under concurrent first calls, with odd
//! token lifetimes. Every case ends within its timeout: a hang is a failure. All run on
//! `vb365-mock` (a path prefix, a slow or refusing token endpoint, odd token answers, tokens
//! expired on demand).

use std::time::Duration;

use serde_json::json;

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

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

/// A `vb365-mock` server answering the restore session, and a client of it.
async fn session_mock() -> vb365_mock::Mock {
    let mock = vb365_mock::Mock::start().await;
    mock.restore_session_get_by_restore_session_id()
        .returns(serde_json::from_value(json!({"id": SESSION, "state": "Working"})).unwrap());
    mock
}

#[tokio::test]
async fn a_path_prefix_is_kept_for_login_and_requests() {
    let mock = session_mock().await;
    mock.set_path_prefix("/vbo");
    let c = client(mock.uri());
    within("two calls", async {
        get(&c).await.unwrap();
        get(&c).await.unwrap();
    })
    .await;
    assert_eq!(mock.sessions().logins, 1);
    assert_eq!(
        tokens_sent(&mock),
        [("Bearer access-1".to_string(), 2)].into()
    );
    let paths: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/vbo/v8/token".to_string(),
            format!("/vbo/v8/RestoreSessions/{SESSION}"),
            format!("/vbo/v8/RestoreSessions/{SESSION}"),
        ]
    );
    assert!(mock.unmatched().is_empty(), "{:?}", mock.unmatched());
}

#[tokio::test]
async fn a_401_from_the_token_endpoint_behind_a_prefix_is_an_error_not_a_hang() {
    // The token request's path is /vbo/v8/token, not the profile's /v8/token: the runtime
    // must not take it for an ordinary request and try to renew the token from inside the
    // renewal (which held the token lock: a deadlock).
    let mock = session_mock().await;
    mock.set_path_prefix("/vbo");
    mock.token().always(vb365_mock::Fault::Unauthorized).mount();
    let c = client(mock.uri());
    let e = within("a refused login", get(&c)).await.unwrap_err();
    assert!(matches!(e.kind(), vb365::ErrorKind::Auth(_)), "{e}");
    assert!(e.to_string().contains("login: HTTP 401"), "{e}");
    assert_eq!(mock.token().received().count(), 1, "one login, not a loop");
    assert!(mock
        .restore_session_get_by_restore_session_id()
        .received()
        .is_empty());
}

/// A `vb365-mock` server whose token endpoint answers after 50 ms (so concurrent calls
/// overlap a login in flight), and a client of it.
async fn slow_login_mock() -> (vb365_mock::Mock, vb365::Client) {
    let mock = vb365_mock::Mock::start().await;
    mock.token()
        .always(vb365_mock::Fault::Delay(Duration::from_millis(50)))
        .mount();
    mock.restore_session_get_by_restore_session_id()
        .returns(serde_json::from_value(json!({"id": SESSION, "state": "Working"})).unwrap());
    let c = client(mock.uri());
    (mock, c)
}

/// The bearer tokens the session's requests carried, counted by token.
fn tokens_sent(mock: &vb365_mock::Mock) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for t in mock
        .restore_session_get_by_restore_session_id()
        .received()
        .authorizations()
    {
        *counts.entry(t.unwrap_or_default()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn concurrent_first_calls_log_in_once() {
    let (mock, c) = slow_login_mock().await;
    let calls = (0..20).map(|_| get(&c));
    for r in within("20 calls", futures::future::join_all(calls)).await {
        r.unwrap();
    }
    assert_eq!(mock.sessions().logins, 1);
    assert_eq!(
        tokens_sent(&mock),
        [("Bearer access-1".to_string(), 20)].into()
    );
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_refresh_once() {
    let (mock, c) = slow_login_mock().await;
    // A token that lives 1 s (renewed at half-life), then one refresh for everyone.
    mock.set_token_lifetime(1);
    get(&c).await.unwrap();
    mock.set_token_lifetime(3600);
    tokio::time::sleep(Duration::from_millis(600)).await;
    for r in within(
        "10 calls",
        futures::future::join_all((0..10).map(|_| get(&c))),
    )
    .await
    {
        r.unwrap();
    }
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.refreshes), (1, 1));
    assert_eq!(
        tokens_sent(&mock),
        [
            ("Bearer access-1".to_string(), 1),
            ("Bearer access-2".to_string(), 10)
        ]
        .into()
    );
}

#[tokio::test]
async fn concurrent_401s_renew_the_token_once() {
    // The server forgets access-1 (401 with an empty body): every call in flight gets a 401,
    // one renewal serves them all, and each repeats its request once.
    let (mock, c) = slow_login_mock().await;
    c.session().login().await.unwrap();
    mock.expire_tokens();
    for r in within(
        "10 calls",
        futures::future::join_all((0..10).map(|_| get(&c))),
    )
    .await
    {
        r.unwrap();
    }
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.refreshes), (1, 1));
    assert_eq!(tokens_sent(&mock)["Bearer access-2"], 10);
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
        let mock = session_mock().await;
        mock.set_token_field("expires_in", lifetime.clone());
        let c = client(mock.uri());
        within("three calls", async {
            for _ in 0..3 {
                get(&c)
                    .await
                    .unwrap_or_else(|e| panic!("expires_in {lifetime}: {e}"));
            }
        })
        .await;
        assert_eq!(mock.sessions().logins, 1, "expires_in {lifetime}");
        assert_eq!(mock.sessions().refreshes, 0, "expires_in {lifetime}");
        assert_eq!(tokens_sent(&mock)["Bearer access-1"], 3);
    }
}
