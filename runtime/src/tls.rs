//! How the server's certificate is checked. VB365 servers usually present a self-signed
//! certificate on port 4443; verification stays on unless the caller says otherwise.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, ErrorKind};

/// Certificate checking for a client.
#[derive(Debug, Clone, Default)]
pub enum TlsMode {
    /// The platform's trust store, plus any extra roots. The default.
    #[default]
    Verify,
    /// Accept exactly the certificates whose SHA-256 fingerprint is listed, whoever issued
    /// them and whatever host name they carry: the usual way to trust a self-signed server.
    Pinned(Vec<[u8; 32]>),
    /// Accept any certificate. Anyone on the network path can read the credentials.
    DangerAcceptInvalidCertificates,
}

/// Parses a SHA-256 fingerprint as tools print it: 64 hex digits, optionally separated by
/// colons or spaces, any case (`openssl x509 -fingerprint -sha256` or a browser's).
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], Error> {
    let bad = |why: &str| {
        Error::new(ErrorKind::Config(format!(
            "certificate fingerprint {text:?} {why}: expected a SHA-256 of 64 hex digits, e.g. AB:CD:..."
        )))
    };
    let hex: String = text
        .trim()
        .trim_start_matches("sha256/")
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if hex.len() != 64 {
        return Err(bad(&format!("has {} hex digits", hex.len())));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad("is not hex"))?;
    }
    Ok(out)
}

/// The SHA-256 fingerprint of a DER certificate, as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A rustls configuration that trusts only the pinned certificates. Handshake signatures
/// are still verified, so the server must hold the certificate's private key.
pub(crate) fn pinned_config(pins: Vec<[u8; 32]>) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedVerifier {
        pins,
        provider: provider.clone(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::Config(e.to_string())))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

#[derive(Debug)]
struct PinnedVerifier {
    pins: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, end_entity);
        if self.pins.iter().any(|p| p[..] == *digest.as_ref()) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the server's certificate (SHA-256 {}) is not the pinned one",
                fingerprint(end_entity)
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_in_the_usual_spellings() {
        let colon = "AB:".repeat(31) + "AB";
        assert_eq!(parse_fingerprint(&colon).unwrap(), [0xAB; 32]);
        assert_eq!(parse_fingerprint(&"ab".repeat(32)).unwrap(), [0xAB; 32]);
        assert_eq!(parse_fingerprint(&format!(" {} ", "ab ".repeat(32))).unwrap(), [0xAB; 32]);
        for bad in ["", "AB:CD", &"zz".repeat(32), &"ab".repeat(33)] {
            let e = parse_fingerprint(bad).unwrap_err();
            assert!(e.to_string().contains("SHA-256"), "{e}");
        }
    }

    #[test]
    fn fingerprint_of_known_bytes() {
        // SHA-256 of the empty string.
        assert!(fingerprint(b"").starts_with("E3:B0:C4:42:98:FC:1C:14"));
    }
}
