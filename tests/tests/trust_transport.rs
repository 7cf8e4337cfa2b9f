//! Transport (issue 23, items 4 and 8): credentials and certificate settings over plain
//! http, gzip, encodings the client cannot read, path parameters with reserved characters,
//! a proxy, and a custom `reqwest::Client`.

mod support;

use support::{read_head, respond_json, RawServer};
use vb365::runtime::RetryPolicy;
use vb365::ErrorKind;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

async fn get_session(
    client: &vb365::Client,
) -> Result<vb365::types::RestRestoreSession, vb365::Error> {
    Ok(client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await?
        .into_inner())
}

fn config_error(e: vb365::Error, wanted: &str) {
    assert!(matches!(e.kind(), ErrorKind::Config(_)), "{e}");
    assert!(e.to_string().contains(wanted), "{e}");
}

// ---- Plain http ----

#[test]
fn a_password_over_plain_http_to_another_host_is_a_configuration_error() {
    let e = vb365::Client::builder("http://vbo.example.com:4443")
        .password("admin", "pw")
        .build()
        .unwrap_err();
    config_error(e, "allow_insecure_http");
    let e = vb365::Client::builder("http://10.0.0.5:4443")
        .bearer_token("T")
        .build()
        .unwrap_err();
    config_error(e, "plain http");
    // Named, it is allowed; to this machine, nothing crosses a network.
    vb365::Client::builder("http://vbo.example.com:4443")
        .password("admin", "pw")
        .allow_insecure_http()
        .build()
        .unwrap();
    for local in [
        "http://localhost:4443",
        "http://127.0.0.1:4443",
        "http://[::1]:4443",
    ] {
        vb365::Client::builder(local)
            .password("admin", "pw")
            .build()
            .unwrap();
    }
}

#[tokio::test]
async fn a_pinned_certificate_over_plain_http_is_a_configuration_error() {
    // The pin would never be checked: http has no certificate.
    let server = MockServer::start().await;
    let pin = "AB:".repeat(31) + "AB";
    let e = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .pin_certificate_sha256(&pin)
        .unwrap()
        .build()
        .unwrap_err();
    config_error(e, "never checked");
    assert!(server.received_requests().await.unwrap().is_empty());
    vb365::Client::builder(server.uri())
        .bearer_token("T")
        .pin_certificate_sha256(&pin)
        .unwrap()
        .allow_insecure_http()
        .build()
        .unwrap();
}

// ---- gzip and other encodings ----

/// `data` as a gzip member of stored (uncompressed) deflate blocks: valid gzip without a
/// compressor.
fn gzip(data: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let chunks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[tokio::test]
async fn gzip_is_asked_for_and_decoded() {
    let server = MockServer::start().await;
    let body = serde_json::json!({"id": SESSION, "state": "Stopped"}).to_string();
    Mock::given(method("GET"))
        .and(path(format!("/v8/RestoreSessions/{SESSION}")))
        .and(wiremock::matchers::header_regex("accept-encoding", "gzip"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(gzip(body.as_bytes()), "application/json"),
        )
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap();
    let session = get_session(&client).await.unwrap();
    assert_eq!(
        session.state,
        Some(vb365::types::RestRestoreSessionState::Stopped)
    );
}

#[tokio::test]
async fn an_encoding_the_client_cannot_decode_is_an_error_naming_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "br")
                .set_body_raw(vec![0x1b, 0x03, 0x00, 0xf8, 0x25], "application/json"),
        )
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = get_session(&client).await.unwrap_err();
    assert!(e.to_string().contains("Content-Encoding `br`"), "{e}");
}

// ---- Path parameters ----

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[tokio::test]
async fn encode_path_sends_every_value_as_one_segment_that_decodes_back() {
    // Answers with the request target it received.
    let server = RawServer::start(|_, mut s| async move {
        let head = read_head(&mut s).await;
        let target = head.split(' ').nth(1).unwrap_or_default().to_string();
        respond_json(&mut s, "200 OK", &serde_json::to_string(&target).unwrap()).await;
    })
    .await;
    let http = reqwest::Client::new();
    let punctuation: Vec<String> = (0x20u8..0x7f)
        .filter(|b| !b.is_ascii_alphanumeric())
        .map(|b| format!("a{}b", b as char))
        .collect();
    let mut values: Vec<String> = punctuation.clone();
    values.extend([
        punctuation.concat(),
        "CORP\\j.doe".to_string(),
        "Müller".to_string(),
        "日本語 ✓".to_string(),
        "%2F".to_string(),
        "end.".to_string(),
    ]);
    for value in values {
        let url = format!(
            "{}/v8/Users/{}/mailbox",
            server.url(),
            veeam_runtime::encode_path(&value)
        );
        let target: String = http.get(&url).send().await.unwrap().json().await.unwrap();
        let segments: Vec<&str> = target.split('/').collect();
        assert_eq!(segments.len(), 5, "{value:?} arrived as {target:?}");
        assert_eq!(
            (segments[1], segments[2], segments[4]),
            ("v8", "Users", "mailbox")
        );
        assert_eq!(
            String::from_utf8(percent_decode(segments[3])).unwrap(),
            value,
            "arrived as {target:?}"
        );
    }
}

// ---- A proxy, and a client of one's own ----

/// A proxy that answers every request itself, recording the request line it received.
async fn proxy() -> (RawServer, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = lines.clone();
    let server = RawServer::start(move |_, mut s| {
        let log = log.clone();
        async move {
            let head = read_head(&mut s).await;
            log.lock()
                .unwrap()
                .push(head.lines().next().unwrap_or_default().to_string());
            respond_json(
                &mut s,
                "200 OK",
                &format!(r#"{{"id":"{SESSION}","state":"Working"}}"#),
            )
            .await;
        }
    })
    .await;
    (server, lines)
}

#[tokio::test]
async fn a_given_http_client_sends_every_request() {
    let (proxy, lines) = proxy().await;
    let own = veeam_runtime::http_client_builder()
        .proxy(reqwest::Proxy::http(proxy.url()).unwrap())
        .build()
        .unwrap();
    let client = vb365::Client::builder("http://vbo.invalid:4443")
        .bearer_token("T")
        .allow_insecure_http()
        .http_client(own)
        .build()
        .unwrap();
    get_session(&client).await.unwrap();
    let lines = lines.lock().unwrap().clone();
    assert_eq!(
        lines,
        [format!(
            "GET http://vbo.invalid:4443/v8/RestoreSessions/{SESSION} HTTP/1.1"
        )]
    );
}

#[tokio::test]
async fn the_builder_s_proxy_carries_every_request() {
    let (proxy, lines) = proxy().await;
    let client = vb365::Client::builder("http://vbo.invalid:4443")
        .bearer_token("T")
        .allow_insecure_http()
        .proxy(proxy.url())
        .build()
        .unwrap();
    get_session(&client).await.unwrap();
    assert_eq!(lines.lock().unwrap().len(), 1);
}

#[test]
fn settings_a_given_client_would_ignore_are_configuration_errors() {
    let own = || reqwest::Client::new();
    let pin = "AB:".repeat(31) + "AB";
    let e = vb365::Client::builder("https://vbo.example.com")
        .http_client(own())
        .pin_certificate_sha256(&pin)
        .unwrap()
        .build()
        .unwrap_err();
    config_error(e, "certificate settings cannot apply");
    let e = vb365::Client::builder("https://vbo.example.com")
        .http_client(own())
        .proxy("http://proxy:3128")
        .build()
        .unwrap_err();
    config_error(e, "a proxy cannot apply");
    let e = vb365::Client::builder("https://vbo.example.com")
        .http_client(own())
        .user_agent("me")
        .build()
        .unwrap_err();
    config_error(e, "a user agent cannot apply");
}
