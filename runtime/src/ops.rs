//! Sending a generated operation's request: the shared half of every `send()`.
//!
//! A generated builder turns its parameters into a `reqwest::Request` in a plain function
//! (`into_request`, progenitor's own request code) and hands it here, with its operation id.
//! Logging in, timeouts, retries, the 401 re-login, status handling, error bodies and
//! decoding are written once in this module, instead of once per operation in an `async`
//! body of the generated crate: that was the largest part of its compile time.
//!
//! Any 2xx status is a success: the spec lists one per operation, and a server that answers
//! 200 where it documents 201 has still done what was asked. Every other status is
//! [`ErrorKind::Api`](crate::ErrorKind::Api) with the (bounded) body.

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::{Request, Response};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, ErrorKind};
use crate::Session;

/// What a builder's `into_request` returns: the session to send with, and the request; or
/// why a request could not be made (a parameter that did not convert, a URL that does not
/// parse).
pub type Prepared<'a> = Result<(&'a Session, Request), progenitor_client::Error>;

/// Sends and decodes a JSON body into `T`.
pub async fn json<T: DeserializeOwned>(operation: &'static str, prepared: Prepared<'_>) -> Result<ResponseValue<T>, Error> {
    let response = send(operation, prepared, false).await?;
    match ResponseValue::<T>::from_response::<()>(response).await {
        Ok(value) => Ok(value),
        Err(e) => Err(Error::from_progenitor(operation, e).await),
    }
}

/// Sends, for an operation that answers with no body.
pub async fn empty(operation: &'static str, prepared: Prepared<'_>) -> Result<ResponseValue<()>, Error> {
    Ok(ResponseValue::empty(send(operation, prepared, false).await?))
}

/// Sends, for a download: the body is returned unread, as a stream, and the request gets
/// the download timeout.
pub async fn bytes(operation: &'static str, prepared: Prepared<'_>) -> Result<ResponseValue<ByteStream>, Error> {
    Ok(ResponseValue::stream(send(operation, prepared, true).await?))
}

/// Authorizes, sends (with the session's timeouts, retries and re-login), and turns a
/// non-2xx answer into an error carrying its status, headers and body.
async fn send(operation: &'static str, prepared: Prepared<'_>, download: bool) -> Result<Response, Error> {
    let (session, mut request) = match prepared {
        Ok(p) => p,
        Err(e) => return Err(Error::from_progenitor::<()>(operation, e).await),
    };
    session.authorize(&mut request).await.map_err(|e| e.in_operation(operation))?;
    let response = session
        .execute(request, download)
        .await
        .map_err(|e| Error::new(ErrorKind::Transport(e)).in_operation(operation))?;
    if response.status().is_success() {
        return Ok(response);
    }
    Err(Error::new(ErrorKind::Api(ApiError::read(response).await)).in_operation(operation))
}

/// A builder setter whose value did not convert: `message` names the parameter. The
/// generated setters call this instead of each carrying its own closure.
#[inline]
pub fn or_message<T, E>(converted: Result<T, E>, message: &'static str) -> Result<T, String> {
    converted.map_err(|_| message.to_string())
}

/// [`or_message`], followed by the conversion's own error.
#[inline]
pub fn or_message_with<T, E: std::fmt::Display>(converted: Result<T, E>, prefix: &'static str) -> Result<T, String> {
    converted.map_err(|e| format!("{prefix}{e}"))
}
