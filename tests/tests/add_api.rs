//! Adding an API is adding a folder: a workspace made here from scratch, with one folder
//! under `spec/` (a document and a `profile.yaml`), generates a crate wired to the runtime as
//! its profile says, and its mock server beside it, with no Rust code naming it. A bad profile is an error naming the file
//! and the key.

use std::path::{Path, PathBuf};

fn temp_workspace(profile: &str) -> PathBuf {
    // One folder per call: the tests run in parallel.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("add-api-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let api = root.join("spec/acme");
    std::fs::create_dir_all(&api).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/specs/split_spec");
    for f in ["openapi.yaml", "jobs.yaml", "shared.yaml"] {
        std::fs::copy(fixtures.join(f), api.join(f)).unwrap();
    }
    std::fs::write(api.join("profile.yaml"), profile).unwrap();
    // The hand-written crates the generated ones depend on, at versions of their own.
    for (dir, version) in [("runtime", "0.3.1"), ("mock", "0.2.0")] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(
            root.join(dir).join("Cargo.toml"),
            format!("[package]\nname = \"veeam-{dir}\"\nversion = \"{version}\"\n\n[dependencies]\nx = {{ version = \"9\" }}\n"),
        )
        .unwrap();
    }
    std::fs::write(api.join("helpers.rs"), "impl Client {\n    /// A helper of this API's own.\n    pub fn acme_helper(&self) -> u8 { 7 }\n}\n").unwrap();
    root
}

#[test]
fn a_folder_with_a_profile_is_an_api() {
    let root = temp_workspace(
        "crate: {name: acme-client, description: Acme backup REST API client}\n\
         auth: {kind: password, token_path: /oauth/token, logout: {method: DELETE, path: /oauth/token}, login_extra: {scope: backup}}\n\
         paging: {offset: skip, limit: take, items: data, total_field: count}\n\
         extension: helpers.rs\n",
    );
    let apis = codegen::workspace_apis(&root).unwrap();
    assert_eq!(apis.len(), 1);
    let api = &apis[0];
    assert_eq!((api.folder.as_str(), api.name()), ("acme", "acme-client"));
    let output = api.generate(&root).unwrap();
    let manifest = &output.files[Path::new("Cargo.toml")];
    assert!(
        manifest.contains("name = \"acme-client\"")
            && manifest.contains("description = \"Acme backup REST API client\""),
        "{manifest}"
    );
    // Publishable as it stands: the metadata and license texts come with no extra step.
    for wanted in [
        "version = \"0.1.0\"",
        "license = \"MIT OR Apache-2.0\"",
        "repository = \"https://",
        "documentation = \"https://docs.rs/acme-client\"",
        "readme = \"README.md\"",
        "keywords = [",
        "categories = [\"api-bindings\"",
    ] {
        assert!(manifest.contains(wanted), "{wanted:?} not in {manifest}");
    }
    assert!(!manifest.contains("publish = false"), "{manifest}");
    for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        assert!(output.files.contains_key(Path::new(file)), "{file}");
    }
    assert!(
        manifest.contains("veeam-runtime = { path = \"../../runtime\", version = \"0.3.1\" }"),
        "wired to the runtime at its version: {manifest}"
    );
    let lib = &output.files[Path::new("src/lib.rs")];
    for wanted in [
        "token_path: ::std::option::Option::Some(\"/oauth/token\")",
        "method: \"DELETE\"",
        "(\"scope\", \"backup\")",
        "offset_param: \"skip\"",
        "items: \"data\"",
        "total_field: ::std::option::Option::Some(\"count\")",
        "pub fn acme_helper(&self) -> u8",
    ] {
        assert!(lib.contains(wanted), "{wanted:?} not in the crate root");
    }
    // Its mock server comes with it, beside it: a crate of its own, typed by the client.
    let crates = api.crates(&root, &output).unwrap();
    let folders: Vec<_> = crates.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(folders, ["acme", "acme-mock"]);
    let mock = &crates[1].1;
    let manifest = &mock[Path::new("Cargo.toml")];
    for wanted in [
        "name = \"acme-client-mock\"",
        "acme-client = { path = \"../acme\", version = \"=0.1.0\" }",
        "veeam-mock = { path = \"../../mock\", version = \"0.2.0\" }",
    ] {
        assert!(manifest.contains(wanted), "{wanted:?} not in {manifest}");
    }
    let lib = &mock[Path::new("src/lib.rs")];
    for wanted in [
        "pub fn job_get(",
        "::veeam_mock::Server::for_client::<acme_client::Client>()",
        "path: \"/jobs\"",
    ] {
        assert!(lib.contains(wanted), "{wanted:?} not in the mock:\n{lib}");
    }
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_profile_mistake_names_the_file_and_key() {
    let root = temp_workspace("crate: {name: acme, description: d}\nauth: {kind: password}\n");
    let e = codegen::workspace_apis(&root).unwrap_err().to_string();
    assert!(
        e.starts_with("spec/acme/profile.yaml#/auth/token_path:"),
        "{e}"
    );
    std::fs::remove_dir_all(&root).unwrap();
    let root = temp_workspace(
        "crate: {name: acme, description: d}\nauth: {kind: none}\npaging: {ofset: o, limit: l}\n",
    );
    let e = codegen::workspace_apis(&root).unwrap_err().to_string();
    assert!(
        e.contains("spec/acme/profile.yaml") && e.contains("ofset"),
        "{e}"
    );
    std::fs::remove_dir_all(&root).unwrap();
    // What crates.io would refuse is refused here, naming the key.
    for (krate, key) in [
        (
            "{name: acme, description: d, version: '1.0'}",
            "/crate/version",
        ),
        (
            "{name: acme, description: d, version: 01.2.3}",
            "/crate/version",
        ),
        (
            "{name: acme, description: d, keywords: [a, b, c, d, e, f]}",
            "/crate/keywords",
        ),
        (
            "{name: acme, description: d, keywords: ['two words']}",
            "/crate/keywords",
        ),
    ] {
        let root = temp_workspace(&format!("crate: {krate}\nauth: {{kind: none}}\n"));
        let e = codegen::workspace_apis(&root).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("spec/acme/profile.yaml#{key}:")),
            "{krate}: {e}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
