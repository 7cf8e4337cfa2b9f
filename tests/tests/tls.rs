//! TLS against a local HTTPS server presenting a self-signed certificate made at test time:
//! rejected by default, accepted when pinned or trusted as a root, rejected on a wrong pin,
//! accepted by the explicit opt-out.

mod support;

use support::tls::{https_server, HttpsServer};
use vb365::ErrorKind;

/// What the server answers: an empty job session page.
const PAGE: &str = r#"{"offset":0,"limit":30,"results":[]}"#;

async fn list(client: &vb365::Client) -> Result<(), vb365::Error> {
    client.job_session_get().send().await.map(|_| ())
}

fn builder(server: &HttpsServer) -> veeam_runtime::ClientBuilder<vb365::Client> {
    vb365::Client::builder(format!("https://localhost:{}", server.port))
        .bearer_token("T")
        .retry(veeam_runtime::RetryPolicy::none())
}

#[tokio::test]
async fn self_signed_is_rejected_by_default() {
    let server = https_server(PAGE).await;
    let err = list(&builder(&server).build().unwrap()).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport(_)), "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[tokio::test]
async fn pinned_fingerprint_is_accepted() {
    let server = https_server(PAGE).await;
    let client = builder(&server)
        .pin_certificate_sha256(&server.fingerprint)
        .unwrap()
        .build()
        .unwrap();
    list(&client).await.unwrap();
    // Lower case without colons, as some tools print it.
    let plain = server.fingerprint.replace(':', "").to_lowercase();
    let client = builder(&server)
        .pin_certificate_sha256(&plain)
        .unwrap()
        .build()
        .unwrap();
    list(&client).await.unwrap();
}

#[tokio::test]
async fn wrong_pin_is_rejected() {
    let server = https_server(PAGE).await;
    let wrong = "00:".repeat(31) + "00";
    let client = builder(&server)
        .pin_certificate_sha256(&wrong)
        .unwrap()
        .build()
        .unwrap();
    let err = list(&client).await.unwrap_err();
    assert!(
        err.to_string().contains("certificate pin mismatch"),
        "{err}"
    );
    assert!(
        err.to_string().contains(&server.fingerprint),
        "names what the server sent: {err}"
    );
    assert!(
        err.to_string().contains(&wrong),
        "names what was expected: {err}"
    );
    // A mismatch is not retried like a connection reset: one handshake, not four.
    assert_eq!(server.connections(), 1, "{err}");
}

#[tokio::test]
async fn a_pin_with_extra_roots_is_a_configuration_error() {
    let server = https_server(PAGE).await;
    let e = builder(&server)
        .pin_certificate_sha256(&server.fingerprint)
        .unwrap()
        .add_root_certificate_pem(server.cert_pem.clone())
        .build()
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Config(_)), "{e}");
    assert!(
        e.to_string().contains("pinned certificate and extra root"),
        "{e}"
    );
}

#[tokio::test]
async fn the_certificate_as_an_extra_root_is_accepted() {
    let server = https_server(PAGE).await;
    let client = builder(&server)
        .add_root_certificate_pem(server.cert_pem.clone())
        .build()
        .unwrap();
    list(&client).await.unwrap();
}

#[tokio::test]
async fn the_explicit_opt_out_accepts_anything() {
    let server = https_server(PAGE).await;
    let client = builder(&server)
        .danger_accept_invalid_certificates()
        .build()
        .unwrap();
    list(&client).await.unwrap();
}

#[test]
fn bad_pins_and_roots_are_configuration_errors() {
    let b = vb365::Client::builder("https://localhost:4443");
    let err = b.pin_certificate_sha256("AB:CD").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config(_)), "{err:?}");
    let err = vb365::Client::builder("https://localhost:4443")
        .add_root_certificate_pem("not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config(_)), "{err:?}");
    let err = vb365::Client::builder("localhost:4443")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("base URL"), "{err}");
}
