//! The one error type of the generator. Every variant names the file, and where it can the
//! JSON pointer, so a maintainer can go straight to the place to fix.

use std::fmt;
use std::path::PathBuf;

/// A place in the spec: the file it came from and a JSON pointer into the assembled document
/// (which, for a split spec, is also the pointer inside that file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.pointer)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },

    #[error("{}:{line}:{column}: malformed {format}: {message}", file.display())]
    Syntax {
        file: PathBuf,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },

    /// The document is well-formed but says something we cannot (or will not) generate from.
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },

    /// progenitor refused the (validated, normalized) document. Its message carries no place,
    /// so we name the document's root.
    #[error("{at}: progenitor could not generate a client: {message}")]
    Generator { at: Location, message: String },

    #[error("generated code for crate `{krate}` does not parse as Rust: {message}")]
    Format { krate: String, message: String },
}

impl Error {
    pub(crate) fn invalid(at: Location, message: impl Into<String>) -> Self {
        Error::Invalid {
            at,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds a pointer from unescaped segments: `pointer(["paths", "/v8/token"])` is `/paths/~1v8~1token`.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    segments
        .into_iter()
        .map(|s| format!("/{}", escape_segment(s.as_ref())))
        .collect()
}
