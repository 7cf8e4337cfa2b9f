//! `cargo xtask diff`: what changed in the API between two specs, each side a path or a git
//! revision of spec/<api>.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use codegen::diff::{Budget, Format, PathRule};

use crate::{flags, project};

impl flags::Diff {
    pub fn run(self) -> Result<ExitCode> {
        let (old, new) = match (&self.base, &self.old, &self.new) {
            (Some(base), None, None) => (base.as_str(), None),
            (None, Some(old), new) => (old.as_str(), new.as_deref()),
            _ => bail!("give OLD [NEW], or --base REV"),
        };
        let rule = PathRule {
            version_prefix: regex::Regex::new(&self.version_prefix)
                .context("--version-prefix is not a valid regex")?,
            fold_case: !self.case_sensitive,
        };
        let api = self.api.as_deref();
        let root = project::root();
        let (old_name, old_files) = side(&root, api, Some(old))?;
        let (new_name, new_files) = side(&root, api, new)?;
        let (old_doc, _) = codegen::prepare(&old_files)?;
        let (new_doc, _) = codegen::prepare(&new_files)?;
        let report = codegen::diff::diff(&old_doc.value, &new_doc.value, &rule);
        let full = codegen::diff::render_markdown(&report, &old_name, &new_name, None);
        if let Some(out) = &self.out {
            std::fs::write(out, &full).with_context(|| format!("writing {}", out.display()))?;
        }
        let text = match self.format {
            Format::Markdown if self.max_bytes > 0 => {
                let budget = Budget {
                    max_bytes: self.max_bytes,
                    full_report: match &self.out {
                        Some(out) => format!("`{}`", out.display()),
                        None => {
                            "rerun with `--out FILE` for the complete Markdown, or `--format json`"
                                .into()
                        }
                    },
                };
                codegen::diff::render_markdown(&report, &old_name, &new_name, Some(&budget))
            }
            Format::Markdown => full,
            format => codegen::diff::render(&report, &old_name, &new_name, format),
        };
        print!("{text}");
        if self.fail_on == Some(flags::FailOn::Breaking) && report.has_breaking() {
            eprintln!("breaking changes found (--fail-on breaking)");
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The folder under spec/ that the working tree or a git revision is read from: `--api`, or
/// the only API of the workspace. `needed` says why one is needed, for the error otherwise.
fn api_folder(root: &Path, api: Option<&str>, needed: &str) -> Result<String> {
    if let Some(api) = api {
        return Ok(api.to_string());
    }
    let folders: Vec<String> = codegen::workspace_apis(root)?
        .into_iter()
        .map(|a| a.folder)
        .collect();
    match folders.as_slice() {
        [only] => Ok(only.clone()),
        _ => bail!(
            "{needed} is read from spec/<api>: give --api, one of: {}",
            folders.join(", ")
        ),
    }
}

/// Reads one side of a diff: an existing path, or `spec/<api>` of the workspace at `root`, in
/// the working tree (`None`) or at a git revision.
pub(crate) fn side(
    root: &Path,
    api: Option<&str>,
    side: Option<&str>,
) -> Result<(String, Vec<codegen::SpecFile>)> {
    let Some(side) = side else {
        let api = api_folder(root, api, "the new side, the working tree,")?;
        let dir = root.join("spec").join(&api);
        return Ok((
            format!("spec/{api} (working tree)"),
            codegen::load::read_spec(&dir)?,
        ));
    };
    if Path::new(side).exists() {
        return Ok((side.to_string(), codegen::load::read_spec(Path::new(side))?));
    }
    let git = |args: &[&str]| -> Result<String> {
        project::git(root, args)
            .with_context(|| format!("{side:?} is neither a path nor a git revision"))
    };
    let needed = format!("{side:?} is not a path; as a git revision, it");
    let dir = format!("spec/{}", api_folder(root, api, &needed)?);
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
