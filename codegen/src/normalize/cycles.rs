//! Composition cycles: schemas that reach themselves through `allOf`, `oneOf` or `anyOf`.
//!
//! The .NET way to describe inheritance (Veeam Backup & Replication's document has 384 such
//! schemas) is a base schema listing its subtypes in `oneOf` with a `discriminator`, and each
//! subtype taking the base's fields through `allOf: [$ref base, ...]`. typify merges `allOf`
//! by resolving the base, whose `oneOf` leads back to the subtype, whose `allOf` leads to the
//! base...: it recurses until the stack overflows, which aborts the process (no message, no
//! file, nothing `catch_unwind` can catch). So no cycle reaches typify: [`break_cycles`]
//! finds them and cuts them, first where the .NET pattern says (the base's list of
//! subtypes), then, for anything left, the composition edge that closes the cycle. Each cut
//! is a warning naming the schema and what was lost.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::report::Report;
use crate::error::pointer;
use crate::openapi::all_properties;

const COMPOSITIONS: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// The component schemas `schema` refers to through compositions only (not through
/// properties, items or maps, which typify puts behind a pointer): (keyword, target).
fn composition_refs(schema: &Value, out: &mut BTreeSet<(&'static str, String)>) {
    for keyword in COMPOSITIONS {
        for part in schema
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = part
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.insert((keyword, name.to_string()));
            }
            // An inline part composes in its turn.
            composition_refs(part, out);
        }
    }
}

/// The composition graph of the component schemas: schema -> (keyword, target).
fn graph(doc: &Value) -> BTreeMap<String, BTreeSet<(&'static str, String)>> {
    let mut g = BTreeMap::new();
    for (name, schema) in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut refs = BTreeSet::new();
        composition_refs(schema, &mut refs);
        g.insert(name.clone(), refs);
    }
    g
}

/// The strongly connected components with a cycle (more than one schema, or a schema that
/// composes itself), each sorted; found with Tarjan's algorithm, iteratively (the graph can
/// be deep: no recursion here either).
fn cyclic_components(g: &BTreeMap<String, BTreeSet<(&'static str, String)>>) -> Vec<Vec<String>> {
    let names: Vec<&String> = g.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            g[*n]
                .iter()
                .filter_map(|(_, t)| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let n = names.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut out) = (Vec::new(), 0, Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next edge to visit)
        let mut work = vec![(root, 0)];
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if *e == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *e < edges[v].len() {
                let w = edges[v][*e];
                *e += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(names[w].clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || edges[v].contains(&v) {
                    component.sort();
                    out.push(component);
                }
            }
        }
    }
    out
}

/// Cuts every composition cycle among the component schemas (see the module doc).
pub fn break_cycles(doc: &mut Value, report: &mut Report) {
    // Bounded: each round removes at least one edge of the graph.
    for _ in 0..10_000 {
        let g = graph(doc);
        let components = cyclic_components(&g);
        if components.is_empty() {
            return;
        }
        for component in components {
            let members: BTreeSet<&String> = component.iter().collect();
            // The .NET pattern: a base that lists, in oneOf/anyOf, subtypes that take its
            // fields through allOf. Drop the list (and its discriminator): the subtypes stay
            // types of their own, and the base keeps its own fields.
            let taken: BTreeSet<&String> = component
                .iter()
                .flat_map(|m| {
                    g[m.as_str()]
                        .iter()
                        .filter(|(k, _)| *k == "allOf")
                        .map(|(_, t)| t)
                })
                .collect();
            let bases: Vec<String> = component
                .iter()
                .filter(|name| {
                    taken.contains(name)
                        && g[name.as_str()]
                            .iter()
                            .any(|(k, t)| *k != "allOf" && members.contains(t))
                })
                .cloned()
                .collect();
            let cut: Vec<String> = if bases.is_empty() {
                vec![component[0].clone()]
            } else {
                bases
            };
            for name in cut {
                cut_schema(doc, &name, &members, report);
            }
        }
    }
}

/// Removes from schema `name` the compositions that lead back into its cycle (`members`):
/// its `oneOf`/`anyOf` lists and discriminator when it has them, else its `allOf` parts that
/// refer into the cycle.
fn cut_schema(doc: &mut Value, name: &str, members: &BTreeSet<&String>, report: &mut Report) {
    let at = pointer(["components", "schemas", name]);
    let Some(schema) = doc.pointer_mut(&at).and_then(Value::as_object_mut) else {
        return;
    };
    let into_cycle = |part: &Value| {
        let mut refs = BTreeSet::new();
        refs.extend(
            part.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(|n| ("", n.to_string())),
        );
        composition_refs(part, &mut refs);
        refs.iter().any(|(_, t)| members.contains(t))
    };
    let mut lost = Vec::new();
    let mut fields = Vec::new();
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(parts)) = schema.get(keyword) else {
            continue;
        };
        if parts.iter().any(into_cycle) {
            let variants: Vec<String> = parts
                .iter()
                .filter_map(|p| {
                    p.get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.rsplit('/').next())
                        .map(str::to_string)
                })
                .collect();
            fields.extend(variants.iter().cloned());
            schema.shift_remove(keyword);
            lost.push(format!(
                "its `{keyword}` list of subtypes ({})",
                variants.join(", ")
            ));
        }
    }
    if !lost.is_empty() {
        if schema.shift_remove("discriminator").is_some() {
            lost.push("its discriminator".into());
        }
        // What a value decoded as the base loses: each subtype's fields the base has not.
        let none = serde_json::Map::new();
        let schemas = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .unwrap_or(&none);
        let base = all_properties(schemas, name);
        let fields: Vec<String> = fields
            .iter()
            .flat_map(|v| {
                all_properties(schemas, v)
                    .into_iter()
                    .filter(|p| !base.contains(p))
                    .map(move |p| format!("{v}.{p}"))
            })
            .collect();
        let fields = if fields.is_empty() {
            "no field is lost".to_string()
        } else {
            format!(
                "{} subtype-only properties are lost: {}",
                fields.len(),
                fields.join(", ")
            )
        };
        report.degrade(
            "break_composition_cycles",
            at,
            format!(
                "schema {name} and its subtypes refer to each other through allOf/oneOf (typify would recurse until the stack overflows): dropped {}; a value of type {name} decodes its own fields only, the subtypes stay types of their own; {fields}",
                lost.join(" and ")
            ),
        );
        return;
    }
    if let Some(Value::Array(parts)) = schema.get_mut("allOf") {
        let before = parts.len();
        parts.retain(|p| !into_cycle(p));
        if parts.len() != before {
            report.degrade(
                "break_composition_cycles",
                at,
                format!("schema {name} composes itself through allOf (typify would recurse until the stack overflows): dropped the allOf parts that lead back to it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_dotnet_pattern_loses_the_base_s_subtype_list_only() {
        let mut doc = json!({"components": {"schemas": {
            "Job": {"type": "object", "properties": {"type": {"type": "string"}, "id": {}},
                    "oneOf": [{"$ref": "#/components/schemas/BackupJob"}, {"$ref": "#/components/schemas/CopyJob"}],
                    "discriminator": {"propertyName": "type"}},
            "BackupJob": {"allOf": [{"$ref": "#/components/schemas/Job"}, {"properties": {"repo": {}}}]},
            "CopyJob": {"allOf": [{"$ref": "#/components/schemas/Job"}]},
            "Page": {"properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}
        }}});
        let mut report = Report::default();
        break_cycles(&mut doc, &mut report);
        let job = &doc["components"]["schemas"]["Job"];
        assert!(job.get("oneOf").is_none() && job.get("discriminator").is_none());
        assert_eq!(job["properties"]["type"], json!({"type": "string"}));
        assert_eq!(
            doc["components"]["schemas"]["BackupJob"]["allOf"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let warnings = &report.degraded["break_composition_cycles"];
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].1.contains("BackupJob, CopyJob"), "{warnings:?}");
        assert!(
            warnings[0]
                .1
                .ends_with("1 subtype-only properties are lost: BackupJob.repo"),
            "{warnings:?}"
        );
        assert!(cyclic_components(&graph(&doc)).is_empty());
    }

    #[test]
    fn a_pure_allof_cycle_is_cut_and_acyclic_documents_are_untouched() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"properties": {"x": {}}}]},
            "Self": {"anyOf": [{"$ref": "#/components/schemas/Self"}, {"type": "string"}]},
            "Tree": {"properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}
        }}});
        let mut report = Report::default();
        break_cycles(&mut doc, &mut report);
        assert!(cyclic_components(&graph(&doc)).is_empty());
        assert_eq!(report.degraded["break_composition_cycles"].len(), 2);
        // Recursion through properties is fine (typify boxes it): untouched.
        assert!(
            doc["components"]["schemas"]["Tree"]["properties"]["children"]["items"]["$ref"]
                .is_string()
        );
        let clean = json!({"components": {"schemas": {"A": {"allOf": [{"$ref": "#/components/schemas/B"}]}, "B": {}}}});
        let mut same = clean.clone();
        let mut report = Report::default();
        break_cycles(&mut same, &mut report);
        assert_eq!(same, clean);
        assert!(report.degraded.is_empty());
    }

    #[test]
    fn a_long_chain_needs_no_deep_recursion() {
        let mut schemas = serde_json::Map::new();
        for i in 0..20_000 {
            schemas.insert(
                format!("S{i}"),
                json!({"allOf": [{"$ref": format!("#/components/schemas/S{}", i + 1)}]}),
            );
        }
        schemas.insert(
            "S20000".into(),
            json!({"allOf": [{"$ref": "#/components/schemas/S0"}]}),
        );
        let mut doc = json!({"components": {"schemas": schemas}});
        let mut report = Report::default();
        break_cycles(&mut doc, &mut report);
        assert!(cyclic_components(&graph(&doc)).is_empty());
    }
}
