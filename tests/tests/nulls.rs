//! Nulls never fail a response: for every schema a success response of a workspace crate
//! reaches, an object with each field `null` in turn, and one with every field `null`,
//! decodes into the generated type (the resource's own `id` aside: a required id is given a
//! value, and a `null` one is an error naming it). Found by the build script from the specs,
//! so a new schema is covered without a new line here.

use serde_json::{json, Map, Value};

include!(concat!(env!("OUT_DIR"), "/null_cases.rs"));

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Every property of an object schema, its `allOf` parts included.
fn properties(doc: &Value, schema: &Value, out: &mut Map<String, Value>) {
    let schema = codegen::openapi::resolve(doc, schema);
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        properties(doc, part, out);
    }
}

/// A valid value for a required own id.
fn id_value(doc: &Value, schema: &Value) -> Value {
    let schema = codegen::openapi::resolve(doc, schema);
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer" | "number"), _) => json!(1),
        (_, Some("uuid")) => json!("2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a"),
        _ => json!("an-id"),
    }
}

#[test]
fn every_response_field_may_be_null() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for api in codegen::workspace_apis(&root()).unwrap() {
        let files = codegen::load::read_spec(&api.spec_dir(&root())).unwrap();
        let mut doc = codegen::load::assemble(&files).unwrap();
        codegen::normalize::run(
            &mut doc.value,
            codegen::normalize::Target {
                runtime: true,
                reference_url: None,
            },
        );
        let doc = doc.value;
        for name in codegen::normalize::response_schemas(&doc) {
            let schema = &doc["components"]["schemas"][&name];
            let mut props = Map::new();
            properties(&doc, schema, &mut props);
            if props.is_empty() {
                continue;
            }
            let required_id = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == "id"));
            let mut base = Map::new();
            if required_id {
                base.insert("id".into(), id_value(&doc, &props["id"]));
            }
            let mut instances: Vec<(String, Map<String, Value>)> = Vec::new();
            let mut all_null = base.clone();
            for field in props.keys().filter(|f| !(required_id && *f == "id")) {
                let mut one = base.clone();
                one.insert(field.clone(), Value::Null);
                instances.push((format!(".{field} null"), one));
                all_null.insert(field.clone(), Value::Null);
            }
            instances.push(("every field null".into(), all_null));
            for (what, instance) in instances {
                let decoded = decode(api.name(), &name, Value::Object(instance));
                match decoded {
                    Some(Ok(())) => checked += 1,
                    Some(Err(e)) => failures.push(format!("{} {name} ({what}): {e}", api.name())),
                    None => failures.push(format!("{} {name}: no Rust type", api.name())),
                }
            }
            if required_id {
                let mut null_id = base.clone();
                null_id.insert("id".into(), Value::Null);
                let e = decode(api.name(), &name, Value::Object(null_id));
                match e {
                    Some(Err(e)) if e.contains("null") => {}
                    other => failures.push(format!(
                        "{} {name}: a null own id decoded: {other:?}",
                        api.name()
                    )),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} instances failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 2000, "only {checked} instances checked");
}
