//! What a generated client offers is what it does: no constructor that builds an HTTP client
//! nobody sends with (or unwraps its build), and a page-size or offset that does not convert
//! is an error from the stream, never a walk that quietly starts at 0 with the default size.

use futures::StreamExt;
use wiremock::MockServer;

#[test]
fn no_public_constructor_but_the_builder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated");
    for krate in ["vb365", "vb365-v6", "vb365-v7", "vbazure"] {
        let lib = std::fs::read_to_string(root.join(krate).join("src/lib.rs")).unwrap();
        assert!(
            !lib.contains("pub fn new(") && !lib.contains("pub fn new_with_client("),
            "{krate}: progenitor's constructors are not public"
        );
        assert!(
            !lib.contains(".unwrap()"),
            "{krate}: no unwrap in the crate root"
        );
        assert!(
            lib.contains("pub fn builder("),
            "{krate}: Client::builder is the way"
        );
    }
}

#[tokio::test]
async fn a_page_size_that_does_not_convert_is_the_stream_s_error() {
    let server = MockServer::start().await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("t")
        .build()
        .unwrap();
    // `limit` is an i32 on the wire: u64::MAX does not fit.
    let mut stream = std::pin::pin!(client
        .restore_point_get_restore_points()
        .limit(u64::MAX)
        .stream());
    let first = stream.next().await.expect("the stream says why");
    let error = first.expect_err("no walk with a page size the caller did not ask for");
    assert!(error.to_string().contains("limit"), "{error}");
    assert!(stream.next().await.is_none(), "and ends");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}

/// `rust-version` is true: every package of the workspace declares the workspace's, and no
/// locked dependency of the crates users build (the runtime, the profile types, the generated
/// crates) needs a newer Rust than that, as `cargo metadata` reads the lockfile.
#[test]
fn the_declared_rust_version_builds_every_locked_dependency() {
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    // `1.89` is `1.89.0`.
    let version = |v: &str| -> Vec<u64> {
        let mut parts: Vec<u64> = v.split('.').map(|p| p.parse().unwrap()).collect();
        parts.resize(3, 0);
        parts
    };
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let declared = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the workspace declares rust-version");
    assert_eq!(
        declared,
        codegen::RUST_VERSION,
        "the generator writes the same"
    );
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for id in &members {
        let p = packages[id];
        assert_eq!(
            p["rust_version"].as_str(),
            Some(declared),
            "{} declares another rust-version",
            p["name"]
        );
    }
    // What users build: the runtime, the profile types and the generated crates, and
    // everything they need to build (not their tests).
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let mut queue: Vec<&str> = members
        .iter()
        .copied()
        .filter(|id| {
            let p = packages[id];
            let path = p["manifest_path"].as_str().unwrap();
            path.contains("/generated/")
                || ["veeam-runtime", "veeam-profile"].contains(&p["name"].as_str().unwrap())
        })
        .collect();
    assert!(
        queue.len() >= 6,
        "runtime, profile and four crates: {queue:?}"
    );
    let mut seen = BTreeSet::new();
    let mut too_new = Vec::new();
    while let Some(id) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        let p = packages[id];
        if let Some(needs) = p["rust_version"].as_str() {
            if version(needs) > version(declared) {
                too_new.push(format!("{} {} needs Rust {needs}", p["name"], p["version"]));
            }
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let built = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].as_str() != Some("dev"));
            if built {
                queue.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    assert!(
        seen.len() > 50,
        "the dependency graph was walked: {}",
        seen.len()
    );
    assert!(
        too_new.is_empty(),
        "declared rust-version {declared}, but: {too_new:?}"
    );
}

/// Every line of the README, of docs/ and of the crates' READMEs that adds a crate of this
/// workspace is true today: the registry's line, at the crate's version, once that version is
/// released (its changelog has the entry), and the repository's git line until then.
#[test]
fn every_install_line_is_true() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!(
            "repository = \"{}\"",
            codegen::manifest::REPOSITORY
        )),
        "the workspace and the generated crates name one repository"
    );
    let apis = codegen::workspace_apis(&root).unwrap();
    let mut pages = vec![root.join("README.md")];
    for dir in ["docs", "generated"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "md") {
                pages.push(p);
            } else if p.join("README.md").is_file() {
                pages.push(p.join("README.md"));
            }
        }
    }
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for line in text.lines() {
            for api in &apis {
                if !line.starts_with(&format!("{} = ", api.name())) {
                    continue;
                }
                let version = &api.profile.krate.version;
                let changelog = api.read_changelog(&root).unwrap();
                let ok = if codegen::manifest::is_released(changelog.as_deref(), version) {
                    line.contains(&format!("version = \"{version}\""))
                        || line.starts_with(&format!("{} = \"{version}\"", api.name()))
                } else {
                    line.contains(&format!("git = \"{}\"", codegen::manifest::REPOSITORY))
                        && !line.contains("version =")
                };
                assert!(
                    ok,
                    "{}: {line:?} is not how {} {version} is added today",
                    page.display(),
                    api.name()
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 1 + apis.len(),
        "the README's line and every crate's guide: {checked}"
    );
}
