//! `cargo xtask check-features`: every generated crate compiles, without warnings, with no
//! features, all features, its minimal set, and each resource-group feature alone.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::{flags, project};

impl flags::CheckFeatures {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let mut failed = Vec::new();
        for api in codegen::workspace_apis(&root)? {
            for (what, args) in feature_sets(&api, &root)? {
                let start = Instant::now();
                let output = project::cargo()
                    .args(["check", "--quiet", "--locked", "-p", api.name()])
                    .args(&args)
                    .output()
                    .context("running cargo check")?;
                // A feature set that compiles with warnings (an item only some features use)
                // fails too: users build with `-D warnings`.
                let stderr = String::from_utf8_lossy(&output.stderr);
                let warned = stderr.lines().any(|l| l.starts_with("warning"));
                let ok = output.status.success() && !warned;
                println!(
                    "{}: {what}: {} in {:.1?}",
                    api.name(),
                    if ok { "ok" } else { "FAILED" },
                    start.elapsed()
                );
                if !ok {
                    eprint!("{stderr}");
                    failed.push(format!("{}: {what}", api.name()));
                }
            }
        }
        if failed.is_empty() {
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!(
                "these feature sets do not compile:\n  {}",
                failed.join("\n  ")
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The feature sets one crate is checked with: what each is called, and cargo's arguments.
fn feature_sets(
    api: &codegen::WorkspaceApi,
    root: &std::path::Path,
) -> Result<Vec<(String, Vec<String>)>> {
    let manifest = std::fs::read_to_string(api.crate_dir(root).join("Cargo.toml"))?;
    // Resource-group features are the `name = []` lines.
    let groups = manifest
        .lines()
        .filter_map(|l| l.strip_suffix(" = []"))
        .filter(|f| !f.contains(' '));
    let mut sets: Vec<(String, Vec<String>)> = vec![
        ("no features".into(), vec!["--no-default-features".into()]),
        ("all features".into(), vec!["--all-features".into()]),
    ];
    if !api.profile.minimal_features.is_empty() {
        let set = api.profile.minimal_features.join(",");
        sets.push((format!("minimal ({set})"), only_features(&set)));
    }
    for f in groups {
        sets.push((format!("only {f}"), only_features(f)));
    }
    Ok(sets)
}

/// Cargo's arguments for exactly the features `set` (comma-separated).
fn only_features(set: &str) -> Vec<String> {
    vec![
        "--no-default-features".into(),
        "--features".into(),
        set.into(),
    ]
}
