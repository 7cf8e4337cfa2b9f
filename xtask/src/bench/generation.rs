//! Step 1: generation time, in process (this xtask build: dev profile, generator crates
//! optimized), of every crate and of the synthetic document.

use std::path::Path;

use anyhow::Result;

use super::measure::{warm_timing, Timing};
use super::synthetic;

/// One crate's figures.
pub struct Generated {
    pub name: String,
    pub operations: usize,
    pub timing: Timing,
}

pub struct Generation {
    /// Runs per crate.
    pub runs: usize,
    pub crates: Vec<Generated>,
    /// The synthetic document's, over [`SYNTHETIC_RUNS`].
    pub synthetic: Timing,
}

/// Runs of the synthetic document (each several times a crate's).
pub const SYNTHETIC_RUNS: usize = 5;

pub fn measure(root: &Path, apis: &[codegen::WorkspaceApi], runs: usize) -> Result<Generation> {
    let generation_runs = (runs * 3).max(9);
    let mut crates = Vec::new();
    for api in apis {
        eprintln!(
            "generation of {} (1 warm-up + {generation_runs} runs)...",
            api.name()
        );
        let timing = warm_timing(generation_runs, || {
            api.generate(root).map(|_| ()).map_err(Into::into)
        })?;
        crates.push(Generated {
            name: api.name().to_string(),
            operations: api.generate(root)?.operations,
            timing,
        });
    }
    // A document the size of the vendor's largest (Veeam Backup & Replication: 500+
    // operations, ~1,800 schemas, polymorphic .NET types), made up here so no vendor text is
    // needed: generated through the same pipeline with an inferred profile.
    let (big_ops, big_schemas) = (synthetic::OPERATIONS, synthetic::SCHEMAS);
    let big = vec![codegen::SpecFile {
        path: "synthetic.json".into(),
        text: synthetic::spec(big_ops, big_schemas).to_string(),
    }];
    let (big_runtime, _) =
        codegen::inferred_runtime(&big, "synthetic", "synthetic", r#"{ path = "x" }"#, true)?;
    let big_options = codegen::CrateOptions {
        name: "synthetic".into(),
        description: "synthetic".into(),
        command: "cargo xtask bench".into(),
        standalone: true,
        runtime: Some(big_runtime),
    };
    eprintln!("generation of a {big_ops}-operation, {big_schemas}-schema document...");
    let timing = warm_timing(SYNTHETIC_RUNS, || {
        codegen::generate(&big, &big_options)
            .map(|_| ())
            .map_err(Into::into)
    })?;
    Ok(Generation {
        runs: generation_runs,
        crates,
        synthetic: timing,
    })
}

impl Generation {
    /// The figures on standard output (all that `--generation-only` prints).
    pub fn print(&self) {
        for Generated {
            name, timing: t, ..
        } in &self.crates
        {
            println!(
                "generation of {name}: median {:.3} s over {} runs (min {:.3}, max {:.3})",
                t.median, self.runs, t.min, t.max
            );
        }
        let t = &self.synthetic;
        println!(
            "generation of the synthetic {}-operation, {}-schema document: median {:.3} s over {SYNTHETIC_RUNS} runs (min {:.3}, max {:.3})",
            synthetic::OPERATIONS, synthetic::SCHEMAS, t.median, t.min, t.max
        );
    }
}
