//! Small helpers for walking an OpenAPI document held as JSON.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI 3.0 path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f(path, method, operation)` for every operation, in document order.
pub fn each_operation(doc: &Value, mut f: impl FnMut(&str, &str, &Value)) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                f(path, method, op);
            }
        }
    }
}

/// Mutable twin of [`each_operation`].
pub fn each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                f(path, method, op);
            }
        }
    }
}

/// Calls `f(path, method, status, content)` for the `content` map of every response of every
/// operation.
pub fn each_response_content_mut(
    doc: &mut Value,
    mut f: impl FnMut(&str, &str, &str, &mut serde_json::Map<String, Value>),
) {
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for (code, r) in responses.iter_mut() {
            if let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) {
                f(path, method, code, content);
            }
        }
    });
}

/// Follows a local `$ref` (`#/components/...`) once; anything else is returned as is.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with("#/") => resolve_pointer(doc, &r[1..]).unwrap_or(v),
        _ => v,
    }
}

/// Is this media type JSON in the sense progenitor decodes (`application/json`, with or
/// without parameters)?
pub fn is_json_media_type(mt: &str) -> bool {
    mt == "application/json" || mt.starts_with("application/json;")
}

/// The status class of a response key: `Some(2)` for `200`..`299` and `2XX`, `None` for `default`.
pub fn status_class(code: &str) -> Option<u8> {
    code.chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .map(|d| d as u8)
}

/// Calls `f(pointer segments, object)` for every object in the document, parents before
/// children, skipping literal values (`example`, `examples`, `default`, `enum`), which may
/// look like schemas but are not.
pub fn each_object_mut(
    doc: &mut Value,
    mut f: impl FnMut(&[String], &mut serde_json::Map<String, Value>),
) {
    fn walk(
        v: &mut Value,
        at: &mut Vec<String>,
        f: &mut dyn FnMut(&[String], &mut serde_json::Map<String, Value>),
    ) {
        match v {
            Value::Object(map) => {
                f(at, map);
                for (k, child) in map.iter_mut() {
                    if matches!(k.as_str(), "example" | "examples" | "default" | "enum") {
                        continue;
                    }
                    at.push(k.clone());
                    walk(child, at, f);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    at.push(i.to_string());
                    walk(child, at, f);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    walk(doc, &mut Vec::new(), &mut f);
}

/// Calls `f(pointer segments, parameter)` for every inline parameter, those declared on a path
/// item and those on its operations.
pub fn each_parameter_mut(
    doc: &mut Value,
    mut f: impl FnMut(&[String], &mut serde_json::Map<String, Value>),
) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, owner) in item.iter_mut() {
            let params = if key == "parameters" {
                Some(owner)
            } else {
                owner.get_mut("parameters")
            };
            let Some(params) = params.and_then(Value::as_array_mut) else {
                continue;
            };
            for (i, p) in params.iter_mut().enumerate() {
                let Some(p) = p.as_object_mut() else { continue };
                let mut at = vec!["paths".to_string(), path.clone()];
                if key != "parameters" {
                    at.push(key.clone());
                }
                at.extend(["parameters".to_string(), i.to_string()]);
                f(&at, p);
            }
        }
    }
}

/// An operation's parameters, those of its path item first, `$ref`s resolved; an operation's
/// own parameter replaces the path item's of the same name and location.
pub fn operation_parameters<'a>(doc: &'a Value, path: &str, op: &'a Value) -> Vec<&'a Value> {
    let item = doc.get("paths").and_then(|p| p.get(path));
    let mut out: Vec<&Value> = Vec::new();
    for owner in [item, Some(op)].into_iter().flatten() {
        for p in owner
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let p = resolve(doc, p);
            let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
            out.retain(|q| key(q) != key(p));
            out.push(p);
        }
    }
    out
}

/// The schema of an operation's first 2xx response with a JSON body.
pub fn success_json_schema(op: &Value) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(code, _)| status_class(code) == Some(2))
        .find_map(|(_, r)| {
            r.get("content")?
                .as_object()?
                .iter()
                .find(|(mt, _)| is_json_media_type(mt))?
                .1
                .get("schema")
        })
}

/// A JSON pointer looked up as written, or percent-decoded (`%7Bid%7D` for `{id}`).
pub fn resolve_pointer<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    doc.pointer(pointer)
        .or_else(|| doc.pointer(&percent_decode(pointer)))
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Request body media types progenitor can send.
pub const REQUEST_MEDIA_TYPES: [&str; 4] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
];

/// What progenitor would make of a response body, as a comparable key: the JSON schema for
/// JSON bodies (inline object schemas are each their own type), `raw` for any other body,
/// `none` for no body.
pub fn response_kind(response: &Value) -> String {
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return "none".into();
    };
    if content.is_empty() {
        return "none".into();
    }
    match content.iter().find(|(mt, _)| is_json_media_type(mt)) {
        Some((_, media)) => {
            let schema = media.get("schema").cloned().unwrap_or(Value::Null);
            let named = schema.get("$ref").is_some();
            let plain = schema.get("properties").is_none()
                && schema.get("enum").is_none()
                && schema.get("allOf").is_none()
                && schema.get("oneOf").is_none()
                && schema.get("anyOf").is_none();
            if named || plain {
                format!("json:{schema}")
            } else {
                format!("json-inline:{:p}", media)
            }
        }
        None if content.is_empty() => "none".into(),
        None => "raw".into(),
    }
}

/// The extension `normalize::runtime::statuses_by_body` records on an operation: each success status and its
/// body, for the glue to make a typed enum of.
pub const STATUSES: &str = "x-veeam-statuses";

/// The success responses (2xx), `$ref`s resolved.
pub fn successes<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(code, _)| status_class(code) == Some(2))
        .map(|(_, r)| resolve(doc, r))
        .collect()
}

/// The component schema a `$ref` part names (`#/components/schemas/<name>`).
pub fn schema_ref(part: &Value) -> Option<&str> {
    part.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// The property names a schema declares itself: its `properties` and those of its inline
/// `allOf` parts (not what it takes from other schemas by reference).
pub fn own_properties(schema: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys().cloned())
        .collect();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if schema_ref(part).is_none() {
            out.extend(own_properties(part));
        }
    }
    out
}

/// Every property a component schema has, its own and those it takes through `allOf`.
pub fn all_properties(schemas: &Map<String, Value>, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut queue = vec![name.to_string()];
    while let Some(n) = queue.pop() {
        let Some(schema) = schemas.get(&n).filter(|_| seen.insert(n.clone())) else {
            continue;
        };
        out.extend(own_properties(schema));
        queue.extend(
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(schema_ref)
                .map(str::to_string),
        );
    }
    out
}
