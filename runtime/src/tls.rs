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

/// Parses a SHA-256 fingerprint as tools print it: 64 hex digits, any case, optionally
/// separated by colons, spaces or dashes (`openssl x509 -fingerprint -sha256`, a browser's
/// certificate viewer, PowerShell's `Get-PfxCertificate`), with an optional `sha256/` prefix.
/// Anything else (a stray character from a copy and paste, a SHA-1 of 40 digits) is an error
/// that says what was wrong.
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], Error> {
    let bad = |why: String| {
        Error::new(ErrorKind::Config(format!(
            "certificate fingerprint {text:?} {why}: expected a SHA-256 of 64 hex digits, e.g. AB:CD:..."
        )))
    };
    let body = text.trim();
    let body = body
        .strip_prefix("sha256/")
        .or_else(|| body.strip_prefix("SHA256/"))
        .unwrap_or(body);
    let mut digits = Vec::with_capacity(64);
    for c in body.chars() {
        match c {
            ':' | ' ' | '-' => {}
            c if c.is_ascii_hexdigit() => digits.push(c as u8),
            other => {
                return Err(bad(format!(
                    "has {other:?}, which is neither a hex digit nor a separator"
                )))
            }
        }
    }
    if digits.len() != 64 {
        return Err(bad(format!("has {} hex digits", digits.len())));
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
        let hex = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
        *byte = hex(pair[0]) << 4 | hex(pair[1]);
    }
    Ok(out)
}

/// The SHA-256 fingerprint of a DER certificate, as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    fingerprint_hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref())
}

fn fingerprint_hex(digest: &[u8]) -> String {
    digest
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
        check: Check::Pins(pins),
        provider: provider.clone(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::Config(e.to_string())))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// What [`capture_config`]'s verifier saw: the end-entity certificate's fingerprint.
pub(crate) type Seen = Arc<std::sync::Mutex<Option<String>>>;

/// A rustls configuration whose verifier records the certificate the server presents and
/// then refuses it, so that the handshake ends there (see
/// [`crate::ClientBuilder::presented_certificate`]).
pub(crate) fn capture_config() -> Result<(rustls::ClientConfig, Seen), Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let seen = Seen::default();
    let verifier = PinnedVerifier {
        check: Check::Capture(seen.clone()),
        provider: provider.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::Config(e.to_string())))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((config, seen))
}

/// A verifier that trusts by fingerprint alone (handshake signatures still checked).
#[derive(Debug)]
struct PinnedVerifier {
    check: Check,
    provider: Arc<CryptoProvider>,
}

#[derive(Debug)]
enum Check {
    /// Accept exactly these certificates.
    Pins(Vec<[u8; 32]>),
    /// Accept none: record the certificate and end the handshake.
    Capture(Seen),
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
        let pins = match &self.check {
            Check::Pins(pins) => pins,
            Check::Capture(seen) => {
                if let Ok(mut seen) = seen.lock() {
                    *seen = Some(fingerprint(end_entity));
                }
                return Err(rustls::Error::General(
                    "certificate recorded; the handshake stops here".into(),
                ));
            }
        };
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, end_entity);
        if pins.iter().any(|p| p[..] == *digest.as_ref()) {
            Ok(ServerCertVerified::assertion())
        } else {
            let expected: Vec<String> = pins.iter().map(|p| fingerprint_hex(p)).collect();
            Err(rustls::Error::General(format!(
                "{}: the server presented a certificate with SHA-256 {}, expected {}",
                crate::retry::PIN_MISMATCH,
                fingerprint(end_entity),
                expected.join(" or ")
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
        assert_eq!(
            parse_fingerprint(&format!(" {} ", "ab ".repeat(32))).unwrap(),
            [0xAB; 32]
        );
        assert_eq!(
            parse_fingerprint(&format!("sha256/{}", "AB-".repeat(32))).unwrap(),
            [0xAB; 32]
        );
        // Pasted text with a non-ASCII character (a non-breaking space, an en dash, a
        // full-width digit) is an error, never a panic.
        for bad in [
            "",
            "AB:CD",
            &"zz".repeat(32),
            &"ab".repeat(33),
            &format!("{}\u{a0}ab", "ab".repeat(31)),
            &format!("{}–ab", "ab".repeat(31)),
            &format!("é{}", "a".repeat(63)),
            &"０".repeat(64),
            &"ab".repeat(20),
        ] {
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
