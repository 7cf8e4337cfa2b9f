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
        modules.push_str(&format!(
            "#[allow(unused_imports)]\npub mod {name} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{name}.rs\")); }}\n"
        ));
    }
    std::fs::write(Path::new(&out).join("fixtures.rs"), modules).expect("OUT_DIR is writable");
}
