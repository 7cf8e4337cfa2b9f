//! Passes on schemas: types, formats, enums, defaults and constraints typify refuses or
//! miswrites, nullable roots, inline names, and property names that collide.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::each_object_mut;

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
            .all(|v| names.insert(crate::names::type_name(v)));
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
    let mut taken: std::collections::BTreeSet<String> =
        schemas.keys().map(|n| crate::names::type_name(n)).collect();
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
            let rust = crate::names::type_name(&own);
            if taken.contains(&rust) {
                let mut n = 1;
                let mut title = format!("{own}_value");
                while taken.contains(&crate::names::type_name(&title)) {
                    n += 1;
                    title = format!("{own}_value{n}");
                }
                taken.insert(crate::names::type_name(&title));
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
            let rust = crate::names::collision_key(name);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::report::run_pass as run;
    use serde_json::json;

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
}
