//! `--unions-only`: what tagged unions cost, on the synthetic document (its polymorphic bases are the
//! .NET pattern): the crate as generated, and the same document with every discriminator
//! removed, whose bases are cut from their subtypes as before unions; each a clean build.

use std::path::Path;

use anyhow::Result;

use super::measure::{builds, clean_build, run, Build};
use super::synthetic;
use crate::project;

/// One of the two crates.
pub struct Variant {
    pub unions: usize,
    /// Subtype-only properties a value decoded as its base loses (from the warnings).
    pub lost: usize,
    pub lines: usize,
    pub build: Build,
}

pub struct Unions {
    pub with: Variant,
    pub cut: Variant,
}

pub fn measure(root: &Path, runs: usize) -> Result<Unions> {
    let target = root.join("target/bench");
    let doc = synthetic::spec(synthetic::OPERATIONS, synthetic::SCHEMAS);
    let mut cut = doc.clone();
    for schema in cut["components"]["schemas"]
        .as_object_mut()
        .into_iter()
        .flat_map(|s| s.values_mut())
    {
        if let Some(s) = schema.as_object_mut() {
            s.shift_remove("discriminator");
        }
    }
    let mut variants = Vec::new();
    for (name, doc) in [("synthetic_unions", doc), ("synthetic_cut", cut)] {
        let files = vec![codegen::SpecFile {
            path: "synthetic.json".into(),
            text: doc.to_string(),
        }];
        let runtime = format!(
            "{{ path = {:?} }}",
            root.join("runtime").display().to_string()
        );
        let (runtime, _) = codegen::inferred_runtime(&files, name, name, &runtime, false)?;
        let out = codegen::generate(
            &files,
            &codegen::CrateOptions {
                name: name.into(),
                description: name.into(),
                command: "cargo xtask bench".into(),
                standalone: true,
                runtime: Some(runtime),
            },
        )?;
        let dir = target.join(name);
        project::write_files(&dir, &out.files)?;
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
        let manifest = dir.join("Cargo.toml");
        // Dependencies once, then clean builds of the crate alone.
        run(project::cargo()
            .args(["build", "--quiet", "--offline", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target))?;
        eprintln!("clean builds of {name} ({runs} runs)...");
        let build = builds(runs, || clean_build(&target, name, Some(&manifest), &[]))?;
        let lost = out
            .warnings
            .iter()
            .filter_map(|w| {
                let (before, _) = w.split_once(" subtype-only properties are lost")?;
                before.rsplit(' ').next()?.parse::<usize>().ok()
            })
            .sum();
        variants.push(Variant {
            unions: out.glue.map_or(0, |g| g.unions),
            lost,
            lines: super::compile::source_lines(&out.files),
            build,
        });
    }
    let cut = variants.pop().expect("two variants");
    let with = variants.pop().expect("two variants");
    Ok(Unions { with, cut })
}

impl Unions {
    pub fn print(&self) {
        for (what, v) in [
            ("with unions", &self.with),
            ("cut (before unions)", &self.cut),
        ] {
            println!(
                "synthetic document {what}: {} unions, {} subtype-only properties lost, {} lines, clean build {:.1} s, peak {} MiB",
                v.unions,
                v.lost,
                v.lines,
                v.build.secs,
                v.build.peak_kb / 1024
            );
        }
    }
}
