//! Waiting for long-running work (restore sessions, job sessions, asynchronous restores):
//! poll with growing intervals until it finishes or a deadline passes.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};

/// How to poll.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// First wait between polls. Default 1 s.
    pub initial_interval: Duration,
    /// Waits grow by half each poll up to this. Default 30 s.
    pub max_interval: Duration,
    /// Give up (with [`ErrorKind::Timeout`]) after this long. Default 6 hours.
    pub deadline: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(30),
            deadline: Duration::from_secs(6 * 3600),
        }
    }
}

impl WaitOptions {
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn with_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }
}

/// Where polled work stands, as the wait helper reads its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A state the API documents as not finished.
    Running,
    /// A state the API documents as final.
    Finished,
    /// A state this client does not know (a newer server): the wait goes on, and says so.
    Unknown(String),
}

/// Calls `poll` until `progress` reads a finished state from its result, sleeping between
/// calls; returns the last result.
///
/// One rule for every wait: only a state the API documents as final ends it. An unknown
/// state keeps it going (logged once per value). A transient failure of a poll (no
/// response, or HTTP 429, 502, 503 or 504; see [`Error::is_transient`]) is logged and
/// polled again, within the deadline; any other error ends the wait at once: a TLS or
/// certificate failure (a pin that does not match will not match later), a configuration
/// error, a 401 that a fresh login did not cure. `what` names the work in logs and in the
/// timeout error.
pub async fn until<T, F, Fut, P>(
    what: &str,
    options: &WaitOptions,
    mut poll: F,
    progress: P,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    P: Fn(&T) -> Progress,
{
    let start = Instant::now();
    let mut interval = options.initial_interval;
    let mut unknown_seen: Vec<String> = Vec::new();
    let mut last_error = None;
    loop {
        match poll().await {
            Ok(value) => match progress(&value) {
                Progress::Finished => {
                    tracing::debug!(
                        what,
                        elapsed_ms = start.elapsed().as_millis() as u64,
                        "wait: finished"
                    );
                    return Ok(value);
                }
                Progress::Running => tracing::trace!(what, "wait: still running"),
                Progress::Unknown(state) => {
                    if !unknown_seen.contains(&state) {
                        tracing::warn!(what, state = %state, "wait: a state this client does not know; waiting on");
                        unknown_seen.push(state);
                    }
                }
            },
            Err(e) if e.is_transient() => {
                tracing::warn!(what, error = %e, "wait: polling failed; trying again");
                last_error = Some(e.to_string());
            }
            Err(e) => return Err(e),
        }
        let elapsed = start.elapsed();
        if elapsed >= options.deadline {
            let also = last_error
                .map(|e| format!(" (last poll failed: {e})"))
                .unwrap_or_default();
            return Err(Error::new(ErrorKind::Timeout(format!(
                "{what} not finished after {elapsed:.1?}{also}"
            ))));
        }
        tokio::time::sleep(interval.min(options.deadline - elapsed)).await;
        interval = interval.mul_f64(1.5).min(options.max_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> WaitOptions {
        WaitOptions::default().with_interval(Duration::from_millis(1), Duration::from_millis(2))
    }

    #[tokio::test]
    async fn polls_until_a_final_state_and_waits_through_unknown_ones() {
        let states = ["Working", "Paused", "Working", "Stopped"];
        let mut n = 0;
        let v = until(
            "x",
            &fast(),
            || {
                n += 1;
                std::future::ready(Ok(states[n - 1]))
            },
            |s| match *s {
                "Working" => Progress::Running,
                "Stopped" => Progress::Finished,
                other => Progress::Unknown(other.to_string()),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (v, n),
            ("Stopped", 4),
            "the unknown `Paused` did not end the wait"
        );
    }

    #[tokio::test]
    async fn transient_errors_are_polled_again_and_others_end_the_wait() {
        let api = |status: u16| {
            let status = reqwest::StatusCode::from_u16(status).unwrap();
            Error::new(ErrorKind::Api(crate::error::ApiError::new(
                status,
                Default::default(),
                Default::default(),
                false,
            )))
        };
        let mut n = 0;
        let v = until(
            "x",
            &fast(),
            || {
                n += 1;
                std::future::ready(match n {
                    1 => Err(api(503)),
                    2 => Err(api(429)),
                    _ => Ok(n),
                })
            },
            |_| Progress::Finished,
        )
        .await
        .unwrap();
        assert_eq!(v, 3);
        let e = until(
            "x",
            &fast(),
            || std::future::ready(Err::<(), _>(api(404))),
            |_| Progress::Finished,
        )
        .await
        .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(404));
    }

    #[tokio::test]
    async fn deadline_gives_a_timeout_error() {
        let opts = WaitOptions::default()
            .with_interval(Duration::from_millis(5), Duration::from_millis(5))
            .with_deadline(Duration::from_millis(30));
        let e = until(
            "restore session 42",
            &opts,
            || std::future::ready(Ok(())),
            |_| Progress::Running,
        )
        .await
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Timeout(_)));
        assert!(
            e.to_string().contains("restore session 42 not finished"),
            "{e}"
        );
    }
}
