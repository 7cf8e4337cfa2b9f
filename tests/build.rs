//! Generates a client for every fixture spec under fixtures/specs into OUT_DIR, so that
//! src/lib.rs compiles each one: a snapshot that does not build would prove little.

use std::path::Path;

fn main() {
    let specs = Path::new("fixtures/specs");
    println!("cargo:rerun-if-changed={}", specs.display());
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut entries: Vec<_> = std::fs::read_dir(specs)
        .expect("fixtures/specs exists")
        .map(|e| e.expect("readable fixtures/specs").path())
        .collect();
    entries.sort();
    let mut modules = String::new();
    for spec in entries {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let files = codegen::load::read_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
        let options = codegen::CrateOptions {
            name: name.clone(),
            description: format!("fixture {name}"),
            command: "cargo test -p tests".into(),
            standalone: false,
            runtime: None,
        };
        let output = codegen::generate(&files, &options).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(Path::new(&out).join(format!("{name}.rs")), output.code)
            .expect("OUT_DIR is writable");
        // The same spec through the runtime pipeline (profile inferred, no features): the
        // crate we would ship, as a module whose files are found by path.
        let (runtime, _) = codegen::inferred_runtime(&files, &name, "fixture", "", false)
            .unwrap_or_else(|e| panic!("{e}"));
        let options = codegen::CrateOptions {
            runtime: Some(runtime),
            ..options
        };
        let output = codegen::generate(&files, &options)
            .unwrap_or_else(|e| panic!("{name} with the runtime: {e}"));
        let dir = Path::new(&out).join("runtime").join(&name);
        std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
        let mut lib = output.code.clone();
        for module in output.modules.keys() {
            let file = dir.join(format!("{module}.rs"));
            std::fs::write(&file, &output.modules[module]).expect("OUT_DIR is writable");
            lib = lib.replace(
                &format!("pub mod {module};"),
                &format!(
                    "#[path = {:?}]\npub mod {module};",
                    file.display().to_string()
                ),
            );
        }
        std::fs::write(dir.join("lib.rs"), lib).expect("OUT_DIR is writable");
        modules.push_str(&format!(
            "#[allow(unused_imports, clippy::all)]\npub mod runtime_{name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/runtime/{name}/lib.rs\")); }}\n"
        ));
        // Plain progenitor output as it is: typify names a value such as `+1` `plus1` (the
        // runtime pipeline makes it `Plus1`).
        modules.push_str(&format!(
            "#[allow(unused_imports, non_camel_case_types)]\npub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\")); }}\n"
        ));
    }
    std::fs::write(Path::new(&out).join("fixtures.rs"), modules).expect("OUT_DIR is writable");
    null_tolerance_cases(Path::new(&out));
}

/// For tests/nulls.rs: per workspace crate, a function decoding a JSON value into the Rust
/// type of each schema its success responses reach, by schema name.
fn null_tolerance_cases(out: &Path) {
    let root = Path::new("..");
    println!("cargo:rerun-if-changed=../spec");
    let mut text = String::new();
    let mut dispatch = String::from("/// Decodes `value` as the Rust type of crate `krate`'s schema `name`.\npub fn decode(krate: &str, name: &str, value: serde_json::Value) -> Option<Result<(), String>> {\n    match krate {\n");
    for api in codegen::workspace_apis(root).unwrap_or_else(|e| panic!("{e}")) {
        let files = codegen::load::read_spec(&api.spec_dir(root)).unwrap_or_else(|e| panic!("{e}"));
        let mut doc = codegen::load::assemble(&files).unwrap_or_else(|e| panic!("{e}"));
        codegen::normalize::run(
            &mut doc.value,
            codegen::normalize::Target {
                runtime: true,
                reference_url: None,
            },
        );
        let krate = api.name().replace('-', "_");
        dispatch.push_str(&format!(
            "        {:?} => decode_{krate}(name, value),\n",
            api.name()
        ));
        text.push_str(&format!(
            "/// Decodes `value` as the Rust type of `{krate}`'s schema `name`.\npub fn decode_{krate}(name: &str, value: serde_json::Value) -> Option<Result<(), String>> {{\n    let r = match name {{\n"
        ));
        for name in codegen::normalize::response_schemas(&doc.value) {
            let ty = codegen::names::type_name(&name);
            text.push_str(&format!(
                "        {name:?} => serde_json::from_value::<{krate}::types::{ty}>(value).map(|_| ()),\n"
            ));
        }
        text.push_str(
            "        _ => return None,\n    };\n    Some(r.map_err(|e| e.to_string()))\n}\n",
        );
    }
    dispatch.push_str("        _ => None,\n    }\n}\n");
    text.push_str(&dispatch);
    std::fs::write(out.join("null_cases.rs"), text).expect("OUT_DIR is writable");
}
