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

/// Calls `poll` until `done` holds for its result, sleeping between calls; returns the last
/// result. An error from `poll` ends the wait. `what` names the work in the timeout error.
pub async fn until<T, F, Fut, D>(
    what: &str,
    options: &WaitOptions,
    mut poll: F,
    done: D,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    D: Fn(&T) -> bool,
{
    let start = Instant::now();
    let mut interval = options.initial_interval;
    loop {
        let value = poll().await?;
        if done(&value) {
            return Ok(value);
        }
        let elapsed = start.elapsed();
        if elapsed >= options.deadline {
            return Err(Error::new(ErrorKind::Timeout(format!(
                "{what} not finished after {:.1?}",
                elapsed
            ))));
        }
        tokio::time::sleep(interval.min(options.deadline - elapsed)).await;
        interval = interval.mul_f64(1.5).min(options.max_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn polls_until_done() {
        let mut n = 0;
        let opts = WaitOptions::default().with_interval(Duration::from_millis(1), Duration::from_millis(2));
        let v = until("x", &opts, || { n += 1; std::future::ready(Ok(n)) }, |n| *n == 3).await.unwrap();
        assert_eq!(v, 3);
    }

    #[tokio::test]
    async fn deadline_gives_a_timeout_error() {
        let opts = WaitOptions::default()
            .with_interval(Duration::from_millis(5), Duration::from_millis(5))
            .with_deadline(Duration::from_millis(30));
        let e = until("restore session 42", &opts, || std::future::ready(Ok(())), |_| false)
            .await
            .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Timeout(_)));
        assert!(e.to_string().contains("restore session 42 not finished"), "{e}");
    }
}
