//! The three-way merge of a vendor revision into the curated spec, as a plan: what the
//! vendor changed between the document of record (`base`) and a new document (`new`), and
//! what that means at each place of ours. `cargo xtask vendor-merge` prints it.
//!
//! The rule, at each place the vendor changed (facts only, prose and extensions left out, as
//! in [`super::compare`]):
//! - ours says what the base said: the vendor's change applies ([`Step::Add`],
//!   [`Step::Remove`], [`Step::Set`]);
//! - ours already says what the new document says: nothing to do;
//! - otherwise ours was a deliberate edit there, and the vendor changed the same place: a
//!   [`Step::Conflict`] that keeps ours and shows the three versions. Nothing is guessed.
//!
//! Maps (operations, schemas, properties, …) and parameter lists (matched by place and name)
//! are merged key by key, so a vendor change next to one of our edits is not a conflict.
//! Values that arrive come without prose: [`without_prose`].

use serde_json::{Map, Value};

use super::compare::{NAME_MAPS, PROSE};

/// One thing the merge does (or refuses to do) at one place of ours.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The vendor added the place; ours has nothing there. The value has no prose.
    Add { path: Vec<String>, value: Value },
    /// The vendor removed the place; ours had it as the base did.
    Remove { path: Vec<String> },
    /// The vendor changed the place; ours had it as the base did. The value has no prose.
    Set { path: Vec<String>, value: Value },
    /// The vendor changed a place ours had changed too: ours stays.
    Conflict {
        path: Vec<String>,
        ours: Option<Value>,
        base: Option<Value>,
        new: Option<Value>,
    },
}

impl Step {
    pub fn path(&self) -> &[String] {
        match self {
            Step::Add { path, .. }
            | Step::Remove { path }
            | Step::Set { path, .. }
            | Step::Conflict { path, .. } => path,
        }
    }
}

/// The plan: every step, in document order (paths, then components, then security). Paths
/// are ours where ours has the place (a parameter by its index in our list); a parameter
/// ours lacks is appended (`…/parameters/-`).
pub fn plan(ours: &Value, base: &Value, new: &Value) -> Vec<Step> {
    let mut out = Vec::new();
    for key in ["paths", "components", "security"] {
        let mut path = vec![key.to_string()];
        merge(
            ours.get(key),
            base.get(key),
            new.get(key),
            NAME_MAPS.contains(&key),
            &mut path,
            &mut out,
        );
    }
    out
}

fn merge(
    ours: Option<&Value>,
    base: Option<&Value>,
    new: Option<&Value>,
    names: bool,
    path: &mut Vec<String>,
    out: &mut Vec<Step>,
) {
    let key = path.last().cloned().unwrap_or_default();
    let (fo, fb, fnew) = (
        ours.map(|v| facts(v, names, &key)),
        base.map(|v| facts(v, names, &key)),
        new.map(|v| facts(v, names, &key)),
    );
    if fb == fnew || fo == fnew {
        return;
    }
    match (ours, base, new) {
        (Some(Value::Object(o)), Some(Value::Object(b)), Some(Value::Object(n))) => {
            let mut steps = Vec::new();
            let mut keys: Vec<&String> = b.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                if !names && (PROSE.contains(&k.as_str()) || k.starts_with("x-")) {
                    continue;
                }
                let child_names = !names && NAME_MAPS.contains(&k.as_str());
                path.push(k.clone());
                merge(o.get(k), b.get(k), n.get(k), child_names, path, &mut steps);
                path.pop();
            }
            // A schema's keywords hang together (`type` with `items`, `format`, `enum`): a
            // conflict at one of them makes the whole schema one conflict, rather than
            // apply the vendor's other keywords next to our edit.
            let keyword_conflict = steps
                .iter()
                .any(|s| matches!(s, Step::Conflict { .. }) && s.path().len() == path.len() + 1);
            if !names && keyword_conflict && [o, b, n].iter().any(|m| is_schema(m)) {
                out.push(Step::Conflict {
                    path: path.clone(),
                    ours: ours.cloned(),
                    base: base.cloned(),
                    new: new.cloned(),
                });
            } else {
                out.extend(steps);
            }
        }
        (Some(Value::Array(o)), Some(Value::Array(b)), Some(Value::Array(n)))
            if key == "parameters" =>
        {
            let mut seen = Vec::new();
            for id in b.iter().chain(n).map(parameter_id) {
                if seen.contains(&id) {
                    continue;
                }
                let find = |list: &[Value]| list.iter().position(|p| parameter_id(p) == id);
                let at = find(o);
                path.push(at.map_or("-".to_string(), |i| i.to_string()));
                merge(
                    at.map(|i| &o[i]),
                    find(b).map(|i| &b[i]),
                    find(n).map(|i| &n[i]),
                    false,
                    path,
                    out,
                );
                path.pop();
                seen.push(id);
            }
        }
        _ if fo == fb => out.push(match (ours, new) {
            (_, None) => Step::Remove { path: path.clone() },
            (None, Some(v)) => Step::Add {
                path: path.clone(),
                value: without_prose(v, names),
            },
            (Some(_), Some(v)) => Step::Set {
                path: path.clone(),
                value: without_prose(v, names),
            },
        }),
        _ => out.push(Step::Conflict {
            path: path.clone(),
            ours: ours.cloned(),
            base: base.cloned(),
            new: new.cloned(),
        }),
    }
}

/// Paths the vendor moved: a base path none of the new document has, whose operations (by
/// method and `operationId`) are all at one new path the base does not have.
pub fn moves(base: &Value, new: &Value) -> Vec<(String, String)> {
    let (Some(bp), Some(np)) = (
        base.get("paths").and_then(Value::as_object),
        new.get("paths").and_then(Value::as_object),
    ) else {
        return Vec::new();
    };
    let ids = |item: &Value| -> Vec<(String, String)> {
        METHODS
            .iter()
            .filter_map(|m| {
                let id = item.get(*m)?.get("operationId")?.as_str()?;
                Some((m.to_string(), id.to_string()))
            })
            .collect()
    };
    let mut out = Vec::new();
    for (from, item) in bp {
        if np.contains_key(from) {
            continue;
        }
        let ops = ids(item);
        if ops.is_empty() {
            continue;
        }
        let targets: Vec<&String> = np
            .iter()
            .filter(|(to, n)| !bp.contains_key(*to) && ops.iter().all(|o| ids(n).contains(o)))
            .map(|(to, _)| to)
            .collect();
        if let [to] = targets[..] {
            out.push((from.clone(), to.clone()));
        }
    }
    out
}

/// Renames `paths/from` to `paths/to` in a document, keeping its place among the paths.
pub fn rename_path(doc: &mut Value, from: &str, to: &str) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let renamed: Map<String, Value> = std::mem::take(paths)
            .into_iter()
            .map(|(k, v)| {
                if k == from {
                    (to.to_string(), v)
                } else {
                    (k, v)
                }
            })
            .collect();
        *paths = renamed;
    }
}

/// A schema the vendor removed stays while a place we keep against the vendor (a conflict)
/// still refers to it, directly or through other such schemas: its removal becomes a
/// conflict too, rather than leave a dangling `$ref`.
pub fn keep_what_kept_places_use(steps: Vec<Step>, ours: &Value) -> Vec<Step> {
    let mut used: Vec<String> = Vec::new();
    let mut todo: Vec<Value> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Conflict { ours: Some(v), .. } => Some(v.clone()),
            _ => None,
        })
        .collect();
    while let Some(v) = todo.pop() {
        for name in refs(&v) {
            if !used.contains(&name) {
                if let Some(schema) = ours.pointer(&format!("/components/schemas/{name}")) {
                    todo.push(schema.clone());
                }
                used.push(name);
            }
        }
    }
    steps
        .into_iter()
        .map(|s| match s {
            Step::Remove { path }
                if path.len() == 3
                    && path[0] == "components"
                    && path[1] == "schemas"
                    && used.contains(&path[2]) =>
            {
                let kept = ours
                    .pointer(&format!("/components/schemas/{}", path[2]))
                    .cloned();
                Step::Conflict {
                    path,
                    base: kept.clone(),
                    ours: kept,
                    new: None,
                }
            }
            s => s,
        })
        .collect()
}

/// The schema names a value's `$ref`s point at.
fn refs(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, child)| match (k.as_str(), child) {
                ("$ref", Value::String(r)) => r
                    .strip_prefix("#/components/schemas/")
                    .map(|n| vec![n.to_string()])
                    .unwrap_or_default(),
                _ => refs(child),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// Does this map read as a schema (rather than an operation, parameter or media type)?
fn is_schema(m: &Map<String, Value>) -> bool {
    const SCHEMA_KEYWORDS: [&str; 8] = [
        "type",
        "$ref",
        "allOf",
        "oneOf",
        "anyOf",
        "properties",
        "items",
        "enum",
    ];
    SCHEMA_KEYWORDS.iter().any(|k| m.contains_key(*k)) && !m.contains_key("in")
}

/// A parameter's identity: its place and name, or its `$ref`.
fn parameter_id(p: &Value) -> String {
    match p.get("$ref").and_then(Value::as_str) {
        Some(r) => format!("$ref {r}"),
        None => format!(
            "{} {}",
            p.get("in").and_then(Value::as_str).unwrap_or("?"),
            p.get("name").and_then(Value::as_str).unwrap_or("?")
        ),
    }
}

/// The facts of a value, in a form `==` compares as [`super::compare`] does: prose and
/// extensions gone, numbers as floats, `required`/`enum` sorted, parameters by identity.
fn facts(v: &Value, names: bool, key: &str) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, child) in m {
                if !names && (PROSE.contains(&k.as_str()) || k.starts_with("x-")) {
                    continue;
                }
                let child_names = !names && NAME_MAPS.contains(&k.as_str());
                out.insert(k.clone(), facts(child, child_names, k));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(|i| facts(i, false, "")).collect();
            match key {
                "required" | "enum" => items.sort_by_key(|i| i.to_string()),
                "parameters" if !names => items.sort_by_key(parameter_id),
                _ => {}
            }
            Value::Array(items)
        }
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        _ => v.clone(),
    }
}

/// A vendor value as it may enter the spec: its facts, with no prose keyword (`description`,
/// `summary`, `title`, examples) and no vendor extension (`x-…`) at any depth. Names that
/// look like keywords (a property called `description`) stay.
pub fn without_prose(v: &Value, names: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| names || !(PROSE.contains(&k.as_str()) || k.starts_with("x-")))
                .map(|(k, child)| {
                    let child_names = !names && NAME_MAPS.contains(&k.as_str());
                    (k.clone(), without_prose(child, child_names))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| without_prose(i, false)).collect())
        }
        _ => v.clone(),
    }
}

/// A whole document's facts, as a test may commit them: `paths`, `components` and
/// `security` [`without_prose`], and `info.version`; nothing else of the root.
pub fn facts_only(doc: &Value) -> Value {
    let mut out = Map::new();
    if let Some(v) = doc.get("openapi") {
        out.insert("openapi".into(), v.clone());
    }
    let version = doc.pointer("/info/version").cloned().unwrap_or(Value::Null);
    out.insert(
        "info".into(),
        serde_json::json!({"title": "facts only", "version": version}),
    );
    for key in ["paths", "components", "security"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.into(), without_prose(v, NAME_MAPS.contains(&key)));
        }
    }
    Value::Object(out)
}

/// The places inside an added or replaced value that our documentation rule wants described
/// (an operation, a parameter, a schema, a property), as paths from the document's root.
pub fn needs_description(path: &[String], value: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    collect_describable(path.to_vec(), value, &mut out);
    out
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn describable(path: &[String]) -> bool {
    let n = path.len();
    // The segment `i` places from the end (1: the last).
    let from_end = |i: usize| path.get(n.wrapping_sub(i)).map(String::as_str);
    (n == 3 && path[0] == "paths" && METHODS.contains(&path[2].as_str()))
        || (n == 3 && path[0] == "components" && path[1] == "schemas")
        || from_end(2) == Some("properties")
        || (from_end(2) == Some("parameters")
            && from_end(1).is_some_and(|s| s == "-" || s.parse::<usize>().is_ok()))
}

fn collect_describable(path: Vec<String>, value: &Value, out: &mut Vec<Vec<String>>) {
    let is_ref = value.get("$ref").is_some();
    if describable(&path) && !is_ref {
        out.push(path.clone());
    }
    match value {
        Value::Object(m) => {
            for (k, child) in m {
                let mut p = path.clone();
                p.push(k.clone());
                collect_describable(p, child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push(i.to_string());
                collect_describable(p, child, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::pointer;
    use serde_json::json;

    fn steps(ours: Value, base: Value, new: Value) -> Vec<(String, String)> {
        plan(&ours, &base, &new)
            .into_iter()
            .map(|s| {
                let what = match &s {
                    Step::Add { value, .. } => format!("add {value}"),
                    Step::Remove { .. } => "remove".to_string(),
                    Step::Set { value, .. } => format!("set {value}"),
                    Step::Conflict { ours, new, .. } => format!(
                        "conflict ours {} new {}",
                        ours.as_ref().map_or("-".into(), Value::to_string),
                        new.as_ref().map_or("-".into(), Value::to_string)
                    ),
                };
                (pointer(s.path()), what)
            })
            .collect()
    }

    #[test]
    fn a_vendor_change_applies_where_ours_says_what_the_base_said() {
        let base = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"a": {"type": "string"}, "gone": {"type": "integer"}}},
            "Old": {"type": "string"}}}});
        let new = json!({"components": {"schemas": {
            "A": {"type": "object", "description": "vendor words", "properties": {
                "a": {"type": "string", "format": "uuid"},
                "b": {"type": "string", "description": "more vendor words", "x-vendor": 1}}},
            "New": {"type": "string", "enum": ["X"]}}}});
        // Ours describes A and keeps its own words; prose never counts as a change.
        let ours = json!({"components": {"schemas": {
            "A": {"type": "object", "description": "ours", "properties": {
                "a": {"type": "string", "description": "ours"}, "gone": {"type": "integer"}}},
            "Old": {"type": "string"}}}});
        assert_eq!(
            steps(ours, base, new),
            [
                (
                    "/components/schemas/A/properties/a/format".to_string(),
                    "add \"uuid\"".to_string()
                ),
                (
                    "/components/schemas/A/properties/b".to_string(),
                    "add {\"type\":\"string\"}".to_string()
                ),
                (
                    "/components/schemas/A/properties/gone".to_string(),
                    "remove".to_string()
                ),
                (
                    "/components/schemas/New".to_string(),
                    "add {\"type\":\"string\",\"enum\":[\"X\"]}".to_string()
                ),
                ("/components/schemas/Old".to_string(), "remove".to_string()),
            ]
        );
    }

    #[test]
    fn a_vendor_change_at_a_place_ours_edited_is_a_conflict_that_keeps_ours() {
        let base = json!({"components": {"schemas": {"A": {"properties": {
            "file": {"type": "object"}, "n": {"type": "integer"}}}}}});
        let new = json!({"components": {"schemas": {"A": {"properties": {
            "file": {"type": "array"}, "n": {"type": "integer", "format": "int64"}}}}}});
        // Ours made `file` a string (a deliberate edit); the vendor changed the same keyword.
        let ours = json!({"components": {"schemas": {"A": {"properties": {
            "file": {"type": "string", "format": "binary"}, "n": {"type": "integer"}}}}}});
        assert_eq!(
            steps(ours, base, new),
            [
                // The whole schema: the vendor's `type` never lands beside our `format`.
                (
                    "/components/schemas/A/properties/file".to_string(),
                    "conflict ours {\"type\":\"string\",\"format\":\"binary\"} new {\"type\":\"array\"}"
                        .to_string()
                ),
                (
                    "/components/schemas/A/properties/n/format".to_string(),
                    "add \"int64\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn nothing_to_do_where_ours_already_says_what_the_vendor_now_says() {
        let base = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "x", "in": "query", "schema": {"type": "string"}}]}}}});
        let new = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "x", "in": "query", "required": true, "schema": {"type": "string"}}]}}}});
        let ours = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "x", "in": "query", "required": true, "description": "ours",
             "schema": {"type": "string"}}]}}}});
        assert_eq!(steps(ours, base.clone(), new.clone()), []);
        assert_eq!(steps(base.clone(), base.clone(), base), []);
    }

    #[test]
    fn parameters_merge_by_place_and_name_whatever_their_order() {
        let base = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "x", "in": "query"}, {"name": "y", "in": "query"}]}}}});
        let new = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "y", "in": "query", "required": true}, {"name": "z", "in": "header"}]}}}});
        let ours = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "y", "in": "query"}, {"name": "x", "in": "query"}]}}}});
        assert_eq!(
            steps(ours, base, new),
            [
                (
                    "/paths/~1a/get/parameters/1".to_string(),
                    "remove".to_string()
                ),
                (
                    "/paths/~1a/get/parameters/0/required".to_string(),
                    "add true".to_string()
                ),
                (
                    "/paths/~1a/get/parameters/-".to_string(),
                    "add {\"name\":\"z\",\"in\":\"header\"}".to_string()
                ),
            ]
        );
    }

    #[test]
    fn enum_values_are_a_set_and_a_removed_operation_ours_edited_stays() {
        let base = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"*/*": {}}}}}}},
            "components": {"schemas": {"E": {"enum": ["A", "B"]}}}});
        let new = json!({"paths": {}, "components": {"schemas": {"E": {"enum": ["C", "B", "A"]}}}});
        let ours = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {}}}}}}},
            "components": {"schemas": {"E": {"enum": ["B", "A"]}}}});
        let found = steps(ours, base, new);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "/paths/~1a");
        assert!(found[0].1.starts_with("conflict"), "{found:?}");
        assert_eq!(
            found[1],
            (
                "/components/schemas/E/enum".to_string(),
                "set [\"C\",\"B\",\"A\"]".to_string()
            )
        );
    }

    #[test]
    fn what_arrives_lists_the_places_to_describe() {
        let op = json!({"operationId": "A_Get", "parameters": [{"name": "x", "in": "query"},
            {"$ref": "#/components/parameters/P"}],
            "responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "string"}}}}}}}});
        let path: Vec<String> = ["paths", "/a", "get"].map(String::from).to_vec();
        let found: Vec<String> = needs_description(&path, &op)
            .iter()
            .map(|p| pointer(p))
            .collect();
        assert_eq!(
            found,
            [
                "/paths/~1a/get",
                "/paths/~1a/get/parameters/0",
                "/paths/~1a/get/responses/200/content/application~1json/schema/properties/id",
            ]
        );
    }
}
