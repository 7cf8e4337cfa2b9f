//! Step 2: clean compile time and memory per crate: all features, the minimal set, and
//! progenitor's plain output of the same (normalized) spec as the baseline, each a clean
//! build of the crate alone (dependencies built once).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::measure::{builds, clean_build, run, Build};
use crate::project;

/// One crate's compile figures.
pub struct Compile {
    pub name: String,
    pub minimal_set: String,
    pub plain_lines: usize,
    pub lines: usize,
    pub base: Build,
    pub full: Build,
    pub minimal: Option<Build>,
    /// The companion mock crate (`<name>-mock`): its lines and its own clean build, the
    /// client already built, as a consumer's test build pays it.
    pub mock: Option<(usize, Build)>,
}

pub fn measure(root: &Path, apis: &[codegen::WorkspaceApi], runs: usize) -> Result<Vec<Compile>> {
    let target = root.join("target/bench");
    eprintln!("building dependencies once...");
    run(project::cargo()
        .args(["build", "--quiet", "--offline", "-p", "veeam-runtime"])
        .arg("--target-dir")
        .arg(&target))?;
    let mut compiles = Vec::new();
    for api in apis {
        let plain_name = format!("{}_plain", api.name().replace('-', "_"));
        let plain_dir = target.join(&plain_name);
        let plain_lines = write_plain_crate(root, api, &plain_name, &plain_dir)?;
        let manifest = plain_dir.join("Cargo.toml");
        run(project::cargo()
            .args(["build", "--quiet", "--offline", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target))?;
        eprintln!("clean builds of {} ({runs} runs each)...", api.name());
        let base = builds(runs, || {
            clean_build(&target, &plain_name, Some(&manifest), &[])
        })?;
        let full = builds(runs, || clean_build(&target, api.name(), None, &[]))?;
        let minimal_set = api.profile.minimal_features.join(",");
        let minimal = if minimal_set.is_empty() {
            None
        } else {
            Some(builds(runs, || {
                clean_build(
                    &target,
                    api.name(),
                    None,
                    &["--no-default-features", "--features", &minimal_set],
                )
            })?)
        };
        let output = api.generate(root)?;
        let mock = match api.crates(root, &output)?.get(1) {
            Some((_, files)) => {
                let package = format!("{}-mock", api.name());
                // Its dependencies (veeam-mock, wiremock) built once, outside the figure.
                run(project::cargo()
                    .args(["build", "--quiet", "--offline", "-p", &package])
                    .arg("--target-dir")
                    .arg(&target))?;
                Some((
                    source_lines(files),
                    builds(runs, || clean_build(&target, &package, None, &[]))?,
                ))
            }
            None => None,
        };
        compiles.push(Compile {
            name: api.name().to_string(),
            minimal_set,
            plain_lines,
            lines: source_lines(&output.files),
            base,
            full,
            minimal,
            mock,
        });
    }
    Ok(compiles)
}

/// progenitor's plain client for the same spec (normalized, no runtime, no features), as a
/// standalone crate; returns its line count.
fn write_plain_crate(
    root: &Path,
    api: &codegen::WorkspaceApi,
    name: &str,
    dir: &Path,
) -> Result<usize> {
    let files = codegen::load::read_spec(&api.spec_dir(root))?;
    let out = codegen::generate(
        &files,
        &codegen::CrateOptions {
            name: name.into(),
            description: "baseline".into(),
            command: "cargo xtask bench".into(),
            standalone: true,
            runtime: None,
        },
    )?;
    project::write_files(dir, &out.files)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(source_lines(&out.files))
}

/// The lines of a crate's Rust sources.
pub(super) fn source_lines(files: &BTreeMap<PathBuf, String>) -> usize {
    files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(_, t)| t.lines().count())
        .sum()
}
