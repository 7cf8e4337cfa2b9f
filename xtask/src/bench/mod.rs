//! `cargo xtask bench`: every performance figure side by side in one run, written to
//! BENCHMARKS.md. Targets are compared as ratios measured in the same run, never asserted.
//!
//! The steps, each in a module of its own: `generation` (in process), `compile` (clean
//! builds), `runtime` (the `bench` package), then `report` writes the page; `unions`
//! (`--unions-only`) measures tagged unions alone; `measure` and `synthetic` are below them
//! all.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::{flags, project};

mod cli;
mod compile;
mod generation;
mod measure;
mod report;
mod runtime;
mod synthetic;
mod unions;

impl flags::Bench {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let runs = self.runs.max(1);
        let only = self.api.as_deref();
        let apis: Vec<codegen::WorkspaceApi> = codegen::workspace_apis(&root)?
            .into_iter()
            .filter(|a| only.is_none_or(|o| o == a.name()))
            .collect();
        if apis.is_empty() {
            bail!("no API named {only:?} in spec/");
        }
        if self.cli_only {
            for b in cli::measure(&root, &apis, runs)? {
                print!("{}", b.row());
            }
            return Ok(ExitCode::SUCCESS);
        }
        if self.unions_only {
            unions::measure(&root, runs)?.print();
            return Ok(ExitCode::SUCCESS);
        }
        let generation = generation::measure(&root, &apis, runs)?;
        generation.print();
        if self.generation_only {
            return Ok(ExitCode::SUCCESS);
        }
        let compiles = compile::measure(&root, &apis, runs)?;
        let cli = cli::measure(&root, &apis, runs)?;
        let runtime = runtime::measure()?;
        let md = report::markdown(&generation, &compiles, &cli, &runtime);
        if only.is_none() {
            std::fs::write(root.join("BENCHMARKS.md"), &md)?;
        }
        print!("{md}");
        Ok(ExitCode::SUCCESS)
    }
}
