//! Building a generated client: base URL, credentials, TLS, timeouts, retries.

use std::marker::PhantomData;
use std::time::Duration;

use crate::auth::{ApiProfile, Credentials, Session};
use crate::error::{Error, ErrorKind};
use crate::retry::{RetryPolicy, Timeouts};
use crate::secret::Secret;
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
    user_agent: String,
    client: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("tls", &self.tls)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl<C: FromParts> ClientBuilder<C> {
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
            user_agent: concat!("veeam-runtime/", env!("CARGO_PKG_VERSION")).to_string(),
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
        self.user_agent = user_agent.into();
        self
    }

    /// The HTTP client this builder configures (TLS, timeouts, user agent), after checking the
    /// configuration.
    fn http_client(&self) -> Result<reqwest::Client, Error> {
        let config = |m: String| Error::new(ErrorKind::Config(m));
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| config(format!("base URL {:?}: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(config(format!("base URL {:?}: not http(s)", self.base_url)));
        }
        if matches!(self.tls, TlsMode::Pinned(_)) && !self.extra_roots.is_empty() {
            return Err(config(
                "a pinned certificate and extra root certificates together: pinning accepts exactly the pinned certificates and would ignore the roots; use one or the other".into(),
            ));
        }
        if self.credentials.is_password() && C::PROFILE.token_path.is_none() {
            return Err(config(
                "this API has no password login: use `.bearer_token(token)`".into(),
            ));
        }
        let mut http = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.read);
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
        let http = self.http_client()?;
        crate::discovery::probe(
            &http,
            self.base_url.trim_end_matches('/'),
            versions,
            probe,
            timeout,
        )
        .await
    }

    pub fn build(self) -> Result<C, Error> {
        let http = self.http_client()?;
        let base_url = self.base_url.trim_end_matches('/').to_string();
        let session = Session::new(
            C::PROFILE,
            base_url.clone(),
            http.clone(),
            self.credentials,
            self.retry,
            self.timeouts,
            self.refresh_margin,
        );
        Ok(C::from_parts(&base_url, http, session))
    }
}
