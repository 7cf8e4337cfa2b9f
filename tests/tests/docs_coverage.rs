//! Documentation coverage of every curated spec: what users read on docs.rs comes from the
//! spec's `description`s. Every operation and every parameter must have one that says more
//! than its name; request-body properties must be at least 95% described; response
//! properties are reported. `cargo test -p tests --test docs_coverage -- --nocapture`
//! prints the figures the README quotes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// Words that say nothing beyond a name.
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "by",
    "for",
    "to",
    "and",
    "or",
    "in",
    "on",
    "with",
    "id",
    "ids",
    "get",
    "gets",
    "list",
    "lists",
    "returns",
    "return",
    "this",
    "that",
    "is",
    "its",
    "it",
    "value",
    "specified",
    "specifies",
    "parameter",
    "property",
    "field",
    "name",
    "all",
    "one",
    "veeam",
    "server",
];

/// The lower-case words of `text`, camelCase split, filler removed, plurals singular.
fn words(text: &str) -> BTreeSet<String> {
    let mut spaced = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        spaced.push(c);
    }
    spaced
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        // Plurals say nothing more: `jobs` is `job`.
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() > 2 => stem.to_string(),
            _ => w.to_string(),
        })
        .collect()
}

/// A description that says something its subject's name does not.
fn describes(description: Option<&str>, name: &str) -> bool {
    description.is_some_and(|d| !words(d).is_subset(&words(name)))
}

#[derive(Default)]
struct Coverage {
    operations: (usize, usize),
    parameters: (usize, usize),
    body_properties: (usize, usize),
    response_properties: (usize, usize),
    missing: Vec<String>,
}

fn pct((done, all): (usize, usize)) -> f64 {
    if all == 0 {
        100.0
    } else {
        100.0 * done as f64 / all as f64
    }
}

fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.insert(name.to_string());
                }
            }
            m.values().for_each(|c| refs(c, out));
        }
        Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

/// The properties of a schema, its `allOf` parts' included.
fn properties(schema: &Value) -> Vec<(&String, &Value)> {
    let mut out: Vec<(&String, &Value)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(
            part.get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten(),
        );
    }
    out
}

fn coverage(doc: &Value) -> Coverage {
    let mut c = Coverage::default();
    let mut body_roots = BTreeSet::new();
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    codegen::openapi::each_operation(doc, |path, method, op| {
        let id = text(op, "operationId").unwrap_or_else(|| format!("{method} {path}"));
        c.operations.1 += 1;
        let description = text(op, "description").or_else(|| text(op, "summary"));
        if describes(description.as_deref(), &id) {
            c.operations.0 += 1;
        } else {
            c.missing.push(format!("operation {id}"));
        }
        for p in codegen::openapi::operation_parameters(doc, path, op) {
            let name = text(p, "name").unwrap_or_default();
            c.parameters.1 += 1;
            if describes(text(p, "description").as_deref(), &name) {
                c.parameters.0 += 1;
            } else {
                c.missing.push(format!("parameter {name} of {id}"));
            }
        }
        if let Some(body) = op.get("requestBody") {
            refs(body, &mut body_roots);
            for media in body
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(_, m)| m)
            {
                for (name, p) in media.get("schema").map(properties).unwrap_or_default() {
                    c.body_properties.1 += 1;
                    if describes(text(p, "description").as_deref(), name) {
                        c.body_properties.0 += 1;
                    }
                }
            }
        }
    });
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Every schema a request body reaches.
    let mut in_bodies = BTreeSet::new();
    let mut todo: Vec<String> = body_roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if in_bodies.insert(name.clone()) {
            if let Some(s) = schemas.get(&name) {
                let mut more = BTreeSet::new();
                refs(s, &mut more);
                todo.extend(more);
            }
        }
    }
    for (name, schema) in &schemas {
        let slot = if in_bodies.contains(name) {
            &mut c.body_properties
        } else {
            &mut c.response_properties
        };
        for (prop, p) in properties(schema) {
            slot.1 += 1;
            if describes(text(p, "description").as_deref(), prop) {
                slot.0 += 1;
            }
        }
    }
    c
}

#[test]
fn every_operation_and_parameter_is_described_and_most_body_properties() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut report = BTreeMap::new();
    let mut failures = Vec::new();
    for api in codegen::workspace_apis(root).unwrap() {
        let doc = codegen::load::load(&api.spec_dir(root)).unwrap().value;
        let c = coverage(&doc);
        println!(
            "{:<10} operations {}/{} ({:.0}%), parameters {}/{} ({:.0}%), request-body properties {}/{} ({:.1}%), response properties {}/{} ({:.1}%)",
            api.name(),
            c.operations.0,
            c.operations.1,
            pct(c.operations),
            c.parameters.0,
            c.parameters.1,
            pct(c.parameters),
            c.body_properties.0,
            c.body_properties.1,
            pct(c.body_properties),
            c.response_properties.0,
            c.response_properties.1,
            pct(c.response_properties),
        );
        if !c.missing.is_empty() {
            failures.push(format!(
                "spec/{}: {} without a description that says more than the name:\n    {}",
                api.folder,
                c.missing.len(),
                c.missing.join("\n    ")
            ));
        }
        if pct(c.body_properties) < 95.0 {
            failures.push(format!(
                "spec/{}: request-body properties {:.1}% described (at least 95%)",
                api.folder,
                pct(c.body_properties)
            ));
        }
        report.insert(api.name().to_string(), c.operations.1);
    }
    assert!(
        report.len() >= 4,
        "every curated API is checked: {report:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_description_that_restates_the_name_does_not_count() {
    assert!(!describes(Some("The organization id."), "organizationId"));
    assert!(!describes(Some("Gets all jobs."), "Job_GetAll"));
    assert!(!describes(None, "limit"));
    assert!(describes(
        Some("Id of the organization, from `Organization_Get`."),
        "organizationId"
    ));
    assert!(describes(
        Some("Most items per page; the server may cap it lower."),
        "limit"
    ));
}
