//! Normalization: rewrite vendor quirks into the shapes progenitor handles, and record every
//! rewrite in a [`Report`]. Each pass is one quirk, in the order [`all`] runs them.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::error::pointer;
use crate::openapi::{each_operation_mut, each_response_content_mut, is_json_media_type, status_class};

/// What normalization changed: for each pass, the pointers it touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub changes: BTreeMap<&'static str, Vec<String>>,
}

impl Report {
    fn note(&mut self, pass: &'static str, at: String) {
        self.changes.entry(pass).or_default().push(at);
    }

    /// One line per pass that changed anything: `split_default_response: 487`.
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return "normalized: nothing".to_string();
        }
        let parts: Vec<String> = self
            .changes
            .iter()
            .map(|(pass, at)| format!("{pass}: {}", at.len()))
            .collect();
        format!("normalized: {}", parts.join(", "))
    }
}

/// Runs every pass, in order.
pub fn all(doc: &mut Value) -> Report {
    let mut report = Report::default();
    pick_request_media_type(doc, &mut report);
    octet_stream_as_binary(doc, &mut report);
    wildcard_response_as_json(doc, &mut report);
    json_without_schema_as_any(doc, &mut report);
    split_default_response(doc, &mut report);
    require_path_parameters(doc, &mut report);
    type_from_format(doc, &mut report);
    report
}

/// Request bodies that list several media types (VB365's `POST /v8/token` lists form-encoded
/// and JSON): progenitor takes exactly one. We keep `application/x-www-form-urlencoded` when
/// offered, because where a vendor offers both it is an OAuth-style endpoint and form-encoding
/// is what such servers accept; otherwise JSON; otherwise the first listed.
pub fn pick_request_media_type(doc: &mut Value, report: &mut Report) {
    each_operation_mut(doc, |path, method, op| {
        let Some(content) = op.pointer_mut("/requestBody/content").and_then(Value::as_object_mut) else {
            return;
        };
        if content.len() < 2 {
            return;
        }
        let keep = ["application/x-www-form-urlencoded", "application/json"]
            .iter()
            .find_map(|want| content.keys().find(|k| k.split(';').next() == Some(*want)).cloned())
            .or_else(|| content.keys().next().cloned())
            .unwrap_or_default();
        content.retain(|k, _| *k == keep);
        report.note("pick_request_media_type", pointer(["paths", path, method, "requestBody", "content"]));
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
            let Some(media) = media.as_object_mut() else { continue };
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
        let Some(key) = content.keys().find(|k| *k == "*/*" || *k == "application/*").cloned() else {
            return;
        };
        let is_binary = content[&key].pointer("/schema/format").and_then(Value::as_str) == Some("binary");
        if is_binary {
            return;
        }
        let media = content.shift_remove(&key).unwrap_or(Value::Null);
        content.insert("application/json".into(), media);
        report.note("wildcard_response_as_json", pointer(["paths", path, method, "responses", code, "content", &key]));
    });
}

/// A JSON response with no schema, or `schema: null` (progenitor `todo!`s on it): any JSON value.
pub fn json_without_schema_as_any(doc: &mut Value, report: &mut Report) {
    each_response_content_mut(doc, |path, method, code, content| {
        for (mt, media) in content.iter_mut() {
            let Some(media) = media.as_object_mut() else { continue };
            // `schema: null` says no more than a missing schema.
            if is_json_media_type(mt) && media.get("schema").is_none_or(Value::is_null) {
                media.insert("schema".into(), Value::Object(Map::new()));
                report.note("json_without_schema_as_any", pointer(["paths", path, method, "responses", code, "content", mt]));
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
        let has_success = responses.keys().any(|c| matches!(status_class(c), Some(1..=3)));
        if !has_success || !responses.contains_key("default") {
            return;
        }
        let default = responses.shift_remove("default").unwrap_or(Value::Null);
        for range in ["4XX", "5XX"] {
            if !responses.contains_key(range) {
                responses.insert(range.into(), default.clone());
            }
        }
        report.note("split_default_response", pointer(["paths", path, method, "responses", "default"]));
    });
}

/// Path parameters not marked `required: true` (OpenAPI requires it; progenitor asserts it).
pub fn require_path_parameters(doc: &mut Value, report: &mut Report) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (key, owner) in item.iter_mut() {
            let params = if key == "parameters" {
                Some(owner)
            } else {
                owner.get_mut("parameters")
            };
            let Some(params) = params.and_then(Value::as_array_mut) else { continue };
            for (i, p) in params.iter_mut().enumerate() {
                let Some(p) = p.as_object_mut() else { continue };
                let is_path = p.get("in").and_then(Value::as_str) == Some("path");
                if is_path && p.get("required") != Some(&Value::Bool(true)) {
                    p.insert("required".into(), Value::Bool(true));
                    let mut at = vec!["paths", path.as_str()];
                    if key != "parameters" {
                        at.push(key.as_str());
                    }
                    let index = i.to_string();
                    at.extend(["parameters", index.as_str()]);
                    report.note("require_path_parameters", pointer(at));
                }
            }
        }
    }
}

/// Schemas that give a `format` but no `type` (typify `todo!`s on them): the format implies
/// the type: `int32`/`int64` are integers, `float`/`double` numbers, anything else a string.
pub fn type_from_format(doc: &mut Value, report: &mut Report) {
    fn walk(v: &mut Value, at: &mut Vec<String>, report: &mut Report) {
        match v {
            Value::Object(map) => {
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
                    report.note("type_from_format", pointer(at.iter()));
                }
                for (k, child) in map.iter_mut() {
                    // Literal values, not schemas.
                    if matches!(k.as_str(), "example" | "examples" | "default" | "enum") {
                        continue;
                    }
                    at.push(k.clone());
                    walk(child, at, report);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    at.push(i.to_string());
                    walk(child, at, report);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    walk(doc, &mut Vec::new(), report);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pass: fn(&mut Value, &mut Report), mut doc: Value) -> (Value, Report) {
        let mut report = Report::default();
        pass(&mut doc, &mut report);
        (doc, report)
    }

    #[test]
    fn pick_request_media_type_keeps_form_encoding() {
        let before = json!({"paths": {"/token": {"post": {"requestBody": {"content": {
            "application/json": {"schema": {"type": "object"}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}}
        }}}}}});
        let (after, report) = run(pick_request_media_type, before);
        let content = after.pointer("/paths/~1token/post/requestBody/content").unwrap();
        assert_eq!(content.as_object().unwrap().keys().collect::<Vec<_>>(), ["application/x-www-form-urlencoded"]);
        assert_eq!(report.changes["pick_request_media_type"], ["/paths/~1token/post/requestBody/content"]);
    }

    #[test]
    fn pick_request_media_type_prefers_json_over_others() {
        let before = json!({"paths": {"/x": {"put": {"requestBody": {"content": {
            "text/plain": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}}
        }}}}}});
        let (after, _) = run(pick_request_media_type, before);
        assert!(after.pointer("/paths/~1x/put/requestBody/content/application~1json").is_some());
        assert!(after.pointer("/paths/~1x/put/requestBody/content/text~1plain").is_none());
    }

    #[test]
    fn octet_stream_object_becomes_binary() {
        let before = json!({"paths": {"/f": {"post": {"responses": {"200": {"content": {
            "application/octet-stream": {"schema": {"type": "object"}}
        }}}}}}});
        let (after, report) = run(octet_stream_as_binary, before);
        assert_eq!(
            after.pointer("/paths/~1f/post/responses/200/content/application~1octet-stream/schema").unwrap(),
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
            after.pointer("/paths/~1t/post/responses/200/content").unwrap(),
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
        assert_eq!(after.pointer("/paths/~1a/get/responses/200/content/application~1json/schema").unwrap(), &json!({}));
        let null_schema = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": null}}}}}}}});
        let (after, _) = run(json_without_schema_as_any, null_schema);
        assert_eq!(after.pointer("/paths/~1a/get/responses/200/content/application~1json/schema").unwrap(), &json!({}));
    }

    #[test]
    fn default_next_to_success_becomes_4xx_and_5xx() {
        let err = json!({"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}});
        let before = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}, "default": err}}}}});
        let (after, _) = run(split_default_response, before);
        let responses = after.pointer("/paths/~1a/get/responses").unwrap().as_object().unwrap();
        assert_eq!(responses.keys().collect::<Vec<_>>(), ["200", "4XX", "5XX"]);
        assert_eq!(responses["4XX"], err);
        assert_eq!(responses["5XX"], err);
    }

    #[test]
    fn default_alone_is_left_as_the_success_response() {
        let before = json!({"paths": {"/a": {"get": {"responses": {"default": {"description": "d"}}}}}});
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
        assert_eq!(after.pointer("/components/schemas/T/example"), Some(&json!({"format": "int32"})));
        assert_eq!(report.changes["type_from_format"].len(), 3);
    }

    #[test]
    fn optional_path_parameter_becomes_required() {
        let before = json!({"paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
            "get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]}
        }}});
        let (after, report) = run(require_path_parameters, before);
        assert_eq!(after.pointer("/paths/~1a~1{id}/parameters/0/required"), Some(&json!(true)));
        assert_eq!(after.pointer("/paths/~1a~1{id}/get/parameters/0/required"), None);
        assert_eq!(report.changes["require_path_parameters"], ["/paths/~1a~1{id}/parameters/0"]);
    }
}
