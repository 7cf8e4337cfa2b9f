//! The facts of two OpenAPI documents compared: every place where the curated spec and the
//! vendor's document say different things, prose left out.
//!
//! What is compared: everything under `paths`, `components` and the root `security`: paths,
//! methods, operation ids and tags, parameters (matched by place and name, whatever their
//! order), request bodies, responses, media types, headers and schemas with every keyword
//! (types, formats, `nullable`, defaults, limits, `$ref`s, compositions). `required` lists
//! and `enum` values are sets: order does not count, each name or value is one difference.
//! What is not: prose (`description`, `summary`, `title`, `example`, `examples`,
//! `externalDocs`), extensions (`x-…`: ours steer the generator, the vendor's render its
//! site), and the root's `openapi`, `info`, `servers` and `tags` (names and prose of the
//! published document, not of the API).

use serde_json::{Map, Value};

/// Keywords that hold prose, skipped wherever they are keywords (never as names: a schema
/// property called `description` is compared).
pub(crate) const PROSE: [&str; 6] = [
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
];

/// Keywords whose value is a map of names (paths, properties, media types, …) rather than of
/// keywords.
pub(crate) const NAME_MAPS: [&str; 15] = [
    "paths",
    "schemas",
    "properties",
    "responses",
    "content",
    "headers",
    "securitySchemes",
    "parameters",
    "requestBodies",
    "links",
    "callbacks",
    "encoding",
    "mapping",
    "scopes",
    "flows",
];

/// The root keys compared.
const COMPARED_ROOT: [&str; 3] = ["paths", "components", "security"];

/// One place where the two documents differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where, as path segments: the curated spec's own path where it has the place (its
    /// index for a parameter), else the vendor's.
    pub path: Vec<String>,
    /// What differs, e.g. ``only in the vendor's document: `"format": "uuid"` ``.
    pub what: String,
}

/// Every difference of facts between `ours` (the curated spec, assembled) and `vendor`.
pub fn differences(ours: &Value, vendor: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    for key in COMPARED_ROOT {
        let mut path = vec![key.to_string()];
        let names = NAME_MAPS.contains(&key);
        compare(ours.get(key), vendor.get(key), names, &mut path, &mut out);
    }
    out
}

/// Compares two values at `path`. `names`: the values are maps of names, not keywords.
fn compare(
    ours: Option<&Value>,
    vendor: Option<&Value>,
    names: bool,
    path: &mut Vec<String>,
    out: &mut Vec<Difference>,
) {
    let key = path.last().map(String::as_str).unwrap_or("");
    match (ours, vendor) {
        (None, None) => {}
        (Some(o), None) => out.push(diff(path, format!("only in ours: {}", brief(key, o)))),
        (None, Some(v)) => out.push(diff(
            path,
            format!("only in the vendor's document: {}", brief(key, v)),
        )),
        (Some(Value::Object(o)), Some(Value::Object(v))) => compare_maps(o, v, names, path, out),
        (Some(Value::Array(o)), Some(Value::Array(v))) => match key {
            "parameters" => compare_parameters(o, v, path, out),
            "required" | "enum" => compare_sets(o, v, path, out),
            _ => {
                for i in 0..o.len().max(v.len()) {
                    path.push(i.to_string());
                    compare(o.get(i), v.get(i), false, path, out);
                    path.pop();
                }
            }
        },
        (Some(o), Some(v)) => {
            if !same_scalar(o, v) {
                out.push(diff(
                    path,
                    format!("ours {}, the vendor's {}", show(o), show(v)),
                ));
            }
        }
    }
}

fn compare_maps(
    ours: &Map<String, Value>,
    vendor: &Map<String, Value>,
    names: bool,
    path: &mut Vec<String>,
    out: &mut Vec<Difference>,
) {
    let mut keys: Vec<&String> = ours.keys().chain(vendor.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        if !names && (PROSE.contains(&key.as_str()) || key.starts_with("x-")) {
            continue;
        }
        let child_names = !names && NAME_MAPS.contains(&key.as_str());
        path.push(key.clone());
        compare(ours.get(key), vendor.get(key), child_names, path, out);
        path.pop();
    }
}

/// Parameters are matched by place and name (a `$ref` by its target), whatever their order.
fn compare_parameters(
    ours: &[Value],
    vendor: &[Value],
    path: &mut Vec<String>,
    out: &mut Vec<Difference>,
) {
    let id = |p: &Value| match p.get("$ref").and_then(Value::as_str) {
        Some(r) => format!("$ref {r}"),
        None => format!(
            "{} `{}`",
            p.get("in").and_then(Value::as_str).unwrap_or("?"),
            p.get("name").and_then(Value::as_str).unwrap_or("?")
        ),
    };
    for (i, o) in ours.iter().enumerate() {
        path.push(i.to_string());
        match vendor.iter().find(|v| id(v) == id(o)) {
            Some(v) => compare(Some(o), Some(v), false, path, out),
            None => out.push(diff(path, format!("only in ours: parameter {}", id(o)))),
        }
        path.pop();
    }
    for v in vendor {
        if !ours.iter().any(|o| id(o) == id(v)) {
            out.push(diff(
                path,
                format!("only in the vendor's document: parameter {}", id(v)),
            ));
        }
    }
}

/// `required` names and `enum` values: each one missing on a side is a difference.
fn compare_sets(ours: &[Value], vendor: &[Value], path: &[String], out: &mut Vec<Difference>) {
    for o in ours {
        if !vendor.iter().any(|v| same_scalar(o, v)) {
            out.push(diff(path, format!("only in ours: {}", show(o))));
        }
    }
    for v in vendor {
        if !ours.iter().any(|o| same_scalar(o, v)) {
            out.push(diff(
                path,
                format!("only in the vendor's document: {}", show(v)),
            ));
        }
    }
}

/// Equal values, numbers by value (YAML's `1` and JSON's `1.0` are one number).
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn diff(path: &[String], what: String) -> Difference {
    Difference {
        path: path.to_vec(),
        what,
    }
}

/// A value in a message: scalars as JSON; maps by their keys and lists by their length (a
/// whole schema or operation would drown the line), never their prose.
fn show(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let keys: Vec<&str> = m
                .keys()
                .map(String::as_str)
                .filter(|k| !PROSE.contains(k) && !k.starts_with("x-"))
                .collect();
            format!("{{{}}}", keys.join(", "))
        }
        Value::Array(a) => format!("[{} items]", a.len()),
        _ => format!("`{v}`"),
    }
}

/// What a place holds: ``"format": "uuid"`` for a scalar, its kind for more.
fn brief(key: &str, v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => format!("`{key}` {}", show(v)),
        _ => format!("`{key}: {v}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn whats(ours: Value, vendor: Value) -> Vec<(String, String)> {
        differences(&ours, &vendor)
            .into_iter()
            .map(|d| (crate::error::pointer(&d.path), d.what))
            .collect()
    }

    #[test]
    fn prose_and_extensions_do_not_count_but_a_property_named_description_does() {
        let ours = json!({"components": {"schemas": {"A": {"description": "ours", "x-veeam-page-result": true,
            "properties": {"description": {"type": "string", "description": "ours"}}}}}});
        let vendor = json!({"components": {"schemas": {"A": {"description": "theirs", "title": "A",
            "properties": {"description": {"type": "integer", "example": 3}}}}}});
        assert_eq!(
            whats(ours, vendor),
            [(
                "/components/schemas/A/properties/description/type".to_string(),
                "ours `\"string\"`, the vendor's `\"integer\"`".to_string()
            )]
        );
    }

    #[test]
    fn parameters_match_by_place_and_name_and_enums_are_sets() {
        let ours = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "b", "in": "query", "schema": {"enum": ["Y", "X"]}},
            {"name": "a", "in": "query"}]}}}});
        let vendor = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "a", "in": "query", "required": true},
            {"name": "b", "in": "query", "schema": {"enum": ["X", "Z"]}},
            {"name": "c", "in": "path"}]}}}});
        let found = whats(ours, vendor);
        let p = "/paths/~1a/get/parameters";
        assert_eq!(
            found,
            [
                (
                    format!("{p}/0/schema/enum"),
                    "only in ours: `\"Y\"`".to_string()
                ),
                (
                    format!("{p}/0/schema/enum"),
                    "only in the vendor's document: `\"Z\"`".to_string()
                ),
                (
                    format!("{p}/1/required"),
                    "only in the vendor's document: `required: true`".to_string()
                ),
                (
                    p.to_string(),
                    "only in the vendor's document: parameter path `c`".to_string()
                ),
            ]
        );
    }
}
