//! A mock Veeam REST server for tests: it behaves like the server, not like a stub.
//!
//! Each generated crate has a companion `<crate>-mock` (a dev-dependency: a program's own
//! build never compiles it) whose `Mock` has one typed stub per operation, named like the
//! client's method; this crate is what they share:
//!
//! - **login** as the API's profile says (`FromParts::PROFILE`): the password grant and the
//!   refresh at the token path, with the API's own grant types, and the logout; tokens can be
//!   expired ([`Server::expire_tokens`]) or revoked ([`Server::revoke_tokens`]) on demand,
//!   and every other request must carry a valid one (or gets an empty `401`); odd token
//!   answers on demand ([`Server::set_token_field`], [`Server::remove_token_field`]);
//! - **behind a reverse proxy** ([`Server::set_path_prefix`]): every path under a prefix;
//! - **pages** as the server pages them: offset and limit read from the request (the
//!   profile's names), the items of that page in the profile's envelope with the offset and
//!   the size applied echoed, the result-set id and total count when the API has them, a
//!   next link while items remain, and a page cap ([`Server::set_page_cap`]);
//! - **answers in turn** ([`Stub::returns_in_turn`], [`Stub::polls`]): a session that is
//!   `Working` for N polls, then `Success`; **downloads** of given bytes;
//! - **faults on demand** ([`Fault`]): Veeam's `RESTExceptionInfo` or an RFC 9457 problem,
//!   `503`/`429` with `Retry-After`, an empty `401`, a body cut short, a delay; and
//!   [`Stub::set_field`] for nulls or an enum value the client does not know;
//! - **what it received** ([`Stub::received`]): count, query, path parameters and body, the
//!   body as the operation's own type.
//!
//! Routes are matched newest first, so a test can override an earlier stub. A request no
//! stub matches gets a `404` naming it, and is listed by [`Server::unmatched`].

mod fault;
mod route;
mod state;

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wiremock::{Request, ResponseTemplate};

pub use fault::Fault;
pub use serde_json;
pub use veeam_runtime as runtime;
pub use veeam_runtime::ApiProfile;
pub use wiremock;

pub use state::{Answer, Operation, SessionCounts};
use state::{Inner, Route, State, Tokens};

/// A mock server on loopback for one API (its profile). Generated `<crate>-mock` crates wrap
/// it in a `Mock` with a typed stub per operation; it dereferences to this.
#[derive(Debug)]
pub struct Server {
    http: wiremock::MockServer,
    state: Arc<State>,
}

/// The result-set id the server gives the pages of operation `id` (a UUID, stable).
pub fn set_id(id: &str) -> String {
    route::set_id(id)
}

/// The username and password a generated `Mock::client()` logs in with.
pub const USERNAME: &str = "admin";
pub const PASSWORD: &str = "secret";

impl Server {
    /// Starts a server on 127.0.0.1 that logs in as `profile` says and answers nothing else
    /// until stubs are added.
    pub async fn start(profile: ApiProfile) -> Server {
        let http = wiremock::MockServer::start().await;
        let state = Arc::new(State {
            profile,
            inner: Mutex::new(Inner {
                routes: Vec::new(),
                log: Vec::new(),
                unmatched: Vec::new(),
                tokens: Tokens::default(),
                page_cap: None,
                credentials: None,
                expires_in: 3600,
                prefix: String::new(),
                token_fields: Vec::new(),
            }),
        });
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Router(state.clone()))
            .mount(&http)
            .await;
        Server { http, state }
    }

    /// The server of a generated client type (its `FromParts::PROFILE`).
    pub async fn for_client<C: runtime::FromParts>() -> Server {
        Server::start(C::PROFILE).await
    }

    /// The base URL to give the client (`http://127.0.0.1:<port>`, and the path prefix when
    /// there is one).
    pub fn uri(&self) -> String {
        format!("{}{}", self.http.uri(), self.state.lock().prefix)
    }

    /// Serves every path under `prefix` (`/vbo`), as behind a reverse proxy that adds one:
    /// the token endpoint, the logout and every stub. A request outside it gets a `404`.
    /// [`Server::uri`] includes it from now on.
    pub fn set_path_prefix(&self, prefix: &str) {
        self.state.lock().prefix = prefix.trim_end_matches('/').to_string();
    }

    /// Sets a field of every token answer from now on (`expires_in` as a string, a lifetime
    /// no clock can add, `null`), as servers that send odd ones do.
    pub fn set_token_field(&self, name: &str, value: Value) {
        self.state
            .lock()
            .token_fields
            .push((name.to_string(), Some(value)));
    }

    /// Leaves a field out of every token answer from now on (`refresh_token`: a server that
    /// gives none).
    pub fn remove_token_field(&self, name: &str) {
        self.state
            .lock()
            .token_fields
            .push((name.to_string(), None));
    }

    pub fn profile(&self) -> &ApiProfile {
        &self.state.profile
    }

    /// The underlying wiremock server, for what this crate does not model.
    pub fn wiremock(&self) -> &wiremock::MockServer {
        &self.http
    }

    /// The most items one page holds, whatever the client asks for (`None`: the API's
    /// `max_limit`, if it has one).
    pub fn set_page_cap(&self, cap: Option<usize>) {
        self.state.lock().page_cap = cap.map(|c| c.max(1) as i64);
    }

    /// Only these credentials log in (by default any do).
    pub fn set_credentials(&self, username: &str, password: &str) {
        self.state.lock().credentials = Some((username.to_string(), password.to_string()));
    }

    /// The `expires_in` of tokens issued from now on (seconds; 3600 by default).
    pub fn set_token_lifetime(&self, seconds: u64) {
        self.state.lock().expires_in = seconds;
    }

    /// Forgets every access token issued so far, as a server does when they expire: the next
    /// request gets a `401`; the refresh tokens still work.
    pub fn expire_tokens(&self) {
        self.state.lock().tokens.access.clear();
    }

    /// Revokes every token issued so far, access and refresh: the client must log in again
    /// with its password.
    pub fn revoke_tokens(&self) {
        let mut inner = self.state.lock();
        inner.tokens.access.clear();
        inner.tokens.refresh.clear();
    }

    /// What the token endpoint and the logout did so far.
    pub fn sessions(&self) -> SessionCounts {
        self.state.lock().tokens.counts
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().log.clone()
    }

    /// The requests no stub answered (`METHOD /path?query`), in order.
    pub fn unmatched(&self) -> Vec<String> {
        self.state.lock().unmatched.clone()
    }

    /// A stub of `op` answering with `T`, whose request body is a `B` (generated crates
    /// name both; `()` where there is none).
    pub fn stub<T, B>(&self, op: Operation) -> Stub<'_, T, B> {
        Stub {
            server: self,
            route: Route::new(op),
            types: PhantomData,
        }
    }
}

/// What one operation answers, being described: matching, answers, faults. Nothing is
/// served until [`Stub::returns`] (or [`Stub::returns_in_turn`], [`Stub::polls`],
/// [`Stub::mount`]) adds it to the server.
#[must_use = "a stub answers nothing until `.returns(...)` or `.mount()`"]
pub struct Stub<'a, T, B = ()> {
    server: &'a Server,
    route: Route,
    types: PhantomData<fn(T, B)>,
}

impl<T, B> std::fmt::Debug for Stub<'_, T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stub").field("route", &self.route).finish()
    }
}

impl<'a, T: Serialize, B> Stub<'a, T, B> {
    /// Only requests whose path parameter `name` (as the path template spells it) is `value`.
    pub fn path_param(mut self, name: &str, value: impl ToString) -> Self {
        self.route
            .matcher
            .path
            .push((name.to_string(), value.to_string()));
        self
    }

    /// Only requests whose query parameter `name` is `value`.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.route
            .matcher
            .query
            .push((name.to_string(), value.to_string()));
        self
    }

    /// Only requests whose body is `body` (as JSON).
    pub fn body(mut self, body: &B) -> Self
    where
        B: Serialize,
    {
        self.route.matcher.body = Some(serde_json::to_value(body).unwrap_or(Value::Null));
        self
    }

    /// The next request this stub answers gets `fault` instead (call again for the one
    /// after): `.fault(Fault::unavailable(0)).returns(x)` fails once, then answers.
    pub fn fault(mut self, fault: Fault) -> Self {
        let at = self.route.faults.len();
        self.route.faults.push((at, fault));
        self
    }

    /// Request number `n` (from 0) gets `fault`, the others the answers.
    pub fn fault_at(mut self, n: usize, fault: Fault) -> Self {
        self.route.faults.push((n, fault));
        self
    }

    /// Every request gets `fault`.
    pub fn always(mut self, fault: Fault) -> Self {
        self.route.always = Some(fault);
        self
    }

    /// Sets the field at JSON pointer `pointer` of the answer (of each item, for a paged
    /// list) to `value`: a `null` the schema does not allow, an enum value the client does
    /// not know. A pointer that does not exist in the answer is added where its parent does.
    pub fn set_field(mut self, pointer: &str, value: Value) -> Self {
        self.route.patches.push((pointer.to_string(), value));
        self
    }

    /// [`Stub::set_field`] with `null`.
    pub fn null_field(self, pointer: &str) -> Self {
        self.set_field(pointer, Value::Null)
    }

    /// Answers with `status` instead of the operation's success status.
    pub fn status(mut self, status: u16) -> Self {
        self.route.op.status = status;
        self
    }

    /// Answers every matching request with `value` (a paged list: the whole list, served in
    /// pages; a download: the file's bytes).
    pub fn returns(self, value: T) {
        self.returns_in_turn(vec![value]);
    }

    /// Answers the first request with the first value, the next with the next, and every
    /// later one with the last.
    pub fn returns_in_turn(mut self, values: Vec<T>) {
        self.route.answers = values
            .iter()
            .map(|v| serde_json::to_value(v).expect("the answer serializes to JSON"))
            .collect();
        self.mount();
    }

    /// A wait: `working` for the first `n` requests, then `done` for every later one.
    pub fn polls(self, n: usize, working: T, done: T) {
        let working = serde_json::to_value(&working).expect("the answer serializes to JSON");
        let mut values: Vec<Value> = vec![working; n];
        values.push(serde_json::to_value(&done).expect("the answer serializes to JSON"));
        let mut stub = self;
        stub.route.answers = values;
        stub.mount();
    }

    /// Adds the stub as it is. Without answers, a request it matches and no fault applies to
    /// goes on to older stubs (and the login): faults alone, in front of other answers; a
    /// [`Fault::Delay`] delays the answer it goes on to (`mock.token().always(delay)`: a slow
    /// login).
    pub fn mount(self) {
        self.server.state.lock().routes.push(Arc::new(self.route));
    }

    /// What the server received for this operation (and this stub's path, query and body
    /// matchers), in order; behind a path prefix, their paths as the API sees them (without
    /// it).
    pub fn received(&self) -> Received<B> {
        let inner = self.server.state.lock();
        Received {
            op: self.route.op,
            requests: inner
                .log
                .iter()
                .filter_map(|r| state::unprefixed(&inner.prefix, r))
                .filter(|r| self.route.matcher.matches(&self.route.op, r))
                .collect(),
            body: PhantomData,
        }
    }
}

/// The requests a server received for one operation, with typed accessors.
#[derive(Debug)]
pub struct Received<B> {
    op: Operation,
    requests: Vec<Request>,
    body: PhantomData<fn() -> B>,
}

impl<B> Received<B> {
    pub fn count(&self) -> usize {
        self.requests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    /// Query parameter `name` of request `n` (from 0).
    pub fn query(&self, n: usize, name: &str) -> Option<String> {
        state::query_value(self.requests.get(n)?, name)
    }

    /// Query parameter `name` of the last request.
    pub fn last_query(&self, name: &str) -> Option<String> {
        state::query_value(self.requests.last()?, name)
    }

    /// Path parameter `name` of the last request, decoded.
    pub fn last_path_param(&self, name: &str) -> Option<String> {
        state::path_params(self.op.path, self.requests.last()?.url.path())?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The last request's body as the operation's request type.
    pub fn last_body(&self) -> Option<Result<B, serde_json::Error>>
    where
        B: DeserializeOwned,
    {
        self.requests
            .last()
            .map(|r| serde_json::from_slice(&r.body))
    }

    /// The `authorization` header of each request, as sent (`None` without one).
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.requests
            .iter()
            .map(|r| {
                r.headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .collect()
    }
}

/// The one responder of the wiremock server: routes, the login, the log.
struct Router(Arc<State>);

impl wiremock::Respond for Router {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        route::respond(&self.0, request)
    }
}
