//! Validation: everything progenitor would assert, `todo!` or `unwrap` on is rejected here with
//! a message naming the file and JSON pointer, so that progenitor never sees it.
//!
//! [`document`] runs on the assembled input (before normalization); [`generatable`] runs after
//! normalization on what we are about to hand to progenitor; [`typed`] turns JSON into the
//! `openapiv3` model, reporting the pointer of the first value that does not fit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::error::{pointer, Error, Result};
use crate::load::Document;
use crate::openapi::{each_operation, resolve, status_class, METHODS};

/// Structural checks on the assembled document.
pub fn document(doc: &Document) -> Result<()> {
    openapi_version(doc)?;
    references(doc)?;
    operations(doc)?;
    Ok(())
}

fn openapi_version(doc: &Document) -> Result<()> {
    match doc.value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.trim().starts_with("3.0.") => Ok(()),
        Some(v) if v.trim().starts_with("3.1") => Err(Error::invalid(
            doc.locate("/openapi"),
            format!("OpenAPI {v} is not supported: this generator takes OpenAPI 3.0.x documents (convert the document, or ask the vendor for a 3.0 one)"),
        )),
        Some(v) => Err(Error::invalid(
            doc.locate("/openapi"),
            format!("OpenAPI version {v:?} is not supported: expected 3.0.x (Swagger 2.0 documents must be converted first)"),
        )),
        None => Err(Error::invalid(
            doc.locate(""),
            "no `openapi` version field: is this an OpenAPI 3.0 document?",
        )),
    }
}

/// Every `$ref` must be local (`#/...`) and point at something that exists.
fn references(doc: &Document) -> Result<()> {
    /// Maps whose keys are names, not keywords: a property may be called `$ref` (Kubernetes'
    /// `JSONSchemaProps` has one).
    const NAME_MAPS: [&str; 14] = [
        "properties",
        "patternProperties",
        "definitions",
        "schemas",
        "responses",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "requestBodies",
        "mapping",
        "variables",
        "encoding",
        "scopes",
    ];
    fn walk(doc: &Document, v: &Value, at: &mut Vec<String>, names: bool) -> Result<()> {
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").filter(|_| !names) {
                    at.push("$ref".into());
                    let here = doc.locate(&pointer(at.iter()));
                    let Some(r) = r.as_str() else {
                        return Err(Error::invalid(here, "`$ref` must be a string"));
                    };
                    if !r.starts_with("#/") {
                        return Err(Error::invalid(
                            here,
                            format!("external reference {r:?} is not supported: add its target to the spec and use a local `#/...` reference"),
                        ));
                    }
                    if crate::openapi::resolve_pointer(&doc.value, &r[1..]).is_none() {
                        return Err(Error::invalid(
                            here,
                            format!("dangling reference {r:?}: nothing is defined there; fix the name or add the definition"),
                        ));
                    }
                    at.pop();
                }
                for (k, child) in map {
                    // Literal values may look like anything.
                    if !names
                        && (matches!(k.as_str(), "example" | "examples" | "default" | "enum")
                            || k.starts_with("x-"))
                    {
                        continue;
                    }
                    at.push(k.clone());
                    walk(doc, child, at, !names && NAME_MAPS.contains(&k.as_str()))?;
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(i.to_string());
                    walk(doc, child, at, false)?;
                    at.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(doc, &doc.value, &mut Vec::new(), false)
}

/// Operation ids present and unique; path items not `$ref`s; path template parameters and
/// declared path parameters agree; only parameter kinds progenitor supports.
fn operations(doc: &Document) -> Result<()> {
    let mut result = Ok(());
    let mut seen: HashMap<String, String> = HashMap::new();
    if let Some(paths) = doc.value.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                return Err(Error::invalid(
                    doc.locate(&pointer(["paths", path])),
                    "a path item that is a `$ref` is not supported: inline it",
                ));
            }
        }
    }
    each_operation(&doc.value, |path, method, op| {
        if result.is_err() {
            return;
        }
        result = (|| {
            let op_ptr = pointer(["paths", path, method]);
            // A missing operationId is derived by normalization.
            let Some(id) = op
                .get("operationId")
                .and_then(Value::as_str)
                .filter(|id| !id.trim().is_empty())
            else {
                return parameters(doc, path, method, op);
            };
            if let Some(first) = seen.insert(id.to_string(), op_ptr.clone()) {
                return Err(Error::invalid(
                    doc.locate(&format!("{op_ptr}/operationId")),
                    format!("duplicate operationId {id:?}: also used at {}; operationIds name client methods and must be unique", doc.locate(&first)),
                ));
            }
            parameters(doc, path, method, op)
        })();
    });
    result
}

fn parameters(doc: &Document, path: &str, method: &str, op: &Value) -> Result<()> {
    let item = &doc.value["paths"][path];
    let declared = [
        (item, vec!["paths", path]),
        (op, vec!["paths", path, method]),
    ];
    let mut path_params = BTreeSet::new();
    for (owner, base) in declared {
        let Some(params) = owner.get("parameters").and_then(Value::as_array) else {
            continue;
        };
        for (i, p) in params.iter().enumerate() {
            let index = i.to_string();
            let ptr = pointer(base.iter().copied().chain(["parameters", index.as_str()]));
            let p = resolve(&doc.value, p);
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            match p.get("in").and_then(Value::as_str) {
                Some("path") => {
                    path_params.insert(name.to_string());
                }
                Some("query" | "header") => {}
                Some("cookie") => {
                    return Err(Error::invalid(
                        doc.locate(&ptr),
                        format!("cookie parameter {name:?} is not supported by the generator: remove it from the spec, or send it with a custom reqwest client"),
                    ))
                }
                other => {
                    return Err(Error::invalid(
                        doc.locate(&ptr),
                        format!("parameter {name:?} has `in: {}`; expected path, query or header", other.unwrap_or("<missing>")),
                    ))
                }
            }
            if p.get("schema").is_none() && !p.get("content").is_some_and(Value::is_object) {
                return Err(Error::invalid(
                    doc.locate(&ptr),
                    format!("parameter {name:?} has neither a `schema` nor a `content`: give it a schema"),
                ));
            }
        }
    }
    let in_template: BTreeSet<String> = path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    let op_ptr = pointer(["paths", path, method]);
    if let Some(missing) = in_template.difference(&path_params).next() {
        return Err(Error::invalid(
            doc.locate(&op_ptr),
            format!("the path has `{{{missing}}}` but no path parameter named {missing:?} is declared: declare it"),
        ));
    }
    if let Some(extra) = path_params.difference(&in_template).next() {
        return Err(Error::invalid(
            doc.locate(&op_ptr),
            format!("path parameter {extra:?} does not appear in the path template: remove it or fix its name"),
        ));
    }
    Ok(())
}

/// Checks, after normalization, the constructs progenitor asserts or `todo!`s on.
pub fn generatable(doc: &Document) -> Result<()> {
    let mut result = Ok(());
    each_operation(&doc.value, |path, method, op| {
        if result.is_ok() {
            result = operation_generatable(doc, path, method, op);
        }
    });
    result
}

fn operation_generatable(doc: &Document, path: &str, method: &str, op: &Value) -> Result<()> {
    let op_ptr = pointer(["paths", path, method]);
    if op.get("operationId").and_then(Value::as_str).is_none() {
        return Err(Error::invalid(
            doc.locate(&op_ptr),
            "no operationId (normalization derives one): this is a generator bug",
        ));
    }
    if let Some(body) = op.get("requestBody") {
        let body = resolve(&doc.value, body);
        let content = body.get("content").and_then(Value::as_object);
        if let Some(content) = content {
            let here = doc.locate(&format!("{op_ptr}/requestBody/content"));
            if content.len() > 1 {
                return Err(Error::invalid(here, "more than one request media type"));
            }
            if let Some((mt, media)) = content.iter().next() {
                let base = mt.split(';').next().unwrap_or(mt).trim();
                if !crate::openapi::REQUEST_MEDIA_TYPES.contains(&base) {
                    return Err(Error::invalid(
                        here,
                        format!(
                            "request media type {mt:?} is not supported: use one of {}",
                            crate::openapi::REQUEST_MEDIA_TYPES.join(", ")
                        ),
                    ));
                }
                if media.get("schema").is_none() {
                    return Err(Error::invalid(
                        here,
                        format!("request media type {mt:?} has no schema"),
                    ));
                }
                if media
                    .get("encoding")
                    .is_some_and(|e| e.as_object().is_some_and(|m| !m.is_empty()))
                {
                    return Err(Error::invalid(
                        here,
                        format!(
                            "`encoding` on request media type {mt:?} is not supported: remove it"
                        ),
                    ));
                }
            }
        }
    }
    // progenitor gives each operation one success type and one error type; `default` counts
    // as both. Responses that would need two are rejected here rather than panic there.
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Ok(());
    };
    let mut success: BTreeMap<String, &str> = BTreeMap::new();
    let mut error: BTreeMap<String, &str> = BTreeMap::new();
    for (code, response) in responses {
        let response = resolve(&doc.value, response);
        let kind = crate::openapi::response_kind(response);
        if let Some(content) = response.get("content").and_then(Value::as_object) {
            for (mt, media) in content {
                if media
                    .get("encoding")
                    .is_some_and(|e| e.as_object().is_some_and(|m| !m.is_empty()))
                {
                    return Err(Error::invalid(
                        doc.locate(&pointer([
                            "paths",
                            path,
                            method,
                            "responses",
                            code,
                            "content",
                            mt,
                        ])),
                        "`encoding` on a response media type is not supported: remove it",
                    ));
                }
            }
        }
        match status_class(code) {
            Some(1..=3) => {
                success.insert(kind, code);
            }
            Some(_) => {
                error.insert(kind, code);
            }
            None => {
                success.insert(kind.clone(), code);
                error.insert(kind, code);
            }
        }
    }
    for (what, kinds) in [("success", &success), ("error", &error)] {
        if kinds.len() > 1 {
            let codes: Vec<&str> = kinds.values().copied().collect();
            return Err(Error::invalid(
                doc.locate(&format!("{op_ptr}/responses")),
                format!("responses {} have different {what} bodies; the generator supports one {what} body type per operation: make them share one schema", codes.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Converts the JSON document into the `openapiv3` model. A value that does not fit is
/// reported with its pointer. openapiv3 reads path items and `$ref`-or-schema values through
/// untagged enums, which hide where inside them a value failed; so on failure each operation
/// and component schema is read on its own to find the deepest pointer.
pub fn typed(doc: &Document) -> Result<openapiv3::OpenAPI> {
    let mut deepest = match deserialize_at::<openapiv3::OpenAPI>(&doc.value, Vec::new()) {
        Ok(api) => return Ok(api),
        Err(found) => found,
    };
    let mut consider = |found: (Vec<String>, String)| {
        if found.0.len() > deepest.0.len() {
            deepest = found;
        }
    };
    each_operation(&doc.value, |path, method, op| {
        let base = || vec!["paths".to_string(), path.to_string(), method.to_string()];
        if let Err(found) = deserialize_at::<openapiv3::Operation>(op, base()) {
            consider(found);
        }
        for (code, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if response.get("$ref").is_none() {
                let mut at = base();
                at.extend(["responses".to_string(), code.clone()]);
                if let Err(found) = deserialize_at::<openapiv3::Response>(response, at) {
                    consider(found);
                }
            }
        }
    });
    if let Some(schemas) = doc
        .value
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if schema.get("$ref").is_some() {
                continue;
            }
            let base = vec!["components".into(), "schemas".into(), name.clone()];
            if let Err(found) = deserialize_at::<openapiv3::Schema>(schema, base) {
                consider(found);
            }
        }
    }
    Err(Error::invalid(
        doc.locate(&pointer(deepest.0.iter())),
        format!("not a valid OpenAPI 3.0 value here: {}", deepest.1),
    ))
}

/// Deserializes `value`, returning on failure the path (below `base`) and the message.
fn deserialize_at<T: serde::de::DeserializeOwned>(
    value: &Value,
    base: Vec<String>,
) -> Result<T, (Vec<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut segments = base;
        segments.extend(e.path().iter().filter_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            _ => None,
        }));
        (segments, e.inner().to_string())
    })
}

/// Methods, re-exported for callers that count operations.
pub fn operation_count(doc: &Value) -> usize {
    doc.get("paths").and_then(Value::as_object).map_or(0, |p| {
        p.values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum()
    })
}
