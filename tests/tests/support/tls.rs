//! An HTTPS server presenting a self-signed certificate made at test time.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

pub struct HttpsServer {
    /// The port on 127.0.0.1; its certificate is for `localhost`.
    pub port: u16,
    pub cert_pem: String,
    /// The certificate's SHA-256 fingerprint, as a pin takes it.
    pub fingerprint: String,
    connections: Arc<std::sync::atomic::AtomicUsize>,
    served: Arc<std::sync::atomic::AtomicUsize>,
}

impl HttpsServer {
    /// TCP connections accepted so far (a handshake counts even when it fails).
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests read so far (each after a completed handshake).
    #[allow(dead_code)]
    pub fn served(&self) -> usize {
        self.served.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// An HTTPS server for `localhost` with a certificate made now, answering every request that
/// completes the handshake with `body` (JSON, 200).
pub async fn https_server(body: &'static str) -> HttpsServer {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let der = key.cert.der().to_vec();
    let fingerprint = veeam_runtime::tls::fingerprint(&der);
    let config = ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(der)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der())),
    )
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = connections.clone();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let served_count = served.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let served_count = served_count.clone();
            tokio::spawn(async move {
                // A client that rejects the certificate ends the handshake: nothing to serve.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                super::read_head(&mut tls).await;
                served_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                super::respond_json(&mut tls, "200 OK", body).await;
            });
        }
    });
    HttpsServer {
        port,
        cert_pem: key.cert.pem(),
        fingerprint,
        connections,
        served,
    }
}
