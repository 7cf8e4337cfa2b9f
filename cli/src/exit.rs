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
//! | 130 | interrupted (Ctrl-C): a download in progress leaves no file; work being waited on goes on |

use veeam_runtime::{Error, ErrorKind};

pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const CONFIG: u8 = 3;
pub const REFUSED: u8 = 4;
pub const SERVER: u8 = 5;
pub const UNREACHABLE: u8 = 6;
pub const WORK_FAILED: u8 = 7;
/// Ctrl-C, as shells report a command ended by SIGINT.
pub const INTERRUPTED: u8 = 130;

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
        Failure::new(code(&e), e.to_string())
    }
}

/// The exit code of an error of the runtime.
fn code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::Api(api) if api.status.is_server_error() => SERVER,
        ErrorKind::Api(_) => REFUSED,
        // A login that failed: why it failed says the code. The server's 5xx or no answer
        // at all is the server's matter; a refusal (wrong password) is the credentials'.
        ErrorKind::Auth(_) => match std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<Error>())
            .map(code)
        {
            Some(c @ (SERVER | UNREACHABLE)) => c,
            _ => CONFIG,
        },
        ErrorKind::Config(_) => CONFIG,
        ErrorKind::InvalidRequest(_) => USAGE,
        ErrorKind::Timeout(_) => UNREACHABLE,
        ErrorKind::Transport(_) if is_certificate(e) => CONFIG,
        ErrorKind::Transport(_) => UNREACHABLE,
        _ => OTHER,
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
