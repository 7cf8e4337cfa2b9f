//! Timeouts and the retry policy: which failures are retried, how often, and how long to wait.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// Per-request time limits. Downloads (operations that answer `application/octet-stream`)
/// get their own, longer limit; both cover the whole exchange including the body.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Establishing the TCP and TLS connection. Default 30 s.
    pub connect: Duration,
    /// Any operation except downloads. Default 120 s.
    pub request: Duration,
    /// Downloads (PST, ZIP, MSG exports, reports). Default 4 hours.
    pub download: Duration,
    /// No byte received for this long fails the request, downloads included. Default 5 min.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            request: Duration::from_secs(120),
            download: Duration::from_secs(4 * 3600),
            read: Duration::from_secs(300),
        }
    }
}

/// When and how to retry.
///
/// Retried: HTTP 429, 502, 503, 504, and connections refused, reset or closed before the
/// response. Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried unless
/// [`RetryPolicy::retry_non_idempotent`] is set. The wait doubles from `initial_backoff`
/// up to `max_backoff`, with jitter (a random 50–100% of it); a `Retry-After` header replaces
/// it, and if it asks for more than `max_backoff` the response is returned instead.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default 3; 0 disables retrying.
    pub max_retries: u32,
    /// Default 500 ms.
    pub initial_backoff: Duration,
    /// Default 30 s.
    pub max_backoff: Duration,
    /// Also retry POST and PATCH. Off by default: a POST that reached the server may have
    /// started a restore.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Default::default()
        }
    }

    pub fn allows(&self, method: &Method) -> bool {
        self.retry_non_idempotent
            || matches!(
                *method,
                Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
            )
    }

    /// The wait before retry number `attempt` (0-based), with jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let full = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        full.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Connection refused, reset, aborted or closed before a response came: nothing was processed
/// (or, for a reset mid-request, the method's idempotency makes a repeat safe).
pub fn is_retryable_transport(error: &reqwest::Error) -> bool {
    // A certificate that is refused (or a pin that does not match) will be refused on the
    // next try too.
    if is_tls_failure(error) {
        return false;
    }
    if error.is_connect() {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// Whether a transport error is a TLS failure: a certificate refused, a pin that does not
/// match, a handshake the server and client cannot agree on. Retrying cannot help.
pub fn is_tls_failure(error: &reqwest::Error) -> bool {
    if is_pin_mismatch(error) {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(s) = source {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        // rustls's errors reach us inside an `io::Error` (sometimes one inside another),
        // whose `source()` skips what it wraps: look inside instead.
        source = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => s.source(),
        };
    }
    false
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            ..Default::default()
        };
        for (attempt, full) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            for _ in 0..50 {
                let d = p.backoff(attempt).as_millis() as u64;
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d} ms");
            }
        }
    }

    #[test]
    fn only_idempotent_methods_unless_opted_in() {
        let p = RetryPolicy::default();
        assert!(p.allows(&Method::GET) && p.allows(&Method::PUT) && p.allows(&Method::DELETE));
        assert!(!p.allows(&Method::POST) && !p.allows(&Method::PATCH));
        let p = RetryPolicy {
            retry_non_idempotent: true,
            ..p
        };
        assert!(p.allows(&Method::POST));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let soon = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(soon)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()));
        }
        for s in [400, 401, 404, 409, 500, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()));
        }
    }
}

/// Whether a transport error is a pinned certificate that did not match: retrying cannot
/// help.
pub fn is_pin_mismatch(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if e.to_string().contains(PIN_MISMATCH) {
            return true;
        }
        source = e.source();
    }
    false
}

/// The words every pin mismatch error carries (rustls keeps only a message).
pub(crate) const PIN_MISMATCH: &str = "certificate pin mismatch";
