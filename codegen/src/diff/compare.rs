//! The comparison of the two documents: operations paired, added, removed, moved and renamed,
//! then each pair compared (operation.rs), then the component schemas (schemas.rs).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use super::model::{change, Class, CrateEffect, Diff};
use super::operation::{compare_operation, Op};
use super::path_rule::PathRule;
use super::schemas::compare_schemas;
use crate::openapi::METHODS;

fn operations<'a>(doc: &'a Value, rule: &PathRule) -> BTreeMap<String, Op<'a>> {
    let mut out = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
                    out.insert(
                        rule.key(method, path),
                        Op {
                            method,
                            path,
                            id,
                            value: op,
                        },
                    );
                }
            }
        }
    }
    out
}

/// Compares two assembled, normalized documents.
pub fn diff(old: &Value, new: &Value, rule: &PathRule) -> Diff {
    let old_ops = operations(old, rule);
    let new_ops = operations(new, rule);
    let mut result = Vec::new();
    let mut effect = CrateEffect::default();

    let removed: Vec<&String> = old_ops
        .keys()
        .filter(|k| !new_ops.contains_key(*k))
        .collect();
    let added: Vec<&String> = new_ops
        .keys()
        .filter(|k| !old_ops.contains_key(*k))
        .collect();
    // A removed and an added operation with the same operationId is one that moved.
    let added_ids: BTreeMap<&str, &String> = added.iter().map(|k| (new_ops[*k].id, *k)).collect();
    let mut moved_to: BTreeSet<&String> = BTreeSet::new();

    for key in &removed {
        let o = &old_ops[*key];
        if let Some(new_key) = added_ids.get(o.id) {
            let n = &new_ops[*new_key];
            moved_to.insert(new_key);
            let mut changes = vec![change(
                "operation_moved",
                false,
                true,
                "",
                format!("now {} {} (was {} {}); the method keeps its name, old clients call the old path", n.method.to_uppercase(), n.path, o.method.to_uppercase(), o.path),
            )];
            compare_operation(old, o, new, n, &mut changes);
            effect.methods_changed.push(o.id.to_snake_case());
            result.push(n.report(changes));
            continue;
        }
        effect.methods_removed.push(o.id.to_snake_case());
        result.push(o.report(vec![change(
            "operation_removed",
            true,
            true,
            "",
            format!(
                "method `{}` is gone, and the server no longer answers this path",
                o.id.to_snake_case()
            ),
        )]));
    }
    for key in added.iter().filter(|k| !moved_to.contains(*k)) {
        let n = &new_ops[*key];
        effect.methods_added.push(n.id.to_snake_case());
        result.push(n.report(vec![change(
            "operation_added",
            false,
            false,
            "",
            format!("new method `{}`", n.id.to_snake_case()),
        )]));
    }
    for (key, o) in &old_ops {
        let Some(n) = new_ops.get(key) else { continue };
        let mut changes = Vec::new();
        if o.id != n.id {
            changes.push(change(
                "operation_renamed",
                true,
                false,
                "",
                format!(
                    "operationId {} → {}: method `{}` is now `{}`; the request is unchanged",
                    o.id,
                    n.id,
                    o.id.to_snake_case(),
                    n.id.to_snake_case()
                ),
            ));
        }
        compare_operation(old, o, new, n, &mut changes);
        if !changes.is_empty() {
            if changes.iter().any(|c| c.class == Class::BreakingCode) || o.id != n.id {
                effect.methods_changed.push(n.id.to_snake_case());
            }
            result.push(n.report(changes));
        }
    }
    result.sort_by(|a, b| {
        (a.path.to_lowercase(), &a.method).cmp(&(b.path.to_lowercase(), &b.method))
    });

    let schemas = compare_schemas(old, new, &mut effect);
    for list in [
        &mut effect.methods_added,
        &mut effect.methods_removed,
        &mut effect.methods_changed,
        &mut effect.types_added,
        &mut effect.types_removed,
        &mut effect.types_changed,
    ] {
        list.sort();
        list.dedup();
    }
    Diff {
        operations: result,
        schemas,
        crate_effect: effect,
    }
}
