//! Sending a generated operation's request: the shared half of every `send()`.
//!
//! A generated builder turns its parameters into a `reqwest::Request` in a plain function
//! (`into_request`, progenitor's own request code) and hands it here with its
//! [`Operation`]: the facts the generator read from the spec. Logging in, timeouts, retries,
//! the 401 re-login, status handling, error bodies and decoding are written once in this
//! module, instead of once per operation in an `async` body of the generated crate: that was
//! the largest part of its compile time.
//!
//! Any 2xx status is a success: the spec lists one per operation, and a server that answers
//! 200 where it documents 201 has still done what was asked. Every other status is
//! [`ErrorKind::Api`](crate::ErrorKind) with the (bounded) body.

use std::time::Instant;

use bytes::Bytes;
use progenitor_client::{ByteStream, ResponseValue};
use reqwest::{Request, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::auth::Exchange;
use crate::auth::Session;
use crate::error::{ApiError, Error, ErrorKind};

/// What the generator knows of an operation, from the spec.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The operation id (snake case), as errors and logs name it.
    pub id: &'static str,
    /// The path template, e.g. `/v8/RestorePoints/{restorePointId}`, for logs.
    pub path: &'static str,
    /// The success body is a file: the download timeout applies.
    pub download: bool,
    /// Sent without the session's token (`security: []` in the spec: the token endpoint).
    pub anonymous: bool,
}

/// What a builder's `into_request` returns: the session to send with, and the request; or
/// why a request could not be made (a parameter that did not convert, a URL that does not
/// parse).
pub type Prepared<'a> = Result<(&'a Session, Request), progenitor_client::Error>;

/// Sends and decodes a JSON body into `T`. A body that does not decode is an error naming
/// the operation, the place in the body (`.results[3].type`) and its start.
pub async fn json<T: DeserializeOwned>(
    op: Operation,
    prepared: Prepared<'_>,
) -> Result<ResponseValue<T>, Error> {
    let response = send(op, prepared).await?;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = read_body(op, response).await?;
    let value = crate::error::decode_json::<T>(body).map_err(|e| e.in_operation(op.id))?;
    Ok(ResponseValue::new(value, status, headers))
}

/// Sends, for an operation that answers with no body.
pub async fn empty(op: Operation, prepared: Prepared<'_>) -> Result<ResponseValue<()>, Error> {
    Ok(ResponseValue::empty(send(op, prepared).await?))
}

/// Sends, for a download: the body is returned unread, as a stream.
pub async fn bytes(
    op: Operation,
    prepared: Prepared<'_>,
) -> Result<ResponseValue<ByteStream>, Error> {
    Ok(ResponseValue::stream(send(op, prepared).await?))
}

/// Sends, for an operation whose success statuses have different bodies: the response, for
/// the generated `send()` to decode by status ([`decode_body`], [`read_body`],
/// [`stream_body`]).
pub async fn response(op: Operation, prepared: Prepared<'_>) -> Result<Response, Error> {
    send(op, prepared).await
}

/// Reads and decodes a JSON body (see [`json`] for the errors).
pub async fn decode_body<T: DeserializeOwned>(
    op: Operation,
    response: Response,
) -> Result<T, Error> {
    let body = read_body(op, response).await?;
    crate::error::decode_json::<T>(body).map_err(|e| e.in_operation(op.id))
}

/// The body, unread, as a stream.
pub fn stream_body(response: Response) -> ByteStream {
    ResponseValue::stream(response).into_inner()
}

/// Sends and reads the whole success body (for pages: decoded by [`crate::paging`]).
pub(crate) async fn body(
    op: Operation,
    prepared: Prepared<'_>,
) -> Result<(StatusCode, Bytes), Error> {
    let response = send(op, prepared).await?;
    let status = response.status();
    Ok((status, read_body(op, response).await?))
}

/// Reads the whole body.
pub async fn read_body(op: Operation, response: Response) -> Result<Bytes, Error> {
    response
        .bytes()
        .await
        .map_err(|e| Error::transport(e).in_operation(op.id))
}

/// Authorizes, sends (with the session's timeouts, retries and re-login), and turns a
/// non-2xx answer into an error carrying its status, headers and body. Everything happens in
/// a `request` span naming the operation, method and path template.
async fn send(op: Operation, prepared: Prepared<'_>) -> Result<Response, Error> {
    let (session, request) = match prepared {
        Ok(p) => p,
        Err(e) => return Err(Error::from_progenitor::<()>(op.id, e).await),
    };
    let span = tracing::debug_span!("request", operation = op.id, method = %request.method(), path = op.path);
    tracing::Instrument::instrument(send_in_span(op, session, request), span).await
}

async fn send_in_span(
    op: Operation,
    session: &Session,
    mut request: Request,
) -> Result<Response, Error> {
    let started = Instant::now();
    if !op.anonymous {
        session
            .authorize(&mut request)
            .await
            .map_err(|e| e.in_operation(op.id))?;
    }
    let exchange = Exchange {
        operation: op.id,
        download: op.download,
        reauth: !op.anonymous,
    };
    let response = session
        .send(request, exchange)
        .await
        .map_err(|e| Error::transport(e).in_operation(op.id))?;
    let status = response.status();
    tracing::debug!(
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "done"
    );
    if status.is_success() {
        // reqwest decodes gzip and removes the header; any other encoding would reach the
        // caller as bytes it cannot read (a JSON syntax error, a corrupt export).
        if let Some(encoding) = response.headers().get(reqwest::header::CONTENT_ENCODING) {
            let encoding = String::from_utf8_lossy(encoding.as_bytes()).into_owned();
            if !encoding.trim().eq_ignore_ascii_case("identity") {
                return Err(Error::decode(
                    bytes::Bytes::new(),
                    "",
                    format!("the server answered with Content-Encoding `{encoding}`, which this client cannot decode (it asks for gzip)"),
                )
                .in_operation(op.id));
            }
        }
        return Ok(response);
    }
    Err(Error::new(ErrorKind::Api(ApiError::read(response).await)).in_operation(op.id))
}

/// A builder setter whose value did not convert: `message` names the parameter. The
/// generated setters call this instead of each carrying its own closure.
#[inline]
pub fn or_message<T, E>(converted: Result<T, E>, message: &'static str) -> Result<T, String> {
    converted.map_err(|_| message.to_string())
}

/// [`or_message`], followed by the conversion's own error.
#[inline]
pub fn or_message_with<T, E: std::fmt::Display>(
    converted: Result<T, E>,
    prefix: &'static str,
) -> Result<T, String> {
    converted.map_err(|e| format!("{prefix}{e}"))
}
