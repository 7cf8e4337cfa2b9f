//! One error type for every operation of every generated client.

use std::fmt;

use bytes::Bytes;
use futures::StreamExt;
use progenitor_client::ByteStream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

/// Error bodies are read up to this size; the rest is dropped (and [`ApiError::truncated`]
/// says so), so a misbehaving server cannot make an error exhaust memory.
pub const MAX_ERROR_BODY: usize = 1 << 20;

/// What went wrong, and in which operation.
#[derive(Debug)]
pub struct Error {
    operation: Option<&'static str>,
    kind: ErrorKind,
}

/// The kinds of [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with a status other than 2xx (an error, or a redirect not followed).
    Api(ApiError),
    /// Logging in or refreshing the token failed. The message never holds a secret.
    Auth(String),
    /// No response: connection, TLS, timeout, or the body stream broke off.
    Transport(reqwest::Error),
    /// A success response whose body does not decode into the operation's type.
    Decode { body: Bytes, message: String },
    /// A parameter or body could not be converted before sending.
    InvalidRequest(String),
    /// The client could not be built (bad certificate, bad fingerprint, bad URL).
    Config(String),
    /// Writing a download to its destination failed.
    Io(std::io::Error),
    /// A wait helper reached its deadline before the work finished.
    Timeout(String),
}

/// An error response from the server.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as received (at most [`MAX_ERROR_BODY`] bytes).
    pub body: Bytes,
    /// The body decoded as Veeam's `RESTExceptionInfo`, when it is one.
    pub info: Option<RestExceptionInfo>,
    /// The body was longer than [`MAX_ERROR_BODY`], or its stream broke off.
    pub truncated: bool,
}

/// Veeam's error body (`RESTExceptionInfo`), decoded leniently: every field may be missing or
/// `null`, and an error code this client does not know is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestExceptionInfo {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub stack_trace: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Error { operation: None, kind }
    }

    /// Names the operation this error belongs to (kept if already named).
    pub fn in_operation(mut self, operation: &'static str) -> Self {
        self.operation.get_or_insert(operation);
        self
    }

    /// The operation id, e.g. `restore_session_explore_action`.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// The error response, if the server sent one.
    pub fn api(&self) -> Option<&ApiError> {
        match &self.kind {
            ErrorKind::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.kind {
            ErrorKind::Api(api) => Some(api.status),
            ErrorKind::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// Veeam's `errorCode`, as sent (codes this client does not know included).
    pub fn error_code(&self) -> Option<&str> {
        self.api()?.info.as_ref()?.error_code.as_deref()
    }

    /// Converts progenitor's error into ours, reading an error body (bounded) on the way.
    pub async fn from_progenitor<E: ErrorBody>(
        operation: &'static str,
        error: progenitor_client::Error<E>,
    ) -> Self {
        use progenitor_client::Error as P;
        let kind = match error {
            P::ErrorResponse(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                let (body, truncated) = value.into_inner().read_bounded().await;
                ErrorKind::Api(ApiError::new(status, headers, body, truncated))
            }
            P::UnexpectedResponse(response) => ErrorKind::Api(ApiError::read(response).await),
            P::CommunicationError(e) | P::ResponseBodyError(e) => ErrorKind::Transport(e),
            P::InvalidResponsePayload(body, e) => ErrorKind::Decode {
                body,
                message: e.to_string(),
            },
            P::InvalidRequest(message) => ErrorKind::InvalidRequest(message),
            // Our hooks only fail when login or refresh fails.
            P::Custom(message) => ErrorKind::Auth(message),
            P::InvalidUpgrade(e) => ErrorKind::Transport(e),
        };
        Error::new(kind).in_operation(operation)
    }
}

impl ApiError {
    /// An error answer: its status, headers and (bounded) body.
    pub(crate) async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let (body, truncated) = read_bounded(response.bytes_stream().boxed()).await;
        ApiError::new(status, headers, body, truncated)
    }

    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, truncated: bool) -> Self {
        let info = serde_json::from_slice::<RestExceptionInfo>(&body)
            .ok()
            .filter(|i| i.message.is_some() || i.error_code.is_some());
        ApiError {
            status,
            headers,
            body,
            info,
            truncated,
        }
    }

    /// The body decoded into any type, e.g. the generated crate's typed `RestExceptionInfo`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (lossy), for messages.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{op}: ")?;
        }
        match &self.kind {
            ErrorKind::Api(api) => {
                write!(f, "HTTP {}", api.status)?;
                match &api.info {
                    Some(info) => {
                        if let Some(code) = &info.error_code {
                            write!(f, " {code}")?;
                        }
                        if let Some(message) = &info.message {
                            write!(f, ": {message}")?;
                        }
                        Ok(())
                    }
                    None if api.body.is_empty() => Ok(()),
                    None => write!(f, ": {}", snippet(&api.body_text())),
                }
            }
            ErrorKind::Auth(m) => write!(f, "authentication failed: {m}"),
            ErrorKind::Transport(e) => {
                write!(f, "request failed: {e}")?;
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            ErrorKind::Decode { body, message } => write!(
                f,
                "response body does not decode: {message} (body starts: {})",
                snippet(&String::from_utf8_lossy(body))
            ),
            ErrorKind::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            ErrorKind::Config(m) => write!(f, "invalid client configuration: {m}"),
            ErrorKind::Io(e) => write!(f, "writing the download failed: {e}"),
            ErrorKind::Timeout(m) => write!(f, "timed out: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Transport(e) => Some(e),
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::new(ErrorKind::Transport(e))
    }
}

fn snippet(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Reads a body stream up to [`MAX_ERROR_BODY`]; a broken stream keeps what arrived.
pub(crate) async fn read_bounded(
    mut stream: futures::stream::BoxStream<'_, reqwest::Result<Bytes>>,
) -> (Bytes, bool) {
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return (body.into(), true) };
        let room = MAX_ERROR_BODY - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return (body.into(), true);
        }
        body.extend_from_slice(&chunk);
    }
    (body.into(), false)
}

/// Error bodies the generated operations can carry; the generator declares every error
/// response as bytes, so in practice this is [`ByteStream`] (or `()` for none).
pub trait ErrorBody {
    #[allow(async_fn_in_trait)]
    async fn read_bounded(self) -> (Bytes, bool);
}

impl ErrorBody for ByteStream {
    async fn read_bounded(self) -> (Bytes, bool) {
        read_bounded(self.into_inner().boxed()).await
    }
}

impl ErrorBody for () {
    async fn read_bounded(self) -> (Bytes, bool) {
        (Bytes::new(), false)
    }
}

impl ErrorBody for serde_json::Value {
    async fn read_bounded(self) -> (Bytes, bool) {
        (serde_json::to_vec(&self).unwrap_or_default().into(), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(body: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, HeaderMap::new(), Bytes::from(body.to_string()), false)
    }

    #[test]
    fn decodes_exception_info_with_unknown_code() {
        let e = api(r#"{"message":"no such mailbox","errorCode":"SomethingNew","stackTrace":null}"#);
        let info = e.info.unwrap();
        assert_eq!(info.message.as_deref(), Some("no such mailbox"));
        assert_eq!(info.error_code.as_deref(), Some("SomethingNew"));
        assert_eq!(info.stack_trace, None);
    }

    #[test]
    fn keeps_non_json_and_empty_bodies() {
        for body in ["<html>Bad gateway</html>", "", "{\"message\":", "[1,2]", "null"] {
            let e = api(body);
            assert!(e.info.is_none(), "{body}");
            assert_eq!(e.body_text(), body);
            let err = Error::new(ErrorKind::Api(e)).in_operation("op");
            assert!(err.to_string().starts_with("op: HTTP 400 Bad Request"), "{err}");
        }
    }

    #[test]
    fn display_names_operation_status_code_and_message() {
        let err = Error::new(ErrorKind::Api(api(r#"{"message":"boom","errorCode":"Timeout"}"#)))
            .in_operation("job_get");
        assert_eq!(err.to_string(), "job_get: HTTP 400 Bad Request Timeout: boom");
        assert_eq!(err.error_code(), Some("Timeout"));
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    }

    #[tokio::test]
    async fn error_bodies_are_bounded_and_survive_a_broken_stream() {
        let big = vec![b'x'; MAX_ERROR_BODY + 10];
        let stream = futures::stream::iter(vec![Ok(Bytes::from(big))]).boxed();
        let (body, truncated) = read_bounded(stream).await;
        assert_eq!((body.len(), truncated), (MAX_ERROR_BODY, true));

        let client = reqwest::Client::new();
        // A transport error to stand in for a body stream that broke off.
        let broken = client.get("http://[::1]:1/").send().await.unwrap_err();
        let stream = futures::stream::iter(vec![Ok(Bytes::from_static(b"{\"mess")), Err(broken)]).boxed();
        let (body, truncated) = read_bounded(stream).await;
        assert_eq!((&body[..], truncated), (&b"{\"mess"[..], true));
    }
}
