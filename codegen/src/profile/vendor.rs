//! The vendor document of record (profile.yaml's `vendor_document`): which of the vendor's
//! published OpenAPI documents the curated spec follows, so tools that compare the spec with
//! the vendor (`cargo xtask vendor-check`) know the base, and can tell when they are given
//! another file.

use serde::{Deserialize, Serialize};

/// The vendor's document the curated spec follows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VendorDocument {
    /// The API version the document states (its `info.version`, e.g. `v8`).
    pub version: String,
    /// Which revision of that version, when the vendor's releases say (`8.4, May 2026`):
    /// Veeam revises a version's document under the same `info.version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The file's name as the vendor publishes it or as we keep it (`vb365_v8.json`).
    pub file: String,
    /// SHA-256 of the file's bytes, 64 lowercase hex digits.
    pub sha256: String,
}

/// What a document of record must satisfy beyond its shape: (key, message).
pub fn check(doc: &VendorDocument) -> Result<(), (&'static str, String)> {
    let hex = |s: &str| {
        s.len() == 64
            && s.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    };
    if !hex(&doc.sha256) {
        return Err((
            "/vendor_document/sha256",
            format!(
                "{:?} is not a SHA-256: 64 lowercase hex digits (`sha256sum FILE`)",
                doc.sha256
            ),
        ));
    }
    if doc.file.is_empty() || doc.file.contains('/') {
        return Err((
            "/vendor_document/file",
            format!("{:?}: the file's name alone, without a folder", doc.file),
        ));
    }
    Ok(())
}
