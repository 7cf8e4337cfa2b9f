//! The hand-written half of the generated Veeam REST clients (`vb365`, `vbazure`).
//!
//! progenitor generates the operations and types; this crate supplies what a client needs to
//! run against a real server, for every API alike:
//!
//! - [`ClientBuilder`]: base URL, credentials, TLS, proxy (or a `reqwest::Client` of your
//!   own), timeouts and retries in one place; plain `http://` carries credentials only to
//!   this machine unless allowed by name;
//! - [`Session`]: password login, refresh before expiry and once on a 401, logout, or a ready
//!   bearer token; the `Inner` type of every generated `Client`; it follows redirects only
//!   for GET and HEAD within the server's origin;
//! - [`tls`]: verification on by default, an extra root, a pinned fingerprint, or a loudly
//!   named opt-out;
//! - [`retry`]: timeouts, and retries with backoff and jitter that honour `Retry-After`;
//! - [`Error`]: one error type for every operation, with the server's error body decoded;
//! - [`paging`], [`download`], [`wait`]: streams over paged lists, constant-memory downloads,
//!   and polling until long-running work finishes;
//! - [`lenient`]: decoding that survives enum values and `null`s the spec does not list;
//! - [`union`]: a base type and its subtypes as one enum ([`tagged_union!`]), new kinds kept;
//! - [`json`]: what the generated serde impls share (.NET's zoneless and "not set"
//!   timestamps, `null` list items);
//! - [`encode_path`]: path parameters as one segment whatever they hold.
//!
//! No password, token, cookie or query value (an export's `authCode`) reaches an error's
//! `Display` or `Debug`, or a log.
//!
//! The generator wires these into each crate (hooks, `send`, `stream`, `write_to`); nothing
//! in `generated/` is edited by hand.

pub mod auth;
pub mod builder;
pub mod commands;
pub mod cursor;
pub mod discovery;
pub mod download;
pub mod error;
pub mod json;
pub mod lenient;
pub mod ops;
pub mod paging;
pub mod retry;
pub mod secret;
pub mod tls;
pub mod union;
pub mod wait;

pub use auth::{ApiProfile, Session};
pub use builder::{http_client_builder, ClientBuilder, FromParts};
pub use error::{ApiError, Error, ErrorKind, RestExceptionInfo};
pub use retry::{RetryPolicy, Timeouts};
pub use secret::Secret;
pub use wait::{Progress, WaitOptions};

/// Re-exported so generated crates need no direct dependency on these.
pub use futures::Stream;
pub use progenitor_client::{ByteStream, ResponseValue};
/// The HTTP status type [`Error::status`] returns, so callers need no `reqwest` of their own.
pub use reqwest::StatusCode;
#[doc(hidden)]
pub use serde as __serde;
#[doc(hidden)]
pub use serde_json as __serde_json;
pub use tokio::io::AsyncWrite;

/// A path parameter as one path segment: every byte but the unreserved `A-Z a-z 0-9 - . _ ~`
/// percent-encoded (UTF-8 first), so that `/`, `\`, `?`, `#` and `%` in a value (a user
/// `CORP\j.doe`, a folder `Inbox/2026`) reach the server inside the segment and decode back
/// to the value. (progenitor's `encode_path` leaves `\` alone, and the URL parser reads it
/// as `/`.) A value of `.` or `..` cannot be one segment in any encoding: URL parsers
/// resolve it.
pub fn encode_path(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encode_path_leaves_only_unreserved_characters() {
        assert_eq!(super::encode_path("CORP\\j.doe"), "CORP%5Cj.doe");
        assert_eq!(super::encode_path("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(super::encode_path("Müller"), "M%C3%BCller");
        assert_eq!(super::encode_path("A-z_0.9~"), "A-z_0.9~");
    }
}
