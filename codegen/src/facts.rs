//! Facts about each operation, read from the normalized document (never from generated
//! tokens): its resource group, whether it is paged and how, whether it answers with a file,
//! whether it sends the session's token. The glue wires each builder from these.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase};
use serde_json::Value;

use crate::openapi::{each_operation, is_json_media_type, operation_parameters, resolve};
use crate::paging::{Pagings, Plan};

/// One success status of an operation whose statuses have different bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusBody {
    /// `200`, `202`, `2XX`.
    pub status: String,
    /// The component schema of a JSON body; `None` for no body or raw bytes.
    pub schema: Option<String>,
    /// A body that is not JSON.
    pub bytes: bool,
}

/// What the glue needs to know about one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationFacts {
    /// The operationId as progenitor's `OperationInfo` names it (snake case).
    pub id: String,
    pub method: String,
    pub path: String,
    /// The resource group (first tag, kebab case): the operation's feature.
    pub group: String,
    /// Set when the operation pages by one of the profile's paging conventions: which, and
    /// what that convention needs to know of it.
    pub paging: Option<Plan>,
    /// The success body is a file (binary, not JSON): it gets the download timeout and, when
    /// it is the only success body, `write_to`/`save_to`.
    pub download: bool,
    /// `security: []`: sent without the session's token (the token endpoint itself).
    pub anonymous: bool,
    /// A paged operation answering by status: the component schema of its page (the 200
    /// body).
    pub page_schema: Option<String>,
    /// Set when success statuses have different bodies: each one, for an enum by status.
    pub statuses: Option<Vec<StatusBody>>,
}

/// Facts of every operation, by progenitor's operation id.
pub fn operations(doc: &Value, pagings: &Pagings) -> BTreeMap<String, OperationFacts> {
    let mut out = BTreeMap::new();
    each_operation(doc, |path, method, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        let by_status = statuses(op);
        // By status, the page is the 200 body (VB for Azure's lists may answer 202 with an
        // asynchronous operation instead).
        let page_schema = by_status.as_ref().and_then(|list| {
            list.iter()
                .find(|s| s.status == "200")
                .and_then(|s| s.schema.clone())
        });
        let paging = pagings.plan(&crate::paging::Operation {
            doc,
            op,
            query: operation_parameters(doc, path, op)
                .into_iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .collect(),
            by_status: by_status.is_some(),
            page_schema: page_schema.as_deref(),
        });
        let group = op
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("untagged")
            .to_kebab_case();
        let anonymous = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.is_empty()
                    || s.iter()
                        .all(|r| r.as_object().is_some_and(|m| m.is_empty()))
            });
        out.insert(
            id.to_snake_case(),
            OperationFacts {
                id: id.to_snake_case(),
                method: method.to_string(),
                path: path.to_string(),
                group,
                page_schema: page_schema.filter(|_| paging.is_some()),
                paging,
                // By status: a file when every body is a file or nothing (VB for Azure's
                // log export answers 200 or 201 with the file, 204 without).
                download: match &by_status {
                    Some(statuses) => {
                        statuses.iter().any(|s| s.bytes)
                            && statuses.iter().all(|s| s.schema.is_none())
                    }
                    None => is_download(doc, op),
                },
                anonymous,
                statuses: by_status,
            },
        );
    });
    out
}

/// What `normalize::runtime::statuses_by_body` recorded.
fn statuses(op: &Value) -> Option<Vec<StatusBody>> {
    let list = op.get(crate::openapi::STATUSES)?.as_array()?;
    Some(
        list.iter()
            .map(|s| StatusBody {
                status: s
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                schema: s.get("schema").and_then(Value::as_str).map(str::to_string),
                bytes: s.get("body").and_then(Value::as_str) == Some("bytes"),
            })
            .collect(),
    )
}

/// A success body declared as a file: a non-JSON media type with a `string`/`binary` schema,
/// in a response that offers no JSON (progenitor takes JSON where it is offered).
fn is_download(doc: &Value, op: &Value) -> bool {
    crate::openapi::successes(doc, op).into_iter().any(|r| {
        let content = r.get("content").and_then(Value::as_object);
        if content.is_some_and(|c| c.keys().any(|mt| is_json_media_type(mt))) {
            return false;
        }
        content.into_iter().flatten().any(|(mt, media)| {
            let schema = media.get("schema").map(|s| resolve(doc, s));
            !is_json_media_type(mt)
                && schema.is_some_and(|s| {
                    s.get("type").and_then(Value::as_str) == Some("string")
                        && s.get("format").and_then(Value::as_str) == Some("binary")
                })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paging() -> Pagings {
        serde_norway::from_str("paging: {offset: offset, limit: limit, set_id: setId}").unwrap()
    }

    /// The offset convention's plan: (a bare array, takes the set id).
    fn offset(f: &OperationFacts) -> Option<(bool, bool)> {
        let plan = f.paging.as_ref()?;
        assert_eq!(plan.key, "paging");
        Some((plan.detail["bare"] == true, plan.detail["set_id"] == true))
    }

    #[test]
    fn paged_downloads_and_anonymous_operations_are_read_from_the_document() {
        let doc = json!({
            "components": {"schemas": {"Page": {"type": "object", "properties": {"results": {"type": "array", "items": {}}}}}},
            "paths": {
                "/items": {"parameters": [{"name": "offset", "in": "query", "schema": {"type": "integer"}}], "get": {"operationId": "Items_List", "tags": ["ItemGroup"],
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}, {"name": "setId", "in": "query"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}},
                "/bare": {"get": {"operationId": "bare", "parameters": [{"name": "Offset", "in": "query", "schema": {"type": "integer"}}, {"name": "LIMIT", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {}}}}}}}},
                "/strings": {"get": {"operationId": "strings", "parameters": [{"name": "offset", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"type": "array", "items": {}}}}}}}},
                "/file": {"post": {"operationId": "Export", "responses": {"200": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}},
                "/either": {"get": {"operationId": "Either", "responses": {"200": {"content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}},
                "/token": {"post": {"operationId": "token", "security": [], "responses": {"200": {}}}}
            }
        });
        let facts = operations(&doc, &paging());
        let items = &facts["items_list"];
        assert_eq!(
            (offset(items), items.group.as_str()),
            (Some((false, true)), "item-group")
        );
        assert_eq!(
            offset(&facts["bare"]),
            Some((true, false)),
            "letter case aside"
        );
        assert_eq!(offset(&facts["strings"]), None, "the walk needs numbers");
        assert!(facts["export"].download && facts["export"].paging.is_none());
        assert!(facts["token"].anonymous && !facts["export"].anonymous);
        assert!(
            !facts["either"].download,
            "JSON offered: progenitor reads JSON"
        );
        assert!(operations(&doc, &Pagings::default())["items_list"]
            .paging
            .is_none());
    }
}
