//! Secrets never leave in errors or logs (issue 23, item 3). One test sends every
//! secret-bearing value (the password, the access and refresh tokens, a query secret such as
//! an export's `authCode`, a session cookie, a base URL's user-info) through every error
//! path there is, and greps ALL output for them: `Display`, `Debug` (`{:?}` and `{:#?}`)
//! of each error and of its sources, of the builder and the client, and every tracing
//! event captured meanwhile.

mod support;
use std::fmt::Write as _;
use support::capture::Capture;

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use support::{read_head, reset, RawServer};
use vb365::runtime::RetryPolicy;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "PW-Secret-9f2c";
const ACCESS: &str = "AT-Secret-1b7e";
const REFRESH: &str = "RT-Secret-4d0a";
const QUERY: &str = "QS-Secret-77aa";
const COOKIE: &str = "CK-Secret-5e3b";
const URL_USER: &str = "ui-user-3f1d";
const URL_PASSWORD: &str = "UI-Secret-8c21";
const SECRETS: [&str; 7] = [
    PASSWORD,
    ACCESS,
    REFRESH,
    QUERY,
    COOKIE,
    URL_USER,
    URL_PASSWORD,
];

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

/// Everything an error shows: Display, both Debugs, and the same for each source.
fn shown(out: &mut String, label: &str, e: &(dyn std::error::Error + 'static)) {
    let _ = write!(out, "\n== {label}\n{e}\n{e:?}\n{e:#?}");
    let mut source = e.source();
    while let Some(s) = source {
        let _ = write!(out, "\n-- source\n{s}\n{s:?}\n{s:#?}");
        source = s.source();
    }
}

fn tokens() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 3600}),
    )
}

fn session_id() -> uuid::Uuid {
    SESSION.parse().unwrap()
}

async fn get_session(client: &vb365::Client) -> Result<(), vb365::Error> {
    client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(session_id())
        .send()
        .await
        .map(|_| ())
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        retry_non_idempotent: false,
    }
}

fn password_client(uri: &str) -> vb365::Client {
    vb365::Client::builder(uri)
        .password("admin", PASSWORD)
        .retry(quick())
        .build()
        .unwrap()
}

#[tokio::test]
async fn no_secret_reaches_any_output() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mut out = String::new();

    // 1. A refused login whose answer echoes the password and sets a cookie.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("set-cookie", format!("session={COOKIE}; HttpOnly"))
                .set_body_json(json!({"error": "invalid_grant", "error_description": "no", "password": PASSWORD})),
        )
        .mount(&server)
        .await;
    let client = password_client(&server.uri());
    let _ = write!(out, "\n{:?}\n{:#?}", client, client.session());
    let e = client.session().login().await.unwrap_err();
    shown(&mut out, "refused login", &e);
    let e = get_session(&client).await.unwrap_err();
    shown(&mut out, "request after a refused login", &e);

    // 2. An error answer that sets a cookie and echoes the token; 3. a success answer that
    // does not decode and holds a refresh token; 4. a page whose item does not decode and
    // holds an access token.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(tokens())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}")))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("set-cookie", format!("session={COOKIE}"))
                .insert_header("x-echo-token", ACCESS)
                .set_body_json(json!({"message": "boom", "access_token": ACCESS})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": SESSION, "state": 5, "refreshToken": REFRESH, "auth": {"password": PASSWORD}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v8/RestorePoints"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "offset": 0, "limit": 50,
            "results": [{"id": 5, "accessToken": ACCESS}, {"id": "ok", "cookie": COOKIE}]
        })))
        .mount(&server)
        .await;
    let client = password_client(&server.uri());
    let e = get_session(&client).await.unwrap_err();
    shown(&mut out, "error answer with cookie", &e);
    if let Some(api) = e.api() {
        let _ = write!(out, "\n{api:?}\n{api:#?}");
    }
    let e = get_session(&client).await.unwrap_err();
    shown(&mut out, "success answer that does not decode", &e);
    let items: Vec<_> = client
        .restore_point_get_restore_points()
        .stream()
        .collect()
        .await;
    for item in &items {
        if let Err(e) = item {
            shown(&mut out, "page item that does not decode", e);
        }
    }

    // 5. The token operation itself, answering with tokens and a field that does not decode.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": "soon"}),
        ))
        .mount(&server)
        .await;
    let azure = vbazure::Client::builder(server.uri()).build().unwrap();
    let e = azure
        .login_authenticate()
        .body(
            vbazure::types::LoginFromClient::builder()
                .grant_type(vbazure::types::GrantType::Password)
                .username("admin".to_string())
                .password(PASSWORD.to_string()),
        )
        .send()
        .await
        .unwrap_err();
    shown(&mut out, "token operation answer that does not decode", &e);

    // 6. The session's own token answer, cut off.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v8/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}","expires_in":36"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let e = password_client(&server.uri())
        .session()
        .login()
        .await
        .unwrap_err();
    shown(&mut out, "token answer cut off", &e);

    // 7. A refresh refused, and the password login after it, both echoing what was sent.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("grant_type=password"))
        .respond_with(tokens())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "refresh_token": REFRESH, "password": PASSWORD}),
        ))
        .mount(&server)
        .await;
    Mock::given(header("authorization", format!("Bearer {ACCESS}")))
        .respond_with(ResponseTemplate::new(401).insert_header("www-authenticate", "Bearer"))
        .mount(&server)
        .await;
    let e = get_session(&password_client(&server.uri()))
        .await
        .unwrap_err();
    shown(&mut out, "refused refresh and login", &e);

    // 8. A download whose URL carries `authCode`, on a server that resets the connection:
    // retried, then a transport error naming the URL.
    let resetting = RawServer::start(|_, mut s| async move {
        read_head(&mut s).await;
        reset(s);
    })
    .await;
    let client = vb365::Client::builder(resetting.url())
        .bearer_token(ACCESS)
        .retry(quick())
        .build()
        .unwrap();
    let e = client
        .teams_channel_download_exported_posts()
        .restore_session_id(session_id())
        .team_id(session_id())
        .channel_id("channel")
        .request_export_id(session_id())
        .auth_code(QUERY)
        .send()
        .await
        .err()
        .expect("the download fails");
    assert!(
        e.to_string().contains("authCode"),
        "names the parameter: {e}"
    );
    shown(&mut out, "download reset", &e);

    // 9. Nothing listening: a connection refused, on the same URL.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = vb365::Client::builder(format!("http://127.0.0.1:{closed}"))
        .bearer_token(ACCESS)
        .retry(quick())
        .build()
        .unwrap();
    let _ = write!(out, "\n{client:?}");
    let e = client
        .teams_channel_download_exported_posts()
        .restore_session_id(session_id())
        .team_id(session_id())
        .channel_id("channel")
        .request_export_id(session_id())
        .auth_code(QUERY)
        .send()
        .await
        .err()
        .expect("the download fails");
    shown(&mut out, "connection refused", &e);

    // 10. A base URL with user-info: in the builder's Debug, and refused by build().
    let builder = vb365::Client::builder(format!(
        "http://{URL_USER}:{URL_PASSWORD}@127.0.0.1:{closed}"
    ))
    .password("admin", PASSWORD);
    let _ = write!(out, "\n{builder:?}\n{builder:#?}");
    let e = builder.build().unwrap_err();
    shown(&mut out, "base URL with user-info", &e);

    let logged = capture.text.lock().unwrap().clone();
    assert!(
        logged.contains("retrying"),
        "the retries were logged:{logged}"
    );
    let everything = format!("{out}\n{logged}");
    for secret in SECRETS {
        assert!(
            !everything.contains(secret),
            "{secret:?} was shown:\n{everything}"
        );
    }
}
