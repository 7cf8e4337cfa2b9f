//! Passes on operations and their responses as a whole: which operations exist, their ids,
//! the statuses they answer with, and the links to the vendor's reference.

use heck::ToSnakeCase;
use serde_json::{json, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{each_operation_mut, status_class};

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

/// A comparable description of a response body, as progenitor would type it. Responses given
/// as `$ref`s are compared by their reference.
fn body_kind(response: &Value) -> String {
    if let Some(r) = response.get("$ref") {
        return format!("json:ref:{r}");
    }
    // The same comparison validation makes afterwards, so the two always agree.
    crate::openapi::response_kind(response)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::report::run_pass as run;
    use serde_json::json;

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
}
