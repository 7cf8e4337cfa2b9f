//! Exit codes scripts can rely on. Whatever the code, the message is on stderr and stdout
//! holds only what the server answered (or, for `--all`, the items read before the failure).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else: a local file, a body that does not decode, an inconsistent page |
//! | 2 | usage: an unknown command or flag, a value of the wrong type, a body that is not JSON; nothing was sent |
//! | 3 | configuration or credentials: no profile or password, a refused login, an untrusted or changed certificate |
//! | 4 | the server refused the request (HTTP 4xx, after the login) |
//! | 5 | the server failed (HTTP 5xx, after the retries) |
//! | 6 | the server could not be reached, or did not answer in time (a wait past its deadline too) |
//! | 7 | `--wait`: the work finished and failed (its final state is printed all the same) |

use veeam_runtime::{Error, ErrorKind};

pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const CONFIG: u8 = 3;
pub const REFUSED: u8 = 4;
pub const SERVER: u8 = 5;
pub const UNREACHABLE: u8 = 6;
pub const WORK_FAILED: u8 = 7;

/// Why the command line stops: the exit code and the message.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(USAGE, message)
    }

    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(CONFIG, message)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match e.kind() {
            ErrorKind::Api(api) if api.status.is_server_error() => SERVER,
            ErrorKind::Api(_) => REFUSED,
            ErrorKind::Auth(_) | ErrorKind::Config(_) => CONFIG,
            ErrorKind::InvalidRequest(_) => USAGE,
            ErrorKind::Timeout(_) => UNREACHABLE,
            ErrorKind::Transport(_) if is_certificate(&e) => CONFIG,
            ErrorKind::Transport(_) => UNREACHABLE,
            _ => OTHER,
        };
        Failure::new(code, e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader has what it wanted (`veeam ... --all | head -1`): stop quietly.
            return Failure::new(0, "");
        }
        Failure::new(OTHER, e.to_string())
    }
}

/// A TLS failure over the certificate (untrusted, or not the pinned one): a matter of
/// configuration, not of reaching the server.
fn is_certificate(e: &Error) -> bool {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&s.to_string());
        source = s.source();
    }
    let text = text.to_ascii_lowercase();
    text.contains("certificate") || text.contains("fingerprint")
}
