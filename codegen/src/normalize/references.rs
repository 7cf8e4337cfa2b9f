//! Passes on references: `$ref`s progenitor does not follow (outside `components`, to
//! request bodies, parameters and responses), and component names that would collide.

use serde_json::{Map, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{each_object_mut, each_operation_mut};

/// `$ref`s to places outside `#/components/` (DigitalOcean's bundled document reuses
/// parameters and schemas of other operations as `#/paths/~1v2~1.../parameters/0`, some
/// percent-encoded): progenitor resolves only component references. Each is replaced by a
/// copy of what it points at (its own references are left to resolve in turn).
pub fn inline_foreign_refs(doc: &mut Value, report: &mut Report) {
    // Bounded: a chain of foreign references is followed this many times at most.
    for _ in 0..16 {
        let snapshot = doc.clone();
        let mut changed = false;
        each_object_mut(doc, |at, map| {
            let Some(target) = map.get("$ref").and_then(Value::as_str) else {
                return;
            };
            if !is_foreign(target) {
                return;
            }
            let Some(found) = crate::openapi::resolve_pointer(&snapshot, &target[1..]) else {
                return;
            };
            // A reference to itself or to something holding it would never end.
            if found.get("$ref").and_then(Value::as_str) == Some(target) {
                return;
            }
            let Value::Object(found) = found.clone() else {
                return;
            };
            map.clear();
            map.extend(found);
            report.note(
                "inline_foreign_refs",
                pointer(at.iter().map(String::as_str).chain(["$ref"])),
            );
            changed = true;
        });
        if !changed {
            return;
        }
    }
}

/// A reference progenitor does not resolve: anything but a whole schema, response or
/// parameter of `components` (a property of a schema, `#/paths/...`), and references to
/// request bodies and parameters, which the passes after this one want to see inline.
fn is_foreign(target: &str) -> bool {
    let Some(rest) = target.strip_prefix("#/") else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        ["components", "requestBodies" | "parameters", _] => true,
        ["components", _, _] => false,
        _ => true,
    }
}

/// Component schemas whose names make the same Rust name (Stripe's
/// `financial_connections.account_ownership` and `financial_connections_account_ownership`):
/// the later ones are renamed (`..._2`), every reference with them.
pub fn rename_colliding_schemas(doc: &mut Value, report: &mut Report) {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return;
    };
    let mut taken = std::collections::BTreeSet::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    for name in schemas.keys() {
        if taken.insert(crate::names::type_name(name)) {
            continue;
        }
        let mut n = 2;
        let mut new = format!("{name}_{n}");
        while !taken.insert(crate::names::type_name(&new)) || schemas.contains_key(&new) {
            n += 1;
            new = format!("{name}_{n}");
        }
        renames.push((name.clone(), new));
    }
    if renames.is_empty() {
        return;
    }
    let map: std::collections::BTreeMap<String, String> = renames
        .iter()
        .map(|(old, new)| {
            (
                format!("#/components/schemas/{}", crate::error::escape_segment(old)),
                format!("#/components/schemas/{new}"),
            )
        })
        .collect();
    each_object_mut(doc, |_, obj| {
        if let Some(Value::String(r)) = obj.get_mut("$ref") {
            if let Some(new) = map.get(r.as_str()) {
                *r = new.clone();
            }
        }
    });
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (old, new) in renames {
            if let Some(schema) = schemas.shift_remove(&old) {
                schemas.insert(new.clone(), schema);
                report.degrade(
                    "rename_colliding_schemas",
                    pointer(["components", "schemas", old.as_str()]),
                    format!("schema {old:?} makes the same Rust name as another: renamed {new:?}"),
                );
            }
        }
    }
}

/// Responses given as `$ref`s to `components/responses` (GitHub's `not_modified`): passes
/// that rewrite a response's content need it inline. Each becomes a copy of its target.
pub fn inline_response_refs(doc: &mut Value, report: &mut Report) {
    let snapshot = doc.clone();
    each_operation_mut(doc, |path, method, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for (code, response) in responses.iter_mut() {
            let Some(target) = response.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            let Some(Value::Object(found)) = target
                .strip_prefix('#')
                .and_then(|p| crate::openapi::resolve_pointer(&snapshot, p))
                .cloned()
            else {
                continue;
            };
            *response = Value::Object(Map::from_iter(found));
            report.note(
                "inline_response_refs",
                pointer(["paths", path, method, "responses", code.as_str()]),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::operations::drop_options_and_trace;
    use crate::normalize::report::run_pass as run;
    use serde_json::json;

    #[test]
    fn what_progenitor_does_not_resolve_is_foreign() {
        assert!(!is_foreign("#/components/schemas/Disk"));
        assert!(is_foreign(
            "#/components/schemas/Disk/properties/filesystem"
        ));
        assert!(is_foreign("#/components/requestBodies/Upload"));
        assert!(is_foreign("#/paths/~1a/get/parameters/0"));
        assert!(!is_foreign("other.yaml#/x"));
    }

    #[test]
    fn foreign_and_percent_encoded_refs_are_inlined() {
        let before = json!({"paths": {
            "/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}]}},
            "/b/{id}": {"get": {"parameters": [{"$ref": "#/paths/~1a~1%7Bid%7D/get/parameters/0"}]}}
        }});
        let (after, report) = run(inline_foreign_refs, before);
        assert_eq!(
            after.pointer("/paths/~1b~1{id}/get/parameters/0/name"),
            Some(&json!("id"))
        );
        assert_eq!(report.changes["inline_foreign_refs"].len(), 1);
    }

    #[test]
    fn colliding_schema_names_are_renamed_with_their_references() {
        let before = json!({
            "paths": {"/a": {"options": {}, "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/fc.owner"}}}}}}}},
            "components": {"schemas": {"fc_owner": {"type": "object"}, "fc.owner": {"type": "object", "properties": {"x": {}}}}}});
        let mut doc = before;
        let mut report = Report::default();
        drop_options_and_trace(&mut doc, &mut report);
        rename_colliding_schemas(&mut doc, &mut report);
        assert!(doc.pointer("/paths/~1a/options").is_none());
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/fc.owner_2"))
        );
        assert!(doc
            .pointer("/components/schemas/fc.owner_2/properties/x")
            .is_some());
        assert!(doc.pointer("/components/schemas/fc_owner").is_some());
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn response_refs_are_inlined() {
        let before = json!({"components": {"responses": {"NotModified": {"description": "nm"}}},
            "paths": {"/a": {"get": {"responses": {"304": {"$ref": "#/components/responses/NotModified"}}}}}});
        let (after, _) = run(inline_response_refs, before);
        assert_eq!(
            after.pointer("/paths/~1a/get/responses/304"),
            Some(&json!({"description": "nm"}))
        );
    }
}
