//! The session behind every generated client: who we are, the current token, and the
//! request pipeline (authorize, time out, retry, re-login on 401) the generated hooks call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, LOCATION};
use reqwest::{Request, Response, StatusCode};
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::error::{ApiError, Error, ErrorKind};
use crate::retry::{self, RetryPolicy, Timeouts};
use crate::secret::Secret;

/// The profile types, defined once for the generator and the runtime (`veeam-profile`).
pub use veeam_profile::{ApiProfile, Endpoint};

/// How the client authenticates.
#[derive(Clone)]
pub enum Credentials {
    /// OAuth2 password grant; the runtime refreshes and re-logs in as needed.
    Password { username: String, password: Secret },
    /// A bearer token obtained elsewhere, sent as is and never refreshed.
    BearerToken(Secret),
    /// No `Authorization` header (a server or mock that needs none).
    None,
    /// An auth kind of its own module ([`Authorize`]), which a builder method of that module
    /// sets with [`ClientBuilder::credentials`](crate::ClientBuilder::credentials).
    Custom(Arc<dyn Authorize>),
}

/// An auth kind beyond the built-in ones: puts its credentials on each request the session
/// sends (the token endpoint's and `security: []` operations' aside). Its `Debug`-free
/// design keeps the credentials out of logs: [`Credentials`] prints it as `Custom(..)`.
pub trait Authorize: Send + Sync {
    /// Adds the credentials to `request` (a header, usually).
    fn authorize<'a>(
        &'a self,
        request: &'a mut Request,
    ) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;
}

impl Credentials {
    pub(crate) fn is_password(&self) -> bool {
        matches!(self, Credentials::Password { .. })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, password } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", password)
                .finish(),
            Credentials::BearerToken(t) => f.debug_tuple("BearerToken").field(t).finish(),
            Credentials::None => f.write_str("None"),
            Credentials::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// The current tokens of a password session.
struct Tokens {
    access: Secret,
    refresh: Option<Secret>,
    /// When to renew it, by our clock: the issue time plus `expires_in`, less the refresh
    /// margin (or half the lifetime, when the margin is longer than that).
    renew_at: Instant,
    /// When it expires, by our clock: until then it is used if its early renewal fails for
    /// a reason that may pass (no response, a 503).
    expires_at: Instant,
}

/// A logged-in (or about to be) session: the `Inner` of every generated `Client`. Cheap to
/// clone; clones share the token.
#[derive(Clone)]
pub struct Session(Arc<State>);

struct State {
    profile: ApiProfile,
    base_url: String,
    http: reqwest::Client,
    credentials: Credentials,
    tokens: Mutex<Option<Tokens>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    refresh_margin: Duration,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field(
                "base_url",
                &crate::secret::redact_url_text(&self.0.base_url),
            )
            .field("credentials", &self.0.credentials)
            .field("retry", &self.0.retry)
            .field("timeouts", &self.0.timeouts)
            .finish_non_exhaustive()
    }
}

/// The token response, decoded leniently: only what we use, `expires_in` as a number or a
/// string, and the vendor's `.issued`/`.expires` dates (whose format varies) ignored.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// `expires_in` when the server leaves it out, or says `0` (which would otherwise renew
/// before every request): VB365's default lifetime. Should the token expire sooner, the
/// server's 401 renews it and the request is repeated once.
const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(3600);

/// Lifetimes beyond this are read as this: a token is renewed at least once a year, and
/// `Instant + Duration` cannot overflow.
const MAX_EXPIRES_IN: Duration = Duration::from_secs(365 * 24 * 3600);

/// How a request is sent by [`Session::send`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exchange {
    /// The operation id, for logs.
    pub operation: &'static str,
    /// A file download: the download timeout instead of the request timeout.
    pub download: bool,
    /// Renew the token and repeat the request once on a 401. Never for the token requests
    /// themselves: renewing from inside a renewal is how a login hangs.
    pub reauth: bool,
}

impl Session {
    pub(crate) fn new(
        profile: ApiProfile,
        base_url: String,
        http: reqwest::Client,
        credentials: Credentials,
        retry: RetryPolicy,
        timeouts: Timeouts,
        refresh_margin: Duration,
    ) -> Self {
        Session(Arc::new(State {
            profile,
            base_url,
            http,
            credentials,
            tokens: Mutex::new(None),
            retry,
            timeouts,
            refresh_margin,
        }))
    }

    pub fn profile(&self) -> &ApiProfile {
        &self.0.profile
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.0.retry
    }

    pub fn timeouts(&self) -> &Timeouts {
        &self.0.timeouts
    }

    /// The HTTP client every request of the session goes through.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// The base URL requests are sent below (scheme, host, port and any path prefix).
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }

    /// Logs in now (password credentials), instead of on the first request. Useful to check
    /// credentials early.
    pub async fn login(&self) -> Result<(), Error> {
        let mut tokens = self.0.tokens.lock().await;
        *tokens = Some(self.password_login().await?);
        Ok(())
    }

    /// Revokes the tokens on the server (when the API has a logout endpoint) and forgets them.
    /// The next request logs in again.
    pub async fn logout(&self) -> Result<(), Error> {
        let tokens = self.0.tokens.lock().await.take();
        let (Some(endpoint), Some(tokens)) = (self.0.profile.logout, tokens) else {
            return Ok(());
        };
        let method = reqwest::Method::from_bytes(endpoint.method.as_bytes()).map_err(|_| {
            Error::new(ErrorKind::Config(format!(
                "logout method {:?}",
                endpoint.method
            )))
        })?;
        let request = self
            .0
            .http
            .request(method, self.url(endpoint.path))
            .bearer_auth(tokens.access.expose())
            .timeout(self.0.timeouts.request)
            .build()
            .map_err(|e| Error::from(e).in_operation("logout"))?;
        let exchange = Exchange {
            operation: "logout",
            download: false,
            reauth: false,
        };
        let response = self
            .send(request, exchange)
            .await
            .map_err(|e| Error::from(e).in_operation("logout"))?;
        tracing::info!(status = response.status().as_u16(), "logged out");
        if response.status().is_success() {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::Api(ApiError::read(response).await)).in_operation("logout"))
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.0.base_url.trim_end_matches('/'), path)
    }

    /// Puts a valid bearer token on the request, logging in or refreshing first if needed.
    /// A request that already carries an `Authorization` header keeps it.
    pub async fn authorize(&self, request: &mut Request) -> Result<(), Error> {
        if request.headers().contains_key(AUTHORIZATION) {
            return Ok(());
        }
        let token = match &self.0.credentials {
            Credentials::None => return Ok(()),
            Credentials::Custom(custom) => return custom.authorize(request).await,
            Credentials::BearerToken(t) => t.clone(),
            Credentials::Password { .. } => self.current_token(None).await?,
        };
        set_bearer(request, &token)
    }

    /// A valid access token: the current one unless it is due for renewal or equals `stale`
    /// (the one the server just refused). Refreshes with the refresh token, and falls back to
    /// a password login if that fails. Concurrent callers wait for one renewal and share it.
    async fn current_token(&self, stale: Option<&str>) -> Result<Secret, Error> {
        let mut tokens = self.0.tokens.lock().await;
        if let Some(t) = tokens.as_ref() {
            let fresh = Instant::now() < t.renew_at;
            // Another caller renewed it since this one was refused: use theirs.
            let renewed_since = stale.is_some_and(|s| s != t.access.expose());
            if (fresh && stale.is_none()) || renewed_since {
                return Ok(t.access.clone());
            }
        }
        let refresh = tokens.as_ref().and_then(|t| t.refresh.clone());
        let renewed = match refresh {
            Some(r) => match self.refresh(&r).await {
                // An answer without a new refresh token leaves the old one in force.
                Ok(t) => Ok(Tokens {
                    refresh: t.refresh.or(Some(r)),
                    ..t
                }),
                Err(e) => {
                    tracing::info!(error = %e, "token refresh refused; logging in with the password");
                    self.password_login().await
                }
            },
            None => self.password_login().await,
        };
        let renewed = match renewed {
            Ok(renewed) => renewed,
            Err(e) => {
                // Renewing early failed for a reason that may pass: the token in hand is
                // still good (and was not refused), so use it; the next request tries again.
                if let Some(t) = tokens.as_ref() {
                    if stale.is_none() && Instant::now() < t.expires_at && e.is_transient() {
                        tracing::warn!(error = %e, "renewing the token failed; using the current one until it expires");
                        return Ok(t.access.clone());
                    }
                }
                return Err(e);
            }
        };
        let access = renewed.access.clone();
        *tokens = Some(renewed);
        Ok(access)
    }

    async fn password_login(&self) -> Result<Tokens, Error> {
        let Credentials::Password { username, password } = &self.0.credentials else {
            return Err(Error::new(ErrorKind::Auth(
                "no password credentials to log in with".into(),
            )));
        };
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", self.0.profile.password_grant),
            ("username", username),
            ("password", password.expose()),
        ];
        form.extend_from_slice(self.0.profile.login_extra);
        tracing::info!(user = %username, "logging in");
        self.token_request(&form, "login").await
    }

    async fn refresh(&self, refresh_token: &Secret) -> Result<Tokens, Error> {
        let form = [
            ("grant_type", self.0.profile.refresh_grant),
            ("refresh_token", refresh_token.expose()),
        ];
        tracing::debug!("refreshing the access token");
        self.token_request(&form, "refresh").await
    }

    /// POSTs a grant to the token endpoint. Errors say what failed and what the server said,
    /// never what was sent. The request is sent without re-authentication.
    async fn token_request(&self, form: &[(&str, &str)], what: &str) -> Result<Tokens, Error> {
        let auth_error = |m: String| Error::new(ErrorKind::Auth(format!("{what}: {m}")));
        let Some(token_path) = self.0.profile.token_path else {
            return Err(auth_error(
                "this API has no password login; use a bearer token".into(),
            ));
        };
        let request = self
            .0
            .http
            .post(self.url(token_path))
            .header(ACCEPT, "application/json")
            .form(form)
            .timeout(self.0.timeouts.request)
            .build()
            .map_err(|e| {
                let e = Error::transport(e);
                auth_error(e.to_string()).with_source(e)
            })?;
        let exchange = Exchange {
            operation: what_operation(what),
            download: false,
            reauth: false,
        };
        let response = self.send(request, exchange).await.map_err(|e| {
            let e = Error::transport(e);
            auth_error(format!("request failed: {e}")).with_source(e)
        })?;
        let issued = Instant::now();
        if !response.status().is_success() {
            let api = ApiError::read(response).await;
            let said = match api.redirect_target() {
                Some(target) => format!(
                    "redirect to {target} not followed (a token request is never redirected)"
                ),
                None => api
                    .problem()
                    .and_then(|p| p.title.clone().or(p.detail.clone()))
                    .or_else(|| api.info.as_ref().and_then(|i| i.message.clone()))
                    .or_else(|| oauth_error(&api.body))
                    .unwrap_or_default(),
            };
            let message = format!("HTTP {} {said}", api.status).trim_end().to_string();
            return Err(auth_error(message).with_source(Error::new(ErrorKind::Api(api))));
        }
        let body = response.bytes().await.map_err(|e| {
            let e = Error::transport(e);
            auth_error(format!("reading the token response: {e}")).with_source(e)
        })?;
        // The body holds the tokens: an error says where it failed, never what it read.
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            let why = match e.classify() {
                serde_json::error::Category::Data if e.to_string().starts_with("missing field") => {
                    e.to_string()
                }
                serde_json::error::Category::Data => format!(
                    "a field has the wrong type at line {} column {}",
                    e.line(),
                    e.column()
                ),
                _ => format!(
                    "not JSON (line {} column {}, {} bytes)",
                    e.line(),
                    e.column(),
                    body.len()
                ),
            };
            auth_error(format!("the token response does not decode: {why}"))
        })?;
        let lifetime = token
            .expires_in
            .as_ref()
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
            .map(Duration::from_secs)
            .filter(|d| !d.is_zero())
            .unwrap_or(DEFAULT_EXPIRES_IN)
            .min(MAX_EXPIRES_IN);
        tracing::info!(lifetime_s = lifetime.as_secs(), "{what}: token issued");
        Ok(Tokens {
            access: Secret::new(token.access_token),
            refresh: token
                .refresh_token
                .filter(|r| !r.is_empty())
                .map(Secret::new),
            renew_at: renew_at(issued, lifetime, self.0.refresh_margin),
            expires_at: issued
                .checked_add(lifetime)
                .unwrap_or(issued + MAX_EXPIRES_IN / 2),
        })
    }

    /// Sends a request of a generated operation: its timeout, retries, and on a 401 one
    /// renewal of the token and one repeat. `download`: the operation answers with a file,
    /// and gets the download timeout.
    pub async fn execute(&self, request: Request, download: bool) -> reqwest::Result<Response> {
        self.send(
            request,
            Exchange {
                operation: "",
                download,
                reauth: true,
            },
        )
        .await
    }

    pub(crate) async fn send(
        &self,
        mut request: Request,
        exchange: Exchange,
    ) -> reqwest::Result<Response> {
        let http = &self.0.http;
        if request.timeout().is_none() {
            let t = &self.0.timeouts;
            *request.timeout_mut() = Some(if exchange.download {
                t.download
            } else {
                t.request
            });
        }
        let policy = self.0.retry;
        let may_retry = policy.allows(request.method());
        let may_reauth =
            exchange.reauth && matches!(self.0.credentials, Credentials::Password { .. });
        let mut attempt = 0;
        let mut reauthorized = false;
        let mut redirects = 0;
        loop {
            let copy = request.try_clone();
            let sent_token = bearer_of(&request);
            let started = Instant::now();
            let method = request.method().clone();
            let url = request.url().clone();
            let result = http
                .execute(request)
                .await
                .map_err(crate::error::redact_transport);
            match &result {
                Ok(r) => tracing::debug!(
                    operation = exchange.operation,
                    %method,
                    status = r.status().as_u16(),
                    attempt,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "response"
                ),
                Err(e) => {
                    tracing::debug!(operation = exchange.operation, %method, attempt, error = %e, "no response")
                }
            }
            let wait = match &result {
                Ok(r) if r.status().is_redirection() && r.headers().contains_key(LOCATION) => {
                    match copy.and_then(|next| redirected(next, &url, r)) {
                        Some(next) if redirects < crate::error::MAX_REDIRECTS => {
                            redirects += 1;
                            tracing::debug!(
                                operation = exchange.operation,
                                status = r.status().as_u16(),
                                to = %crate::secret::redact_url_text(next.url().as_str()),
                                "following a redirect within the origin"
                            );
                            request = next;
                            continue;
                        }
                        // Another origin, a method with a body, https to http, or too many:
                        // the redirect answer comes back, and becomes an error naming it.
                        _ => return result,
                    }
                }
                Ok(r) if r.status() == StatusCode::UNAUTHORIZED && may_reauth && !reauthorized => {
                    reauthorized = true;
                    let Some(mut next) = copy else { return result };
                    tracing::info!(
                        operation = exchange.operation,
                        "HTTP 401: renewing the token and repeating the request once"
                    );
                    // Boxed: the token request is sent through this function (without reauth).
                    match Box::pin(self.current_token(sent_token.as_deref())).await {
                        Ok(token) if set_bearer(&mut next, &token).is_ok() => {
                            request = next;
                            continue;
                        }
                        Ok(_) => return result,
                        Err(e) => {
                            tracing::warn!(operation = exchange.operation, error = %e, "renewing the token failed");
                            return result;
                        }
                    }
                }
                Ok(r) if retry::is_retryable_status(r.status()) && may_retry => {
                    match retry::retry_after(r.headers()) {
                        Some(d) if d > policy.max_backoff => return result,
                        Some(d) => d,
                        None => policy.backoff(attempt),
                    }
                }
                Err(e) if retry::is_retryable_transport(e) && may_retry => policy.backoff(attempt),
                _ => return result,
            };
            let Some(next) = copy else { return result };
            if attempt >= policy.max_retries {
                return result;
            }
            tracing::info!(
                operation = exchange.operation,
                attempt = attempt + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            drop(result);
            tokio::time::sleep(wait).await;
            attempt += 1;
            request = next;
        }
    }
}

/// The request a redirect answer asks for, if the runtime follows it (see
/// [`follow_to`]). `next` is a copy of the request that was sent to `from`.
fn redirected(mut next: Request, from: &reqwest::Url, response: &Response) -> Option<Request> {
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    *next.url_mut() = follow_to(next.method(), response.status(), from, location)?;
    Some(next)
}

/// Where a redirect is followed, if it is: a GET or HEAD (nothing to re-send), a redirect
/// status, and a `Location` in the same origin (scheme, host and port) as `from`, so that
/// the token, and the user's data, stay with the server they were meant for (and https
/// never becomes http).
fn follow_to(
    method: &reqwest::Method,
    status: StatusCode,
    from: &reqwest::Url,
    location: &str,
) -> Option<reqwest::Url> {
    if !matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD) {
        return None;
    }
    if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let target = from.join(location).ok()?;
    (target.origin() == from.origin()).then_some(target)
}

fn what_operation(what: &str) -> &'static str {
    match what {
        "login" => "login",
        _ => "refresh",
    }
}

/// When a token issued at `issued` for `lifetime` is renewed: `margin` before it expires, or
/// at half its life when the margin is longer than that (a margin at or above the lifetime
/// would otherwise renew before every request).
fn renew_at(issued: Instant, lifetime: Duration, margin: Duration) -> Instant {
    let early = margin.min(lifetime / 2);
    issued
        .checked_add(lifetime - early)
        .unwrap_or(issued + MAX_EXPIRES_IN / 2)
}

fn set_bearer(request: &mut Request, token: &Secret) -> Result<(), Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        Error::new(ErrorKind::Auth(
            "the access token is not a valid header value".into(),
        ))
    })?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

fn bearer_of(request: &Request) -> Option<String> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_string)
}

/// OAuth2's `{"error": "...", "error_description": "..."}`, as a message.
fn oauth_error(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = v.get("error")?.as_str()?;
    Some(match v.get("error_description").and_then(|d| d.as_str()) {
        Some(d) => format!("{error}: {d}"),
        None => error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_followed_for_get_and_head_within_the_origin_only() {
        use reqwest::Method;
        let from = reqwest::Url::parse("https://vbo.example.com:4443/v8/Jobs?x=1").unwrap();
        let to = |method: &Method, status: u16, location: &str| {
            follow_to(
                method,
                StatusCode::from_u16(status).unwrap(),
                &from,
                location,
            )
            .map(|u| u.to_string())
        };
        assert_eq!(
            to(&Method::GET, 302, "/v8/Jobs/"),
            Some("https://vbo.example.com:4443/v8/Jobs/".into())
        );
        assert!(to(&Method::HEAD, 308, "https://vbo.example.com:4443/v8/x").is_some());
        for (method, status, location) in [
            (Method::GET, 302, "http://vbo.example.com:4443/v8/Jobs"),
            (Method::GET, 302, "https://vbo.example.com/v8/Jobs"),
            (Method::GET, 301, "https://other.example.com:4443/v8/Jobs"),
            (Method::GET, 307, "//other.example.com:4443/v8/Jobs"),
            (Method::GET, 304, "/v8/Jobs"),
            (Method::GET, 300, "/v8/Jobs"),
            (Method::POST, 307, "/v8/token"),
            (Method::POST, 303, "/v8/Jobs"),
            (Method::PUT, 308, "/v8/Jobs"),
        ] {
            assert_eq!(
                to(&method, status, location),
                None,
                "{method} {status} {location}"
            );
        }
    }

    #[test]
    fn renewal_time_survives_huge_and_tiny_lifetimes() {
        let now = Instant::now();
        let margin = Duration::from_secs(60);
        assert_eq!(
            renew_at(now, Duration::from_secs(3600), margin),
            now + Duration::from_secs(3540)
        );
        // A lifetime at or below the margin: renewed at half-life, not before every request.
        assert_eq!(
            renew_at(now, Duration::from_secs(60), margin),
            now + Duration::from_secs(30)
        );
        assert_eq!(
            renew_at(now, Duration::from_secs(10), margin),
            now + Duration::from_secs(5)
        );
        // No panic on the largest lifetime a token response can carry.
        let huge = Duration::from_secs(u64::MAX).min(MAX_EXPIRES_IN);
        assert!(renew_at(now, huge, margin) > now + Duration::from_secs(300 * 24 * 3600));
        assert_eq!(renew_at(now, Duration::ZERO, margin), now);
    }
}
