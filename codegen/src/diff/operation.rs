//! One pair of operations compared: parameters, request body, responses.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use serde_json::Value;

use super::model::{change, Change, OperationDiff};
use super::walk::{resolve, Cx, Direction};
use crate::openapi::{is_json_media_type, status_class};

/// One operation of one side.
pub(super) struct Op<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub id: &'a str,
    pub value: &'a Value,
}

impl Op<'_> {
    /// The report of `changes` to it.
    pub fn report(&self, changes: Vec<Change>) -> OperationDiff {
        OperationDiff {
            method: self.method.to_uppercase(),
            path: self.path.to_string(),
            operation_id: self.id.to_string(),
            group: self.group(),
            changes,
        }
    }

    /// Its resource group: the first tag.
    fn group(&self) -> String {
        self.value
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("(untagged)")
            .to_string()
    }
}

pub(super) fn compare_operation(old: &Value, o: &Op, new: &Value, n: &Op, out: &mut Vec<Change>) {
    compare_parameters(old, o, new, n, out);
    // Request body.
    let ob = o.value.get("requestBody").map(|b| resolve(old, b));
    let nb = n.value.get("requestBody").map(|b| resolve(new, b));
    match (ob, nb) {
        (None, Some(_)) => out.push(change(
            "request_body_added",
            true,
            true,
            "request body",
            "the operation now takes a body".into(),
        )),
        (Some(_), None) => out.push(change(
            "request_body_removed",
            true,
            false,
            "request body",
            "the operation no longer takes a body: `.body()` is gone".into(),
        )),
        (Some(ob), Some(nb)) => {
            compare_content(old, ob, new, nb, "request body", Direction::Request, out);
        }
        (None, None) => {}
    }
    // Responses.
    let empty = serde_json::Map::new();
    let or = o
        .value
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let nr = n
        .value
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let success = |r: &serde_json::Map<String, Value>| -> Vec<String> {
        r.keys()
            .filter(|c| status_class(c) == Some(2))
            .cloned()
            .collect()
    };
    let (os, ns) = (success(or), success(nr));
    if os != ns {
        let obody = os.first().and_then(|c| body_schema(old, &or[c]));
        let nbody = ns.first().and_then(|c| body_schema(new, &nr[c]));
        let type_changes = obody.is_some() != nbody.is_some();
        out.push(change(
            "success_status_changed",
            type_changes,
            true,
            "responses",
            format!(
                "success status {} → {}{}; old clients treat the new status as unexpected",
                os.join("/"),
                ns.join("/"),
                if type_changes {
                    ", and the method's return type changes"
                } else {
                    ""
                }
            ),
        ));
        // Compare the bodies of the old and new success responses with each other.
        if let (Some(oc), Some(nc)) = (os.first(), ns.first()) {
            let at = format!("response {nc}");
            compare_content(
                old,
                resolve(old, &or[oc]),
                new,
                resolve(new, &nr[nc]),
                &at,
                Direction::Response,
                out,
            );
        }
    }
    for (code, ov) in or {
        let at = format!("response {code}");
        match nr.get(code) {
            Some(nv) => compare_content(
                old,
                resolve(old, ov),
                new,
                resolve(new, nv),
                &at,
                Direction::Response,
                out,
            ),
            None if os.contains(code) && os != ns => {}
            None => out.push(change(
                "response_removed",
                false,
                false,
                &at,
                format!("response {code} is no longer declared"),
            )),
        }
    }
    for code in nr.keys().filter(|c| !or.contains_key(*c)) {
        if ns.contains(code) && os != ns {
            continue;
        }
        out.push(change(
            "response_added",
            false,
            false,
            &format!("response {code}"),
            format!("response {code} is now declared"),
        ));
    }
}

/// The schema of a response's (first) body, if it has one.
fn body_schema<'a>(doc: &'a Value, response: &'a Value) -> Option<&'a Value> {
    content_schema(resolve(doc, response))
}

/// The schema of a request body's or response's first media type.
fn content_schema(body: &Value) -> Option<&Value> {
    body.get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
}

fn compare_content(
    old: &Value,
    ob: &Value,
    new: &Value,
    nb: &Value,
    at: &str,
    dir: Direction,
    out: &mut Vec<Change>,
) {
    let keys = |b: &Value| -> Vec<String> {
        b.get("content")
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (ok, nk) = (keys(ob), keys(nb));
    if ok != nk {
        let kind_changed =
            ok.iter().any(|k| is_json_media_type(k)) != nk.iter().any(|k| is_json_media_type(k));
        out.push(change(
            "media_type_changed",
            kind_changed,
            true,
            at,
            format!("media type {} → {}", show_list(&ok), show_list(&nk)),
        ));
    }
    if let (Some(os), Some(ns)) = (content_schema(ob), content_schema(nb)) {
        Cx::new(old, new, dir, true, out).schema(os, ns, at);
    }
}

fn show_list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

fn compare_parameters(old: &Value, o: &Op, new: &Value, n: &Op, out: &mut Vec<Change>) {
    let params = |doc: &Value, op: &Op| -> BTreeMap<(String, String), Value> {
        let text =
            |p: &Value, key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        // An operation's own parameter replaces its path item's of the same name and place.
        crate::openapi::operation_parameters(doc, op.path, op.value)
            .into_iter()
            .map(|p| ((text(p, "in"), text(p, "name")), p.clone()))
            .collect()
    };
    let (op_, np) = (params(old, o), params(new, n));
    let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
    for ((location, name), p) in &np {
        if location == "path" {
            continue;
        }
        let at = format!("{location} parameter {name}");
        match op_.get(&(location.clone(), name.clone())) {
            None if required(p) => out.push(change(
                "parameter_added",
                true,
                true,
                &at,
                "new required parameter: existing calls do not set it".into(),
            )),
            None => out.push(change(
                "parameter_added",
                false,
                false,
                &at,
                "new optional parameter".into(),
            )),
            Some(oldp) => {
                if !required(oldp) && required(p) {
                    out.push(change(
                        "parameter_now_required",
                        true,
                        true,
                        &at,
                        "optional → required: calls that do not set it fail".into(),
                    ));
                } else if required(oldp) && !required(p) {
                    out.push(change(
                        "parameter_now_optional",
                        false,
                        false,
                        &at,
                        "required → optional".into(),
                    ));
                }
                if let (Some(os), Some(ns)) = (oldp.get("schema"), p.get("schema")) {
                    Cx::new(old, new, Direction::Request, true, out).schema(os, ns, &at);
                }
            }
        }
    }
    for (location, name) in op_.keys() {
        if location != "path" && !np.contains_key(&(location.clone(), name.clone())) {
            out.push(change(
                "parameter_removed",
                true,
                false,
                &format!("{location} parameter {name}"),
                format!(
                    "parameter removed: the builder's `.{}()` is gone",
                    name.to_snake_case()
                ),
            ));
        }
    }
}
