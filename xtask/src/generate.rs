//! `cargo xtask generate`: every crate of the workspace from spec/, or (`--spec`) any
//! document into any folder, through the same pipeline.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use codegen::{CrateOptions, Profile};

use crate::{flags, project};

impl flags::Generate {
    pub fn run(self) -> Result<ExitCode> {
        match (&self.spec, &self.out, &self.name) {
            (Some(spec), Some(out), Some(name)) => one(spec, out, name, self.profile.as_deref()),
            _ => workspace(),
        }
    }
}

/// Every API of the workspace into generated/, stale files removed.
fn workspace() -> Result<ExitCode> {
    let root = project::root();
    let apis = codegen::workspace_apis(&root)?;
    for api in &apis {
        let started = Instant::now();
        let output = api.generate(&root)?;
        let elapsed = started.elapsed();
        // The client's crate, then its mock (`generated/<api>-mock/`).
        for (folder, files) in api.crates(&root, &output)? {
            write_crate(&root, &folder, &files)?;
        }
        println!(
            "{}: {} operations{} in {:.2?}",
            api.name(),
            output.operations,
            output
                .mock
                .as_ref()
                .map_or(String::new(), |m| format!(", {} mock stubs", m.stubs)),
            elapsed
        );
        print_report(&output);
    }
    // The command line, with a feature per API.
    let files = codegen::cli::crate_files(&root, &apis)?;
    write_crate(&root, codegen::cli::FOLDER, &files)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `generated/<folder>/`, removing the files generation no longer writes.
fn write_crate(
    root: &Path,
    folder: &str,
    files: &std::collections::BTreeMap<std::path::PathBuf, String>,
) -> Result<()> {
    let dir = root.join("generated").join(folder);
    let drift = codegen::compare_with_disk(&dir, files);
    for stale in &drift.stale {
        std::fs::remove_file(dir.join(stale))
            .with_context(|| format!("removing stale {}", dir.join(stale).display()))?;
    }
    project::write_files(&dir, files)?;
    println!(
        "generated/{folder}: {} files ({} changed, {} removed)",
        files.len(),
        drift.changed.len(),
        drift.stale.len(),
    );
    Ok(())
}

/// What normalization and the glue did, and the warnings, under a crate's first line.
fn print_report(output: &codegen::Output) {
    println!("  {}", output.report.summary());
    if let Some(glue) = &output.glue {
        println!("  {}", glue.summary());
    }
    for warning in &output.warnings {
        eprintln!("  {warning}");
    }
}

/// `generate --spec`: exactly the workspace's pipeline (runtime, features, lenient decoding,
/// compact serde impls) on any document, into a crate of its own.
fn one(spec: &Path, out: &Path, name: &str, profile: Option<&Path>) -> Result<ExitCode> {
    if !codegen::profile::is_crate_name(name) {
        bail!("--name {name:?} is not a valid crate name: use letters, digits, `_` and `-`, starting with a letter");
    }
    let started = Instant::now();
    let files = codegen::load::read_spec(spec)?;
    let command = format!(
        "cargo xtask generate --spec {} --out {} --name {name}",
        spec.display(),
        out.display()
    );
    let description = format!("Client generated from {}", spec.display());
    let own_profile = profile.map(Path::to_path_buf).or_else(|| {
        let p = spec.join(codegen::profile::FILE_NAME);
        p.is_file().then_some(p)
    });
    let runtime_dependency = format!(
        "{{ path = {:?} }}",
        project::root().join("runtime").display().to_string()
    );
    let mut profile = match &own_profile {
        Some(path) => Profile::read_file(path)?,
        None => {
            let (inferred, notes) =
                codegen::inferred_runtime(&files, name, &description, &runtime_dependency, true)?;
            println!(
                "no profile given: inferred from the document (save it as profile.yaml to edit):"
            );
            for note in &notes {
                println!("  {note}");
            }
            let yaml = inferred.profile.to_yaml();
            println!(
                "  ---\n{}",
                yaml.lines()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            inferred.profile
        }
    };
    profile.krate.name = name.to_string();
    let (extension, guide) = match &own_profile {
        Some(p) => {
            let dir = p.parent().unwrap_or(Path::new("."));
            (profile.read_extensions(dir)?, profile.read_guide(dir)?)
        }
        None => (None, None),
    };
    let output = codegen::generate(
        &files,
        &CrateOptions {
            name: name.to_string(),
            description,
            command,
            standalone: true,
            runtime: Some(codegen::RuntimeOptions {
                dependency: runtime_dependency,
                profile,
                extension,
                guide,
                features: true,
                changelog: None,
            }),
        },
    )?;
    project::write_files(out, &output.files)?;
    std::fs::copy(project::root().join("Cargo.lock"), out.join("Cargo.lock"))
        .context("copying Cargo.lock")?;
    println!(
        "{name}: {} operations, {} files written to {} in {:.2?}",
        output.operations,
        output.files.len(),
        out.display(),
        started.elapsed()
    );
    print_report(&output);
    Ok(ExitCode::SUCCESS)
}
