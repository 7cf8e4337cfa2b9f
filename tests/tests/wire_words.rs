//! The API's own words on the wire: each crate logs in and refreshes with exactly the
//! `grant_type` values its own document allows (VB365 says `password` and `refresh_token`,
//! VB for Azure `Password` and `Refresh_token`), read here from the curated spec, not from
//! the crate; and a path parameter holding `\` or `/` reaches the server as one segment.

use std::path::Path;

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The token path and the `grant_type` values its request allows, from `spec/<folder>`.
fn token_request(folder: &str) -> (String, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let apis = codegen::workspace_apis(&root).unwrap();
    let api = apis.iter().find(|a| a.folder == folder).unwrap();
    let token = api.profile.api_profile().token_path.unwrap().to_string();
    let files = codegen::load::read_spec(&api.spec_dir(&root)).unwrap();
    let (doc, _) = codegen::prepare(&files).unwrap();
    let doc = doc.value;
    let body = doc
        .pointer(&codegen::error::pointer([
            "paths",
            token.as_str(),
            "post",
            "requestBody",
            "content",
        ]))
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
        .unwrap();
    let resolve = |v: &Value| match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(&r[1..]).unwrap().clone(),
        None => v.clone(),
    };
    let grant = resolve(&resolve(body)["properties"]["grant_type"]);
    let allowed = grant["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (token, allowed)
}

/// A field of a form body (the values looked at here need no decoding).
fn form_value(body: &[u8], key: &str) -> Option<String> {
    String::from_utf8_lossy(body).split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// Logs in, then makes one call the server refuses with 401 once (the client refreshes and
/// repeats it); returns the grant types the token endpoint received.
async fn grants_sent(server: &MockServer, session: &veeam_runtime::Session) -> Vec<String> {
    session.login().await.unwrap();
    Mock::given(path("/probe"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(path("/probe"))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
    let mut request = reqwest::Request::new(
        reqwest::Method::GET,
        format!("{}/probe", server.uri()).parse().unwrap(),
    );
    session.authorize(&mut request).await.unwrap();
    let response = session.execute(request, false).await.unwrap();
    assert_eq!(response.status(), 200);
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .filter_map(|r| form_value(&r.body, "grant_type"))
        .collect()
}

async fn token_server(token: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(token))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a", "refresh_token": "r", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    server
}

macro_rules! grant_test {
    ($name:ident, $krate:ident, $folder:literal) => {
        #[tokio::test]
        async fn $name() {
            let (token, allowed) = token_request($folder);
            let server = token_server(&token).await;
            let client = $krate::Client::builder(server.uri())
                .password("admin", "secret")
                .build()
                .unwrap();
            let sent = grants_sent(&server, client.session()).await;
            assert_eq!(sent.len(), 2, "a login and a refresh: {sent:?}");
            for grant in &sent {
                assert!(
                    allowed.contains(grant),
                    "{}: sent grant_type {grant:?}, the document allows {allowed:?}",
                    $folder
                );
            }
            assert_ne!(sent[0], sent[1], "a login and a refresh differ");
        }
    };
}

grant_test!(vb365_v8_grant_types, vb365, "vb365");
grant_test!(vb365_v7_grant_types, vb365_v7, "vb365-v7");
grant_test!(vb365_v6_grant_types, vb365_v6, "vb365-v6");
grant_test!(vbazure_grant_types, vbazure, "vbazure");

#[tokio::test]
async fn a_backslash_or_slash_in_a_path_parameter_is_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("t")
        .build()
        .unwrap();
    for id in ["CORP\\j.doe", "a/b", "x?y#z", "50%"] {
        let _ = client
            .restore_point_get_restore_point()
            .restore_point_id(id)
            .send()
            .await;
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/v8/RestorePoints/CORP%5Cj.doe",
            "/v8/RestorePoints/a%2Fb",
            "/v8/RestorePoints/x%3Fy%23z",
            "/v8/RestorePoints/50%25",
        ]
    );
}
