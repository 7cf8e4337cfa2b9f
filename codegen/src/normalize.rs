//! Normalization: rewrite vendor quirks into the shapes progenitor handles, and record every
//! rewrite in a [`Report`]. Each pass is one quirk, in the order [`all`] runs them.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::{json, Map, Value};

use crate::error::pointer;
use crate::openapi::{
    each_object_mut, each_operation_mut, each_parameter_mut, each_response_content_mut,
    is_json_media_type, status_class,
};

/// What normalization changed: for each pass, the pointers it touched; and what it could not
/// represent and degraded (to an untyped or raw value, or by dropping it), with a warning.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub changes: BTreeMap<&'static str, Vec<String>>,
    /// For each degrading pass: (pointer, what was lost).
    pub degraded: BTreeMap<&'static str, Vec<(String, String)>>,
}

impl Report {
    pub(crate) fn note(&mut self, pass: &'static str, at: String) {
        self.changes.entry(pass).or_default().push(at);
    }

    pub(crate) fn degrade(&mut self, pass: &'static str, at: String, what: String) {
        self.degraded.entry(pass).or_default().push((at, what));
    }

    /// One line per pass that changed anything: `split_default_response: 487`.
    pub fn summary(&self) -> String {
        let count = |m: Vec<(&&str, usize)>| -> String {
            let parts: Vec<String> = m.iter().map(|(pass, n)| format!("{pass}: {n}")).collect();
            parts.join(", ")
        };
        let mut line = if self.changes.is_empty() {
            "normalized: nothing".to_string()
        } else {
            format!(
                "normalized: {}",
                count(self.changes.iter().map(|(p, v)| (p, v.len())).collect())
            )
        };
        if !self.degraded.is_empty() {
            line.push_str(&format!(
                "; degraded: {}",
                count(self.degraded.iter().map(|(p, v)| (p, v.len())).collect())
            ));
        }
        line
    }
}

/// Runs every pass, in order.
pub fn all(doc: &mut Value) -> Report {
    all_for(doc, false)
}

/// Runs every pass, in order; `runtime`: the crate is wired to `veeam-runtime`, which reads
/// error bodies itself (see [`error_bodies_as_bytes`]).
pub fn all_for(doc: &mut Value, runtime: bool) -> Report {
    let mut report = Report::default();
    crate::field::inline_foreign_refs(doc, &mut report);
    crate::field::drop_options_and_trace(doc, &mut report);
    crate::field::rename_colliding_schemas(doc, &mut report);
    crate::field::inline_response_refs(doc, &mut report);
    derive_operation_id(doc, &mut report);
    json_suffix_media_type(doc, &mut report);
    crate::field::drop_media_encoding(doc, &mut report);
    pick_request_media_type(doc, &mut report);
    crate::field::request_body_without_schema(doc, &mut report);
    crate::field::unsupported_request_media_as_bytes(doc, &mut report);
    crate::field::unsupported_parameter_styles(doc, &mut report);
    crate::field::parameter_content_as_schema(doc, &mut report);
    crate::field::structured_parameters_as_strings(doc, &mut report);
    octet_stream_as_binary(doc, &mut report);
    wildcard_response_as_json(doc, &mut report);
    json_without_schema_as_any(doc, &mut report);
    split_default_response(doc, &mut report);
    require_path_parameters(doc, &mut report);
    type_from_format(doc, &mut report);
    crate::field::format_on_structures(doc, &mut report);
    crate::field::null_type_as_nullable(doc, &mut report);
    crate::field::enum_values_of_their_type(doc, &mut report);
    crate::field::drop_invalid_defaults(doc, &mut report);
    crate::field::enums_without_distinct_names(doc, &mut report);
    crate::field::nullable_object_roots(doc, &mut report);
    crate::field::drop_noop_constraints(doc, &mut report);
    crate::field::informational_beside_success(doc, &mut report);
    crate::field::inline_names_clear_of_components(doc, &mut report);
    drop_empty_compositions(doc, &mut report);
    crate::cycles::break_cycles(doc, &mut report);
    path_parameters_not_nullable(doc, &mut report);
    header_parameters_not_nullable(doc, &mut report);
    if runtime {
        crate::field::drop_upgrade_only_operations(doc, &mut report);
        crate::field::operation_names_clear_of_client(doc, &mut report);
        error_bodies_as_bytes(doc, &mut report);
        response_fields_optional(doc, &mut report);
        crate::field::statuses_by_body(doc, &mut report);
    }
    unify_response_bodies(doc, &mut report);
    drop_colliding_parameters(doc, &mut report);
    drop_colliding_properties(doc, &mut report);
    report
}

/// Ends each operation's description with a link to its page in the vendor's reference:
/// `url` with `{tag}` (the operation's first tag) and `{operationId}` filled in (the
/// profile's `reference_url`). Operations without a tag get no link.
pub fn reference_links(doc: &mut Value, url: &str) {
    each_operation_mut(doc, |_, _, op| {
        let Some(op) = op.as_object_mut() else { return };
        let tag = op
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str);
        let id = op.get("operationId").and_then(Value::as_str);
        let (Some(tag), Some(id)) = (tag, id) else {
            return;
        };
        let link = url.replace("{tag}", tag).replace("{operationId}", id);
        let text = op
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim_end)
            .unwrap_or("");
        let text = if text.is_empty() {
            format!("[Vendor reference]({link})")
        } else {
            format!("{text}\n\n[Vendor reference]({link})")
        };
        op.insert("description".into(), Value::String(text));
    });
}

/// Operations without an operationId (progenitor names methods after it): derive a stable one
/// from the method and path, `GET /api/v1/restorePoints/{id}` giving
/// `get_api_v1_restore_points_by_id`, with `_2`, `_3`... where that is taken.
pub fn derive_operation_id(doc: &mut Value, report: &mut Report) {
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    crate::openapi::each_operation(doc, |_, _, op| {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            taken.insert(id.to_snake_case());
        }
    });
    each_operation_mut(doc, |path, method, op| {
        let Some(op) = op.as_object_mut() else { return };
        if op
            .get("operationId")
            .and_then(Value::as_str)
            .is_some_and(|id| !id.trim().is_empty())
        {
            return;
        }
        let mut parts = vec![method.to_string()];
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => parts.push(format!("by_{}", param.to_snake_case())),
                None => parts.push(segment.to_snake_case()),
            }
        }
        let base = parts.join("_");
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        op.insert("operationId".into(), Value::String(id));
        report.note("derive_operation_id", pointer(["paths", path, method]));
    });
}

/// JSON under another name (`application/problem+json`, `application/vnd.x+json`,
/// `text/json`): progenitor only types `application/json`, so rename it where the body has no
/// `application/json` entry already.
pub fn json_suffix_media_type(doc: &mut Value, report: &mut Report) {
    fn rename(content: &mut Map<String, Value>, at: Vec<String>, report: &mut Report) {
        if content.keys().any(|k| is_json_media_type(k)) {
            return;
        }
        let Some(key) = content
            .keys()
            .find(|k| {
                let base = k.split(';').next().unwrap_or(k).trim();
                base.ends_with("+json") || base == "text/json"
            })
            .cloned()
        else {
            return;
        };
        let media = content.shift_remove(&key).unwrap_or(Value::Null);
        content.insert("application/json".into(), media);
        let mut at = at;
        at.push(key);
        report.note("json_suffix_media_type", pointer(at));
    }
    each_operation_mut(doc, |path, method, op| {
        if let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        {
            rename(
                content,
                vec![
                    "paths".into(),
                    path.into(),
                    method.into(),
                    "requestBody".into(),
                    "content".into(),
                ],
                report,
            );
        }
    });
    each_response_content_mut(doc, |path, method, code, content| {
        rename(
            content,
            vec![
                "paths".into(),
                path.into(),
                method.into(),
                "responses".into(),
                code.into(),
                "content".into(),
            ],
            report,
        );
    });
}

/// `nullable: true` on a path parameter's schema: a path segment cannot be null, and the
/// optional type it would get cannot be put in a path.
pub fn path_parameters_not_nullable(doc: &mut Value, report: &mut Report) {
    each_parameter_mut(doc, |at, p| {
        if p.get("in").and_then(Value::as_str) != Some("path") {
            return;
        }
        let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
            return;
        };
        if schema.shift_remove("nullable").is_some() {
            report.note(
                "path_parameters_not_nullable",
                pointer(at.iter().map(String::as_str).chain(["schema", "nullable"])),
            );
        }
    });
}

/// `nullable: true` on a header parameter's schema (VB for Azure's 29 `Accept` headers): a
/// header is absent or a string, never null, and the optional-of-optional type progenitor
/// would give it does not compile.
pub fn header_parameters_not_nullable(doc: &mut Value, report: &mut Report) {
    each_parameter_mut(doc, |at, p| {
        if p.get("in").and_then(Value::as_str) != Some("header") {
            return;
        }
        let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
            return;
        };
        if schema.shift_remove("nullable").is_some() {
            report.note(
                "header_parameters_not_nullable",
                pointer(at.iter().map(String::as_str).chain(["schema", "nullable"])),
            );
        }
    });
}

/// The property a resource's own id is in: it stays required in responses (a `null` id is an
/// error naming the field, rather than a resource nobody can address).
pub const OWN_ID: &str = "id";

/// Servers send `null` or leave out fields the spec marks required (a session's `name`,
/// `type`, `result`, `_links`), and one such field would fail the whole response. In every
/// schema a success response reaches, no property is required but the resource's own `id`
/// ([`OWN_ID`]): the field becomes an `Option` (lists and maps: empty), so `null` and absent
/// read as `None` and no value is ever invented. Nor does any refuse fields it does not
/// list (`additionalProperties: false`, on every VB for Azure schema): a newer server adds
/// some. For crates wired to the runtime.
pub fn response_fields_optional(doc: &mut Value, report: &mut Report) {
    // The component schemas success responses reach, and the inline response schemas.
    let mut reached = std::collections::BTreeSet::new();
    let mut inline = Vec::new();
    crate::openapi::each_operation(doc, |path, method, op| {
        for (code, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if status_class(code) != Some(2) {
                continue;
            }
            let response = crate::openapi::resolve(doc, response);
            for (mt, media) in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(schema) = media.get("schema") else {
                    continue;
                };
                reach(doc, schema, &mut reached);
                if schema.get("$ref").is_none() {
                    inline.push(vec![
                        "paths".to_string(),
                        path.to_string(),
                        method.to_string(),
                        "responses".into(),
                        code.clone(),
                        "content".into(),
                        mt.clone(),
                        "schema".into(),
                    ]);
                }
            }
        }
    });
    let relax = |at: Vec<String>, schema: &mut Value, report: &mut Report| {
        each_schema_object_mut(
            schema,
            &mut |map: &mut Map<String, Value>| {
                // A newer server adds fields: a closed schema would refuse the whole answer.
                let open = map.get("additionalProperties") == Some(&Value::Bool(false))
                    && map.shift_remove("additionalProperties").is_some();
                let Some(Value::Array(required)) = map.get_mut("required") else {
                    return open;
                };
                let before = required.len();
                required.retain(|r| r.as_str() == Some(OWN_ID));
                open || before != required.len()
            },
            &mut |changed| {
                if changed {
                    report.note(
                        "response_fields_optional",
                        pointer(at.iter().map(String::as_str)),
                    );
                }
            },
        );
    };
    for name in reached {
        if let Some(schema) = doc.pointer_mut(&pointer(["components", "schemas", name.as_str()])) {
            relax(
                vec!["components".into(), "schemas".into(), name.clone()],
                schema,
                report,
            );
        }
    }
    for at in inline {
        if let Some(schema) = doc.pointer_mut(&pointer(at.iter().map(String::as_str))) {
            relax(at, schema, report);
        }
    }
}

/// The component schemas the success responses of `doc` reach, at any depth.
pub fn response_schemas(doc: &Value) -> std::collections::BTreeSet<String> {
    let mut reached = std::collections::BTreeSet::new();
    crate::openapi::each_operation(doc, |_, _, op| {
        // The bodies of operations whose statuses have different ones.
        for status in op
            .get(crate::field::STATUSES)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = status.get("schema").and_then(Value::as_str) {
                reach(
                    doc,
                    &json!({"$ref": format!("#/components/schemas/{name}")}),
                    &mut reached,
                );
            }
        }
        for (code, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if status_class(code) == Some(2) {
                reach(doc, crate::openapi::resolve(doc, response), &mut reached);
            }
        }
    });
    reached
}

/// The component schemas `schema` reaches through `$ref`s, at any depth.
fn reach(doc: &Value, schema: &Value, out: &mut std::collections::BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if out.insert(name.to_string()) {
                    if let Some(target) = doc.pointer(&pointer(["components", "schemas", name])) {
                        reach(doc, target, out);
                    }
                }
            }
            for (k, v) in map {
                if !matches!(k.as_str(), "example" | "examples" | "default" | "enum") {
                    reach(doc, v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| reach(doc, v, out)),
        _ => {}
    }
}

/// Calls `f` on `schema` and every schema object inline in it (not following `$ref`s);
/// `done(changed)` once with whether any call returned true.
fn each_schema_object_mut(
    schema: &mut Value,
    f: &mut dyn FnMut(&mut Map<String, Value>) -> bool,
    done: &mut dyn FnMut(bool),
) {
    fn walk(v: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>) -> bool) -> bool {
        match v {
            Value::Object(map) => {
                let mut changed = f(map);
                for (k, child) in map.iter_mut() {
                    if !matches!(k.as_str(), "example" | "examples" | "default" | "enum") {
                        changed |= walk(child, f);
                    }
                }
                changed
            }
            Value::Array(items) => items.iter_mut().fold(false, |c, v| walk(v, f) | c),
            _ => false,
        }
    }
    let changed = walk(schema, f);
    done(changed);
}

/// Success responses (or error responses) of one operation with different bodies (200 and
/// 202 with different schemas; 400 and 404 with different error types): progenitor supports
/// one type per side. When all of them are JSON they become untyped JSON
/// (`serde_json::Value`); otherwise (some have no body, or a non-JSON one) they become raw
/// bytes (`ByteStream`). Either way the caller still gets the status and the body; a warning
/// says what was lost.
pub fn unify_response_bodies(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for success in [true, false] {
            let codes: Vec<String> = responses
                .keys()
                .filter(|c| match status_class(c) {
                    Some(1..=3) => success,
                    Some(_) => !success,
                    None => {
                        !responses
                            .keys()
                            .any(|k| matches!(status_class(k), Some(1..=3)))
                            || !success
                    }
                })
                .cloned()
                .collect();
            let kinds: std::collections::BTreeSet<String> =
                codes.iter().map(|c| body_kind(&responses[c])).collect();
            if kinds.len() < 2 {
                continue;
            }
            let all_json = kinds.iter().all(|k| k.starts_with("json:"));
            let replacement = if all_json {
                json!({"application/json": {"schema": {}}})
            } else {
                json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
            };
            for code in &codes {
                if let Some(r) = responses.get_mut(code).and_then(Value::as_object_mut) {
                    r.insert("content".into(), replacement.clone());
                }
            }
            let side = if success { "success" } else { "error" };
            report.degrade(
                "unify_response_bodies",
                pointer(["paths", path, method, "responses"]),
                format!(
                    "{side} responses {} have different bodies; they are all {} now",
                    codes.join(", "),
                    if all_json {
                        "untyped JSON (serde_json::Value)"
                    } else {
                        "raw bytes (ByteStream)"
                    }
                ),
            );
        }
    });
}

/// Error responses (4xx, 5xx) become raw bytes, for crates wired to `veeam-runtime`: its one
/// error type decodes Veeam's `RESTExceptionInfo` from them, keeps bodies that are not JSON
/// (a proxy's HTML page, an empty body) instead of failing on them, and always has the status.
/// progenitor, given a typed error body, loses the status and the body when it does not decode.
pub fn error_bodies_as_bytes(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for (code, response) in responses.iter_mut() {
            if !matches!(status_class(code), Some(4 | 5)) {
                continue;
            }
            let description = response
                .get("description")
                .cloned()
                .unwrap_or_else(|| json!("Error"));
            *response = json!({
                "description": description,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            });
            report.note(
                "error_bodies_as_bytes",
                pointer(["paths", path, method, "responses", code]),
            );
        }
    });
}

/// A comparable description of a response body, as progenitor would type it. Responses given
/// as `$ref`s are compared by their reference.
fn body_kind(response: &Value) -> String {
    if let Some(r) = response.get("$ref") {
        return format!("json:ref:{r}");
    }
    // The same comparison validation makes afterwards, so the two always agree.
    crate::validate::response_kind(response)
}

/// Each path item's own parameters, as (name, location), `$ref`s resolved.
fn path_item_parameters(doc: &Value) -> Vec<(String, Vec<(String, String)>)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(path, item)| {
            let params = item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let p = crate::openapi::resolve(doc, p);
                    let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    (text("name"), text("in"))
                })
                .collect();
            (path.clone(), params)
        })
        .collect()
}

/// Parameters of one operation whose Rust names collide (`limit` and `Limit`, `set-id` and
/// `setId`): progenitor would declare the same builder field twice. The later ones are
/// dropped, with a warning; the wire name of the first is kept.
pub fn drop_colliding_parameters(doc: &mut Value, report: &mut Report) {
    // Within a path item's own list (Kubernetes' proxy paths declare `path` in the path and
    // in the query): the path parameter stays, the URL needs it.
    for (path, params) in path_item_parameters(doc) {
        let in_path: BTreeSet<String> = params
            .iter()
            .filter(|(_, l)| l == "path")
            .map(|(n, _)| rust_name(n))
            .collect();
        let mut seen = BTreeSet::new();
        let drop: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(_, (name, location))| {
                let rust = rust_name(name);
                let taken = location != "path" && (in_path.contains(&rust) || !seen.insert(rust));
                taken
            })
            .map(|(i, _)| i)
            .collect();
        if drop.is_empty() {
            continue;
        }
        if let Some(list) = doc
            .pointer_mut(&pointer(["paths", path.as_str(), "parameters"]))
            .and_then(Value::as_array_mut)
        {
            for i in drop.iter().rev() {
                list.remove(*i);
                report.degrade(
                    "drop_colliding_parameters",
                    pointer(["paths", path.as_str(), "parameters", &i.to_string()]),
                    format!("parameter {:?} of the path has the same Rust name as a path parameter or an earlier one; dropped", params[*i].0),
                );
            }
        }
    }
    // The path item's own parameters (SendGrid's path `list_id`, beside an operation's query
    // `list_id`) come first: a path parameter cannot be dropped, the URL needs it.
    let shared: BTreeMap<String, Vec<(String, String)>> =
        path_item_parameters(doc).into_iter().collect();
    each_operation_mut(doc, |path, method, op| {
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            return;
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (name, location) in shared.get(path).into_iter().flatten() {
            // Unless the operation redeclares it (same name and place).
            let redeclared = params.iter().any(|p| {
                p.get("name").and_then(Value::as_str) == Some(name)
                    && p.get("in").and_then(Value::as_str) == Some(location)
            });
            if !redeclared {
                seen.insert(rust_name(name), name.clone());
            }
        }
        let mut index = 0;
        params.retain(|p| {
            let i = index;
            index += 1;
            let Some(name) = p.get("name").and_then(Value::as_str) else { return true };
            let rust = rust_name(name);
            match seen.get(&rust) {
                Some(first) => {
                    report.degrade(
                        "drop_colliding_parameters",
                        pointer(["paths", path, method, "parameters", &i.to_string()]),
                        format!("parameter {name:?} has the same Rust name `{rust}` as {first:?}; dropped"),
                    );
                    false
                }
                None => {
                    seen.insert(rust, name.to_string());
                    true
                }
            }
        });
    });
}

/// Object properties whose Rust field names collide (`type` and `Type`, `issued` and
/// `.issued`): typify would declare the same field twice. The later ones are dropped, with a
/// warning; serde then ignores them in payloads.
pub fn drop_colliding_properties(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        let Some(Value::Object(props)) = map.get_mut("properties") else {
            return;
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut dropped = Vec::new();
        props.retain(|name, _| {
            let rust = rust_name(name);
            if let Some(first) = seen.get(&rust) {
                dropped.push((name.clone(), rust, first.clone()));
                false
            } else {
                seen.insert(rust, name.clone());
                true
            }
        });
        for (name, rust, first) in dropped {
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| r.as_str() != Some(name.as_str()));
            }
            report.degrade(
                "drop_colliding_properties",
                pointer(
                    at.iter()
                        .map(String::as_str)
                        .chain(["properties", name.as_str()]),
                ),
                format!("property {name:?} has the same Rust name `{rust}` as {first:?}; dropped"),
            );
        }
    });
}

/// The Rust identifier progenitor and typify derive from a wire name (snake case, leading
/// punctuation dropped; keywords get a `_` suffix either way, so they cannot collide apart).
fn rust_name(name: &str) -> String {
    name.to_snake_case()
}

/// The name typify gives the Rust type of component schema `name` (its `sanitize` in Pascal
/// case). The null-tolerance test, which names every response type this way, holds it to
/// typify's output: a wrong name does not compile.
pub fn rust_type_name(name: &str) -> String {
    use heck::ToPascalCase;
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = cleaned.to_pascal_case();
    if !out.chars().next().is_some_and(char::is_alphabetic) {
        out = format!("X{out}");
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// The identifier progenitor gives a parameter's builder setter (typify's `sanitize` in snake
/// case: characters that cannot be in an identifier become `_`, a leading digit gets an `x`,
/// keywords a trailing `_`). The contract test in tests/ holds it to progenitor's output.
pub fn rust_ident(name: &str) -> String {
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = cleaned.to_snake_case();
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
    {
        out = format!("x_{out}");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// Request bodies that list several media types (VB365's `POST /v8/token` lists form-encoded
/// and JSON): progenitor takes exactly one. We keep `application/x-www-form-urlencoded` when
/// offered, because where a vendor offers both it is an OAuth-style endpoint and form-encoding
/// is what such servers accept; otherwise JSON; otherwise the first listed.
pub fn pick_request_media_type(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        if content.len() < 2 {
            return;
        }
        let keep = ["application/x-www-form-urlencoded", "application/json"]
            .iter()
            .find_map(|want| {
                content
                    .keys()
                    .find(|k| k.split(';').next() == Some(*want))
                    .cloned()
            })
            .or_else(|| content.keys().next().cloned())
            .unwrap_or_default();
        content.retain(|k, _| *k == keep);
        report.note(
            "pick_request_media_type",
            pointer(["paths", path, method, "requestBody", "content"]),
        );
    });
}

/// `application/octet-stream` bodies whose schema is not `type: string, format: binary` (VB365
/// declares its 38 file downloads as `type: object`): the body is bytes, so say so; progenitor
/// then streams it instead of trying to decode JSON.
pub fn octet_stream_as_binary(doc: &mut Value, report: &mut Report) {
    let binary = json!({"type": "string", "format": "binary"});
    each_operation_mut(doc, |path, method, op| {
        let Some(op) = op.as_object_mut() else { return };
        let mut bodies: Vec<(Vec<String>, &mut Value)> = Vec::new();
        for (key, value) in op.iter_mut() {
            match (key.as_str(), value) {
                ("requestBody", rb) => bodies.push((vec!["requestBody".into()], rb)),
                ("responses", Value::Object(responses)) => {
                    for (code, r) in responses.iter_mut() {
                        bodies.push((vec!["responses".into(), code.clone()], r));
                    }
                }
                _ => {}
            }
        }
        for (at, body) in bodies {
            let Some(media) = body.pointer_mut("/content/application~1octet-stream") else {
                continue;
            };
            let Some(media) = media.as_object_mut() else {
                continue;
            };
            if media.get("schema") == Some(&binary) {
                continue;
            }
            media.insert("schema".into(), binary.clone());
            let mut segments = vec!["paths".to_string(), path.to_string(), method.to_string()];
            segments.extend(at);
            segments.extend(["content".into(), "application/octet-stream".into()]);
            report.note("octet_stream_as_binary", pointer(segments));
        }
    });
}

/// A `*/*` (or `application/*`) response with a schema that is not binary (VB365's token
/// response): progenitor only decodes `application/json` and would hand back raw bytes, so we
/// declare it JSON. Binary wildcard bodies stay raw.
pub fn wildcard_response_as_json(doc: &mut Value, report: &mut Report) {
    each_response_content_mut(doc, |path, method, code, content| {
        if content.keys().any(|k| is_json_media_type(k)) {
            return;
        }
        let Some(key) = content
            .keys()
            .find(|k| *k == "*/*" || *k == "application/*")
            .cloned()
        else {
            return;
        };
        let is_binary = content[&key]
            .pointer("/schema/format")
            .and_then(Value::as_str)
            == Some("binary");
        if is_binary {
            return;
        }
        let media = content.shift_remove(&key).unwrap_or(Value::Null);
        content.insert("application/json".into(), media);
        report.note(
            "wildcard_response_as_json",
            pointer(["paths", path, method, "responses", code, "content", &key]),
        );
    });
}

/// A JSON response with no schema, or `schema: null` (progenitor `todo!`s on it): any JSON value.
pub fn json_without_schema_as_any(doc: &mut Value, report: &mut Report) {
    each_response_content_mut(doc, |path, method, code, content| {
        for (mt, media) in content.iter_mut() {
            let Some(media) = media.as_object_mut() else {
                continue;
            };
            // `schema: null` says no more than a missing schema.
            if is_json_media_type(mt) && media.get("schema").is_none_or(Value::is_null) {
                media.insert("schema".into(), Value::Object(Map::new()));
                report.note(
                    "json_without_schema_as_any",
                    pointer(["paths", path, method, "responses", code, "content", mt]),
                );
            }
        }
    });
}

/// An operation with explicit 2xx responses and a `default` response (every VB365 operation:
/// `default` carries `RESTExceptionInfo`): progenitor counts `default` as a possible success
/// *and* error, sees two success types and asserts. The vendor means "any error", so
/// `default` becomes `4XX` and `5XX`. When `default` is the only success, it is left alone.
pub fn split_default_response(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        let has_success = responses
            .keys()
            .any(|c| matches!(status_class(c), Some(1..=3)));
        if !has_success || !responses.contains_key("default") {
            return;
        }
        let default = responses.shift_remove("default").unwrap_or(Value::Null);
        for range in ["4XX", "5XX"] {
            if !responses.contains_key(range) {
                responses.insert(range.into(), default.clone());
            }
        }
        report.note(
            "split_default_response",
            pointer(["paths", path, method, "responses", "default"]),
        );
    });
}

/// Path parameters not marked `required: true` (OpenAPI requires it; progenitor asserts it).
pub fn require_path_parameters(doc: &mut Value, report: &mut Report) {
    each_parameter_mut(doc, |at, p| {
        let is_path = p.get("in").and_then(Value::as_str) == Some("path");
        if is_path && p.get("required") != Some(&Value::Bool(true)) {
            p.insert("required".into(), Value::Bool(true));
            report.note("require_path_parameters", pointer(at));
        }
    });
}

/// Schemas that give a `format` but no `type` (typify `todo!`s on them): the format implies
/// the type: `int32`/`int64` are integers, `float`/`double` numbers, anything else a string.
pub fn type_from_format(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        // `type: null` says no more than a missing type.
        let untyped = ["type", "$ref", "allOf", "oneOf", "anyOf", "not"]
            .iter()
            .all(|k| map.get(*k).is_none_or(Value::is_null));
        if let (true, Some(format)) = (untyped, map.get("format").and_then(Value::as_str)) {
            let ty = match format {
                "int32" | "int64" | "integer" | "int" => "integer",
                "float" | "double" | "number" => "number",
                _ => "string",
            };
            map.insert("type".into(), Value::String(ty.into()));
            report.note("type_from_format", pointer(at));
        }
    });
}

/// Empty `allOf`/`oneOf`/`anyOf` lists (typify panics merging nothing): they add no
/// constraint we can express, so they are removed.
pub fn drop_empty_compositions(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        for key in ["allOf", "oneOf", "anyOf"] {
            if map
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                map.shift_remove(key);
                report.note(
                    "drop_empty_compositions",
                    pointer(at.iter().map(String::as_str).chain([key])),
                );
            }
        }
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Runs one pass on `doc`: the document after it, and its report.
    pub(crate) fn run(pass: fn(&mut Value, &mut Report), mut doc: Value) -> (Value, Report) {
        let mut report = Report::default();
        pass(&mut doc, &mut report);
        (doc, report)
    }

    #[test]
    fn response_fields_are_optional_but_the_own_id() {
        let before = json!({
            "paths": {"/s": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}},
                              "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Request"}}}},
                                       "responses": {"201": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {}}}}}}}}}},
            "components": {"schemas": {
                "Page": {"required": ["results", "offset"], "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}}}},
                "Session": {"required": ["id", "name", "state"], "additionalProperties": false, "properties": {"id": {}, "name": {}, "state": {}, "inner": {"type": "object", "required": ["x"]}}},
                "Request": {"required": ["name"], "additionalProperties": false, "properties": {"name": {}}}
            }}
        });
        let (after, report) = run(response_fields_optional, before);
        assert_eq!(
            after.pointer("/components/schemas/Page/required"),
            Some(&json!([]))
        );
        assert_eq!(
            after.pointer("/components/schemas/Session/required"),
            Some(&json!(["id"]))
        );
        assert_eq!(
            after.pointer("/components/schemas/Session/properties/inner/required"),
            Some(&json!([]))
        );
        assert_eq!(
            after.pointer("/components/schemas/Session/additionalProperties"),
            None,
            "a closed response schema is opened"
        );
        // Request bodies keep what they require, and stay closed.
        assert_eq!(
            after.pointer("/components/schemas/Request/required"),
            Some(&json!(["name"]))
        );
        assert_eq!(
            after.pointer("/components/schemas/Request/additionalProperties"),
            Some(&json!(false))
        );
        assert_eq!(
            after
                .pointer("/paths/~1s/post/responses/201/content/application~1json/schema/required"),
            Some(&json!([]))
        );
        assert_eq!(report.changes["response_fields_optional"].len(), 3);
    }

    #[test]
    fn header_parameters_lose_nullable() {
        let before = json!({"paths": {"/a": {"get": {"parameters": [{"name": "Accept", "in": "header", "schema": {"type": "string", "nullable": true}}]}}}});
        let (after, report) = run(header_parameters_not_nullable, before);
        assert_eq!(
            after.pointer("/paths/~1a/get/parameters/0/schema"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(report.changes.len(), 1);
    }

    #[test]
    fn error_bodies_as_bytes_replaces_error_responses_only() {
        let before = json!({"paths": {"/x": {"get": {"responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
            "4XX": {"$ref": "#/components/responses/Error"},
            "500": {"description": "Oops", "content": {"application/json": {"schema": {"type": "object"}}}}
        }}}}});
        let (after, report) = run(error_bodies_as_bytes, before.clone());
        let bytes =
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}});
        assert_eq!(
            after.pointer("/paths/~1x/get/responses/4XX/content"),
            Some(&bytes)
        );
        assert_eq!(
            after.pointer("/paths/~1x/get/responses/500/content"),
            Some(&bytes)
        );
        assert_eq!(
            after.pointer("/paths/~1x/get/responses/500/description"),
            Some(&json!("Oops"))
        );
        assert_eq!(
            after.pointer("/paths/~1x/get/responses/200"),
            before.pointer("/paths/~1x/get/responses/200")
        );
        assert_eq!(report.changes["error_bodies_as_bytes"].len(), 2);
    }

    #[test]
    fn pick_request_media_type_keeps_form_encoding() {
        let before = json!({"paths": {"/token": {"post": {"requestBody": {"content": {
            "application/json": {"schema": {"type": "object"}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
        }}}}}});
        let (after, report) = run(pick_request_media_type, before);
        let content = after
            .pointer("/paths/~1token/post/requestBody/content")
            .unwrap();
        assert_eq!(
            content.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["application/x-www-form-urlencoded"]
        );
        assert_eq!(
            report.changes["pick_request_media_type"],
            ["/paths/~1token/post/requestBody/content"]
        );
    }

    #[test]
    fn pick_request_media_type_prefers_json_over_others() {
        let before = json!({"paths": {"/x": {"put": {"requestBody": {"content": {
            "text/plain": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}}
        }}}}}});
        let (after, _) = run(pick_request_media_type, before);
        assert!(after
            .pointer("/paths/~1x/put/requestBody/content/application~1json")
            .is_some());
        assert!(after
            .pointer("/paths/~1x/put/requestBody/content/text~1plain")
            .is_none());
    }

    #[test]
    fn octet_stream_object_becomes_binary() {
        let before = json!({"paths": {"/f": {"post": {"responses": {"200": {"content": {
            "application/octet-stream": {"schema": {"type": "object"}}
        }}}}}}});
        let (after, report) = run(octet_stream_as_binary, before);
        assert_eq!(
            after
                .pointer("/paths/~1f/post/responses/200/content/application~1octet-stream/schema")
                .unwrap(),
            &json!({"type": "string", "format": "binary"})
        );
        assert_eq!(report.changes["octet_stream_as_binary"].len(), 1);
        // idempotent: a second run changes nothing
        let (again, report) = run(octet_stream_as_binary, after.clone());
        assert_eq!(again, after);
        assert!(report.changes.is_empty());
    }

    #[test]
    fn wildcard_response_with_schema_becomes_json() {
        let before = json!({"paths": {"/t": {"post": {"responses": {"200": {"content": {
            "*/*": {"schema": {"$ref": "#/components/schemas/Token"}}
        }}}}}}});
        let (after, _) = run(wildcard_response_as_json, before);
        assert_eq!(
            after
                .pointer("/paths/~1t/post/responses/200/content")
                .unwrap(),
            &json!({"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}})
        );
    }

    #[test]
    fn wildcard_binary_response_stays_raw() {
        let before = json!({"paths": {"/t": {"get": {"responses": {"200": {"content": {
            "*/*": {"schema": {"type": "string", "format": "binary"}}
        }}}}}}});
        let (after, report) = run(wildcard_response_as_json, before.clone());
        assert_eq!(after, before);
        assert!(report.changes.is_empty());
    }

    #[test]
    fn json_response_without_schema_gets_any() {
        let before = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {}}}}}}}});
        let (after, _) = run(json_without_schema_as_any, before);
        assert_eq!(
            after
                .pointer("/paths/~1a/get/responses/200/content/application~1json/schema")
                .unwrap(),
            &json!({})
        );
        let null_schema = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": null}}}}}}}});
        let (after, _) = run(json_without_schema_as_any, null_schema);
        assert_eq!(
            after
                .pointer("/paths/~1a/get/responses/200/content/application~1json/schema")
                .unwrap(),
            &json!({})
        );
    }

    #[test]
    fn default_next_to_success_becomes_4xx_and_5xx() {
        let err = json!({"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}});
        let before = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}, "default": err}}}}});
        let (after, _) = run(split_default_response, before);
        let responses = after
            .pointer("/paths/~1a/get/responses")
            .unwrap()
            .as_object()
            .unwrap();
        assert_eq!(responses.keys().collect::<Vec<_>>(), ["200", "4XX", "5XX"]);
        assert_eq!(responses["4XX"], err);
        assert_eq!(responses["5XX"], err);
    }

    #[test]
    fn default_alone_is_left_as_the_success_response() {
        let before =
            json!({"paths": {"/a": {"get": {"responses": {"default": {"description": "d"}}}}}});
        let (after, report) = run(split_default_response, before.clone());
        assert_eq!(after, before);
        assert!(report.changes.is_empty());
    }

    #[test]
    fn format_without_type_gets_the_implied_type() {
        let before = json!({"components": {"schemas": {"T": {"type": "object", "properties": {
            "id": {"format": "uuid"},
            "n": {"format": "int64"},
            "x": {"format": "double"},
            "typed": {"type": "string", "format": "date-time"},
            "format": {"type": "string"}
        }, "example": {"format": "int32"}}}}});
        let (after, report) = run(type_from_format, before);
        let props = after.pointer("/components/schemas/T/properties").unwrap();
        assert_eq!(props["id"], json!({"format": "uuid", "type": "string"}));
        assert_eq!(props["n"]["type"], "integer");
        assert_eq!(props["x"]["type"], "number");
        assert_eq!(props["format"], json!({"type": "string"}));
        assert_eq!(
            after.pointer("/components/schemas/T/example"),
            Some(&json!({"format": "int32"}))
        );
        assert_eq!(report.changes["type_from_format"].len(), 3);
    }

    #[test]
    fn missing_operation_id_is_derived_and_unique() {
        let before = json!({"paths": {
            "/api/v1/restorePoints/{restorePointId}": {"get": {}},
            "/api/v1/restorePoints": {"get": {"operationId": "get_api_v1_restore_points"}, "post": {}}
        }});
        let (after, report) = run(derive_operation_id, before);
        assert_eq!(
            after.pointer("/paths/~1api~1v1~1restorePoints~1{restorePointId}/get/operationId"),
            Some(&json!("get_api_v1_restore_points_by_restore_point_id"))
        );
        assert_eq!(
            after.pointer("/paths/~1api~1v1~1restorePoints/post/operationId"),
            Some(&json!("post_api_v1_restore_points"))
        );
        assert_eq!(report.changes["derive_operation_id"].len(), 2);
        let clash = json!({"paths": {"/a": {"get": {"operationId": "get_b"}}, "/b": {"get": {}}}});
        let (after, _) = run(derive_operation_id, clash);
        assert_eq!(
            after.pointer("/paths/~1b/get/operationId"),
            Some(&json!("get_b_2"))
        );
    }

    #[test]
    fn problem_json_is_json() {
        let before = json!({"paths": {"/a": {"get": {"responses": {"400": {"content": {"application/problem+json": {"schema": {"type": "object"}}}}}}}}});
        let (after, _) = run(json_suffix_media_type, before);
        assert!(after
            .pointer("/paths/~1a/get/responses/400/content/application~1json/schema")
            .is_some());
    }

    #[test]
    fn path_parameter_loses_nullable() {
        let before = json!({"paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string", "nullable": true}}]}}}});
        let (after, _) = run(path_parameters_not_nullable, before);
        assert_eq!(
            after.pointer("/paths/~1a~1{id}/get/parameters/0/schema"),
            Some(&json!({"type": "string"}))
        );
    }

    #[test]
    fn different_success_bodies_become_untyped_json_or_raw() {
        let json_a = json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}});
        let json_b = json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}});
        let before =
            json!({"paths": {"/a": {"post": {"responses": {"200": json_a, "202": json_b}}}}});
        let (after, report) = run(unify_response_bodies, before);
        assert_eq!(
            after.pointer("/paths/~1a/post/responses/202/content"),
            Some(&json!({"application/json": {"schema": {}}}))
        );
        assert_eq!(report.degraded["unify_response_bodies"].len(), 1);
        let mixed = json!({"paths": {"/a": {"post": {"responses": {"200": json_a, "204": {"description": "none"}}}}}});
        let (after, _) = run(unify_response_bodies, mixed);
        assert_eq!(
            after.pointer(
                "/paths/~1a/post/responses/204/content/application~1octet-stream/schema/format"
            ),
            Some(&json!("binary"))
        );
        let same =
            json!({"paths": {"/a": {"post": {"responses": {"200": json_a, "201": json_a}}}}});
        let (_, report) = run(unify_response_bodies, same);
        assert!(report.degraded.is_empty());
    }

    #[test]
    fn colliding_parameters_and_properties_are_dropped() {
        let before = json!({
            "paths": {"/a": {"get": {"parameters": [{"name": "Limit", "in": "query"}, {"name": "limit", "in": "query"}]}}},
            "components": {"schemas": {"P": {"required": ["Type"], "properties": {"type": {}, "Type": {}}}}}
        });
        let mut report = Report::default();
        let mut doc = before;
        drop_colliding_parameters(&mut doc, &mut report);
        drop_colliding_properties(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters"),
            Some(&json!([{"name": "Limit", "in": "query"}]))
        );
        assert_eq!(
            doc.pointer("/components/schemas/P"),
            Some(&json!({"required": [], "properties": {"type": {}}}))
        );
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn empty_compositions_are_removed() {
        let before = json!({"components": {"schemas": {"A": {"allOf": [], "nullable": true}, "B": {"oneOf": [{"type": "string"}]}}}});
        let (after, report) = run(drop_empty_compositions, before);
        assert_eq!(
            after.pointer("/components/schemas/A"),
            Some(&json!({"nullable": true}))
        );
        assert_eq!(
            after.pointer("/components/schemas/B"),
            Some(&json!({"oneOf": [{"type": "string"}]}))
        );
        assert_eq!(
            report.changes["drop_empty_compositions"],
            ["/components/schemas/A/allOf"]
        );
    }

    #[test]
    fn optional_path_parameter_becomes_required() {
        let before = json!({"paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
            "get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]}
        }}});
        let (after, report) = run(require_path_parameters, before);
        assert_eq!(
            after.pointer("/paths/~1a~1{id}/parameters/0/required"),
            Some(&json!(true))
        );
        assert_eq!(
            after.pointer("/paths/~1a~1{id}/get/parameters/0/required"),
            None
        );
        assert_eq!(
            report.changes["require_path_parameters"],
            ["/paths/~1a~1{id}/parameters/0"]
        );
    }
}
