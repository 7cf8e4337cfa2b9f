//! `cargo xtask check-features`: every generated crate compiles, without warnings, with no
//! features, all features, its minimal set, and each resource-group feature alone. Under CI
//! (`CI=true`) the single-feature sets are sampled, a third of each crate's per run, which
//! third chosen by the commit checked: the whole run stays within its time budget as crates
//! are added, and successive commits cover every feature.

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
    let groups: Vec<&str> = groups.collect();
    let sample = sample_of(api.name(), groups.len());
    let mut sets: Vec<(String, Vec<String>)> = vec![
        ("no features".into(), vec!["--no-default-features".into()]),
        ("all features".into(), vec!["--all-features".into()]),
    ];
    if !api.profile.minimal_features.is_empty() {
        let set = api.profile.minimal_features.join(",");
        sets.push((format!("minimal ({set})"), only_features(&set)));
    }
    for (i, f) in groups.into_iter().enumerate() {
        if sample.is_none_or(|(of, which)| i % of == which) {
            sets.push((format!("only {f}"), only_features(f)));
        }
    }
    Ok(sets)
}

/// Under CI: (1 in how many single-feature sets, which of them) for crate `name`, from the
/// commit being checked; `None` (all of them) elsewhere.
fn sample_of(name: &str, groups: usize) -> Option<(usize, usize)> {
    const OF: usize = 3;
    if !project::ci() || groups < OF {
        return None;
    }
    let head = project::head(&project::root());
    let seed: usize = head.bytes().chain(name.bytes()).map(usize::from).sum();
    println!(
        "{name}: CI samples 1 in {OF} of its single-feature sets (set {} of this commit); `cargo xtask check-features` without CI checks them all",
        seed % OF
    );
    Some((OF, seed % OF))
}

/// Cargo's arguments for exactly the features `set` (comma-separated).
fn only_features(set: &str) -> Vec<String> {
    vec![
        "--no-default-features".into(),
        "--features".into(),
        set.into(),
    ]
}
