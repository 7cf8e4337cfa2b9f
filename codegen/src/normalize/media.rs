//! Passes on media types: the bodies progenitor can send and read (one request media type,
//! JSON under other names, files, bodies without a schema).

use serde_json::{json, Map, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{
    each_object_mut, each_operation_mut, each_response_content_mut, is_json_media_type,
};

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
        if content.len() != 1 || crate::openapi::REQUEST_MEDIA_TYPES.contains(&base.as_str()) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::report::run_pass as run;
    use serde_json::json;

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
    fn problem_json_is_json() {
        let before = json!({"paths": {"/a": {"get": {"responses": {"400": {"content": {"application/problem+json": {"schema": {"type": "object"}}}}}}}}});
        let (after, _) = run(json_suffix_media_type, before);
        assert!(after
            .pointer("/paths/~1a/get/responses/400/content/application~1json/schema")
            .is_some());
    }
}
