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

/// Redirects followed in a row for one request (GET or HEAD, within the origin) before the
/// redirect answer itself is returned, as an error.
pub const MAX_REDIRECTS: u32 = 5;

/// What went wrong, and in which operation.
#[derive(Debug)]
pub struct Error {
    operation: Option<&'static str>,
    kind: ErrorKind,
    /// What caused it, when the kind holds only a message (a login that failed because its
    /// request did): [`std::error::Error::source`].
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
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
    /// A success response whose body does not decode into the operation's type. `path` is
    /// where in the body it failed (`.results[3].type`; empty when the body is not JSON).
    Decode {
        body: Bytes,
        path: String,
        message: String,
    },
    /// A paged list the server serves inconsistently (it ignores the offset, repeats items,
    /// or serves fewer than it counts): walking on would lose or repeat items.
    Paging(String),
    /// A parameter or body could not be converted before sending.
    InvalidRequest(String),
    /// The client could not be built (bad certificate, bad fingerprint, bad URL).
    Config(String),
    /// Writing a download to its destination failed.
    Io(std::io::Error),
    /// A wait helper reached its deadline before the work finished.
    Timeout(String),
}

/// An error response from the server. Its `Debug` shows the headers and body with secrets
/// (`Set-Cookie`, tokens) replaced by `***`; the fields hold them as received.
#[derive(Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as received (at most [`MAX_ERROR_BODY`] bytes).
    pub body: Bytes,
    /// The body decoded as Veeam's `RESTExceptionInfo`, when it is one.
    pub info: Option<RestExceptionInfo>,
    /// The body decoded as an RFC 9457 problem (`application/problem+json`), when it is one.
    pub problem: Option<Problem>,
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

/// An RFC 9457 problem (`application/problem+json`), as VB for Azure sends its errors:
/// every member may be missing; members the RFC does not define are kept in `extensions`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Problem {
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient_status")]
    pub status: Option<u16>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub instance: Option<String>,
    #[serde(default, rename = "traceId")]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// `status` as a number, a numeric string, or anything else (ignored).
fn lenient_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(
        v.and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
            .and_then(|n| u16::try_from(n).ok()),
    )
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            operation: None,
            kind,
            source: None,
        }
    }

    /// Keeps `cause` as this error's [`source`](std::error::Error::source).
    pub fn with_source(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(cause.into());
        self
    }

    /// A request that got no response. Its URL is kept without user-info and query values
    /// (an export's `authCode`), so that neither reaches a message or a log.
    pub fn transport(error: reqwest::Error) -> Self {
        Error::new(ErrorKind::Transport(redact_transport(error)))
    }

    /// A success body that does not decode. Values of fields named like secrets (tokens,
    /// passwords) are replaced by `***` in the body kept, and the message is withheld when
    /// the failing field is one.
    pub fn decode(body: Bytes, path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        let mut message = message.into();
        let last = path
            .rsplit(['.', '['])
            .next()
            .unwrap_or_default()
            .trim_end_matches(']');
        if crate::secret::is_secret_name(last) {
            message =
                "the value does not fit its type (not shown: the field holds a secret)".into();
        }
        let body = match crate::secret::redact_json(&body) {
            Some(redacted) => Bytes::from(redacted),
            None => body,
        };
        Error::new(ErrorKind::Decode {
            body,
            path,
            message,
        })
    }

    /// Whether trying again later may succeed: no response (except a TLS or certificate
    /// failure, which will fail the same way), HTTP 429, 502, 503 or 504, or a login or
    /// refresh that failed for one of these reasons.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            ErrorKind::Transport(e) => !crate::retry::is_tls_failure(e),
            ErrorKind::Api(api) => crate::retry::is_retryable_status(api.status),
            ErrorKind::Auth(_) => self
                .source
                .as_deref()
                .and_then(|s| s.downcast_ref::<Error>())
                .is_some_and(Error::is_transient),
            _ => false,
        }
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

    /// The RFC 9457 problem the server answered with, if it did.
    pub fn problem(&self) -> Option<&Problem> {
        self.api()?.problem.as_ref()
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
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                return Error::transport(e).in_operation(operation)
            }
            P::InvalidResponsePayload(body, e) => {
                return Error::decode(body, "", e.to_string()).in_operation(operation)
            }
            P::InvalidRequest(message) => ErrorKind::InvalidRequest(message),
            // Our hooks only fail when login or refresh fails.
            P::Custom(message) => ErrorKind::Auth(message),
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
        let problem_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/problem+json"));
        let problem = serde_json::from_slice::<Problem>(&body).ok().filter(|p| {
            problem_type || p.title.is_some() && (p.status.is_some() || p.type_.is_some())
        });
        ApiError {
            status,
            headers,
            body,
            info,
            problem,
            truncated,
        }
    }

    /// The body as an RFC 9457 problem, when it is one.
    pub fn problem(&self) -> Option<&Problem> {
        self.problem.as_ref()
    }

    /// The body decoded into any type, e.g. the generated crate's typed `RestExceptionInfo`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (lossy), for messages.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as text with the values of fields named like secrets replaced by `***`: what
    /// `Display` and `Debug` show.
    pub fn body_text_redacted(&self) -> String {
        match crate::secret::redact_json(&self.body) {
            Some(redacted) => String::from_utf8_lossy(&redacted).into_owned(),
            None => self.body_text(),
        }
    }

    /// Where a redirect answer points (its `Location`), without query or user-info: the
    /// runtime follows redirects only within the server's origin and only for GET and HEAD,
    /// so any other comes back as an error.
    pub fn redirect_target(&self) -> Option<String> {
        if !self.status.is_redirection() {
            return None;
        }
        let location = self.headers.get(reqwest::header::LOCATION)?;
        Some(crate::secret::redact_url_text(&String::from_utf8_lossy(
            location.as_bytes(),
        )))
        .map(|l| l.split('?').next().unwrap_or_default().to_string())
    }
}

/// Headers whose values are secrets in any message: session cookies and credentials.
fn is_secret_header(name: &reqwest::header::HeaderName) -> bool {
    use reqwest::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
    [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE, SET_COOKIE].contains(name)
        || crate::secret::is_secret_name(name.as_str())
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a HeaderMap);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(k, v)| {
                        let shown = if is_secret_header(k) {
                            crate::secret::REDACTED.to_string()
                        } else {
                            String::from_utf8_lossy(v.as_bytes()).into_owned()
                        };
                        (k.as_str(), shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body_text_redacted())
            .field("info", &self.info)
            .field("problem", &self.problem)
            .field("truncated", &self.truncated)
            .finish()
    }
}

/// A transport error with its URL's user-info and query values replaced by `***`.
pub(crate) fn redact_transport(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        crate::secret::redact_url(url);
    }
    error
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{op}: ")?;
        }
        match &self.kind {
            ErrorKind::Api(api) => {
                write!(f, "HTTP {}", api.status)?;
                if let Some(target) = api.redirect_target() {
                    return write!(
                        f,
                        ": redirect to {target} not followed (the client follows at most {MAX_REDIRECTS} redirects in a row, of GET and HEAD requests, within the same origin: never to another host, never from https to http, never re-sending a body)"
                    );
                }
                if let Some(p) = &api.problem {
                    for part in [&p.title, &p.detail].into_iter().flatten() {
                        write!(f, ": {part}")?;
                    }
                    if let Some(trace) = &p.trace_id {
                        write!(f, " (trace id {trace})")?;
                    }
                    return Ok(());
                }
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
                    None => write!(f, ": {}", snippet(&api.body_text_redacted())),
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
            ErrorKind::Decode {
                body,
                path,
                message,
            } => {
                write!(f, "response body does not decode")?;
                if !path.is_empty() {
                    write!(f, " at `{path}`")?;
                }
                write!(
                    f,
                    ": {message} (body starts: {})",
                    snippet(&String::from_utf8_lossy(body))
                )
            }
            ErrorKind::Paging(m) => write!(f, "paging stopped: {m}"),
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
            _ => self
                .source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static)),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::transport(e)
    }
}

pub(crate) fn snippet(text: &str) -> String {
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
        let Ok(chunk) = chunk else {
            return (body.into(), true);
        };
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

/// Decodes a JSON body into `T`. On failure, the error names where in the body it failed
/// (`.results[3].type`): the body is read a second time to find the place, so the
/// path costs nothing on success.
///
/// A body that fails only because a list holds `null` items decodes with those items left
/// out (see [`crate::json::decode_dropping_null_items`]).
pub fn decode_json<T: serde::de::DeserializeOwned>(body: Bytes) -> Result<T, Error> {
    match serde_json::from_slice::<T>(&body) {
        Ok(v) => Ok(v),
        Err(e) => {
            if let Some(v) = crate::json::decode_dropping_null_items::<T>(&body) {
                return Ok(v);
            }
            let (path, message) =
                locate_decode_error::<T>(&body).unwrap_or((String::new(), e.to_string()));
            Err(Error::decode(body, path, message))
        }
    }
}

/// Where decoding `T` from `body` fails, and why: (`.a[3].b`, message).
pub(crate) fn locate_decode_error<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Option<(String, String)> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(_) => None,
        Err(e) => Some((json_path(e.path()), e.inner().to_string())),
    }
}

/// `serde_path_to_error`'s path as `.results[3].type`.
pub(crate) fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => out.push_str(&format!(".{key}")),
            Segment::Enum { variant } => out.push_str(&format!(".{variant}")),
            Segment::Unknown => out.push_str(".?"),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(body: &str) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            HeaderMap::new(),
            Bytes::from(body.to_string()),
            false,
        )
    }

    #[test]
    fn decodes_exception_info_with_unknown_code() {
        let e =
            api(r#"{"message":"no such mailbox","errorCode":"SomethingNew","stackTrace":null}"#);
        let info = e.info.unwrap();
        assert_eq!(info.message.as_deref(), Some("no such mailbox"));
        assert_eq!(info.error_code.as_deref(), Some("SomethingNew"));
        assert_eq!(info.stack_trace, None);
    }

    #[test]
    fn keeps_non_json_and_empty_bodies() {
        for body in [
            "<html>Bad gateway</html>",
            "",
            "{\"message\":",
            "[1,2]",
            "null",
        ] {
            let e = api(body);
            assert!(e.info.is_none(), "{body}");
            assert_eq!(e.body_text(), body);
            let err = Error::new(ErrorKind::Api(e)).in_operation("op");
            assert!(
                err.to_string().starts_with("op: HTTP 400 Bad Request"),
                "{err}"
            );
        }
    }

    #[test]
    fn display_names_operation_status_code_and_message() {
        let err = Error::new(ErrorKind::Api(api(
            r#"{"message":"boom","errorCode":"Timeout"}"#,
        )))
        .in_operation("job_get");
        assert_eq!(
            err.to_string(),
            "job_get: HTTP 400 Bad Request Timeout: boom"
        );
        assert_eq!(err.error_code(), Some("Timeout"));
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn problem_json_keeps_its_members_and_extensions() {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            "application/problem+json; charset=utf-8".parse().unwrap(),
        );
        let body = r#"{"type":"https://x/errors/NotFound","title":"Not found","status":"404","detail":"No policy 7.","traceId":"00-ab","errorCode":"E42"}"#;
        let api = ApiError::new(StatusCode::NOT_FOUND, headers, Bytes::from(body), false);
        let p = api.problem().unwrap();
        assert_eq!(
            (p.title.as_deref(), p.status, p.detail.as_deref()),
            (Some("Not found"), Some(404), Some("No policy 7."))
        );
        assert_eq!(p.trace_id.as_deref(), Some("00-ab"));
        assert_eq!(p.extensions["errorCode"], "E42");
        let err = Error::new(ErrorKind::Api(api)).in_operation("policy_get");
        assert_eq!(
            err.to_string(),
            "policy_get: HTTP 404 Not Found: Not found: No policy 7. (trace id 00-ab)"
        );
        // Without the media type, a body is a problem only when it looks like one.
        assert!(self::api(r#"{"title":"x"}"#).problem.is_none());
        assert!(self::api(r#"{"title":"x","status":400}"#).problem.is_some());
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(Debug, serde::Deserialize)]
        struct Item {
            #[allow(dead_code)]
            name: String,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Page {
            #[allow(dead_code)]
            results: Vec<Item>,
        }
        let body = Bytes::from_static(br#"{"results":[{"name":"a"},{"name":null}]}"#);
        let e = decode_json::<Page>(body).unwrap_err();
        let ErrorKind::Decode { path, message, .. } = e.kind() else {
            panic!("{e}")
        };
        assert_eq!(path, ".results[1].name");
        assert!(message.contains("invalid type: null"), "{message}");
        assert!(e.to_string().contains("at `.results[1].name`"), "{e}");
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
        let stream =
            futures::stream::iter(vec![Ok(Bytes::from_static(b"{\"mess")), Err(broken)]).boxed();
        let (body, truncated) = read_bounded(stream).await;
        assert_eq!((&body[..], truncated), (&b"{\"mess"[..], true));
    }
}
