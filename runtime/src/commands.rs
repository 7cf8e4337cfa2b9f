//! Operations as data, for the command line: one program that speaks every API the
//! workspace has a crate for, with no Rust type of any of them.
//!
//! Each generated crate's `commands` feature holds its [`Api`]: every operation as a
//! [`Command`] (its name on the command line, its parameters and their types, its body, how
//! it pages, what it starts that can be waited on), written by the generator from the same
//! spec and facts as the crate. This module sends a command through a [`Session`], so that the
//! login, TLS, timeouts, retries, redirects and error bodies are the library's own:
//! [`request`] makes the request, [`send`] sends it, [`walk`] streams every item of a paged
//! list ([`crate::paging`]'s walk, items as JSON), [`wait`] polls what a command started
//! until it ends ([`crate::wait::until`]).

use futures::Stream;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Request, Response};
use serde_json::Value;

use crate::auth::{ApiProfile, Session};
use crate::error::{Error, ErrorKind};
use crate::ops::Operation;
use crate::paging::Shape;
use crate::wait::{Progress, WaitOptions};

/// An API as the command line sees it.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The API's folder and crate name (`vb365`, `vbazure`): its command on the command line.
    pub name: &'static str,
    /// The API's title and version, as its document names them.
    pub title: &'static str,
    pub version: &'static str,
    /// Its login, logout and paging.
    pub profile: ApiProfile,
    /// The versions discovery asks for (newest first) and the probe path (`{version}`
    /// replaced), when the API has discovery.
    pub discovery: Option<(&'static [&'static str], &'static str)>,
    /// Every operation, by group then name.
    pub commands: &'static [Command],
}

impl Api {
    /// The command of an operation id (snake case), if the API has it.
    pub fn command(&self, operation: &str) -> Option<&'static Command> {
        self.commands.iter().find(|c| c.operation.id == operation)
    }
}

/// One operation as a command: `<group> <name>`.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// The resource group (kebab case): the crate feature the operation belongs to.
    pub group: &'static str,
    /// The command inside its group (kebab case).
    pub name: &'static str,
    /// The first sentence of the operation's description, and all of it.
    pub summary: &'static str,
    pub description: &'static str,
    pub method: &'static str,
    pub operation: Operation,
    pub params: &'static [Param],
    pub body: Option<Body>,
    /// Set when the operation pages by offset and limit: whether its items come in an
    /// envelope or as the body itself, and whether it takes the profile's set-id parameter.
    pub paging: Option<(Shape, bool)>,
    /// Set when a success body names work that can be waited on.
    pub wait: Option<Wait>,
}

/// A parameter of a command.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// As the API spells it on the wire (`organizationId`).
    pub name: &'static str,
    /// As the command line spells it (`organization-id`, given as `--organization-id`).
    pub flag: &'static str,
    pub location: Location,
    pub kind: Kind,
    pub required: bool,
    /// An array: the flag may be given more than once.
    pub list: bool,
    pub help: &'static str,
}

impl Param {
    /// The same parameter: its name and where it goes (a path `id` and a query `id` are two).
    pub fn same(&self, other: &Param) -> bool {
        self.name == other.name && self.location == other.location
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// The type of a parameter's value, checked before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Uuid,
    /// RFC 3339 (`2026-12-01T08:00:00Z`).
    DateTime,
    /// `YYYY-MM-DD`.
    Date,
    /// One of these values, as the API spells them.
    Enum(&'static [&'static str]),
}

impl Kind {
    /// `value` as this kind, or why it is not one: the check every value passes before a
    /// request is made.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let ok = match self {
            Kind::String => true,
            Kind::Integer => value.parse::<i64>().is_ok(),
            Kind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
            Kind::Boolean => matches!(value, "true" | "false"),
            Kind::Uuid => uuid::Uuid::parse_str(value).is_ok(),
            Kind::DateTime => chrono::DateTime::parse_from_rfc3339(value).is_ok(),
            Kind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
            Kind::Enum(values) => values.contains(&value),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{value:?} is not {}", self.describe()))
        }
    }

    /// What a value of this kind looks like, for help and errors.
    pub fn describe(&self) -> String {
        match self {
            Kind::String => "a string".into(),
            Kind::Integer => "an integer".into(),
            Kind::Number => "a number".into(),
            Kind::Boolean => "true or false".into(),
            Kind::Uuid => "a UUID".into(),
            Kind::DateTime => "an RFC 3339 date and time (2026-12-01T08:00:00Z)".into(),
            Kind::Date => "a date (2026-12-01)".into(),
            Kind::Enum(values) => format!("one of {}", values.join(", ")),
        }
    }
}

/// A command's request body.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub required: bool,
    /// Sent as `application/x-www-form-urlencoded` (a JSON object's fields), not JSON.
    pub form: bool,
    /// The body's schema, as the spec names it.
    pub schema: &'static str,
}

/// Work a command's answer names, and how to follow it.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// What the work is (`restore session`), for the progress line and errors.
    pub what: &'static str,
    /// Where the answer holds the work's id (a JSON pointer: `/id`, `/sessionId`).
    pub id: &'static str,
    /// The operation that reads the work's state, and its one path parameter (the id).
    pub poll: &'static str,
    /// Where the polled body holds the state, and which states are final or still running.
    /// Any other state is waited through (a newer server's).
    pub state: &'static str,
    pub finished: &'static [&'static str],
    pub running: &'static [&'static str],
    /// Where the finished work says how it went (the state itself, or a result field), and
    /// the values that mean it failed.
    pub outcome: &'static str,
    pub failed: &'static [&'static str],
}

impl Wait {
    /// How the work in `body` (as [`wait`] returned it) went, when that is a failure.
    pub fn failure<'a>(&self, body: &'a Value) -> Option<&'a str> {
        let outcome = body.pointer(self.outcome).and_then(Value::as_str)?;
        self.failed.contains(&outcome).then_some(outcome)
    }
}

/// What a command is called with: the parameters' values (already checked with
/// [`Kind::check`]) and the body.
#[derive(Debug, Clone, Default)]
pub struct Call {
    pub values: Vec<(&'static Param, Vec<String>)>,
    pub body: Option<Value>,
}

impl Call {
    fn set(&mut self, param: &'static Param, value: String) {
        self.values.retain(|(p, _)| !p.same(param));
        self.values.push((param, vec![value]));
    }

    fn get(&self, param: &Param) -> Option<&str> {
        self.values
            .iter()
            .find(|(p, _)| p.same(param))
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidRequest(message))
}

/// The request of `command` called with `call`, on `session`'s server. Every value is
/// checked again here (a caller that skipped [`Kind::check`] gets an error, not a request),
/// and every required parameter must be given.
pub fn request(
    session: &Session,
    api: &Api,
    command: &Command,
    call: &Call,
) -> Result<Request, Error> {
    for param in command.params {
        let given = call.values.iter().find(|(p, _)| p.same(param));
        match given {
            None if param.required => {
                return Err(invalid(format!("--{} is required", param.flag)));
            }
            Some((_, values)) => {
                if values.len() > 1 && !param.list {
                    return Err(invalid(format!("--{} is given more than once", param.flag)));
                }
                for value in values {
                    param
                        .kind
                        .check(value)
                        .map_err(|why| invalid(format!("--{}: {why}", param.flag)))?;
                }
            }
            None => {}
        }
    }
    let mut path = command.operation.path.to_string();
    let mut query: Vec<(&str, String)> = Vec::new();
    let mut headers = Vec::new();
    for (param, values) in &call.values {
        // A UUID goes as the API writes one (`{...}`, `urn:uuid:` and bare hex read alike).
        let values: Vec<String> = values
            .iter()
            .map(|v| match (param.kind, uuid::Uuid::parse_str(v)) {
                (Kind::Uuid, Ok(u)) => u.hyphenated().to_string(),
                _ => v.clone(),
            })
            .collect();
        match param.location {
            Location::Path => {
                let value = values.first().map(String::as_str).unwrap_or("");
                if value.is_empty() || value == "." || value == ".." {
                    return Err(invalid(format!(
                        "--{}: {value:?} cannot be a path segment",
                        param.flag
                    )));
                }
                path = path.replace(&format!("{{{}}}", param.name), &crate::encode_path(value));
            }
            Location::Query => query.extend(values.into_iter().map(|v| (param.name, v))),
            Location::Header => {
                for value in &values {
                    let name = HeaderName::from_bytes(param.name.as_bytes())
                        .map_err(|e| invalid(format!("header {}: {e}", param.name)))?;
                    let value = HeaderValue::from_str(value)
                        .map_err(|e| invalid(format!("--{}: {e}", param.flag)))?;
                    headers.push((name, value));
                }
            }
        }
    }
    let method = Method::from_bytes(command.method.as_bytes())
        .map_err(|e| invalid(format!("method {}: {e}", command.method)))?;
    let url = format!("{}{path}", session.base_url());
    let mut builder = session
        .http()
        .request(method, url)
        .header("api-version", api.version);
    if !command.operation.download {
        builder = builder.header(reqwest::header::ACCEPT, "application/json");
    }
    if !query.is_empty() {
        builder = builder.query(&query);
    }
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    match (&command.body, &call.body) {
        (Some(body), None) if body.required => {
            return Err(invalid(format!(
                "this command needs a body ({}): give --body",
                body.schema
            )));
        }
        (None, Some(_)) => return Err(invalid("this command takes no body".into())),
        (Some(body), Some(value)) if body.form => {
            let Value::Object(fields) = value else {
                return Err(invalid(
                    "this command's body is a form: give a JSON object of its fields".into(),
                ));
            };
            let pairs: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k.clone(), s.clone()),
                    other => (k.clone(), other.to_string()),
                })
                .collect();
            builder = builder.form(&pairs);
        }
        (Some(_), Some(value)) => builder = builder.json(value),
        _ => {}
    }
    builder
        .build()
        .map_err(|e| invalid(format!("the request: {e}")))
}

/// Sends `command` through the session (its login, retries and rules); a non-2xx answer is
/// an error with the server's body decoded.
pub async fn send(
    session: &Session,
    api: &Api,
    command: &Command,
    call: &Call,
) -> Result<Response, Error> {
    let request =
        request(session, api, command, call).map_err(|e| e.in_operation(command.operation.id))?;
    crate::ops::response(command.operation, Ok((session, request))).await
}

/// Every item of a paged command, one page in memory at a time, with the library's walk
/// (it follows the server's own numbers and stops with an error rather than lose or
/// repeat an item). The call's own `limit` is the page size asked for, its `offset` where
/// the walk starts. A command that does not page is an error.
pub fn walk<'a>(
    session: &'a Session,
    api: &'a Api,
    command: &'static Command,
    call: Call,
) -> Result<impl Stream<Item = Result<Value, Error>> + 'a, Error> {
    let (Some((shape, set_id)), Some(profile)) = (command.paging, api.profile.paging) else {
        return Err(invalid(format!(
            "{} {} does not page: --all applies to list commands",
            command.group, command.name
        )));
    };
    let param = |name: &str| {
        command
            .params
            .iter()
            .find(|p| p.name == name && p.location == Location::Query)
    };
    let (Some(offset_param), Some(limit_param)) =
        (param(profile.offset_param), param(profile.limit_param))
    else {
        return Err(invalid(format!(
            "{} {} lacks the paging parameters",
            command.group, command.name
        )));
    };
    let number = |p: &Param| call.get(p).and_then(|v| v.parse::<i64>().ok());
    let start = number(offset_param);
    let limit = number(limit_param);
    let set_id_param = profile.set_id.filter(|_| set_id).and_then(param);
    Ok(crate::paging::stream(
        command.operation,
        shape,
        profile,
        call,
        start,
        limit,
        move |mut call: Call, offset, limit, set_id: Option<String>| {
            call.set(offset_param, offset.to_string());
            call.set(limit_param, limit.to_string());
            if let (Some(p), Some(s)) = (set_id_param, set_id) {
                call.set(p, s);
            }
            request(session, api, command, &call)
                .map(|r| (session, r))
                .map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))
        },
    ))
}

/// Polls the work `answer` names (see [`Wait`]) until it reaches a final state, calling
/// `seen` with each state read; returns the last body read. The rules are
/// [`crate::wait::until`]'s: only a documented final state ends it, transient failures are
/// polled again within the deadline.
pub async fn wait(
    session: &Session,
    api: &Api,
    wait: &Wait,
    answer: &Value,
    options: &WaitOptions,
    seen: impl Fn(&str),
) -> Result<Value, Error> {
    let id = match answer.pointer(wait.id) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(invalid(format!(
                "the answer has no {} id at {} to wait on",
                wait.what, wait.id
            )))
        }
    };
    let poll = api.command(wait.poll).ok_or_else(|| {
        invalid(format!(
            "{} has no operation {} to poll the {} with",
            api.name, wait.poll, wait.what
        ))
    })?;
    let Some(param) = poll.params.iter().find(|p| p.location == Location::Path) else {
        return Err(invalid(format!("{} takes no id", wait.poll)));
    };
    let call = Call {
        values: vec![(param, vec![id.clone()])],
        body: None,
    };
    let what = format!("{} {id}", wait.what);
    crate::wait::until(
        &what,
        options,
        || async {
            let response = send(session, api, poll, &call).await?;
            crate::ops::decode_body::<Value>(poll.operation, response).await
        },
        |body| {
            let state = body.pointer(wait.state).and_then(Value::as_str);
            seen(state.unwrap_or("(no state)"));
            match state {
                Some(s) if wait.finished.contains(&s) => Progress::Finished,
                Some(s) if wait.running.contains(&s) => Progress::Running,
                Some(s) => Progress::Unknown(s.to_string()),
                None => Progress::Unknown("(no state)".into()),
            }
        },
    )
    .await
}
