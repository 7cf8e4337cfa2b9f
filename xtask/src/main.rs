//! `cargo xtask <command>`: the maintainer's command line over the `codegen` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod bench;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use codegen::{CrateOptions, Profile};

#[derive(Parser)]
#[command(about = "Generate and check the Veeam API client crates")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate every crate under generated/ from spec/ (each folder with a profile.yaml),
    /// or (with --spec) any OpenAPI 3.0 document into any folder, through the same pipeline.
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
        /// The API's profile (login, paging); inferred from the document when omitted (a
        /// folder's own profile.yaml is used when it has one).
        #[arg(long, requires = "spec")]
        profile: Option<PathBuf>,
    },
    /// Exit non-zero, with a unified diff, when generated/ is not what `generate` would write.
    Check,
    /// What changed in the API between two specs, for reviewing a spec change. Each side is a
    /// spec file or folder, or a git revision of spec/<api>.
    Diff {
        /// Old side: a path, or a git revision (e.g. `main`, `HEAD~1`).
        old: Option<String>,
        /// New side: a path, or a git revision; the working tree's spec/<api> when omitted.
        new: Option<String>,
        /// Compare the working tree's spec/<api> with this git revision.
        #[arg(long, conflicts_with = "old")]
        base: Option<String>,
        /// Which spec/<api> a git revision refers to.
        #[arg(long, default_value = "vb365")]
        api: String,
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// Exit non-zero when a change of this class (or worse) is found.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
        /// Regex for the version prefix dropped from paths before matching operations.
        #[arg(long, default_value = "^/v[0-9]+")]
        version_prefix: String,
        /// Match paths case-sensitively (default: case-insensitively, as VB365 servers do).
        #[arg(long)]
        case_sensitive: bool,
        /// Largest Markdown report printed, in bytes: detail is cut to fit (never the
        /// summary), and the report says where the full one is. 0: no limit.
        #[arg(long, default_value_t = codegen::diff::DEFAULT_MAX_BYTES)]
        max_bytes: usize,
        /// Also write the complete Markdown report to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The whole test suite: `check`, `cargo test --workspace`, then `check-features`. What
    /// CI runs.
    Test,
    /// Generation time, clean compile time and memory (full, minimal features, plain
    /// progenitor baseline), decode throughput and pagination walk; writes BENCHMARKS.md.
    Bench {
        /// Runs per figure (medians are reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Only time generation and print it (seconds of iteration while optimizing the
        /// generator); BENCHMARKS.md is left alone.
        #[arg(long)]
        generation_only: bool,
        /// Only this crate (BENCHMARKS.md is left alone).
        #[arg(long)]
        api: Option<String>,
    },
    /// `cargo check` each generated crate with no features, all features, the minimal set,
    /// and every resource-group feature alone (about a second each).
    CheckFeatures,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Markdown,
    Json,
    Text,
    /// One Markdown table row of counts (operations added, removed, renamed, moved; changes
    /// per class).
    Summary,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Any change that breaks client code or the wire.
    Breaking,
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
            profile,
        } => generate_one(&spec, &out, &name, profile.as_deref()),
        Command::Generate { .. } => generate_workspace(),
        Command::Check => check(),
        Command::Test => test(),
        Command::CheckFeatures => check_features(),
        Command::Bench {
            runs,
            generation_only,
            api,
        } => bench::bench(&workspace_root(), runs, generation_only, api.as_deref())
            .map(|_| ExitCode::SUCCESS),
        Command::Diff {
            old,
            new,
            base,
            api,
            format,
            fail_on,
            version_prefix,
            case_sensitive,
            max_bytes,
            out,
        } => {
            let (old, new) = match (base, old, new) {
                (Some(base), None, None) => (base, None),
                (None, Some(old), new) => (old, new),
                _ => bail!("give OLD [NEW], or --base REV"),
            };
            let rule = codegen::diff::PathRule {
                version_prefix: regex::Regex::new(&version_prefix)
                    .context("--version-prefix is not a valid regex")?,
                fold_case: !case_sensitive,
            };
            let report = DiffReport {
                format,
                fail_on,
                max_bytes,
                out,
            };
            diff(&api, &old, new.as_deref(), &report, &rule)
        }
    }
}

fn generate_workspace() -> Result<ExitCode> {
    let root = workspace_root();
    for api in codegen::workspace_apis(&root)? {
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
            api.name(),
            output.operations,
            output.files.len(),
            drift.changed.len(),
            drift.stale.len(),
            elapsed
        );
        println!("  {}", output.report.summary());
        if let Some(glue) = &output.glue {
            println!("  {}", glue.summary());
        }
        print_warnings(&output);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_warnings(output: &codegen::Output) {
    for warning in &output.warnings {
        eprintln!("  {warning}");
    }
}

/// `generate --spec`: exactly the workspace's pipeline (runtime, features, lenient decoding,
/// compact serde impls) on any document, into a crate of its own.
fn generate_one(spec: &Path, out: &Path, name: &str, profile: Option<&Path>) -> Result<ExitCode> {
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
        workspace_root().join("runtime").display().to_string()
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
            }),
        },
    )?;
    write_files(out, &output.files)?;
    std::fs::copy(workspace_root().join("Cargo.lock"), out.join("Cargo.lock"))
        .context("copying Cargo.lock")?;
    println!(
        "{name}: {} operations, {} files written to {} in {:.2?}",
        output.operations,
        output.files.len(),
        out.display(),
        started.elapsed()
    );
    println!("  {}", output.report.summary());
    if let Some(glue) = &output.glue {
        println!("  {}", glue.summary());
    }
    print_warnings(&output);
    Ok(ExitCode::SUCCESS)
}

fn write_files(dir: &Path, files: &std::collections::BTreeMap<PathBuf, String>) -> Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
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
    for api in codegen::workspace_apis(&root)? {
        let output = api.generate(&root)?;
        let dir = api.crate_dir(&root);
        let drift = codegen::compare_with_disk(&dir, &output.files);
        for (rel, on_disk, fresh) in &drift.changed {
            let shown = Path::new("generated").join(&api.folder).join(rel);
            let old = on_disk.as_deref().unwrap_or("");
            let diff = similar::TextDiff::from_lines(old, fresh.as_str());
            print!(
                "{}",
                diff.unified_diff().context_radius(3).header(
                    &format!("a/{}", shown.display()),
                    &format!("b/{}", shown.display())
                )
            );
        }
        for stale in &drift.stale {
            println!(
                "stale file: generated/{}/{} (generation does not write it)",
                api.folder,
                stale.display()
            );
        }
        if drift.is_clean() {
            println!("{}: generated/{} is up to date", api.name(), api.folder);
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

/// The hand-written packages: `cargo fmt --check` covers these (the generated crates are
/// prettyplease's output, checked by `check` instead).
const HAND_WRITTEN: &[&str] = &[
    "codegen",
    "xtask",
    "veeam-runtime",
    "tests",
    "vb365-examples",
    "bench",
];

fn test() -> Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut fmt = std::process::Command::new(&cargo);
    fmt.args(["fmt", "--check"]).current_dir(workspace_root());
    for p in HAND_WRITTEN {
        fmt.args(["-p", p]);
    }
    if !fmt.status().context("running cargo fmt --check")?.success() {
        eprintln!(
            "the hand-written code is not formatted: run `cargo fmt -p {}`",
            HAND_WRITTEN.join(" -p ")
        );
        return Ok(ExitCode::FAILURE);
    }
    if check()? != ExitCode::SUCCESS {
        return Ok(ExitCode::FAILURE);
    }
    let status = std::process::Command::new(&cargo)
        .args(["test", "--workspace", "--locked"])
        .current_dir(workspace_root())
        .status()
        .context("running cargo test")?;
    if !status.success() {
        return Ok(ExitCode::FAILURE);
    }
    if docs()? != ExitCode::SUCCESS {
        return Ok(ExitCode::FAILURE);
    }
    check_features()
}

/// `cargo doc` of the runtime and every generated crate with all features, warnings denied:
/// a broken link or a malformed doc comment in a spec fails CI, not a user on docs.rs.
fn docs() -> Result<ExitCode> {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut doc = std::process::Command::new(&cargo);
    doc.args([
        "doc",
        "--no-deps",
        "--locked",
        "--all-features",
        "-p",
        "veeam-runtime",
    ])
    .env("RUSTDOCFLAGS", "-D warnings")
    .current_dir(&root);
    for api in codegen::workspace_apis(&root)? {
        doc.args(["-p", api.name()]);
    }
    let status = doc.status().context("running cargo doc")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        eprintln!("the crate documentation has warnings (cargo doc, RUSTDOCFLAGS=-D warnings)");
        ExitCode::FAILURE
    })
}

fn check_features() -> Result<ExitCode> {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut failed = Vec::new();
    for api in codegen::workspace_apis(&root)? {
        let manifest = std::fs::read_to_string(api.crate_dir(&root).join("Cargo.toml"))?;
        // Resource-group features are the `name = []` lines.
        let groups: Vec<&str> = manifest
            .lines()
            .filter_map(|l| l.strip_suffix(" = []"))
            .filter(|f| !f.contains(' '))
            .collect();
        let mut runs: Vec<(String, Vec<String>)> = vec![
            ("no features".into(), vec!["--no-default-features".into()]),
            ("all features".into(), vec!["--all-features".into()]),
        ];
        if !api.profile.minimal_features.is_empty() {
            let set = api.profile.minimal_features.join(",");
            runs.push((format!("minimal ({set})"), features_args(&set)));
        }
        for f in groups {
            runs.push((format!("only {f}"), features_args(f)));
        }
        for (what, args) in runs {
            let start = Instant::now();
            let output = std::process::Command::new(&cargo)
                .args(["check", "--quiet", "--locked", "-p", api.name()])
                .args(&args)
                .current_dir(&root)
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

fn features_args(set: &str) -> Vec<String> {
    vec![
        "--no-default-features".into(),
        "--features".into(),
        set.into(),
    ]
}

/// Reads one side of a diff: an existing path, or `spec/<api>` at a git revision.
fn diff_side(api: &str, side: Option<&str>) -> Result<(String, Vec<codegen::SpecFile>)> {
    let root = workspace_root();
    let Some(side) = side else {
        let dir = root.join("spec").join(api);
        return Ok((
            format!("spec/{api} (working tree)"),
            codegen::load::read_spec(&dir)?,
        ));
    };
    if Path::new(side).exists() {
        return Ok((side.to_string(), codegen::load::read_spec(Path::new(side))?));
    }
    let git = |args: &[&str]| -> Result<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .context("running git")?;
        if !out.status.success() {
            bail!(
                "{side:?} is neither a path nor a git revision: git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).context("git printed non-UTF-8")
    };
    let dir = format!("spec/{api}");
    let listing = git(&["ls-tree", "-r", "--name-only", side, "--", &dir])?;
    let names: Vec<String> = listing
        .lines()
        .filter(|n| codegen::load::is_spec_file_name(n))
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        bail!("{dir} does not exist at revision {side}");
    }
    let (root_name, names) = codegen::load::root_first(names)
        .with_context(|| format!("{dir} at {side} has no root file"))?;
    let mut files = Vec::new();
    for name in std::iter::once(root_name).chain(names) {
        files.push(codegen::SpecFile {
            path: PathBuf::from(format!("{side}:{name}")),
            text: git(&["show", &format!("{side}:{name}")])?,
        });
    }
    Ok((format!("{dir}@{side}"), files))
}

/// How `diff` reports.
struct DiffReport {
    format: DiffFormat,
    fail_on: Option<FailOn>,
    max_bytes: usize,
    out: Option<PathBuf>,
}

fn diff(
    api: &str,
    old: &str,
    new: Option<&str>,
    options: &DiffReport,
    rule: &codegen::diff::PathRule,
) -> Result<ExitCode> {
    let (old_name, old_files) = diff_side(api, Some(old))?;
    let (new_name, new_files) = diff_side(api, new)?;
    let (old_doc, _) = codegen::prepare(&old_files)?;
    let (new_doc, _) = codegen::prepare(&new_files)?;
    let report = codegen::diff::diff(&old_doc.value, &new_doc.value, rule);
    let full = codegen::diff::render_markdown(&report, &old_name, &new_name, None);
    if let Some(out) = &options.out {
        std::fs::write(out, &full).with_context(|| format!("writing {}", out.display()))?;
    }
    let text = match options.format {
        DiffFormat::Markdown if options.max_bytes > 0 => {
            let budget = codegen::diff::Budget {
                max_bytes: options.max_bytes,
                full_report: match &options.out {
                    Some(out) => format!("`{}`", out.display()),
                    None => "rerun with `--out FILE` for the complete Markdown, or `--format json`"
                        .into(),
                },
            };
            codegen::diff::render_markdown(&report, &old_name, &new_name, Some(&budget))
        }
        DiffFormat::Markdown => full,
        DiffFormat::Json => {
            codegen::diff::render(&report, &old_name, &new_name, codegen::diff::Format::Json)
        }
        DiffFormat::Text => {
            codegen::diff::render(&report, &old_name, &new_name, codegen::diff::Format::Text)
        }
        DiffFormat::Summary => codegen::diff::render(
            &report,
            &old_name,
            &new_name,
            codegen::diff::Format::Summary,
        ),
    };
    print!("{text}");
    let fail_on = options.fail_on;
    if fail_on == Some(FailOn::Breaking) && report.has_breaking() {
        eprintln!("breaking changes found (--fail-on breaking)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `cargo xtask ...` command lines of a shell script, as argument lists: quotes
    /// dropped, variables given sample values, cut at a redirection, a pipe or `;`.
    fn xtask_lines(script: &str) -> Vec<Vec<String>> {
        script
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cargo xtask "))
            .map(|l| {
                l.split_whitespace()
                    .take_while(|w| !matches!(*w, ">" | ">>" | "|" | ";" | "&&" | "2>&1"))
                    .map(|w| {
                        // Shell variables get values of the kind the workflow gives them.
                        w.trim_matches('"')
                            .replace("$api", "vb365")
                            .replace("$BASE_REF", "main")
                            .replace("$budget", "30000")
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_spec_diff_workflow_parses_and_names_commands_that_exist() {
        let path = workspace_root().join(".github/workflows/spec-diff.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let workflow: serde_json::Value = serde_norway::from_str(&text).unwrap();
        // `on:` may read as the key "on" or as `true` (YAML 1.1); serde_norway keeps "on".
        let paths = &workflow["on"]["pull_request"]["paths"];
        assert_eq!(
            paths,
            &serde_json::json!(["spec/**"]),
            "runs on spec changes"
        );
        assert_eq!(workflow["permissions"]["pull-requests"], "write");
        let steps = workflow["jobs"]["diff"]["steps"].as_array().unwrap();
        let scripts: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
        let lines: Vec<Vec<String>> = scripts.iter().flat_map(|s| xtask_lines(s)).collect();
        assert!(lines.len() >= 2, "the workflow runs the diff: {lines:?}");
        for args in &lines {
            assert!(
                args.iter().all(|a| !a.contains('$')),
                "a shell variable this test gives no sample value: {args:?}"
            );
            let cli = Cli::try_parse_from(std::iter::once("xtask".to_string()).chain(args.clone()))
                .unwrap_or_else(|e| {
                    panic!(
                        "`cargo xtask {}` is not a valid command: {e}",
                        args.join(" ")
                    )
                });
            match cli.command {
                Command::Diff {
                    base,
                    out,
                    max_bytes,
                    ..
                } => {
                    assert!(base.is_some(), "diffs against the base branch");
                    let _ = (out, max_bytes);
                }
                _ => panic!("only diffs expected: {args:?}"),
            }
        }
        // The complete report goes to a file for the artifact; the comment is budgeted.
        assert!(lines.iter().any(|a| a.contains(&"--out".to_string())));
        assert!(lines.iter().any(|a| a.contains(&"--max-bytes".to_string())));
        let script = steps
            .iter()
            .filter_map(|s| s["with"]["script"].as_str())
            .next()
            .expect("a github-script step posts the comment");
        assert!(script.contains("updateComment") && script.contains("createComment"));
        assert!(scripts.iter().any(|s| s.contains("GITHUB_STEP_SUMMARY")));
    }
}
