//! The hand-written half of the generated Veeam REST clients (`vb365`, `vbazure`).
//!
//! progenitor generates the operations and types; this crate supplies what a client needs to
//! run against a real server, for every API alike:
//!
//! - [`ClientBuilder`]: base URL, credentials, TLS, timeouts and retries in one place;
//! - [`Session`]: password login, refresh before expiry and once on a 401, logout, or a ready
//!   bearer token; the `Inner` type of every generated `Client`;
//! - [`tls`]: verification on by default, an extra root, a pinned fingerprint, or a loudly
//!   named opt-out;
//! - [`retry`]: timeouts, and retries with backoff and jitter that honour `Retry-After`;
//! - [`Error`]: one error type for every operation, with the server's error body decoded;
//! - [`paging`], [`download`], [`wait`]: streams over paged lists, constant-memory downloads,
//!   and polling until long-running work finishes;
//! - [`lenient`]: decoding that survives enum values and `null`s the spec does not list;
//! - [`json`]: what the generated serde impls share.
//!
//! The generator wires these into each crate (hooks, `send`, `stream`, `write_to`); nothing
//! in `generated/` is edited by hand.

pub mod auth;
pub mod builder;
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
pub mod wait;

pub use auth::{ApiProfile, Session};
pub use builder::{ClientBuilder, FromParts};
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
pub use tokio::io::AsyncWrite;
