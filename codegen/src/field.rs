//! Normalization passes found by generating real documents we did not write (GitHub, Stripe,
//! Jira, Twilio, Box, Zoom, Kubernetes, DigitalOcean, Veeam ONE and Service Provider Console,
//! ...): each is a construct on which progenitor or typify panics, `todo!`s or refuses, and
//! each either keeps the meaning in a shape they take or degrades it with a warning.

use serde_json::{json, Map, Value};

use crate::error::pointer;
use crate::normalize::Report;
use crate::openapi::{each_object_mut, each_operation_mut, each_parameter_mut};

/// `$ref`s to places outside `#/components/` (DigitalOcean's bundled document reuses
/// parameters and schemas of other operations as `#/paths/~1v2~1.../parameters/0`, some
/// percent-encoded): progenitor resolves only component references. Each is replaced by a
/// copy of what it points at (its own references are left to resolve in turn).
pub fn inline_foreign_refs(doc: &mut Value, report: &mut Report) {
    // Bounded: a chain of foreign references is followed this many times at most.
    for _ in 0..16 {
        let snapshot = doc.clone();
        let mut changed = false;
        each_object_mut(doc, |at, map| {
            let Some(target) = map.get("$ref").and_then(Value::as_str) else {
                return;
            };
            if !is_foreign(target) {
                return;
            }
            let Some(found) = resolve_pointer(&snapshot, &target[1..]) else {
                return;
            };
            // A reference to itself or to something holding it would never end.
            if found.get("$ref").and_then(Value::as_str) == Some(target) {
                return;
            }
            let Value::Object(found) = found.clone() else {
                return;
            };
            map.clear();
            map.extend(found);
            report.note(
                "inline_foreign_refs",
                pointer(at.iter().map(String::as_str).chain(["$ref"])),
            );
            changed = true;
        });
        if !changed {
            return;
        }
    }
}

/// A reference progenitor does not resolve: anything but a whole schema, response or
/// parameter of `components` (a property of a schema, `#/paths/...`), and references to
/// request bodies and parameters, which the passes after this one want to see inline.
fn is_foreign(target: &str) -> bool {
    let Some(rest) = target.strip_prefix("#/") else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        ["components", "requestBodies" | "parameters", _] => true,
        ["components", _, _] => false,
        _ => true,
    }
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

/// Request media types progenitor cannot send (`multipart/form-data`, `application/cbor`,
/// `image/png`, `*/*`, ...): the body becomes raw bytes (`application/octet-stream`), which the
/// caller encodes, with a warning. Media types it can send are left alone.
pub fn unsupported_request_media_as_bytes(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let Some(mt) = content.keys().next().cloned() else {
            return;
        };
        let base = mt.split(';').next().unwrap_or(&mt).trim().to_string();
        // Text with a structured schema (App Center's release update): progenitor sends text
        // only from a string. The body is the text the caller writes, still as `text/plain`.
        if content.len() == 1 && base == "text/plain" {
            let structured = content[&mt]
                .get("schema")
                .is_some_and(|s| s.get("type").and_then(Value::as_str) != Some("string"));
            if structured {
                content[&mt]["schema"] = json!({"type": "string"});
                report.degrade(
                    "unsupported_request_media_as_bytes",
                    pointer(["paths", path, method, "requestBody", "content", mt.as_str(), "schema"]),
                    format!("request body {mt:?} with a structured schema: it is a string now, the text the caller writes"),
                );
            }
            return;
        }
        if content.len() != 1 || crate::validate::REQUEST_MEDIA_TYPES.contains(&base.as_str()) {
            return;
        }
        content.clear();
        content.insert(
            "application/octet-stream".into(),
            json!({"schema": {"type": "string", "format": "binary"}}),
        );
        report.degrade(
            "unsupported_request_media_as_bytes",
            pointer(["paths", path, method, "requestBody", "content", mt.as_str()]),
            format!("request body {mt:?} cannot be generated: it is raw bytes now, which the caller encodes"),
        );
    });
}

/// `encoding` on a media type (Stripe's form bodies say how nested values are exploded):
/// progenitor refuses it. Dropped; the body is sent the default way for its media type.
pub fn drop_media_encoding(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        let in_content = at.len() >= 2 && at[at.len() - 2] == "content";
        if !in_content || !map.get("encoding").is_some_and(Value::is_object) {
            return;
        }
        map.shift_remove("encoding");
        report.degrade(
            "drop_media_encoding",
            pointer(at.iter().map(String::as_str).chain(["encoding"])),
            "`encoding` of the media type is not supported: the body is sent the default way for its media type".into(),
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

/// A `format` on an object, array or boolean schema (Twilio's `type: object, format:
/// uri-map`): typify `todo!`s on it; it says nothing a Rust type can hold. Dropped.
pub fn format_on_structures(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        let structured = matches!(
            map.get("type").and_then(Value::as_str),
            Some("object" | "array" | "boolean")
        );
        if structured && map.get("format").is_some_and(Value::is_string) {
            map.shift_remove("format");
            report.note(
                "format_on_structures",
                pointer(at.iter().map(String::as_str).chain(["format"])),
            );
        }
    });
}

/// Defaults that do not fit their own schema (Zoom's `"1"` for an integer, SendGrid's `""`
/// for a date, OpenAI's `"inf"` for an integer): typify refuses them. Dropped.
pub fn drop_invalid_defaults(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        let Some(default) = map.get("default") else {
            return;
        };
        let fits = match map.get("type").and_then(Value::as_str) {
            Some("integer") => default.is_i64() || default.is_u64(),
            Some("number") => default.is_number(),
            Some("boolean") => default.is_boolean(),
            Some("array") => default.is_array(),
            Some("object") => default.is_object(),
            Some("string") => {
                default.is_string()
                    && match map.get("format").and_then(Value::as_str) {
                        Some("date") => default.as_str().is_some_and(|s| chrono_like_date(s)),
                        Some("date-time") => default
                            .as_str()
                            .is_some_and(|s| s.len() >= 20 && chrono_like_date(&s[..10])),
                        Some("uuid") => default.as_str().is_some_and(|s| s.len() == 36),
                        _ => true,
                    }
            }
            _ => true,
        };
        let in_enum = map
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|e| e.contains(default));
        if !(fits && in_enum)
            || (default.is_null() && map.get("nullable") != Some(&Value::Bool(true)))
        {
            map.shift_remove("default");
            report.note(
                "drop_invalid_defaults",
                pointer(at.iter().map(String::as_str).chain(["default"])),
            );
        }
    });
}

fn chrono_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// String enums whose values do not make distinct Rust names (Box's `ASC`/`asc`, Jira's
/// `=`/`!=`, GitHub's `reactions-+1`/`reactions--1`): typify panics. Such an enum becomes a
/// plain string, with a warning. A `null` among an enum's values (GitHub: 79 of them) is
/// taken out and the schema marked nullable.
pub fn enums_without_distinct_names(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        let Some(Value::Array(values)) = map.get_mut("enum") else {
            return;
        };
        if values.iter().any(Value::is_null) {
            values.retain(|v| !v.is_null());
            map.insert("nullable".into(), Value::Bool(true));
            report.note(
                "enum_null_as_nullable",
                pointer(at.iter().map(String::as_str).chain(["enum"])),
            );
        }
        let Some(Value::Array(values)) = map.get("enum") else {
            return;
        };
        if !values.iter().all(Value::is_string) {
            return;
        }
        let mut names = std::collections::BTreeSet::new();
        let distinct = values
            .iter()
            .filter_map(Value::as_str)
            .all(|v| names.insert(crate::normalize::rust_type_name(v)));
        if distinct && !values.is_empty() {
            return;
        }
        let listed: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let message =
            format!("enum values {listed:?} do not make distinct Rust names: a plain string now");
        map.shift_remove("enum");
        report.degrade(
            "enums_without_distinct_names",
            pointer(at.iter().map(String::as_str).chain(["enum"])),
            message,
        );
    });
}

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

/// A request body media type without a schema (Directus): JSON takes any value, anything
/// else is raw bytes.
pub fn request_body_without_schema(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (mt, media) in content.iter_mut() {
            let Some(media) = media.as_object_mut() else {
                continue;
            };
            if media.get("schema").is_some_and(|s| !s.is_null()) {
                continue;
            }
            let schema = if crate::openapi::is_json_media_type(mt) {
                json!({})
            } else {
                json!({"type": "string", "format": "binary"})
            };
            media.insert("schema".into(), schema);
            report.note(
                "request_body_without_schema",
                pointer(["paths", path, method, "requestBody", "content", mt.as_str()]),
            );
        }
    });
}

/// OPTIONS and TRACE operations (Box has one): progenitor calls `reqwest::Client::options()`,
/// which does not exist, so the crate does not compile. They are left out, with a warning.
pub fn drop_options_and_trace(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in ["options", "trace"] {
            if item.shift_remove(method).is_some() {
                report.degrade(
                    "drop_options_and_trace",
                    pointer(["paths", path.as_str(), method]),
                    format!("{} operations cannot be generated (progenitor calls a method reqwest does not have): left out", method.to_uppercase()),
                );
            }
        }
    }
}

/// Component schemas whose names make the same Rust name (Stripe's
/// `financial_connections.account_ownership` and `financial_connections_account_ownership`):
/// the later ones are renamed (`..._2`), every reference with them.
pub fn rename_colliding_schemas(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return;
    };
    let mut taken = std::collections::BTreeSet::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    for name in schemas.keys() {
        if taken.insert(crate::normalize::rust_type_name(name)) {
            continue;
        }
        let mut n = 2;
        let mut new = format!("{name}_{n}");
        while !taken.insert(crate::normalize::rust_type_name(&new)) || schemas.contains_key(&new) {
            n += 1;
            new = format!("{name}_{n}");
        }
        renames.push((name.clone(), new));
    }
    if renames.is_empty() {
        return;
    }
    let map: std::collections::BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| {
            (
                format!("#/components/schemas/{}", crate::error::escape_segment(old)),
                format!("#/components/schemas/{new}"),
            )
        })
        .collect();
    each_object_mut(doc, |_, obj| {
        if let Some(Value::String(r)) = obj.get_mut("$ref") {
            if let Some(new) = map.get(r.as_str()) {
                *r = new.clone();
            }
        }
    });
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (old, new) in renames {
            if let Some(schema) = schemas.shift_remove(&old) {
                schemas.insert(new.clone(), schema);
                report.degrade(
                    "rename_colliding_schemas",
                    pointer(["components", "schemas", old.as_str()]),
                    format!("schema {old:?} makes the same Rust name as another: renamed {new:?}"),
                );
            }
        }
    }
}

/// An inline schema typify would give the same Rust name as a component (Jira's
/// `ProjectFeature.state` enum and its `ProjectFeatureState` schema; Box, Stripe and GitHub
/// have others): typify names an inline type after its parent and property (`{parent}_{prop}`,
/// `{parent}_item`) or its `title`, and does not check the name against the components, so
/// the crate defines one name twice. Such an inline schema gets a `title` of its own
/// (`ProjectFeatureStateValue`).
pub fn inline_names_clear_of_components(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    let mut taken: std::collections::BTreeSet<String> = schemas
        .keys()
        .map(|n| crate::normalize::rust_type_name(n))
        .collect();
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let Some(schema) = schemas.get_mut(&name) else {
            continue;
        };
        let mut at = vec![
            "components".to_string(),
            "schemas".to_string(),
            name.clone(),
        ];
        clear_names(schema, &name, &mut at, &mut taken, report, 0);
    }
}

/// Whether typify makes a named type of this inline schema.
fn makes_named_type(schema: &Map<String, Value>) -> bool {
    schema.get("$ref").is_none()
        && ["enum", "properties", "oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

fn clear_names(
    schema: &mut Value,
    name: &str,
    at: &mut Vec<String>,
    taken: &mut std::collections::BTreeSet<String>,
    report: &mut Report,
    depth: usize,
) {
    // Deep enough for any real document; deeper nesting is left as it is.
    if depth > 32 {
        return;
    }
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let visit = |child: &mut Value,
                 suggested: String,
                 segments: &[&str],
                 at: &mut Vec<String>,
                 taken: &mut std::collections::BTreeSet<String>,
                 report: &mut Report| {
        let Some(child_map) = child.as_object_mut() else {
            return;
        };
        let own = child_map
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| suggested.clone());
        at.extend(segments.iter().map(|s| s.to_string()));
        let mut effective = own.clone();
        if makes_named_type(child_map) {
            let rust = crate::normalize::rust_type_name(&own);
            if taken.contains(&rust) {
                let mut n = 1;
                let mut title = format!("{own}_value");
                while taken.contains(&crate::normalize::rust_type_name(&title)) {
                    n += 1;
                    title = format!("{own}_value{n}");
                }
                taken.insert(crate::normalize::rust_type_name(&title));
                child_map.insert("title".into(), Value::String(title.clone()));
                report.note(
                    "inline_names_clear_of_components",
                    pointer(at.iter().map(String::as_str)),
                );
                effective = title;
            } else {
                taken.insert(rust);
            }
        }
        clear_names(child, &effective, at, taken, report, depth + 1);
        for _ in segments {
            at.pop();
        }
    };
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        let keys: Vec<String> = props.keys().cloned().collect();
        for key in keys {
            if let Some(child) = props.get_mut(&key) {
                visit(
                    child,
                    format!("{name}_{key}"),
                    &["properties", key.as_str()],
                    at,
                    taken,
                    report,
                );
            }
        }
    }
    if let Some(items) = map.get_mut("items") {
        visit(items, format!("{name}_item"), &["items"], at, taken, report);
    }
    // typify merges an `allOf` into its parent: an inline part's properties are named after
    // the parent (App Center's `ErrorGroup` gets `ErrorGroupState` from one).
    if let Some(Value::Array(parts)) = map.get_mut("allOf") {
        for (i, part) in parts.iter_mut().enumerate() {
            if part.get("$ref").is_some() {
                continue;
            }
            at.push("allOf".into());
            at.push(i.to_string());
            clear_names(part, name, at, taken, report, depth + 1);
            at.pop();
            at.pop();
        }
    }
}

/// Responses given as `$ref`s to `components/responses` (GitHub's `not_modified`): passes
/// that rewrite a response's content need it inline. Each becomes a copy of its target.
pub fn inline_response_refs(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for (code, response) in responses.iter_mut() {
            let Some(target) = response.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            let Some(Value::Object(found)) = target
                .strip_prefix('#')
                .and_then(|p| resolve_pointer(&snapshot, p))
                .cloned()
            else {
                continue;
            };
            *response = Value::Object(Map::from_iter(found));
            report.note(
                "inline_response_refs",
                pointer(["paths", path, method, "responses", code.as_str()]),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tests::run;

    #[test]
    fn what_progenitor_does_not_resolve_is_foreign() {
        assert!(!is_foreign("#/components/schemas/Disk"));
        assert!(is_foreign(
            "#/components/schemas/Disk/properties/filesystem"
        ));
        assert!(is_foreign("#/components/requestBodies/Upload"));
        assert!(is_foreign("#/paths/~1a/get/parameters/0"));
        assert!(!is_foreign("other.yaml#/x"));
    }

    #[test]
    fn foreign_and_percent_encoded_refs_are_inlined() {
        let before = json!({"paths": {
            "/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}]}},
            "/b/{id}": {"get": {"parameters": [{"$ref": "#/paths/~1a~1%7Bid%7D/get/parameters/0"}]}}
        }});
        let (after, report) = run(inline_foreign_refs, before);
        assert_eq!(
            after.pointer("/paths/~1b~1{id}/get/parameters/0/name"),
            Some(&json!("id"))
        );
        assert_eq!(report.changes["inline_foreign_refs"].len(), 1);
    }

    #[test]
    fn multipart_and_unknown_bodies_become_bytes() {
        let before = json!({"paths": {"/up": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}}},
                                       "/j": {"post": {"requestBody": {"content": {"application/json": {"schema": {}}}}}}}});
        let (after, report) = run(unsupported_request_media_as_bytes, before);
        assert_eq!(
            after.pointer(
                "/paths/~1up/post/requestBody/content/application~1octet-stream/schema/format"
            ),
            Some(&json!("binary"))
        );
        assert!(after
            .pointer("/paths/~1j/post/requestBody/content/application~1json")
            .is_some());
        assert_eq!(
            report.degraded["unsupported_request_media_as_bytes"].len(),
            1
        );
    }

    #[test]
    fn content_parameters_objects_formats_and_bad_defaults() {
        let before = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "select", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}},
            {"name": "version", "in": "query", "schema": {"type": "object", "properties": {"v": {}}}},
            {"name": "n", "in": "query", "schema": {"type": "integer", "default": "1", "enum": [1, 3]}}
        ]}}}, "components": {"schemas": {"M": {"type": "object", "format": "uri-map"}, "D": {"type": "string", "format": "date", "default": ""}}}});
        let mut doc = before;
        let mut report = Report::default();
        parameter_content_as_schema(&mut doc, &mut report);
        structured_parameters_as_strings(&mut doc, &mut report);
        format_on_structures(&mut doc, &mut report);
        drop_invalid_defaults(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/0/schema"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/1/schema"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/2/schema"),
            Some(&json!({"type": "integer", "enum": [1, 3]}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/M"),
            Some(&json!({"type": "object"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/D"),
            Some(&json!({"type": "string", "format": "date"}))
        );
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn enums_that_cannot_name_their_variants_are_strings() {
        let before = json!({"components": {"schemas": {
            "Order": {"type": "string", "enum": ["ASC", "DESC", "asc", "desc"]},
            "Op": {"type": "string", "enum": ["=", "!="]},
            "Fine": {"type": "string", "enum": ["Running", "Stopped", null]}
        }}});
        let (after, report) = run(enums_without_distinct_names, before);
        assert_eq!(
            after.pointer("/components/schemas/Order"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            after.pointer("/components/schemas/Op"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            after.pointer("/components/schemas/Fine"),
            Some(&json!({"type": "string", "enum": ["Running", "Stopped"], "nullable": true}))
        );
        assert_eq!(report.degraded["enums_without_distinct_names"].len(), 2);
    }

    #[test]
    fn deep_object_style_and_schemaless_bodies() {
        let before = json!({"paths": {"/a": {"post": {
            "parameters": [{"name": "f", "in": "query", "style": "deepObject", "explode": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {}}}}}}});
        let mut doc = before;
        let mut report = Report::default();
        unsupported_parameter_styles(&mut doc, &mut report);
        request_body_without_schema(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/post/parameters/0"),
            Some(&json!({"name": "f", "in": "query", "schema": {"type": "string"}}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/post/requestBody/content/application~1json/schema"),
            Some(&json!({}))
        );
    }

    #[test]
    fn inline_types_named_like_a_component_get_a_title_of_their_own() {
        let before = json!({"components": {"schemas": {
            "ProjectFeature": {"type": "object", "properties": {
                "state": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"x": {}}}},
                "plain": {"type": "string"}}},
            "ProjectFeatureState": {"type": "object", "properties": {"state": {"type": "string", "enum": ["A"]}}},
            "ProjectFeatureTagsItem": {"type": "object"}
        }}});
        let (after, report) = run(inline_names_clear_of_components, before);
        assert_eq!(
            after.pointer("/components/schemas/ProjectFeature/properties/state/title"),
            Some(&json!("ProjectFeature_state_value"))
        );
        assert_eq!(
            after.pointer("/components/schemas/ProjectFeature/properties/tags/items/title"),
            Some(&json!("ProjectFeature_tags_item_value"))
        );
        assert_eq!(
            after.pointer("/components/schemas/ProjectFeature/properties/plain/title"),
            None
        );
        // `ProjectFeatureState.state` is `ProjectFeatureStateState`: no clash, no title.
        assert_eq!(
            after.pointer("/components/schemas/ProjectFeatureState/properties/state/title"),
            None
        );
        assert_eq!(report.changes["inline_names_clear_of_components"].len(), 2);
    }

    #[test]
    fn colliding_schema_names_are_renamed_with_their_references() {
        let before = json!({
            "paths": {"/a": {"options": {}, "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/fc.owner"}}}}}}}},
            "components": {"schemas": {"fc_owner": {"type": "object"}, "fc.owner": {"type": "object", "properties": {"x": {}}}}}});
        let mut doc = before;
        let mut report = Report::default();
        drop_options_and_trace(&mut doc, &mut report);
        rename_colliding_schemas(&mut doc, &mut report);
        assert!(doc.pointer("/paths/~1a/options").is_none());
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/fc.owner_2"))
        );
        assert!(doc
            .pointer("/components/schemas/fc.owner_2/properties/x")
            .is_some());
        assert!(doc.pointer("/components/schemas/fc_owner").is_some());
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn response_refs_are_inlined() {
        let before = json!({"components": {"responses": {"NotModified": {"description": "nm"}}},
            "paths": {"/a": {"get": {"responses": {"304": {"$ref": "#/components/responses/NotModified"}}}}}});
        let (after, _) = run(inline_response_refs, before);
        assert_eq!(
            after.pointer("/paths/~1a/get/responses/304"),
            Some(&json!({"description": "nm"}))
        );
    }

    #[test]
    fn nullable_object_roots_become_plain_and_their_uses_optional() {
        let before = json!({"components": {"schemas": {
            "Session": {"type": "object", "nullable": true, "properties": {"id": {"type": "string"}}},
            "Name": {"type": "string", "nullable": true},
            "Restore": {"type": "object", "required": ["session", "name", "reason"], "properties": {
                "session": {"$ref": "#/components/schemas/Session"},
                "name": {"$ref": "#/components/schemas/Name"},
                "reason": {"type": "string"}}},
            "Only": {"type": "object", "required": ["session"], "properties": {
                "session": {"$ref": "#/components/schemas/Session"}}}
        }}});
        let (after, report) = run(nullable_object_roots, before);
        let schemas = &after["components"]["schemas"];
        assert_eq!(schemas["Session"].get("nullable"), None);
        assert_eq!(schemas["Name"].get("nullable"), None, "plain values too");
        assert_eq!(schemas["Restore"]["required"], json!(["reason"]));
        assert_eq!(schemas["Only"].get("required"), None);
        assert_eq!(report.changes["nullable_object_roots"].len(), 4);
    }
}

/// The extension [`statuses_by_body`] records on an operation: each success status and its
/// body, for the glue to make a typed enum of.
pub const STATUSES: &str = "x-veeam-statuses";

/// Several success statuses with different bodies (VB for Azure: 200 with the result, 202
/// with the long-running operation that will produce it; 202 or 204): progenitor supports one
/// success type per operation (its issue #950). For crates wired to the runtime, each status's
/// body is kept, under [`STATUSES`], with a named schema (an inline one is moved to
/// `components/schemas` as `<OperationId><Status>`); the success responses themselves become
/// raw bytes, and the glue writes an enum by status that decodes each into its own type.
pub fn statuses_by_body(doc: &mut Value, report: &mut Report) {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let taken: std::collections::BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut names = taken.clone();
    each_operation_mut(doc, |path, method, op| {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("op")
            .to_string();
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        let codes: Vec<String> = responses
            .keys()
            .filter(|c| crate::openapi::status_class(c) == Some(2))
            .cloned()
            .collect();
        let kinds: std::collections::BTreeSet<String> = codes
            .iter()
            .map(|c| crate::validate::response_kind(&responses[c]))
            .collect();
        if kinds.len() < 2 {
            return;
        }
        let mut statuses = Vec::new();
        for code in &codes {
            let response = &responses[code];
            let content = response.get("content").and_then(Value::as_object);
            let json = content.and_then(|c| {
                c.iter()
                    .find(|(mt, _)| crate::openapi::is_json_media_type(mt))
            });
            let entry = match (json, content.is_some_and(|c| !c.is_empty())) {
                (Some((_, media)), _) => {
                    let schema = media.get("schema").cloned().unwrap_or_else(|| json!({}));
                    let name = match schema
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        Some(name) if !name.contains('/') => name.to_string(),
                        _ => {
                            let base = format!(
                                "{}{}",
                                heck::ToPascalCase::to_pascal_case(id.as_str()),
                                code.to_ascii_uppercase()
                            );
                            let mut name = base.clone();
                            let mut n = 2;
                            while !names.insert(name.clone()) {
                                name = format!("{base}{n}");
                                n += 1;
                            }
                            hoisted.push((name.clone(), schema));
                            name
                        }
                    };
                    json!({"status": code, "body": "json", "schema": name})
                }
                (None, true) => json!({"status": code, "body": "bytes"}),
                (None, false) => json!({"status": code, "body": "none"}),
            };
            statuses.push(entry);
        }
        for code in &codes {
            if let Some(r) = responses.get_mut(code).and_then(Value::as_object_mut) {
                r.insert("content".into(), json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}));
            }
        }
        if let Some(op) = op.as_object_mut() {
            op.insert(STATUSES.into(), Value::Array(statuses));
        }
        report.note(
            "statuses_by_body",
            pointer(["paths", path, method, "responses"]),
        );
    });
    if hoisted.is_empty() {
        return;
    }
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    if let Some(components) = components.as_object_mut() {
        let schemas = components.entry("schemas").or_insert_with(|| json!({}));
        if let Some(schemas) = schemas.as_object_mut() {
            schemas.extend(hoisted);
        }
    }
}

/// Schemas in `components` marked `nullable: true` at their root (VB for Azure v8.1 has 112 objects, .NET nullable reference types; 43 success bodies
/// are one, `JobSession` among them): typify makes each a newtype over `Option`, so a restore's answer would read
/// `session.0.unwrap().status`. Where the schema is used as a property, a null is still
/// read: the root loses `nullable`, and a property that `$ref`s it directly stops being
/// required, so it is an `Option` that reads `null` as `None`. A whole body of `null` is then
/// a decode error rather than a value nobody can use.
pub fn nullable_object_roots(doc: &mut Value, report: &mut Report) {
    let mut nullable = std::collections::BTreeSet::new();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let Some(map) = schema.as_object_mut() else {
                continue;
            };
            // typify wraps each in an `Option` newtype, and for some enums (Plaid's
            // `AccountSubtype`), compositions (GitHub's
            // `nullable-secret-scanning-first-detected-location`) and strings names the inner
            // type like the wrapper, which does not compile.
            // Plain values too (Plaid's nullable strings `ReviewComment`): every named schema.
            if map.get("nullable") == Some(&Value::Bool(true)) {
                map.shift_remove("nullable");
                report.note(
                    "nullable_object_roots",
                    pointer(["components", "schemas", name.as_str(), "nullable"]),
                );
                nullable.insert(format!("#/components/schemas/{name}"));
            }
        }
    }
    if nullable.is_empty() {
        return;
    }
    each_object_mut(doc, |at, map| {
        let Some(Value::Object(properties)) = map.get("properties") else {
            return;
        };
        let reaches: Vec<String> = properties
            .iter()
            .filter(|(_, p)| {
                p.get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| nullable.contains(r))
            })
            .map(|(k, _)| k.clone())
            .collect();
        let Some(Value::Array(required)) = map.get_mut("required") else {
            return;
        };
        let before = required.len();
        required.retain(|r| !r.as_str().is_some_and(|r| reaches.iter().any(|p| p == r)));
        if required.len() != before {
            report.note(
                "nullable_object_roots",
                pointer(at.iter().map(String::as_str).chain(["required"])),
            );
        }
        if required.is_empty() {
            map.shift_remove("required");
        }
    });
}

/// Constraints that constrain nothing (`minLength: 0`, `minItems: 0`, `minProperties: 0`,
/// SendGrid's): typify writes a check that can never fail, which the compiler warns about.
/// Also an exact array length above 32, which typify's Rust array cannot serialize.
pub fn drop_noop_constraints(doc: &mut Value, report: &mut Report) {
    each_object_mut(doc, |at, map| {
        // An exact length above 32 (VSPC's 168 hours of a week): typify makes a Rust array,
        // which serde reads and writes only up to 32. It is a list; the length is not checked.
        let exact = map.get("minItems").and_then(Value::as_u64);
        if exact.is_some_and(|n| n > 32) && exact == map.get("maxItems").and_then(Value::as_u64) {
            map.shift_remove("minItems");
            map.shift_remove("maxItems");
            report.note(
                "drop_noop_constraints",
                pointer(at.iter().map(String::as_str).chain(["maxItems"])),
            );
        }
        for key in ["minLength", "minItems", "minProperties"] {
            if map.get(key).and_then(Value::as_u64) == Some(0) {
                map.shift_remove(key);
                report.note(
                    "drop_noop_constraints",
                    pointer(at.iter().map(String::as_str).chain([key])),
                );
            }
        }
    });
}

/// An informational `101 Switching Protocols` beside a 2xx answer (Docker's attach: the
/// client may upgrade the connection or not): progenitor takes a 101 as a websocket upgrade
/// and refuses an operation with both. The 101 is dropped, with a warning: the client gets
/// the plain answer.
pub fn informational_beside_success(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        if !responses.keys().any(|c| c.starts_with('2')) {
            return;
        }
        let informational: Vec<String> = responses
            .keys()
            .filter(|c| c.starts_with('1'))
            .cloned()
            .collect();
        for code in informational {
            responses.shift_remove(&code);
            report.degrade(
                "informational_beside_success",
                pointer(["paths", path, method, "responses", code.as_str()]),
                format!("response {code} next to a 2xx answer: progenitor takes one or the other; {code} dropped, the client does not upgrade the connection"),
            );
        }
    });
}

/// Methods the client has besides its operations: progenitor's constructors and the
/// runtime's `builder()` and `session()`.
pub const CLIENT_METHODS: &[&str] = &["new", "new_with_client", "builder", "session"];

/// Runtime crates: an operation whose method name is one the client already has (Docker's
/// `POST /session` is `session()`, the runtime's session accessor) is named after its
/// method too (`post_session`).
pub fn operation_names_clear_of_client(doc: &mut Value, report: &mut Report) {
    use heck::ToSnakeCase;
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    crate::openapi::each_operation(doc, |_, _, op| {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            taken.insert(id.to_snake_case());
        }
    });
    each_operation_mut(doc, |path, method, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        if !CLIENT_METHODS.contains(&id.to_snake_case().as_str()) {
            return;
        }
        let mut name = format!("{method}_{}", id.to_snake_case());
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{method}_{}_{n}", id.to_snake_case());
            n += 1;
        }
        taken.insert(name.clone());
        op["operationId"] = Value::String(name);
        report.note(
            "operation_names_clear_of_client",
            pointer(["paths", path, method, "operationId"]),
        );
    });
}

/// Runtime crates: operations whose only answer is `101 Switching Protocols` (a websocket
/// or raw-stream upgrade): the runtime sends requests and reads answers, it does not take
/// over connections. They are left out, each with a warning naming it.
pub fn drop_upgrade_only_operations(doc: &mut Value, report: &mut Report) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in crate::openapi::METHODS {
            let upgrade_only = item
                .get(method)
                .and_then(|op| op.get("responses"))
                .and_then(Value::as_object)
                .is_some_and(|r| {
                    r.keys().any(|c| c.starts_with('1')) && !r.keys().any(|c| c.starts_with('2'))
                });
            if upgrade_only {
                item.shift_remove(method);
                report.degrade(
                    "drop_upgrade_only_operations",
                    pointer(["paths", path.as_str(), method]),
                    "answers only 101 (a connection upgrade), which the runtime does not take over: left out".into(),
                );
            }
        }
    }
}

/// Enum values of another type than their schema (Zoom: numbers listed for a `string`, item
/// values listed on an `array`): typify refuses the whole document. Numbers and booleans
/// listed for a string become their text; values listed on an array move to its items when
/// those list none; any other mismatch drops the list, with a warning (the value is then
/// the plain type).
pub fn enum_values_of_their_type(doc: &mut Value, report: &mut Report) {
    fn fits(kind: &str, v: &Value) -> bool {
        match kind {
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        }
    }
    each_object_mut(doc, |at, map| {
        // An enum without a type (Plaid's `OwnershipType`): the type its values share.
        // `type: null` (the JSON value, which the document model reads as no type).
        if map.get("type") == Some(&Value::Null) {
            map.shift_remove("type");
        }
        // An enum beside `items` and no type: an array (typify `todo!`s on the mix).
        if !map.contains_key("type") && map.contains_key("items") && map.contains_key("enum") {
            map.insert("type".into(), Value::String("array".into()));
            report.note(
                "enum_values_of_their_type",
                pointer(at.iter().map(String::as_str).chain(["type"])),
            );
        }
        let structural = [
            "$ref",
            "items",
            "properties",
            "additionalProperties",
            "allOf",
            "oneOf",
            "anyOf",
            "not",
        ];
        if !map.contains_key("type") && !structural.iter().any(|k| map.contains_key(*k)) {
            let shared = map
                .get("enum")
                .and_then(Value::as_array)
                .and_then(|values| {
                    let kinds: std::collections::BTreeSet<&str> = values
                        .iter()
                        .filter_map(|v| match v {
                            Value::String(_) => Some("string"),
                            Value::Bool(_) => Some("boolean"),
                            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                            Value::Number(_) => Some("number"),
                            _ => None,
                        })
                        .collect();
                    (kinds.len() == 1).then(|| kinds.into_iter().next().unwrap_or("string"))
                });
            if let Some(kind) = shared {
                map.insert("type".into(), Value::String(kind.into()));
                report.note(
                    "enum_values_of_their_type",
                    pointer(at.iter().map(String::as_str).chain(["type"])),
                );
            }
        }
        let Some(kind) = map.get("type").and_then(Value::as_str).map(str::to_string) else {
            return;
        };
        let Some(Value::Array(values)) = map.get("enum") else {
            return;
        };
        if values.iter().all(|v| v.is_null() || fits(&kind, v)) {
            return;
        }
        let here = pointer(at.iter().map(String::as_str).chain(["enum"]));
        let values = values.clone();
        if kind == "string"
            && values
                .iter()
                .all(|v| v.is_null() || v.is_number() || v.is_boolean() || v.is_string())
        {
            let text: Vec<Value> = values
                .iter()
                .map(|v| match v {
                    Value::String(_) | Value::Null => v.clone(),
                    other => Value::String(other.to_string()),
                })
                .collect();
            map.insert("enum".into(), Value::Array(text));
            report.note("enum_values_of_their_type", here);
            return;
        }
        if kind == "array" {
            if let Some(items) = map.get_mut("items").and_then(Value::as_object_mut) {
                if !items.contains_key("enum") {
                    items.insert("enum".into(), Value::Array(values));
                    map.shift_remove("enum");
                    report.note("enum_values_of_their_type", here);
                    return;
                }
            }
        }
        map.shift_remove("enum");
        report.degrade(
            "enum_values_of_their_type",
            here,
            format!("enum values {values:?} are not all of type `{kind}`: dropped, the value is a plain `{kind}`"),
        );
    });
}

/// `type: 'null'` (OpenAPI 3.1's way, in 3.0 documents such as Blockfrost's): typify
/// `todo!`s on it. An alternative of a `oneOf`/`anyOf` that is only null is removed and the
/// composition marked `nullable`; elsewhere the type is dropped and the schema marked
/// `nullable`.
pub fn null_type_as_nullable(doc: &mut Value, report: &mut Report) {
    fn is_null_type(v: &Value) -> bool {
        v.get("type").and_then(Value::as_str) == Some("null")
    }
    each_object_mut(doc, |at, map| {
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(parts)) = map.get_mut(key) else {
                continue;
            };
            let before = parts.len();
            parts.retain(|p| !is_null_type(p));
            if parts.len() != before {
                map.insert("nullable".into(), Value::Bool(true));
                report.note(
                    "null_type_as_nullable",
                    pointer(at.iter().map(String::as_str).chain([key])),
                );
            }
        }
        if map.get("type").and_then(Value::as_str) == Some("null") {
            map.shift_remove("type");
            map.insert("nullable".into(), Value::Bool(true));
            report.note(
                "null_type_as_nullable",
                pointer(at.iter().map(String::as_str).chain(["type"])),
            );
        }
    });
}
