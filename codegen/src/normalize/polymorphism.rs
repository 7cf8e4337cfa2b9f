//! Polymorphism: a base schema and its subtypes, told apart by a discriminator, as one tagged
//! union.
//!
//! The .NET way to describe inheritance: a base (`Job`) names a `discriminator` property and
//! lists its subtypes in `oneOf` and/or the discriminator's `mapping`; each subtype
//! (`BackupJob`) takes the base's fields through `allOf: [$ref Job, ...]` and adds its own.
//! typify recurses forever on that cycle, and cutting it (dropping the base's subtype list)
//! makes every job decode as the base, its subtype's fields dropped without a word.
//!
//! [`tagged_unions`] keeps them instead. The base's own fields become a schema of their own
//! (`JobBase`); each subtype takes them from there (`allOf: [$ref JobBase, ...]`), so typify
//! makes it a struct with every field it has; and the base is left as a placeholder carrying
//! a [`UnionPlan`] under [`UNION`]: which property tells the kinds apart, and which values
//! name which subtype. The glue makes the placeholder a `veeam_runtime::tagged_union!`, whose
//! `Unknown` variant keeps a kind the crate does not know (a newer server's) whole.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::report::Report;
use crate::error::pointer;
use crate::openapi::{all_properties, own_properties, schema_ref};

/// The extension on a base schema that says it is a union, with its [`UnionPlan`].
pub const UNION: &str = "x-veeam-union";

const PREFIX: &str = "#/components/schemas/";

/// What the glue needs to write a union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnionPlan {
    /// The discriminator property (its wire name).
    pub property: String,
    /// The component schema with the base's own fields.
    pub base: String,
    /// Each subtype (a component schema) and the discriminator values that name it; the
    /// first is the one written for a value built in code.
    pub variants: Vec<Variant>,
}

/// One kind of a union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub schema: String,
    pub tags: Vec<String>,
}

/// The schema and its inline `allOf` parts: where a subtype that is a base in its turn keeps
/// its `discriminator` and subtype list.
fn own_parts(schema: &Value) -> impl Iterator<Item = &Value> {
    std::iter::once(schema).chain(
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| schema_ref(p).is_none()),
    )
}

/// The discriminator value a subtype gives itself: a single-value `enum` (or `const`) on the
/// property, in its own part.
fn own_tag(schema: &Value, property: &str) -> Option<String> {
    for part in own_parts(schema) {
        let Some(p) = part.pointer(&pointer(["properties", property])) else {
            continue;
        };
        if let Some(Value::String(tag)) = p.get("const") {
            return Some(tag.clone());
        }
        if let Some([Value::String(tag)]) =
            p.get("enum").and_then(Value::as_array).map(Vec::as_slice)
        {
            return Some(tag.clone());
        }
    }
    None
}

/// A name for the base's own fields that no schema has, as typify names types.
fn free_name(schemas: &Map<String, Value>, taken: &mut BTreeSet<String>, base: &str) -> String {
    for n in 0.. {
        let name = if n == 0 {
            format!("{base}Base")
        } else {
            format!("{base}Base{n}")
        };
        let rust = crate::names::type_name(&name);
        if !schemas.keys().any(|k| crate::names::type_name(k) == rust) && taken.insert(rust) {
            return name;
        }
    }
    unreachable!("some name is free")
}

/// Makes every base with a discriminator and subtypes that take its fields through `allOf`
/// a tagged union (see the module doc). What it cannot represent (an inline subtype, a
/// mapping to no schema) stays as it was, with a warning: the cycle pass then cuts it.
pub fn tagged_unions(doc: &mut Value, report: &mut Report) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    // base -> the subtypes that take its fields through allOf and add some of their own.
    let mut subtypes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, schema) in schemas {
        let parts = schema.get("allOf").and_then(Value::as_array);
        for base in parts.into_iter().flatten().filter_map(schema_ref) {
            if !own_properties(schema).is_empty() || parts.is_some_and(|p| p.len() > 1) {
                subtypes.entry(base).or_default().push(name);
            }
        }
    }
    let mut plans: BTreeMap<String, UnionPlan> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for (base, schema) in schemas {
        let Some(property) =
            own_parts(schema).find_map(|p| p.pointer("/discriminator/propertyName")?.as_str())
        else {
            continue;
        };
        let Some(children) = subtypes.get(base.as_str()) else {
            // Subtypes that do not take the base's fields (VB365's events): the base
            // already describes them, or oneOf handles them; not this pattern.
            continue;
        };
        let at = pointer(["components", "schemas", base]);
        let mut variants: Vec<Variant> = Vec::new();
        let mut refused = None;
        let add = |schema_name: &str, tag: Option<String>, variants: &mut Vec<Variant>| {
            // The base named as one of its own kinds: a value of just the base's fields.
            let tag = tag.unwrap_or_else(|| {
                own_tag(&schemas[schema_name], property).unwrap_or_else(|| schema_name.to_string())
            });
            if variants.iter().any(|v| v.tags.contains(&tag)) {
                return;
            }
            match variants.iter_mut().find(|v| v.schema == schema_name) {
                Some(v) => v.tags.push(tag),
                None => variants.push(Variant {
                    schema: schema_name.to_string(),
                    tags: vec![tag],
                }),
            }
        };
        if let Some(mapping) =
            own_parts(schema).find_map(|p| p.pointer("/discriminator/mapping")?.as_object())
        {
            for (tag, target) in mapping {
                let target = target.as_str().unwrap_or_default();
                // A mapping value may be a schema's name instead of a reference.
                let name = target.strip_prefix(PREFIX).unwrap_or(target);
                if schemas.contains_key(name) {
                    add(name, Some(tag.clone()), &mut variants);
                } else {
                    refused = Some(format!(
                        "its discriminator maps {tag:?} to {target:?}, which is no component schema"
                    ));
                }
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            for part in own_parts(schema)
                .filter_map(|p| p.get(keyword)?.as_array())
                .flatten()
            {
                match schema_ref(part).filter(|n| schemas.contains_key(*n)) {
                    Some(name) if variants.iter().any(|v| v.schema == name) => {}
                    Some(name) => add(name, None, &mut variants),
                    None => {
                        refused = Some(format!(
                            "its `{keyword}` has a subtype that is not a component schema"
                        ))
                    }
                }
            }
        }
        for child in children {
            if !variants.iter().any(|v| v.schema == *child) {
                add(child, None, &mut variants);
            }
        }
        if let Some(why) = refused {
            report.degrade(
                "tagged_unions",
                at,
                format!("schema {base} is not made a union of its subtypes: {why}"),
            );
            continue;
        }
        let plan = UnionPlan {
            property: property.to_string(),
            base: free_name(schemas, &mut taken, base),
            variants,
        };
        plans.insert(base.clone(), plan);
    }
    if plans.is_empty() {
        return;
    }
    // A kind of a kind: a value the union's own subtype union knows goes to that subtype.
    for _ in 0..plans.len() {
        let snapshot = plans.clone();
        let mut changed = false;
        for plan in plans.values_mut() {
            for i in 0..plan.variants.len() {
                let Some(inner) = snapshot.get(&plan.variants[i].schema) else {
                    continue;
                };
                if inner.property != plan.property {
                    continue;
                }
                for tag in inner.variants.iter().flat_map(|v| &v.tags) {
                    if !plan.variants.iter().any(|v| v.tags.contains(tag)) {
                        plan.variants[i].tags.push(tag.clone());
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("read above");
    for (base, plan) in &mut plans {
        let mut own = schemas[base.as_str()].clone();
        let strip = |part: &mut Value| {
            if let Some(part) = part.as_object_mut() {
                part.shift_remove("oneOf");
                part.shift_remove("anyOf");
                part.shift_remove("discriminator");
            }
        };
        strip(&mut own);
        for part in own
            .get_mut("allOf")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if schema_ref(part).is_none() {
                strip(part);
            }
        }
        for v in &mut plan.variants {
            if v.schema == *base {
                v.schema = plan.base.clone();
            }
        }
        let mut placeholder = json!({"type": "object"});
        if let Some(d) = own.get("description") {
            placeholder["description"] = d.clone();
        }
        if let Some(own) = own.as_object_mut() {
            own.insert(
                "description".into(),
                Value::String(format!(
                    "The fields every kind of `{}` has: what a kind this crate does not know \
                     decodes into.",
                    crate::names::type_name(base)
                )),
            );
        }
        placeholder[UNION] = serde_json::to_value(&*plan).expect("plain data");
        schemas.insert(plan.base.clone(), own);
        schemas.insert(base.clone(), placeholder);
    }
    // Subtypes (and bases that are subtypes themselves) take the base's fields from the
    // base's own schema now. A one-part allOf that is no listed kind is an alias: it stays.
    let listed: BTreeMap<&str, BTreeSet<&str>> = plans
        .iter()
        .map(|(b, p)| {
            (
                b.as_str(),
                p.variants.iter().map(|v| v.schema.as_str()).collect(),
            )
        })
        .collect();
    let bases: BTreeSet<&str> = plans.values().map(|p| p.base.as_str()).collect();
    for (name, schema) in schemas.iter_mut() {
        let Some(parts) = schema.get_mut("allOf").and_then(Value::as_array_mut) else {
            continue;
        };
        let several = parts.len() > 1;
        for part in parts {
            let Some(target) = schema_ref(part).map(str::to_string) else {
                continue;
            };
            let Some(plan) = plans.get(&target) else {
                continue;
            };
            if several
                || bases.contains(name.as_str())
                || listed[target.as_str()].contains(name.as_str())
            {
                part["$ref"] = Value::String(format!("{PREFIX}{}", plan.base));
            }
        }
    }
    for (base, plan) in &plans {
        let own = all_properties(schemas, &plan.base);
        // A kind that is a union in its turn counts its own base; its kinds count there.
        let kept: usize = plan
            .variants
            .iter()
            .map(|v| {
                plans
                    .get(&v.schema)
                    .map_or(v.schema.as_str(), |p| p.base.as_str())
            })
            .map(|v| all_properties(schemas, v).difference(&own).count())
            .sum();
        report.note(
            "tagged_unions",
            format!(
                "{} ({} kinds, {kept} subtype-only properties kept)",
                pointer(["components", "schemas", base]),
                plan.variants.len()
            ),
        );
    }
}

/// The unions [`tagged_unions`] made, by base schema name.
pub fn plans(doc: &Value) -> BTreeMap<String, UnionPlan> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| {
            let plan = serde_json::from_value(s.get(UNION)?.clone()).ok()?;
            Some((name.clone(), plan))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::report::run_pass;

    fn jobs() -> Value {
        json!({"components": {"schemas": {
            "Job": {"type": "object", "description": "A job.", "required": ["type"],
                    "properties": {"type": {"$ref": "#/components/schemas/JobType"}, "name": {"type": "string"}},
                    "oneOf": [{"$ref": "#/components/schemas/BackupJob"}, {"$ref": "#/components/schemas/CopyJob"}],
                    "discriminator": {"propertyName": "type", "mapping": {
                        "Backup": "#/components/schemas/BackupJob", "Copy": "#/components/schemas/CopyJob"}}},
            "JobType": {"type": "string", "enum": ["Backup", "Copy", "VSphereBackup"]},
            "BackupJob": {"allOf": [{"$ref": "#/components/schemas/Job"},
                {"type": "object", "properties": {"repository": {"type": "string"}},
                 "oneOf": [{"$ref": "#/components/schemas/VSphereBackupJob"}],
                 "discriminator": {"propertyName": "type"}}]},
            "VSphereBackupJob": {"allOf": [{"$ref": "#/components/schemas/BackupJob"},
                {"properties": {"type": {"enum": ["VSphereBackup"]}, "vcenter": {"type": "string"}}}]},
            "CopyJob": {"allOf": [{"$ref": "#/components/schemas/Job"}, {"properties": {"source": {}}}]},
            "JobAlias": {"allOf": [{"$ref": "#/components/schemas/Job"}]},
            "Page": {"properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}}
        }}})
    }

    #[test]
    fn a_base_becomes_a_union_of_its_subtypes_and_nothing_is_lost() {
        let (doc, report) = run_pass(tagged_unions, jobs());
        let s = &doc["components"]["schemas"];
        let plans = plans(&doc);
        assert_eq!(plans.len(), 2, "Job and BackupJob: {plans:?}");
        let job = &plans["Job"];
        assert_eq!(job.property, "type");
        assert_eq!(job.base, "JobBase");
        // Mapping first; VSphereBackup reaches BackupJob, which knows it.
        assert_eq!(
            job.variants,
            vec![
                Variant {
                    schema: "BackupJob".into(),
                    tags: vec!["Backup".into(), "VSphereBackup".into()]
                },
                Variant {
                    schema: "CopyJob".into(),
                    tags: vec!["Copy".into()]
                },
            ]
        );
        // No mapping: the subtype's own single-value enum, else its name.
        assert_eq!(
            plans["BackupJob"].variants[0].tags,
            vec!["VSphereBackup".to_string()]
        );
        // The base's own fields are a schema; subtypes take them from there.
        assert_eq!(
            s["JobBase"]["properties"]["name"],
            json!({"type": "string"})
        );
        assert!(s["JobBase"].get("oneOf").is_none() && s["JobBase"].get("discriminator").is_none());
        assert_eq!(
            s["CopyJob"]["allOf"][0]["$ref"],
            "#/components/schemas/JobBase"
        );
        assert_eq!(
            s["BackupJobBase"]["allOf"][0]["$ref"],
            "#/components/schemas/JobBase"
        );
        assert_eq!(
            s["VSphereBackupJob"]["allOf"][0]["$ref"],
            "#/components/schemas/BackupJobBase"
        );
        // An alias stays the union; uses of the base are the union.
        assert_eq!(
            s["JobAlias"]["allOf"][0]["$ref"],
            "#/components/schemas/Job"
        );
        assert_eq!(
            s["Page"]["properties"]["data"]["items"]["$ref"],
            "#/components/schemas/Job"
        );
        assert_eq!(s["Job"]["description"], "A job.");
        assert_eq!(report.changes["tagged_unions"].len(), 2);
        let notes = &report.changes["tagged_unions"];
        assert!(
            notes[0].contains("BackupJob (1 kinds, 1 subtype-only properties kept)"),
            "{notes:?}"
        );
        assert!(
            notes[1].contains("Job (2 kinds, 2 subtype-only properties kept)"),
            "{notes:?}"
        );
        // And the cycle is gone: the cycle pass has nothing to cut.
        let (_, cut) = run_pass(crate::normalize::cycles::break_cycles, doc);
        assert!(cut.degraded.is_empty(), "{cut:?}");
    }

    #[test]
    fn without_a_mapping_or_oneof_the_subtypes_are_found_by_their_allof() {
        let doc = json!({"components": {"schemas": {
            "Pet": {"properties": {"petType": {"type": "string"}}, "discriminator": {"propertyName": "petType"}},
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"lives": {"type": "integer"}}}]},
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"bark": {}}}]}
        }}});
        let (doc, _) = run_pass(tagged_unions, doc);
        let tags: Vec<_> = plans(&doc)["Pet"]
            .variants
            .iter()
            .map(|v| v.tags[0].clone())
            .collect();
        assert_eq!(tags, ["Cat", "Dog"]);
    }

    #[test]
    fn what_cannot_be_a_union_is_left_with_a_warning_and_other_patterns_alone() {
        let doc = json!({"components": {"schemas": {
            "Shape": {"properties": {"kind": {"type": "string"}}, "discriminator": {"propertyName": "kind"},
                      "oneOf": [{"$ref": "#/components/schemas/Circle"}, {"type": "object", "properties": {"side": {}}}]},
            "Circle": {"allOf": [{"$ref": "#/components/schemas/Shape"}, {"properties": {"r": {}}}]},
            // VB365's events: the base lists every field, the kinds stand alone.
            "Event": {"properties": {"eventType": {"type": "string"}, "id": {}},
                      "discriminator": {"propertyName": "eventType", "mapping": {"A": "#/components/schemas/AEvent"}}},
            "AEvent": {"properties": {"eventType": {"type": "string"}, "id": {}}}
        }}});
        let (after, report) = run_pass(tagged_unions, doc.clone());
        assert_eq!(after, doc);
        let warnings = &report.degraded["tagged_unions"];
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].1.contains("schema Shape is not made a union"),
            "{warnings:?}"
        );
    }

    #[test]
    fn the_base_s_own_name_is_taken_from_free_names() {
        let mut doc = jobs();
        doc["components"]["schemas"]["JobBase"] = json!({"type": "string"});
        let (doc, _) = run_pass(tagged_unions, doc);
        assert_eq!(plans(&doc)["Job"].base, "JobBase1");
        assert_eq!(
            doc["components"]["schemas"]["JobBase"],
            json!({"type": "string"})
        );
    }
}
