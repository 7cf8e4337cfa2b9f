//! `cargo xtask <command>`: the maintainer's command line over the `codegen` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use codegen::{CrateOptions, WORKSPACE_APIS};

#[derive(Parser)]
#[command(about = "Generate and check the Veeam API client crates")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every crate under generated/ from spec/, or (with --spec) any OpenAPI 3.0
    /// document into any folder.
    Generate {
        /// An OpenAPI 3.0 file (JSON or YAML) or a split spec folder.
        #[arg(long, requires_all = ["out", "name"])]
        spec: Option<PathBuf>,
        /// Folder to write the crate into (created if missing).
        #[arg(long, requires = "spec")]
        out: Option<PathBuf>,
        /// Crate name.
        #[arg(long, requires = "spec")]
        name: Option<String>,
    },
    /// Exit non-zero, with a unified diff, when generated/ is not what `generate` would write.
    Check,
    /// The whole test suite: `check`, then `cargo test --workspace`. What CI runs.
    Test,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Generate {
            spec: Some(spec),
            out: Some(out),
            name: Some(name),
        } => generate_one(&spec, &out, &name),
        Command::Generate { .. } => generate_workspace(),
        Command::Check => check(),
        Command::Test => test(),
    }
}

fn generate_workspace() -> Result<ExitCode> {
    let root = workspace_root();
    for api in WORKSPACE_APIS {
        let started = Instant::now();
        let output = api.generate(&root)?;
        let elapsed = started.elapsed();
        let dir = api.crate_dir(&root);
        let drift = codegen::compare_with_disk(&dir, &output.files);
        for stale in &drift.stale {
            std::fs::remove_file(dir.join(stale))
                .with_context(|| format!("removing stale {}", dir.join(stale).display()))?;
        }
        write_files(&dir, &output.files)?;
        println!(
            "{}: {} operations, {} files ({} changed, {} removed) in {:.2?}",
            api.name,
            output.operations,
            output.files.len(),
            drift.changed.len(),
            drift.stale.len(),
            elapsed
        );
        println!("  {}", output.report.summary());
    }
    Ok(ExitCode::SUCCESS)
}

fn generate_one(spec: &Path, out: &Path, name: &str) -> Result<ExitCode> {
    if !is_crate_name(name) {
        bail!("--name {name:?} is not a valid crate name: use letters, digits, `_` and `-`, starting with a letter");
    }
    let started = Instant::now();
    let files = codegen::load::read_spec(spec)?;
    let command = format!(
        "cargo xtask generate --spec {} --out {} --name {name}",
        spec.display(),
        out.display()
    );
    let output = codegen::generate(
        &files,
        &CrateOptions {
            name: name.to_string(),
            description: format!("Client generated from {}", spec.display()),
            command,
        },
    )?;
    write_files(out, &output.files)?;
    println!(
        "{name}: {} operations, {} files written to {} in {:.2?}",
        output.operations,
        output.files.len(),
        out.display(),
        started.elapsed()
    );
    println!("  {}", output.report.summary());
    Ok(ExitCode::SUCCESS)
}

fn is_crate_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn write_files(dir: &Path, files: &std::collections::BTreeMap<PathBuf, String>) -> Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

fn check() -> Result<ExitCode> {
    let root = workspace_root();
    let mut clean = true;
    for api in WORKSPACE_APIS {
        let output = api.generate(&root)?;
        let dir = api.crate_dir(&root);
        let drift = codegen::compare_with_disk(&dir, &output.files);
        for (rel, on_disk, fresh) in &drift.changed {
            let shown = Path::new("generated").join(api.name).join(rel);
            let old = on_disk.as_deref().unwrap_or("");
            let diff = similar::TextDiff::from_lines(old, fresh.as_str());
            print!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{}", shown.display()), &format!("b/{}", shown.display()))
            );
        }
        for stale in &drift.stale {
            println!("stale file: generated/{}/{} (generation does not write it)", api.name, stale.display());
        }
        if drift.is_clean() {
            println!("{}: generated/{} is up to date", api.name, api.name);
        } else {
            clean = false;
        }
    }
    if clean {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("generated/ is stale: run `cargo xtask generate` and commit the result");
        Ok(ExitCode::FAILURE)
    }
}

fn test() -> Result<ExitCode> {
    if check()? != ExitCode::SUCCESS {
        return Ok(ExitCode::FAILURE);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["test", "--workspace", "--locked"])
        .current_dir(workspace_root())
        .status()
        .context("running cargo test")?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
