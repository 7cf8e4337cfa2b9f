//! What the server holds: the operations it serves, its tokens, its log.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use veeam_runtime::ApiProfile;
use wiremock::Request;

use crate::fault::Fault;

/// How an operation answers, as the generator read it from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A JSON body.
    Json,
    /// No body.
    Empty,
    /// A file: the bytes given.
    Bytes,
    /// A paged list in the profile's envelope.
    Envelope,
    /// A paged list whose body is the array of items.
    BareArray,
}

/// One operation of an API, as its mock crate describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The client's method name (the operation id, snake case).
    pub id: &'static str,
    pub method: &'static str,
    /// The path template, `{name}` for each path parameter.
    pub path: &'static str,
    /// The success status it answers with.
    pub status: u16,
    /// Sent without the session's token (`security: []`).
    pub anonymous: bool,
    pub answer: Answer,
}

/// Counts of what the token endpoint did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionCounts {
    pub logins: usize,
    pub refreshes: usize,
    pub logouts: usize,
    /// Token requests refused (wrong password, unknown refresh token, unknown grant type).
    pub refused: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub(crate) next: u64,
    /// (access, refresh) pairs still valid; an access token may be expired on its own.
    pub(crate) access: Vec<String>,
    pub(crate) refresh: Vec<String>,
    pub(crate) counts: SessionCounts,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) routes: Vec<Arc<Route>>,
    pub(crate) log: Vec<Request>,
    pub(crate) unmatched: Vec<String>,
    pub(crate) tokens: Tokens,
    pub(crate) page_cap: Option<i64>,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) expires_in: u64,
    /// What a reverse proxy puts before every path (`/vbo`); empty for none.
    pub(crate) prefix: String,
    /// Fields of every token answer set (`Some`) or removed (`None`) on demand.
    pub(crate) token_fields: Vec<(String, Option<Value>)>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) profile: ApiProfile,
    pub(crate) inner: Mutex<Inner>,
}

impl State {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding the lock leaves the state as it was: go on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a stub matches beyond its method and path template.
#[derive(Debug, Default, Clone)]
pub(crate) struct Matcher {
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Matcher {
    pub fn matches(&self, op: &Operation, request: &Request) -> bool {
        if !request.method.as_str().eq_ignore_ascii_case(op.method) {
            return false;
        }
        let Some(params) = path_params(op.path, request.url.path()) else {
            return false;
        };
        self.path
            .iter()
            .all(|(n, v)| params.iter().any(|(pn, pv)| pn == n && pv == v))
            && self
                .query
                .iter()
                .all(|(n, v)| query_value(request, n).as_deref() == Some(v.as_str()))
            && self.body.as_ref().is_none_or(|b| {
                serde_json::from_slice::<Value>(&request.body).is_ok_and(|got| &got == b)
            })
    }
}

#[derive(Debug)]
pub(crate) struct Route {
    pub op: Operation,
    pub matcher: Matcher,
    /// In turn; the last repeats. Empty: faults only.
    pub answers: Vec<Value>,
    pub faults: Vec<(usize, Fault)>,
    pub always: Option<Fault>,
    pub patches: Vec<(String, Value)>,
    pub served: AtomicUsize,
}

impl Route {
    pub fn new(op: Operation) -> Route {
        Route {
            op,
            matcher: Matcher::default(),
            answers: Vec::new(),
            faults: Vec::new(),
            always: None,
            patches: Vec::new(),
            served: AtomicUsize::new(0),
        }
    }
}

/// The decoded path parameters of `path` by `template`, or `None` when it does not match.
pub(crate) fn path_params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let want: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if want.len() != got.len() {
        return None;
    }
    let mut params = Vec::new();
    for (w, g) in want.iter().zip(&got) {
        let g = decode(g);
        match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) if !g.is_empty() => params.push((name.to_string(), g)),
            Some(_) => return None,
            None if w.eq_ignore_ascii_case(&g) => {}
            None => return None,
        }
    }
    Some(params)
}

/// Percent-decoding of one path segment.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query parameter `name` (letter case aside: VB for Azure spells `Offset` and `offset`).
pub(crate) fn query_value(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

/// `request` as the API sees it: its path without the reverse proxy's `prefix` (`None` when
/// the path is not under it).
pub(crate) fn unprefixed(prefix: &str, request: &Request) -> Option<Request> {
    if prefix.is_empty() {
        return Some(request.clone());
    }
    let rest = request
        .url
        .path()
        .strip_prefix(prefix)
        .filter(|r| r.starts_with('/'))?
        .to_string();
    let mut r = request.clone();
    r.url.set_path(&rest);
    Some(r)
}
