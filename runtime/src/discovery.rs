//! Which API versions a server serves, asked without credentials.
//!
//! A VB365 server keeps serving older REST versions beside its own: an anonymous
//! `GET /{version}/ServiceInstance` answers 401 (or 200, or 403) for a version it serves and
//! 404 for one it does not. [`probe`] asks every candidate at once, plus one version that
//! cannot exist, so a server (or a proxy) that answers everything with the same page is
//! caught instead of believed.
//!
//! Pin the result in your configuration rather than probing on every start: versions rename
//! enum values and add required fields, so a program is written against one.

use std::time::Duration;

use reqwest::StatusCode;

use crate::error::{Error, ErrorKind};

/// What a server said about each candidate version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The candidates the server serves, in the order they were given (newest first).
    pub served: Vec<&'static str>,
    /// The candidates it does not serve.
    pub not_served: Vec<&'static str>,
}

impl Discovery {
    /// The newest served version of the candidates (the first served, given newest first).
    pub fn newest(&self) -> Option<&'static str> {
        self.served.first().copied()
    }
}

/// A version no server serves: its answer tells how the server answers unknown versions.
const NO_SUCH_VERSION: &str = "v0";

/// Asks `base_url` + `path` (with `{version}` replaced) for each of `versions` and for a
/// version that does not exist, concurrently, within `timeout`.
pub async fn probe(
    http: &reqwest::Client,
    base_url: &str,
    versions: &[&'static str],
    path: &str,
    timeout: Duration,
) -> Result<Discovery, Error> {
    let ask = |version: &str| {
        let url = format!("{base_url}{}", path.replace("{version}", version));
        let request = http.get(url).timeout(timeout).send();
        async move {
            match request.await {
                Ok(response) => Ok(response.status()),
                Err(e) => Err(crate::error::redact_transport(e)),
            }
        }
    };
    // What messages and logs show: no user-info.
    let shown = crate::secret::redact_url_text(base_url);
    let base_url = shown.as_str();
    let all = futures::future::join_all(versions.iter().copied().chain([NO_SUCH_VERSION]).map(ask));
    let answers = tokio::time::timeout(timeout + Duration::from_secs(1), all)
        .await
        .map_err(|_| odd(base_url, format!("no answer within {timeout:?}")))?;
    let (candidates, control) = answers.split_at(versions.len());
    let mut discovery = Discovery {
        served: Vec::new(),
        not_served: Vec::new(),
    };
    let mut unreachable = None;
    for (version, answer) in versions.iter().zip(candidates) {
        match answer {
            Ok(status) if is_served(*status) => discovery.served.push(version),
            Ok(StatusCode::NOT_FOUND) => discovery.not_served.push(version),
            Ok(status) => {
                return Err(odd(
                    base_url,
                    format!(
                        "{} answered HTTP {status}; expected 200, 401, 403 or 404",
                        path.replace("{version}", version)
                    ),
                ))
            }
            Err(e) => unreachable = Some(e.to_string()),
        }
    }
    if let Some(e) = unreachable {
        return Err(Error::new(ErrorKind::Config(format!(
            "{base_url} cannot be reached to discover its API versions: {e}"
        ))));
    }
    match &control[0] {
        Ok(StatusCode::NOT_FOUND) => {}
        Ok(status) => {
            return Err(odd(base_url, format!("it answers HTTP {status} for a version that does not exist ({NO_SUCH_VERSION}), so its answers say nothing: is this a VB365 server, or a proxy page?")))
        }
        Err(e) => return Err(odd(base_url, e.to_string())),
    }
    tracing::info!(base_url, served = ?discovery.served, "discovered API versions");
    Ok(discovery)
}

/// An anonymous request to a version the server serves: refused for want of a token, or
/// answered.
fn is_served(status: StatusCode) -> bool {
    status.is_success() || matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
}

fn odd(base_url: &str, why: String) -> Error {
    Error::new(ErrorKind::Config(format!(
        "cannot tell which API versions {base_url} serves: {why}"
    )))
}
