//! Bad input never panics: each case is a clear error naming the file and, where there is
//! one, the JSON pointer (or line and column for syntax errors), and saying what to do.

use std::path::Path;

fn error_for(fixture: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let result =
        codegen::load::read_spec(&root.join("fixtures/bad").join(fixture)).and_then(|mut files| {
            for f in &mut files {
                f.path = f.path.strip_prefix(root).unwrap().to_path_buf();
            }
            codegen::generate(
                &files,
                &codegen::CrateOptions {
                    name: "bad".into(),
                    description: "bad".into(),
                    command: "test".into(),
                    standalone: false,
                    runtime: None,
                },
            )
        });
    match result {
        Ok(_) => panic!("{fixture}: generation succeeded, an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let e = error_for("malformed.yaml");
    assert!(e.starts_with("fixtures/bad/malformed.yaml:6:1:"), "{e}");
    assert!(e.contains("malformed YAML"), "{e}");
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let e = error_for("malformed.json");
    assert!(e.starts_with("fixtures/bad/malformed.json:1:"), "{e}");
    assert!(e.contains("malformed JSON"), "{e}");
}

#[test]
fn dangling_ref_names_the_ref() {
    assert_eq!(
        error_for("dangling_ref.yaml"),
        "fixtures/bad/dangling_ref.yaml#/paths/~1a/get/responses/200/content/application~1json/schema/$ref: \
         dangling reference \"#/components/schemas/Missing\": nothing is defined there; fix the name or add the definition"
    );
}

#[test]
fn dangling_ref_in_a_fragment_names_the_fragment() {
    let e = error_for("split_dangling");
    assert!(
        e.starts_with("fixtures/bad/split_dangling/jobs.yaml#/paths/~1jobs/get/responses/200/content/application~1json/schema/$ref: dangling reference"),
        "{e}"
    );
}

#[test]
fn duplicate_operation_id_names_both_places() {
    assert_eq!(
        error_for("duplicate_operation_id.yaml"),
        "fixtures/bad/duplicate_operation_id.yaml#/paths/~1b/get/operationId: duplicate operationId \"Thing_Get\": \
         also used at fixtures/bad/duplicate_operation_id.yaml#/paths/~1a/get; operationIds name client methods and must be unique"
    );
}

#[test]
fn openapi_3_1_is_refused() {
    assert_eq!(
        error_for("openapi_3_1.yaml"),
        "fixtures/bad/openapi_3_1.yaml#/openapi: OpenAPI 3.1.0 is not supported: this generator takes \
         OpenAPI 3.0.x documents (convert the document, or ask the vendor for a 3.0 one)"
    );
}

#[test]
fn cookie_parameter_is_unsupported() {
    let e = error_for("cookie_parameter.yaml");
    assert!(e.starts_with("fixtures/bad/cookie_parameter.yaml#/paths/~1a/get/parameters/0: cookie parameter \"session\" is not supported"), "{e}");
}

#[test]
fn a_multipart_body_is_raw_bytes_with_a_warning_naming_it() {
    // progenitor cannot build multipart bodies: the caller encodes them, and is told so.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files =
        codegen::load::read_spec(&root.join("fixtures/bad/multipart_body.yaml")).unwrap();
    files[0].path = files[0].path.strip_prefix(root).unwrap().to_path_buf();
    let options = codegen::CrateOptions {
        name: "m".into(),
        description: "m".into(),
        command: "test".into(),
        standalone: false,
        runtime: None,
    };
    let output = codegen::generate(&files, &options).unwrap();
    assert_eq!(
        output.warnings,
        ["warning: fixtures/bad/multipart_body.yaml#/paths/~1upload/post/requestBody/content/multipart~1form-data: request body \"multipart/form-data\" cannot be generated: it is raw bytes now, which the caller encodes"]
    );
    assert!(
        output.code.contains("ByteStream")
            || output.modules.values().any(|m| m.contains("reqwest::Body")),
        "a raw body"
    );
}

#[test]
fn path_template_parameter_must_be_declared() {
    let e = error_for("missing_path_parameter.yaml");
    assert!(e.starts_with("fixtures/bad/missing_path_parameter.yaml#/paths/~1jobs~1{jobId}/get: the path has `{jobId}`"), "{e}");
}

#[test]
fn wrong_value_type_names_the_pointer() {
    let e = error_for("wrong_type.yaml");
    assert!(e.starts_with("fixtures/bad/wrong_type.yaml#/paths/~1a/get/responses/200/description: not a valid OpenAPI 3.0 value here"), "{e}");
}

#[test]
fn path_defined_in_two_fragments_names_both_files() {
    assert_eq!(
        error_for("split_duplicate"),
        "fixtures/bad/split_duplicate/b.yaml#/paths/~1a: defined twice: also in fixtures/bad/split_duplicate/a.yaml; keep one"
    );
}

#[test]
fn fragment_with_root_keys_is_refused() {
    assert_eq!(
        error_for("split_bad_fragment"),
        "fixtures/bad/split_bad_fragment/a.yaml#/info: a fragment may only hold `paths` and `components`; \
         move `info` to the root file fixtures/bad/split_bad_fragment/openapi.yaml"
    );
}

#[test]
fn folder_without_root_file_is_refused() {
    let e = error_for("no_root");
    assert!(e.ends_with("no_root#: no root file in this folder: add one of openapi.yaml, openapi.yml, openapi.json"), "{e}");
}

/// Every fixture spec, mutated one place at a time (each key deleted; each value replaced by
/// a value of another type, by `{}`, by `null`): generation must return Ok or an error of ours, never panic and
/// never reach progenitor with something it panics on (which codegen would report as
/// "progenitor panicked").
#[test]
fn single_mutations_of_fixture_specs_never_panic() {
    use serde_json::Value;

    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| {
                let p = format!("{at}/{}", codegen::error::escape_segment(k));
                out.push(p.clone());
                pointers(c, p, out);
            }),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }),
            _ => {}
        }
    }
    fn delete(doc: &mut Value, ptr: &str) {
        let (parent, last) = ptr.rsplit_once('/').unwrap();
        let last = last.replace("~1", "/").replace("~0", "~");
        match doc.pointer_mut(parent) {
            Some(Value::Object(m)) => {
                m.shift_remove(&last);
            }
            Some(Value::Array(a)) => {
                a.remove(last.parse::<usize>().unwrap());
            }
            _ => {}
        }
    }
    fn swap(v: &Value) -> Value {
        match v {
            Value::String(_) => Value::from(7),
            Value::Number(_) | Value::Bool(_) | Value::Null => Value::from("x"),
            Value::Array(_) => serde_json::json!({"k": "v"}),
            Value::Object(_) => serde_json::json!(["v"]),
        }
    }

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/specs");
    let mut tried = 0;
    let mut failures = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    for path in names {
        let original: Value =
            serde_norway::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut places = Vec::new();
        pointers(&original, String::new(), &mut places);
        for ptr in places {
            let mut deleted = original.clone();
            delete(&mut deleted, &ptr);
            let replaced = |with: Value| {
                let mut doc = original.clone();
                *doc.pointer_mut(&ptr).unwrap() = with;
                doc
            };
            let mutants = [
                ("deleted", deleted),
                ("retyped", replaced(swap(original.pointer(&ptr).unwrap()))),
                ("emptied", replaced(serde_json::json!({}))),
                ("nulled", replaced(Value::Null)),
            ];
            for (how, doc) in mutants {
                tried += 1;
                let file = codegen::SpecFile {
                    path: "mutant.json".into(),
                    text: doc.to_string(),
                };
                let options = codegen::CrateOptions {
                    name: "m".into(),
                    description: "m".into(),
                    command: "test".into(),
                    standalone: false,
                    runtime: None,
                };
                // Both pipelines: plain progenitor, and the runtime's (profile inferred).
                let outcome = std::panic::catch_unwind(|| {
                    codegen::generate(std::slice::from_ref(&file), &options)?;
                    let (runtime, _) = codegen::inferred_runtime(
                        std::slice::from_ref(&file),
                        "m",
                        "m",
                        "",
                        false,
                    )?;
                    let options = codegen::CrateOptions {
                        runtime: Some(runtime),
                        ..options.clone()
                    };
                    codegen::generate(&[file], &options).map(|_| ())
                });
                let what = format!(
                    "{} with {ptr} {how}",
                    path.file_name().unwrap().to_string_lossy()
                );
                match outcome {
                    Err(_) => failures.push(format!("{what}: panicked")),
                    Ok(Err(e)) if e.to_string().contains("progenitor panicked") => {
                        failures.push(format!("{what}: {e}"))
                    }
                    Ok(Err(e)) if !e.to_string().starts_with("mutant.json") => {
                        failures.push(format!("{what}: error does not name the file: {e}"))
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    assert!(tried > 700, "only {tried} mutants");
    assert!(
        failures.is_empty(),
        "{} of {tried} mutants:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn two_types_of_one_name_are_an_error_naming_the_schema_not_a_broken_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files =
        codegen::load::read_spec(&root.join("fixtures/bad/inherited_inline_name.yaml")).unwrap();
    for f in &mut files {
        f.path = f.path.strip_prefix(root).unwrap().to_path_buf();
    }
    let (runtime, _) = codegen::inferred_runtime(&files, "bad", "bad", "", true).unwrap();
    let options = codegen::CrateOptions {
        name: "bad".into(),
        description: "bad".into(),
        command: "test".into(),
        standalone: false,
        runtime: Some(runtime),
    };
    let e = codegen::generate(&files, &options).unwrap_err().to_string();
    assert!(
        e.starts_with("fixtures/bad/inherited_inline_name.yaml#/components/schemas/team_links:"),
        "{e}"
    );
    assert!(e.contains("two types named `TeamLinks`"), "{e}");
}
