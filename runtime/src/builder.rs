//! Building a generated client: base URL, credentials, TLS, timeouts, retries.

use std::marker::PhantomData;
use std::time::Duration;

use crate::auth::{ApiProfile, Credentials, Session};
use crate::error::{Error, ErrorKind};
use crate::retry::{RetryPolicy, Timeouts};
use crate::secret::{redact_url_text, Secret};
use crate::tls::{self, TlsMode};

/// Implemented by each generated `Client`: how to assemble it, and its API's login profile.
pub trait FromParts: Sized {
    const PROFILE: ApiProfile;
    fn from_parts(base_url: &str, http: reqwest::Client, session: Session) -> Self;
}

/// Builds a generated client. Start with `Client::builder(url)` in the generated crate.
///
/// ```ignore
/// let client = vb365::Client::builder("https://vbo.example.com:4443")
///     .password("DOMAIN\\admin", "secret")
///     .pin_certificate_sha256("AB:CD:…")?
///     .build()?;
/// ```
#[must_use]
pub struct ClientBuilder<C> {
    base_url: String,
    credentials: Credentials,
    tls: TlsMode,
    extra_roots: Vec<Vec<u8>>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    refresh_margin: Duration,
    /// Set by [`ClientBuilder::user_agent`]; `None` is this crate's name and version.
    user_agent: Option<String>,
    proxy: Option<String>,
    allow_insecure_http: bool,
    /// Set by [`ClientBuilder::http_client`]: the client that sends every request.
    http: Option<reqwest::Client>,
    client: PhantomData<fn() -> C>,
}

/// The user agent of the runtime's own HTTP client.
const USER_AGENT: &str = concat!("veeam-runtime/", env!("CARGO_PKG_VERSION"));

/// A `reqwest::ClientBuilder` set up as the runtime sets up its own client: redirects left to
/// the runtime (it follows them within the server's origin only, and never with a body),
/// gzip asked for and decoded. Start here when you need a client of your own for
/// [`ClientBuilder::http_client`] (a proxy with authentication, a local address to bind).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .user_agent(USER_AGENT)
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redact_url_text(&self.base_url))
            .field("credentials", &self.credentials)
            .field("tls", &self.tls)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("proxy", &self.proxy.as_deref().map(redact_url_text))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("http_client", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder for the server at `base_url` (scheme, host and port, e.g.
    /// `https://vbo.example.com:4443`; the API's version prefix is part of each path).
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            credentials: Credentials::None,
            tls: TlsMode::Verify,
            extra_roots: Vec::new(),
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            refresh_margin: Duration::from_secs(60),
            user_agent: None,
            proxy: None,
            allow_insecure_http: false,
            http: None,
            client: PhantomData,
        }
    }

    /// Log in with the OAuth2 password grant on first use; refresh before the token expires
    /// and once on a 401, falling back to a fresh login.
    pub fn password(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Credentials::Password {
            username: username.into(),
            password: password.into(),
        };
        self
    }

    /// Authenticate as `credentials` say: what [`password`](Self::password) and
    /// [`bearer_token`](Self::bearer_token) set, or an auth kind of its own
    /// ([`Credentials::Custom`]).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Use a bearer token obtained elsewhere, as is.
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = Credentials::BearerToken(token.into());
        self
    }

    /// Also trust this root certificate (PEM, or a bundle of them), e.g. the server's self-signed one or your
    /// company CA. The platform's roots stay trusted.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(pem.into());
        self
    }

    /// Trust the server whose certificate has this SHA-256 fingerprint (hex, colons
    /// optional), and no other. Call again to allow several (e.g. during a renewal).
    pub fn pin_certificate_sha256(mut self, fingerprint: &str) -> Result<Self, Error> {
        let pin = tls::parse_fingerprint(fingerprint)?;
        match &mut self.tls {
            TlsMode::Pinned(pins) => pins.push(pin),
            other => *other = TlsMode::Pinned(vec![pin]),
        }
        Ok(self)
    }

    /// Turn certificate verification off. Anyone between you and the server can then read
    /// the password and every backup you restore: for a lab, never for production.
    pub fn danger_accept_invalid_certificates(mut self) -> Self {
        self.tls = TlsMode::DangerAcceptInvalidCertificates;
        self
    }

    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Refresh the access token this long before it expires. Default 60 s.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Send every request through this proxy (`http://proxy.example.com:3128`; user and
    /// password in the URL for a proxy that asks for them). Without it, the usual
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` variables apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Allow a plain `http://` base URL to carry what otherwise needs `https://`: a password
    /// or bearer token sent to a host other than this machine (`localhost`, `127.0.0.1`,
    /// `::1`), or certificate settings (a pin, extra roots), which `http://` never checks.
    /// Anyone on the network path can then read the password and the tokens: for a lab,
    /// never for production.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Send every request with this client (a proxy, a local address, your own connection
    /// pool) instead of one the builder makes. Build it from [`http_client_builder`], which
    /// leaves redirects to the runtime; a client that follows redirects itself bypasses the
    /// runtime's redirect rules.
    ///
    /// What the builder would configure on its own client is then this client's: setting a
    /// pin, extra roots, [`danger_accept_invalid_certificates`](Self::danger_accept_invalid_certificates),
    /// a [`proxy`](Self::proxy) or a [`user_agent`](Self::user_agent) as well is a
    /// configuration error at [`build`](Self::build). Of [`Timeouts`], `request` and
    /// `download` still apply (they are set on each request); `connect` and `read` are the
    /// given client's.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The HTTP client that sends the requests (the given one, or one this builder
    /// configures: TLS, timeouts, proxy, user agent), after checking the configuration.
    fn make_http_client(&self, profile: Option<&ApiProfile>) -> Result<reqwest::Client, Error> {
        let config = |m: String| Error::new(ErrorKind::Config(m));
        let shown = redact_url_text(&self.base_url);
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| config(format!("base URL {shown:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(config(format!("base URL {shown:?}: not http(s)")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config(format!(
                "base URL {shown:?} carries a user name or password: give credentials with `.password(..)` or `.bearer_token(..)`, a proxy's with `.proxy(..)`"
            )));
        }
        if url.scheme() == "http" && !self.allow_insecure_http {
            let certificates = !matches!(self.tls, TlsMode::Verify) || !self.extra_roots.is_empty();
            if certificates {
                return Err(config(format!(
                    "base URL {shown:?} is plain http, where certificate settings (a pin, extra roots, accepting invalid certificates) are never checked: use https, or `.allow_insecure_http()` to accept that"
                )));
            }
            let credentials = !matches!(self.credentials, Credentials::None);
            if credentials && !is_loopback(&url) {
                return Err(config(format!(
                    "base URL {shown:?} is plain http: the password or token would cross the network unencrypted; use https, or `.allow_insecure_http()` for a lab"
                )));
            }
        }
        if matches!(self.tls, TlsMode::Pinned(_)) && !self.extra_roots.is_empty() {
            return Err(config(
                "a pinned certificate and extra root certificates together: pinning accepts exactly the pinned certificates and would ignore the roots; use one or the other".into(),
            ));
        }
        if self.credentials.is_password() && profile.is_some_and(|p| p.token_path.is_none()) {
            return Err(config(
                "this API has no password login: use `.bearer_token(token)`".into(),
            ));
        }
        if let Some(given) = &self.http {
            let mut conflicts = Vec::new();
            if !matches!(self.tls, TlsMode::Verify) || !self.extra_roots.is_empty() {
                conflicts.push("certificate settings");
            }
            if self.proxy.is_some() {
                conflicts.push("a proxy");
            }
            if self.user_agent.is_some() {
                conflicts.push("a user agent");
            }
            if !conflicts.is_empty() {
                return Err(config(format!(
                    "{} cannot apply to a client given with `.http_client(..)`: configure them on that client",
                    conflicts.join(" and ")
                )));
            }
            return Ok(given.clone());
        }
        let mut http = http_client_builder()
            .user_agent(self.user_agent.as_deref().unwrap_or(USER_AGENT))
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.read);
        if let Some(proxy) = &self.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| config(format!("proxy {:?}: {e}", redact_url_text(proxy))))?;
            http = http.proxy(proxy);
        }
        for pem in &self.extra_roots {
            // A bundle may hold several; text with none is a mistake, not "trust nothing more".
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| config(format!("extra root certificate: {e}")))?;
            if certs.is_empty() {
                return Err(config(
                    "extra root certificate: no PEM certificate found".into(),
                ));
            }
            for cert in certs {
                http = http.add_root_certificate(cert);
            }
        }
        http = match self.tls.clone() {
            TlsMode::Verify => http,
            TlsMode::Pinned(pins) => http.tls_backend_preconfigured(tls::pinned_config(pins)?),
            TlsMode::DangerAcceptInvalidCertificates => http.tls_danger_accept_invalid_certs(true),
        };
        http.build()
            .map_err(|e| config(format!("HTTP client: {e}")))
    }

    /// Which of `versions` (newest first, e.g. `["v8", "v7", "v6"]`) the server serves, asked
    /// without credentials: an anonymous `GET` of `probe` with `{version}` replaced (e.g.
    /// `/{version}/ServiceInstance`) answers 200, 401 or 403 where the version is served and
    /// 404 where it is not. All are asked at once, within `timeout`; TLS is this builder's.
    /// A server that cannot be reached, or that answers otherwise (or does not 404 a version
    /// that does not exist), is an error saying so. See [`crate::discovery`].
    pub async fn discover(
        &self,
        versions: &[&'static str],
        probe: &str,
        timeout: std::time::Duration,
    ) -> Result<crate::discovery::Discovery, Error> {
        // No credential goes with the probe: the login's checks do not apply.
        let http = self.make_http_client(None)?;
        crate::discovery::probe(
            &http,
            self.base_url.trim_end_matches('/'),
            versions,
            probe,
            timeout,
        )
        .await
    }

    /// The session alone, for an API known only at run time by its login profile (the
    /// command line: one program, many APIs). [`ClientBuilder::build`] is this and the
    /// generated client around it.
    pub fn build_session(self, profile: ApiProfile) -> Result<Session, Error> {
        let http = self.make_http_client(Some(&profile))?;
        let base_url = self.base_url.trim_end_matches('/').to_string();
        Ok(Session::new(
            profile,
            base_url,
            http,
            self.credentials,
            self.retry,
            self.timeouts,
            self.refresh_margin,
        ))
    }

    /// The SHA-256 fingerprint of the certificate the server presents, read in a TLS
    /// handshake that is abandoned as soon as the certificate arrives: no request, and so no
    /// credential, is sent. For trust on first use: show it to the admin, and pin it
    /// ([`ClientBuilder::pin_certificate_sha256`]) only once they confirm it. The builder's
    /// proxy and connect timeout apply; its certificate settings do not (the point is to see
    /// the certificate before trusting it). A plain `http://` URL has no certificate: an
    /// error.
    pub async fn presented_certificate(&self) -> Result<String, Error> {
        let config = |m: String| Error::new(ErrorKind::Config(m));
        let shown = redact_url_text(&self.base_url);
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| config(format!("base URL {shown:?}: {e}")))?;
        if url.scheme() != "https" {
            return Err(config(format!(
                "base URL {shown:?} is not https: there is no certificate to see"
            )));
        }
        let (tls, seen) = tls::capture_config()?;
        let mut http = http_client_builder()
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.connect)
            .tls_backend_preconfigured(tls);
        if let Some(proxy) = &self.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| config(format!("proxy {:?}: {e}", redact_url_text(proxy))))?;
            http = http.proxy(proxy);
        }
        let http = http
            .build()
            .map_err(|e| config(format!("HTTP client: {e}")))?;
        // The handshake fails by design once the certificate is seen.
        let outcome = http.head(url).send().await;
        let seen = seen.lock().map(|s| s.clone()).unwrap_or(None);
        match (seen, outcome) {
            (Some(fingerprint), _) => Ok(fingerprint),
            (None, Err(e)) => Err(Error::transport(e)),
            (None, Ok(_)) => Err(config(format!(
                "{shown}: the connection presented no certificate"
            ))),
        }
    }
}

impl<C: FromParts> ClientBuilder<C> {
    pub fn build(self) -> Result<C, Error> {
        let session = self.build_session(C::PROFILE)?;
        let (base_url, http) = (session.base_url().to_string(), session.http().clone());
        Ok(C::from_parts(&base_url, http, session))
    }
}

/// Whether the URL's host is this machine: `localhost` (and names below it), `127.0.0.0/8`,
/// `::1`. Plain http to it crosses no network.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}
