//! Drift: generated/ must be exactly what `cargo xtask generate` writes from spec/.
//!
//! The rust-analyzer "ensure_file_contents" pattern: when a committed file is stale, this
//! test rewrites it and fails, telling you to review and commit; under CI (`CI` set) it only
//! fails, so a stale tree can never pass.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn generated_crates_are_fresh() {
    let root = workspace_root();
    let in_ci = std::env::var_os("CI").is_some();
    let mut stale = Vec::new();
    for api in codegen::workspace_apis(&root).unwrap_or_else(|e| panic!("{e}")) {
        let output = api.generate(&root).unwrap_or_else(|e| panic!("{e}"));
        // Every operation has its typed stub in the mock (its types read from the client).
        assert_eq!(
            output.mock.as_ref().map(|m| m.stubs),
            Some(output.operations),
            "{}: operations without a mock stub",
            api.name()
        );
        // The client's crate and its mock.
        for (folder, files) in api.crates(&root, &output).unwrap_or_else(|e| panic!("{e}")) {
            let dir = root.join("generated").join(&folder);
            let drift = codegen::compare_with_disk(&dir, &files);
            for (rel, _, fresh) in &drift.changed {
                stale.push(format!("generated/{folder}/{}", rel.display()));
                if !in_ci {
                    let path = dir.join(rel);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, fresh).unwrap();
                }
            }
            for rel in &drift.stale {
                stale.push(format!(
                    "generated/{folder}/{} (not generated)",
                    rel.display()
                ));
                if !in_ci {
                    std::fs::remove_file(dir.join(rel)).unwrap();
                }
            }
        }
    }
    if !stale.is_empty() {
        let what = stale.join("\n  ");
        if in_ci {
            panic!(
                "generated/ is stale; run `cargo xtask generate` and commit the result:\n  {what}"
            );
        }
        panic!("generated/ was stale and has been regenerated; review and commit it (`cargo xtask generate` does the same):\n  {what}");
    }
}

/// Operations in the vendor's published reference of each API version the workspace
/// curates: each crate must expose every one.
const REFERENCE_OPERATIONS: &[(&str, usize)] = &[
    ("vb365", 487),
    ("vb365-v6", 429),
    ("vb365-v7", 457),
    ("vbazure", 389),
];

#[test]
fn every_crate_exposes_one_method_per_operation_of_its_spec() {
    let root = workspace_root();
    for api in codegen::workspace_apis(&root).unwrap() {
        let dir = root.join("generated").join(&api.folder);
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        // progenitor documents every client method with the request it sends; the builders
        // and types are in their own files.
        let start = lib.find("impl Client {").expect("an impl Client");
        let end = lib
            .find("\npub mod builder;")
            .expect("the builder module's declaration");
        let methods = lib[start..end].matches("Sends a `").count();
        let spec = codegen::load::load(&api.spec_dir(&root)).unwrap();
        let operations = codegen::validate::operation_count(&spec.value);
        assert_eq!(
            methods,
            operations,
            "{}: one client method per operation of spec/{}",
            api.name(),
            api.folder
        );
        if let Some((_, reference)) = REFERENCE_OPERATIONS.iter().find(|(n, _)| *n == api.name()) {
            assert_eq!(
                operations,
                *reference,
                "{}: the vendor's reference has {reference} operations",
                api.name()
            );
        }
    }
}

/// Operations, paged lists (`offset` and `limit` in the query, any letter case, and a 200
/// answer) and file answers (octet-stream under a 2xx) of `spec/<folder>`, counted from the
/// spec; and the same three as the runtime wiring of its crate counts them.
fn wiring(folder: &str) -> ((usize, usize, usize), codegen::GlueReport) {
    let root = workspace_root();
    let spec = codegen::load::load(&root.join("spec").join(folder)).unwrap();
    let (mut paged, mut downloads, mut all) = (0, 0, 0);
    codegen::openapi::each_operation(&spec.value, |_, _, op| {
        all += 1;
        let query: Vec<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let has = |name: &str| query.iter().any(|q| q.eq_ignore_ascii_case(name));
        if has("offset") && has("limit") && op.pointer("/responses/200").is_some() {
            paged += 1;
        }
        let responses = op["responses"].as_object().unwrap();
        if responses.iter().any(|(code, r)| {
            code.starts_with('2') && r.pointer("/content/application~1octet-stream").is_some()
        }) {
            downloads += 1;
        }
    });
    let apis = codegen::workspace_apis(&root).unwrap();
    let api = apis.iter().find(|a| a.folder == folder).unwrap();
    let glue = api
        .generate(&root)
        .unwrap()
        .glue
        .expect("wired to the runtime");
    ((all, paged, downloads), glue)
}

/// Every paged operation got `.stream()`, every file download `.write_to()`, every
/// operation the one-error `send()`: counted from the spec and from the wiring, which must
/// agree (88, 38 and 487 in v8).
#[test]
fn vb365_runtime_wiring_covers_every_paged_and_download_operation() {
    let (counts, glue) = wiring("vb365");
    assert_eq!(counts, (487, 88, 38), "the v8 reference's counts");
    assert_eq!((glue.sends, glue.streams, glue.downloads), counts);
    assert_eq!(glue.download_operations.len(), counts.2);
    assert!(glue.lenient_enums > 200, "{}", glue.summary());
}

/// The same for VB for Azure v8.1: every list with `Offset`/`Limit` (in any letter case) that
/// can answer 200 with a page streams (98; the 5 rescans answer only 202), every operation
/// that can answer a file gets the download timeout (36, two of them under several
/// statuses), and the 61 operations with different bodies by status are typed enums.
#[test]
fn vbazure_runtime_wiring_covers_every_paged_and_download_operation() {
    let (counts, glue) = wiring("vbazure");
    assert_eq!(counts, (389, 98, 36), "the v8.1 reference's counts");
    assert_eq!(
        (
            glue.sends,
            glue.streams,
            glue.downloads,
            glue.typed_statuses
        ),
        (counts.0, counts.1, counts.2, 61)
    );
}

/// Every generated crate's guide is compiled as doc tests by the tests crate.
#[test]
fn every_crate_guide_is_compiled_by_the_tests_crate() {
    let root = workspace_root();
    let lib = std::fs::read_to_string(root.join("tests/src/lib.rs")).unwrap();
    for api in codegen::workspace_apis(&root).unwrap() {
        let include = format!(
            "#[doc = include_str!(\"../../generated/{}/README.md\")]",
            api.folder
        );
        assert!(
            lib.contains(&include),
            "tests/src/lib.rs must include generated/{}/README.md (and the crate be a dependency of tests)",
            api.folder
        );
    }
}
