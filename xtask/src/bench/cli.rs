//! Step 3: the `veeam` program (`generated/veeam-cli`): its clean release build (the API
//! crates and the program; their dependencies built once) and the binary's size, with one
//! API and with every API.

use std::path::Path;

use anyhow::{Context, Result};

use super::measure::{builds, clean_build_of, run, Build};
use crate::project;

/// One build of the program.
pub struct CliBuild {
    /// The APIs it holds (`vb365`, or `all`).
    pub apis: String,
    pub build: Build,
    pub bytes: u64,
}

pub fn measure(root: &Path, apis: &[codegen::WorkspaceApi], runs: usize) -> Result<Vec<CliBuild>> {
    let target = root.join("target/bench-cli");
    eprintln!("building the command line's dependencies once (release)...");
    run(project::cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "--offline",
            "-p",
            "veeam-command",
        ])
        .arg("--target-dir")
        .arg(&target))?;
    let names: Vec<&str> = apis.iter().map(|a| a.name()).collect();
    let mut clean = vec![codegen::cli::FOLDER];
    clean.extend(&names);
    let mut out = Vec::new();
    let mut variants: Vec<(String, Vec<&str>)> = Vec::new();
    if let Some(first) = names.first() {
        variants.push((
            first.to_string(),
            vec!["--no-default-features", "--features", first],
        ));
    }
    variants.push(("all".into(), vec![]));
    for (label, features) in variants {
        eprintln!("clean release builds of veeam with {label} ({runs} runs)...");
        let mut args = vec!["--release"];
        args.extend(&features);
        let build = builds(runs, || {
            clean_build_of(&target, &clean, codegen::cli::FOLDER, None, &args)
        })?;
        let binary = target
            .join("release")
            .join(format!("veeam{}", std::env::consts::EXE_SUFFIX));
        let bytes = std::fs::metadata(&binary)
            .with_context(|| format!("{}", binary.display()))?
            .len();
        out.push(CliBuild {
            apis: label,
            build,
            bytes,
        });
    }
    Ok(out)
}

impl CliBuild {
    /// A row of the report's table.
    pub fn row(&self) -> String {
        format!(
            "| {} | {:.1} s, {:.0} MiB | {:.1} MB |\n",
            self.apis,
            self.build.secs,
            self.build.peak_kb as f64 / 1024.0,
            self.bytes as f64 / 1e6
        )
    }
}
