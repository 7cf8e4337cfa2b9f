//! Every command's flags, in one place: `cargo xtask <command> --help` is read from here.
//! Each command runs in a file of its own named after it (`impl flags::Diff { fn run }`).

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use codegen::diff::Format;

#[derive(Parser)]
#[command(about = "Generate and check the Veeam API client crates")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Regenerate every crate under generated/ from spec/ (each folder with a profile.yaml),
    /// or (with --spec) any OpenAPI 3.0 document into any folder, through the same pipeline.
    Generate(Generate),
    /// Exit non-zero, with a unified diff, when generated/ is not what `generate` would write.
    Check(Check),
    /// What changed in the API between two specs, for reviewing a spec change. Each side is a
    /// spec file or folder, or a git revision of spec/<api>.
    Diff(Diff),
    /// The whole test suite: `check`, `cargo test --workspace`, then `check-features`. What
    /// CI runs.
    Test(Test),
    /// Generation time, clean compile time and memory (full, minimal features, plain
    /// progenitor baseline), decode throughput and pagination walk; writes BENCHMARKS.md.
    Bench(Bench),
    /// `cargo check` each generated crate with no features, all features, the minimal set,
    /// and every resource-group feature alone (about a second each).
    CheckFeatures(CheckFeatures),
    /// Compare the facts of spec/<api> (paths, operations, parameters, schemas, responses,
    /// media types, security; not prose) with a vendor document; exit non-zero when a
    /// difference has no `vendor:` comment at its place. Says whether the file is the
    /// profile's document of record.
    VendorCheck(VendorCheck),
    /// Import a vendor revision into spec/<api>: the three-way merge of the vendor's change
    /// (document of record -> NEW_DOC) with our curation, written into the split files
    /// (our words and `vendor:` edits kept; conflicts listed, ours kept; new places listed
    /// to describe), the profile's document of record moved to NEW_DOC, then the semantic
    /// diff of the result.
    Import(Import),
    /// Write the facts of a vendor document, its prose and extensions left out (what a test
    /// may commit): `paths`, `components`, `security`, and `info.version`.
    VendorFacts(VendorFacts),
    /// The next version of a generated crate from what changed since its last release tag
    /// (`<crate>-v<version>`): the spec's semantic diff picks the bump; writes the version
    /// into the profile, a CHANGELOG.md entry, and the regenerated crate and mock.
    Release(Release),
    /// `cargo publish` the crates a release tag names (a generated crate and its mock, or a
    /// hand-written crate), in dependency order; `--all --dry-run` packages every crate.
    Publish(Publish),
}

// The commands' doc comments are on `Command`'s variants (clap's help text); the structs
// below hold only their flags.

#[derive(Args)]
pub struct Generate {
    /// An OpenAPI 3.0 file (JSON or YAML) or a split spec folder.
    #[arg(long, requires_all = ["out", "name"])]
    pub spec: Option<PathBuf>,
    /// Folder to write the crate into (created if missing).
    #[arg(long, requires = "spec")]
    pub out: Option<PathBuf>,
    /// Crate name.
    #[arg(long, requires = "spec")]
    pub name: Option<String>,
    /// The API's profile (login, paging); inferred from the document when omitted (a
    /// folder's own profile.yaml is used when it has one).
    #[arg(long, requires = "spec")]
    pub profile: Option<PathBuf>,
}

#[derive(Args)]
pub struct Check;

#[derive(Args)]
pub struct Diff {
    /// Old side: a path, or a git revision (e.g. `main`, `HEAD~1`).
    pub old: Option<String>,
    /// New side: a path, or a git revision; the working tree's spec/<api> when omitted.
    pub new: Option<String>,
    /// Compare the working tree's spec/<api> with this git revision.
    #[arg(long, conflicts_with = "old")]
    pub base: Option<String>,
    /// Which spec/<api> the working tree or a git revision refers to; needed when spec/
    /// holds more than one API.
    #[arg(long)]
    pub api: Option<String>,
    #[arg(long, value_parser = diff_format(), default_value_t = Format::Markdown)]
    pub format: Format,
    /// Exit non-zero when a change of this class (or worse) is found.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Regex for the version prefix dropped from paths before matching operations.
    #[arg(long, default_value = "^/v[0-9]+")]
    pub version_prefix: String,
    /// Match paths case-sensitively (default: case-insensitively, as VB365 servers do).
    #[arg(long)]
    pub case_sensitive: bool,
    /// Largest Markdown report printed, in bytes: detail is cut to fit (never the
    /// summary), and the report says where the full one is. 0: no limit.
    #[arg(long, default_value_t = codegen::diff::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
    /// Also write the complete Markdown report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// codegen's diff formats (its one list), by name.
fn diff_format() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(|f| {
        let value = PossibleValue::new(f.name());
        match f.about() {
            Some(about) => value.help(about),
            None => value,
        }
    }))
    .try_map(|name| name.parse::<Format>())
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any change that breaks client code or the wire.
    Breaking,
}

#[derive(Args)]
pub struct Test;

#[derive(Args)]
pub struct Bench {
    /// Runs per figure (medians are reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Only time generation and print it (seconds of iteration while optimizing the
    /// generator); BENCHMARKS.md is left alone.
    #[arg(long)]
    pub generation_only: bool,
    /// Only measure what tagged unions cost to compile (the synthetic document with its
    /// unions, and cut as before them) and print it; BENCHMARKS.md is left alone.
    #[arg(long)]
    pub unions_only: bool,
    /// Only measure the `veeam` program's release build and size (with the first API alone,
    /// and with all) and print it; BENCHMARKS.md is left alone.
    #[arg(long)]
    pub cli_only: bool,
    /// Only this crate (BENCHMARKS.md is left alone).
    #[arg(long)]
    pub api: Option<String>,
}

#[derive(Args)]
pub struct CheckFeatures;

#[derive(Args)]
pub struct VendorCheck {
    /// The API: its folder under spec/ (or its crate's name).
    #[arg(long)]
    pub api: String,
    /// The vendor's OpenAPI document (JSON or YAML).
    pub vendor_doc: PathBuf,
    /// Also list the differences a `vendor:` comment explains, with the comment's place.
    #[arg(long)]
    pub explained: bool,
}

#[derive(Args)]
pub struct Import {
    /// The API: its folder under spec/ (or its crate's name).
    #[arg(long)]
    pub api: String,
    /// The document of record (the profile's `vendor_document`), the base of the merge;
    /// by default the file of that name in `$VEEAM_VENDOR_DOCS`.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// The vendor's new OpenAPI document (JSON or YAML).
    pub new_doc: PathBuf,
    /// Print the plan; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
pub struct VendorFacts {
    /// The vendor's OpenAPI document (JSON or YAML).
    pub vendor_doc: PathBuf,
    /// Where to write its facts (compact JSON).
    pub out: PathBuf,
}

#[derive(Args)]
pub struct Release {
    /// The API: its folder under spec/ or its crate's name.
    #[arg(long)]
    pub api: String,
    /// Bump at least this much (the diff cannot see what a generator change means to users).
    #[arg(long, value_enum)]
    pub bump: Option<Level>,
    /// The entry's date (default: today, UTC), `YYYY-MM-DD`.
    #[arg(long)]
    pub date: Option<String>,
    /// Print the version and the entry; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Commit the release and tag it `<crate>-v<version>`.
    #[arg(long, conflicts_with = "dry_run")]
    pub tag: bool,
    /// The workspace (default: this one).
    #[arg(long, hide = true)]
    pub root: Option<PathBuf>,
}

/// The minimum bump `--bump` asks for, or the one a release gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Level {
    Patch,
    Minor,
    Major,
}

#[derive(Args)]
pub struct Publish {
    /// The release tag whose crates to publish: `vb365-v0.2.0` (the crate and its mock),
    /// `veeam-runtime-v0.2.0`.
    #[arg(long, conflicts_with = "all")]
    pub tag: Option<String>,
    /// Every publishable crate of the workspace (with --dry-run only).
    #[arg(long)]
    pub all: bool,
    /// Package and check, upload nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The `cargo xtask ...` command lines of a shell script, as argument lists: quotes
    /// dropped, variables given sample values, cut at a redirection, a pipe or `;`.
    pub(crate) fn xtask_lines(script: &str) -> Vec<Vec<String>> {
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
                            .replace("$TAG", "vb365-v0.1.0")
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_spec_diff_workflow_parses_and_names_commands_that_exist() {
        let path = crate::project::root().join(".github/workflows/spec-diff.yml");
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
                Command::Diff(diff) => {
                    assert!(diff.base.is_some(), "diffs against the base branch");
                    // A revision names no API folder by itself: the workflow says which.
                    assert!(diff.api.is_some(), "names the API: {args:?}");
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

    /// A workflow file, parsed.
    pub(crate) fn workflow(name: &str) -> serde_json::Value {
        let path = crate::project::root().join(".github/workflows").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        serde_norway::from_str(&text).unwrap()
    }

    /// The `run:` scripts of a job's steps.
    pub(crate) fn scripts<'a>(workflow: &'a serde_json::Value, job: &str) -> Vec<&'a str> {
        workflow["jobs"][job]["steps"]
            .as_array()
            .unwrap_or_else(|| panic!("job {job} has steps"))
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect()
    }

    #[test]
    fn the_ci_workflow_runs_what_ci_runs_on_every_push_and_pull_request() {
        let ci = workflow("ci.yml");
        assert!(ci["on"].get("push").is_some() && ci["on"].get("pull_request").is_some());
        let steps = ci["jobs"]["test"]["steps"].as_array().unwrap();
        assert_eq!(
            scripts(&ci, "test"),
            [".ci/run"],
            "exactly the README's test command"
        );
        assert!(
            steps.iter().any(|s| s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("Swatinem/rust-cache@"))),
            "with caching"
        );
        // `.ci/run` itself is the README's command.
        let run = std::fs::read_to_string(crate::project::root().join(".ci/run")).unwrap();
        let lines = xtask_lines(&run);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(matches!(
            Cli::try_parse_from(["xtask".to_string()].into_iter().chain(lines[0].clone()))
                .unwrap()
                .command,
            Command::Test(_)
        ));
    }

    #[test]
    fn vendor_check_takes_the_api_and_the_document() {
        let cli = Cli::try_parse_from(["xtask", "vendor-check", "--api", "vb365", "v8.json"])
            .unwrap_or_else(|e| panic!("{e}"));
        match cli.command {
            Command::VendorCheck(check) => {
                assert_eq!(check.api, "vb365");
                assert_eq!(check.vendor_doc, PathBuf::from("v8.json"));
                assert!(!check.explained);
            }
            _ => panic!("parsed as another command"),
        }
        assert!(Cli::try_parse_from(["xtask", "vendor-check", "v8.json"]).is_err());
    }

    #[test]
    fn import_takes_the_api_the_base_and_the_new_document() {
        let cli = Cli::try_parse_from([
            "xtask",
            "import",
            "--api",
            "vb365",
            "--base",
            "v8.json",
            "v8.4.json",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        match cli.command {
            Command::Import(import) => {
                assert_eq!(import.api, "vb365");
                assert_eq!(import.base, Some(PathBuf::from("v8.json")));
                assert_eq!(import.new_doc, PathBuf::from("v8.4.json"));
                assert!(!import.dry_run);
            }
            _ => panic!("parsed as another command"),
        }
        assert!(Cli::try_parse_from(["xtask", "import", "new.json"]).is_err());
    }

    #[test]
    fn every_diff_format_of_codegen_is_offered_by_name() {
        for format in Format::ALL {
            let cli = Cli::try_parse_from(["xtask", "diff", "a", "b", "--format", format.name()])
                .unwrap_or_else(|e| panic!("--format {format}: {e}"));
            match cli.command {
                Command::Diff(diff) => assert_eq!(diff.format, format),
                _ => panic!("parsed as another command"),
            }
        }
        assert!(Cli::try_parse_from(["xtask", "diff", "a", "--format", "html"]).is_err());
    }
}
