//! Passes on parameters: styles, `content` and structured values progenitor cannot put in a
//! URL or header, path and header parameters that cannot be absent or null, and Rust names
//! that collide.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{each_operation_mut, each_parameter_mut};

/// Query parameters in a style progenitor cannot write (`deepObject`, `pipeDelimited`,
/// `spaceDelimited`: Stripe, App Center): the style is dropped and the value is sent the
/// default way (`form`), with a warning; callers that need the other style encode it.
pub fn unsupported_parameter_styles(doc: &mut Value, report: &mut Report) {
    each_parameter_mut(doc, |at, p| {
        let style = p
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or("form")
            .to_string();
        if matches!(style.as_str(), "form" | "simple") {
            return;
        }
        p.shift_remove("style");
        p.shift_remove("explode");
        report.degrade(
            "unsupported_parameter_styles",
            pointer(at),
            format!("parameter style {style:?} is not supported: sent as `form`"),
        );
    });
}

/// Parameters described with `content` instead of `schema` (VSPC's `select`, Directus's
/// `filter`): progenitor needs a schema. A JSON-encoded parameter becomes a string (the
/// caller passes the JSON text); any other takes its media type's schema.
pub fn parameter_content_as_schema(doc: &mut Value, report: &mut Report) {
    each_parameter_mut(doc, |at, p| {
        if p.contains_key("schema") {
            return;
        }
        let Some(Value::Object(content)) = p.shift_remove("content") else {
            return;
        };
        let Some((mt, media)) = content.into_iter().next() else {
            return;
        };
        let schema = if crate::openapi::is_json_media_type(&mt) {
            json!({"type": "string"})
        } else {
            media
                .get("schema")
                .cloned()
                .unwrap_or_else(|| json!({"type": "string"}))
        };
        p.insert("schema".into(), schema);
        report.degrade(
            "parameter_content_as_schema",
            pointer(at),
            format!(
                "parameter described as {mt:?} content: a string now, which the caller encodes"
            ),
        );
    });
}

/// Query, header and path parameters whose schema is an object (Jellyfin's `version`, VSPC's
/// filters): progenitor can only put scalars and lists of scalars in a URL or header, and
/// asserts on a parameter whose type has a builder. They become strings the caller encodes.
pub fn structured_parameters_as_strings(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    each_parameter_mut(doc, |at, p| {
        let Some(schema) = p.get("schema") else {
            return;
        };
        let resolved = crate::openapi::resolve(&snapshot, schema);
        let objectish = |s: &Value| {
            let s = crate::openapi::resolve(&snapshot, s);
            s.get("type").and_then(Value::as_str) == Some("object")
                || s.get("properties").is_some()
                || ["allOf", "oneOf", "anyOf"]
                    .iter()
                    .any(|k| s.get(*k).is_some())
        };
        let structured = objectish(resolved)
            || (resolved.get("type").and_then(Value::as_str) == Some("array")
                && resolved.get("items").is_some_and(objectish));
        if !structured {
            return;
        }
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        p.insert("schema".into(), json!({"type": "string"}));
        report.degrade(
            "structured_parameters_as_strings",
            pointer(at),
            format!("parameter {name:?} is an object: a string now, which the caller encodes"),
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
            .map(|(n, _)| crate::names::collision_key(n))
            .collect();
        let mut seen = BTreeSet::new();
        let drop: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(_, (name, location))| {
                let rust = crate::names::collision_key(name);
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
                seen.insert(crate::names::collision_key(name), name.clone());
            }
        }
        let mut index = 0;
        params.retain(|p| {
            let i = index;
            index += 1;
            let Some(name) = p.get("name").and_then(Value::as_str) else { return true };
            let rust = crate::names::collision_key(name);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::report::run_pass as run;
    use serde_json::json;

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
    fn path_parameter_loses_nullable() {
        let before = json!({"paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string", "nullable": true}}]}}}});
        let (after, _) = run(path_parameters_not_nullable, before);
        assert_eq!(
            after.pointer("/paths/~1a~1{id}/get/parameters/0/schema"),
            Some(&json!({"type": "string"}))
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
