//! Answering one request: the stubs (newest first), then the login and the logout, then 404.

use std::sync::atomic::Ordering;

use serde_json::{json, Map, Value};
use veeam_runtime::paging::PagingProfile;
use wiremock::{Request, ResponseTemplate};

use crate::fault::Fault;
use crate::state::{query_value, Answer, Inner, Route, State};

/// The fields of a form body.
fn form(request: &Request) -> Vec<(String, String)> {
    let mut url = request.url.clone();
    url.set_query(Some(&String::from_utf8_lossy(&request.body)));
    url.query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect()
}

fn bearer(request: &Request) -> Option<String> {
    let value = request.headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

pub(crate) fn respond(state: &State, request: &Request) -> ResponseTemplate {
    let mut inner = state.lock();
    inner.log.push(request.clone());
    // Behind a prefix, everything is served below it, and nothing else.
    let Some(unprefixed) = crate::state::unprefixed(&inner.prefix, request) else {
        return not_found(&mut inner, request);
    };
    let request = &unprefixed;
    let routes: Vec<_> = inner.routes.iter().rev().cloned().collect();
    // A delay or a cut from a stub without answers, for whatever answers the request after
    // it (the login too).
    let mut delay = None;
    let mut truncated = false;
    for route in routes {
        if !route.matcher.matches(&route.op, request) {
            continue;
        }
        // The token endpoint takes no token, whatever the document says.
        let guarded =
            state.profile.token_path.is_some_and(|t| t != route.op.path) && !route.op.anonymous;
        if guarded && !bearer(request).is_some_and(|t| inner.tokens.access.contains(&t)) {
            return ResponseTemplate::new(401);
        }
        let n = route.served.fetch_add(1, Ordering::SeqCst);
        let fault = route
            .faults
            .iter()
            .find(|(at, _)| *at == n)
            .map(|(_, f)| f)
            .or(route.always.as_ref());
        if let Some(template) = fault.and_then(Fault::response) {
            return template;
        }
        if route.answers.is_empty() {
            // Faults only: the request goes on to what was there before.
            match fault {
                Some(Fault::Delay(d)) => delay = delay.or(Some(*d)),
                Some(Fault::Truncated) => truncated = true,
                _ => {}
            }
            continue;
        }
        let value = &route.answers[n.min(route.answers.len() - 1)];
        let (template, body) = answer(state, &inner, &route, request, value);
        let template = match fault {
            Some(Fault::Truncated) => {
                let cut = body.len() / 2;
                template.set_body_raw(body[..cut].to_vec(), "application/json")
            }
            Some(Fault::Delay(d)) => template.set_delay(*d),
            _ => template,
        };
        return delayed(template, delay);
    }
    if let Some((template, body)) = session(state, &mut inner, request) {
        let template = match body {
            Some(body) if truncated => {
                let cut = body.len() / 2;
                template.set_body_raw(body[..cut].to_vec(), "application/json")
            }
            _ => template,
        };
        return delayed(template, delay);
    }
    not_found(&mut inner, request)
}

/// A `404` naming the request, which [`crate::Server::unmatched`] lists.
fn not_found(inner: &mut Inner, request: &Request) -> ResponseTemplate {
    let what = match request.url.query() {
        Some(q) => format!("{} {}?{q}", request.method, request.url.path()),
        None => format!("{} {}", request.method, request.url.path()),
    };
    inner.unmatched.push(what.clone());
    ResponseTemplate::new(404).set_body_json(json!({
        "message": format!("veeam-mock: no stub answers {what}"),
        "errorCode": "NotFound",
    }))
}

fn delayed(template: ResponseTemplate, delay: Option<std::time::Duration>) -> ResponseTemplate {
    match delay {
        Some(d) => template.set_delay(d),
        None => template,
    }
}

/// The response of an answer, and its body (to cut short on demand).
fn answer(
    state: &State,
    inner: &Inner,
    route: &Route,
    request: &Request,
    value: &Value,
) -> (ResponseTemplate, Vec<u8>) {
    let status = route.op.status;
    let json = |v: &Value| {
        let body = serde_json::to_vec(v).unwrap_or_default();
        (
            ResponseTemplate::new(status).set_body_raw(body.clone(), "application/json"),
            body,
        )
    };
    match route.op.answer {
        Answer::Empty => (ResponseTemplate::new(status), Vec::new()),
        Answer::Bytes => {
            let body = match value {
                Value::String(s) => s.clone().into_bytes(),
                Value::Array(a) => a
                    .iter()
                    .map(|b| b.as_u64().unwrap_or_default() as u8)
                    .collect(),
                other => serde_json::to_vec(other).unwrap_or_default(),
            };
            (
                ResponseTemplate::new(status)
                    .set_body_raw(body.clone(), "application/octet-stream"),
                body,
            )
        }
        Answer::Json => {
            let mut v = value.clone();
            patch(&mut v, &route.patches);
            json(&v)
        }
        Answer::Envelope | Answer::BareArray => {
            let items = match value {
                Value::Array(items) => items.clone(),
                Value::Null => Vec::new(),
                other => vec![other.clone()],
            };
            let page = page(state.profile.paging.as_ref(), inner, route, request, items);
            json(&page)
        }
    }
}

/// The page a request asks for, as the API pages.
fn page(
    paging: Option<&PagingProfile>,
    inner: &Inner,
    route: &Route,
    request: &Request,
    mut items: Vec<Value>,
) -> Value {
    for item in &mut items {
        patch(item, &route.patches);
    }
    let Some(p) = paging else {
        return Value::Array(items);
    };
    let number = |name: &str| query_value(request, name).and_then(|v| v.parse::<i64>().ok());
    let offset = number(p.offset_param).unwrap_or(0).max(0);
    let asked = number(p.limit_param).unwrap_or(p.default_limit).max(1);
    let applied = [Some(asked), inner.page_cap, p.max_limit]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(asked);
    let total = items.len() as i64;
    let start = offset.min(total) as usize;
    let end = (offset + applied).min(total) as usize;
    let served: Vec<Value> = items[start..end].to_vec();
    if route.op.answer == Answer::BareArray {
        return Value::Array(served);
    }
    let mut envelope = Map::new();
    envelope.insert(p.items.to_string(), Value::Array(served));
    if let Some(f) = p.offset_field {
        envelope.insert(f.to_string(), json!(offset));
    }
    if let Some(f) = p.limit_field {
        envelope.insert(f.to_string(), json!(applied));
    }
    if let Some(f) = p.total_field {
        envelope.insert(f.to_string(), json!(total));
    }
    let set_id = p.set_id.map(|f| {
        let id = query_value(request, f).unwrap_or_else(|| set_id(route.op.id));
        envelope.insert(f.to_string(), json!(id));
        (f, id)
    });
    if let Some(pointer) = p.next_link {
        if (end as i64) < total {
            let mut href = format!(
                "{}?{}={}&{}={applied}",
                request.url.path(),
                p.offset_param,
                end,
                p.limit_param
            );
            if let Some((f, id)) = &set_id {
                href.push_str(&format!("&{f}={id}"));
            }
            let mut at = Value::Object(envelope);
            insert(&mut at, pointer, json!(href));
            return at;
        }
    }
    Value::Object(envelope)
}

/// A result-set id of the list `op`: a UUID (VB365 types it so), the same on every run.
pub(crate) fn set_id(op: &str) -> String {
    // FNV-1a: no dependency for 48 stable bits.
    let hash = op.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("5e7a1d00-0000-4000-8000-{:012x}", hash & 0xffff_ffff_ffff)
}

fn patch(value: &mut Value, patches: &[(String, Value)]) {
    for (pointer, v) in patches {
        insert(value, pointer, v.clone());
    }
}

/// Sets the value at `pointer`, making the objects on the way.
fn insert(value: &mut Value, pointer: &str, new: Value) {
    let mut at = value;
    let keys: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        at = match at {
            Value::Array(a) => match key.parse::<usize>().ok().and_then(|n| a.get_mut(n)) {
                Some(next) if !last => next,
                Some(slot) => {
                    *slot = new;
                    return;
                }
                None => return,
            },
            Value::Object(m) => {
                if last {
                    m.insert(key.clone(), new);
                    return;
                }
                m.entry(key.clone()).or_insert_with(|| json!({}))
            }
            _ => return,
        };
    }
}

/// The token endpoint (password grant, refresh) and the logout, as the profile says: the
/// response, and the token answer's body (to cut short on demand).
fn session(
    state: &State,
    inner: &mut Inner,
    request: &Request,
) -> Option<(ResponseTemplate, Option<Vec<u8>>)> {
    let profile = &state.profile;
    let path = request.url.path();
    if let Some(logout) = profile.logout {
        if request.method.as_str().eq_ignore_ascii_case(logout.method) && path == logout.path {
            let token = bearer(request);
            let tokens = &mut inner.tokens;
            let Some(at) = tokens.access.iter().position(|t| Some(t) == token.as_ref()) else {
                return Some((ResponseTemplate::new(401), None));
            };
            let access = tokens.access.remove(at);
            // Access `access-N` goes with refresh `refresh-N`.
            let refresh = access.replacen("access", "refresh", 1);
            tokens.refresh.retain(|r| *r != refresh);
            tokens.counts.logouts += 1;
            return Some((ResponseTemplate::new(200), None));
        }
    }
    let token_path = profile.token_path?;
    if !request.method.as_str().eq_ignore_ascii_case("POST") || path != token_path {
        return None;
    }
    let form = form(request);
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let refused = |inner: &mut Inner, error: &str| {
        inner.tokens.counts.refused += 1;
        Some((
            ResponseTemplate::new(400).set_body_json(json!({
                "error": error, "error_description": format!("veeam-mock: {error}"),
            })),
            None,
        ))
    };
    let grant = field("grant_type").unwrap_or_default();
    if grant == profile.password_grant {
        let given = (field("username"), field("password"));
        let ok = match &inner.credentials {
            Some((u, p)) => given == (Some(u.as_str()), Some(p.as_str())),
            None => given.0.is_some_and(|u| !u.is_empty()) && given.1.is_some(),
        };
        if !ok {
            return refused(inner, "invalid_grant");
        }
        inner.tokens.counts.logins += 1;
        // VB365 refuses to refresh a session whose login did not send the profile's extra
        // fields (`disable_antiforgery_token=true`): its refresh token is never valid.
        let complete = profile
            .login_extra
            .iter()
            .all(|(k, v)| field(k) == Some(*v));
        if !complete {
            inner.tokens.next += 1;
            let n = inner.tokens.next;
            inner.tokens.access.push(format!("access-{n}"));
            return Some(tokens(inner, n));
        }
    } else if grant == profile.refresh_grant {
        let Some(at) =
            field("refresh_token").and_then(|t| inner.tokens.refresh.iter().position(|r| r == t))
        else {
            return refused(inner, "invalid_grant");
        };
        // A refresh token is used once; the access token it went with is replaced too.
        let old = inner.tokens.refresh.remove(at);
        let access = old.replacen("refresh", "access", 1);
        inner.tokens.access.retain(|a| *a != access);
        inner.tokens.counts.refreshes += 1;
    } else {
        return refused(inner, "unsupported_grant_type");
    }
    inner.tokens.next += 1;
    let n = inner.tokens.next;
    inner.tokens.access.push(format!("access-{n}"));
    inner.tokens.refresh.push(format!("refresh-{n}"));
    Some(tokens(inner, n))
}

/// The token answer of pair `n`, with the fields set or removed on demand, and its body.
fn tokens(inner: &Inner, n: u64) -> (ResponseTemplate, Option<Vec<u8>>) {
    let mut answer = json!({
        "access_token": format!("access-{n}"),
        "refresh_token": format!("refresh-{n}"),
        "token_type": "bearer",
        "expires_in": inner.expires_in,
    });
    if let Some(fields) = answer.as_object_mut() {
        for (name, value) in &inner.token_fields {
            match value {
                Some(v) => fields.insert(name.clone(), v.clone()),
                None => fields.remove(name),
            };
        }
    }
    let body = serde_json::to_vec(&answer).unwrap_or_default();
    (
        ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"),
        Some(body),
    )
}
