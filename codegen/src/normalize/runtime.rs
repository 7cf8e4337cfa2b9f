//! Passes for crates wired to `veeam-runtime` only: what the runtime does better than
//! progenitor's plain output (error bodies, lenient responses, an enum by status), and names
//! and operations the runtime's client cannot have.

use serde_json::{json, Map, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{each_operation_mut, status_class};

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
            .get(crate::openapi::STATUSES)
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

/// Several success statuses with different bodies (VB for Azure: 200 with the result, 202
/// with the long-running operation that will produce it; 202 or 204): progenitor supports one
/// success type per operation (its issue #950). For crates wired to the runtime, each status's
/// body is kept, under [`crate::openapi::STATUSES`], with a named schema (an inline one is moved to
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
            .map(|c| crate::openapi::response_kind(&responses[c]))
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
            op.insert(crate::openapi::STATUSES.into(), Value::Array(statuses));
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

/// Runtime crates: operations dropshot declares paginated (`x-dropshot-pagination`, Oxide's
/// lists): progenitor would write a `stream()` of its own over its own error type, which does
/// not compile against the runtime's `send()`. The extension is dropped; where the profile has
/// `cursor_paging` (inferred from these operations), the runtime's token walk streams them.
pub fn dropshot_pagination_by_the_runtime(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(op) = op.as_object_mut() else { return };
        if op.shift_remove(crate::paging::cursor::DROPSHOT).is_some() {
            report.note(
                "dropshot_pagination_by_the_runtime",
                pointer(["paths", path, method, crate::paging::cursor::DROPSHOT]),
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
}
