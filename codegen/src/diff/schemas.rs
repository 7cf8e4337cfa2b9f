//! The component schemas compared alone, each judged by how the new side uses it.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{change, CrateEffect, SchemaDiff};
use super::walk::{ref_name, Cx, Direction};

pub(super) fn compare_schemas(
    old: &Value,
    new: &Value,
    effect: &mut CrateEffect,
) -> Vec<SchemaDiff> {
    let empty = serde_json::Map::new();
    let os = old
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let ns = new
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = Vec::new();
    let uses = schema_uses(new);
    for (name, n) in ns {
        let changes = match os.get(name) {
            None => {
                effect.types_added.push(crate::names::type_name(name));
                vec![change(
                    "schema_added",
                    false,
                    false,
                    "",
                    format!("new type `{}`", crate::names::type_name(name)),
                )]
            }
            Some(o) => {
                // A schema alone has no direction: judge it as its new users use it, and as
                // the stricter of the two where requests and responses both use it.
                let (in_request, in_response) = (uses.0.contains(name), uses.1.contains(name));
                let judge = |dir: Direction| {
                    let mut found = Vec::new();
                    Cx::new(old, new, dir, false, &mut found).schema(o, n, "");
                    found
                };
                let changes = match (in_request, in_response) {
                    (true, false) => judge(Direction::Request),
                    (true, true) => {
                        let as_response = judge(Direction::Response);
                        judge(Direction::Request)
                            .into_iter()
                            .zip(as_response)
                            .map(|(a, b)| {
                                if (a.class, !a.breaks_wire) <= (b.class, !b.breaks_wire) {
                                    a
                                } else {
                                    b
                                }
                            })
                            .collect()
                    }
                    _ => judge(Direction::Response),
                };
                if !changes.is_empty() {
                    effect.types_changed.push(crate::names::type_name(name));
                }
                changes
            }
        };
        if !changes.is_empty() {
            out.push(SchemaDiff {
                name: name.clone(),
                changes,
            });
        }
    }
    for name in os.keys().filter(|k| !ns.contains_key(*k)) {
        effect.types_removed.push(crate::names::type_name(name));
        out.push(SchemaDiff {
            name: name.clone(),
            changes: vec![change(
                "schema_removed",
                true,
                false,
                "",
                format!("type `{}` is gone", crate::names::type_name(name)),
            )],
        });
    }
    out.sort_by_key(|s| s.name.to_lowercase());
    out
}

/// Names of the component schemas reachable from requests (bodies and parameters) and from
/// responses.
fn schema_uses(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    fn refs(v: &Value, acc: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(name) = ref_name(v) {
                    acc.push(name.to_string());
                }
                m.values().for_each(|c| refs(c, acc));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, acc)),
            _ => {}
        }
    }
    let closure = |mut todo: Vec<String>| {
        let mut seen = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if seen.insert(name.clone()) {
                if let Some(schema) = doc.pointer(&format!(
                    "/components/schemas/{}",
                    crate::error::escape_segment(&name)
                )) {
                    refs(schema, &mut todo);
                }
            }
        }
        seen
    };
    let (mut request, mut response) = (Vec::new(), Vec::new());
    crate::openapi::each_operation(doc, |_, _, op| {
        for key in ["parameters", "requestBody"] {
            if let Some(v) = op.get(key) {
                refs(v, &mut request);
            }
        }
        if let Some(v) = op.get("responses") {
            refs(v, &mut response);
        }
    });
    (closure(request), closure(response))
}
