//! `cargo xtask import --api NAME [--base RECORD] NEW_DOC [--dry-run]`: a vendor revision
//! carried into spec/<api>. The merge is `codegen::vendor::merge`, the writing
//! `codegen::vendor::apply`; this prints the plan at its places in our files, writes the
//! files and the profile's new document of record, and prints the semantic diff.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use codegen::error::pointer;
use codegen::vendor::merge::{needs_description, without_prose, Step};
use serde_json::Value;

use crate::{flags, project, vendor_check};

impl flags::Import {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let api = project::workspace_api(&root, &self.api)?;
        let Some(record) = api.profile.vendor_document.clone() else {
            bail!(
                "spec/{}/profile.yaml names no vendor_document: the import needs the document \
                 the spec follows as its base (add it, `cargo xtask vendor-check` proves it)",
                api.folder
            );
        };
        let base_path = match &self.base {
            Some(p) => p.clone(),
            None => match std::env::var_os(vendor_check::DOCS_ENV) {
                Some(dir) => PathBuf::from(dir).join(&record.file),
                None => bail!(
                    "give the document of record ({}) with --base, or set {} to its folder",
                    record.file,
                    vendor_check::DOCS_ENV
                ),
            },
        };
        let base_bytes = std::fs::read(&base_path)
            .with_context(|| format!("reading {}", base_path.display()))?;
        if !codegen::vendor::is_document_of_record(
            &record,
            &codegen::vendor::sha256_hex(&base_bytes),
        ) {
            bail!(
                "{} is not spec/{}'s document of record ({} {}, SHA-256 {}): the merge \
                 would take the wrong base",
                base_path.display(),
                api.folder,
                record.file,
                record.version,
                record.sha256
            );
        }
        let new_bytes = std::fs::read(&self.new_doc)
            .with_context(|| format!("reading {}", self.new_doc.display()))?;
        let spec_dir = api.spec_dir(&root);
        let mut ours = codegen::load::read_spec(&spec_dir)?;
        for f in &mut ours {
            if let Ok(rel) = f.path.strip_prefix(&root) {
                f.path = rel.to_path_buf();
            }
        }
        let base = codegen::load::read_spec(&base_path)?;
        let new = codegen::load::read_spec(&self.new_doc)?;
        let merge = codegen::vendor::merge_plan(&ours, &base, &new)?;
        for (from, to) in &merge.moves {
            println!("  move    {from} -> {to} (our words and edits go with it)");
        }
        let plan = merge.steps;
        print!("{}", render(&plan, &api.folder, &self.new_doc));
        if self.dry_run {
            println!("--dry-run: nothing written");
            return Ok(ExitCode::SUCCESS);
        }
        let steps: Vec<Step> = plan.into_iter().map(|p| p.step).collect();
        let written = codegen::vendor::apply::apply(&merge.files, &steps)?;
        // Nothing is written unless the result still goes through the generator's checks.
        let (old_doc, _) = codegen::prepare(&ours)?;
        let (new_spec, _) = codegen::prepare(&written.files).context(
            "the imported spec does not pass the generator's checks; nothing was written",
        )?;
        for (before, after) in ours.iter().zip(&written.files) {
            if before.text != after.text {
                std::fs::write(root.join(&after.path), &after.text)?;
            }
        }
        for f in &written.files[ours.len()..] {
            std::fs::write(root.join(&f.path), &f.text)?;
            println!("new file: {}", f.path.display());
        }
        let new_doc: Value = codegen::load::assemble(&new)?.value;
        let version = new_doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or(&record.version)
            .to_string();
        let file = self
            .new_doc
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let profile = spec_dir.join("profile.yaml");
        let text = std::fs::read_to_string(&profile)?;
        std::fs::write(
            &profile,
            with_record(
                &text,
                &version,
                &file,
                &codegen::vendor::sha256_hex(&new_bytes),
            ),
        )?;
        println!(
            "spec/{}/profile.yaml: vendor_document is now {file} ({version})",
            api.folder
        );
        let report = codegen::diff::diff(&old_doc.value, &new_spec.value, &Default::default());
        print!(
            "{}",
            codegen::diff::render_markdown(&report, "before the import", "after", None)
        );
        Ok(ExitCode::SUCCESS)
    }
}

impl flags::VendorFacts {
    pub fn run(self) -> Result<ExitCode> {
        let doc = codegen::load::assemble(&codegen::load::read_spec(&self.vendor_doc)?)?.value;
        let facts = codegen::vendor::merge::facts_only(&doc);
        std::fs::write(&self.out, serde_json::to_string(&facts)? + "\n")
            .with_context(|| format!("writing {}", self.out.display()))?;
        Ok(ExitCode::SUCCESS)
    }
}

/// `profile.yaml` with its `vendor_document` block replaced (the rest, comments and all, as
/// it was). The revision goes: it named the old file's.
pub fn with_record(profile: &str, version: &str, file: &str, sha256: &str) -> String {
    let block =
        format!("vendor_document:\n  version: {version}\n  file: {file}\n  sha256: {sha256}\n");
    let lines: Vec<&str> = profile.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with("vendor_document:")) else {
        return format!("{profile}{block}");
    };
    let end = (start + 1..lines.len())
        .find(|&i| !lines[i].starts_with(' ') && !lines[i].trim().is_empty())
        .unwrap_or(lines.len());
    let mut out: String = lines[..start].iter().map(|l| format!("{l}\n")).collect();
    out.push_str(&block);
    out.extend(lines[end..].iter().map(|l| format!("{l}\n")));
    out
}

/// The plan as a maintainer reads it: one line per step, then the conflicts with their
/// three versions, the places to describe, and a summary line.
pub fn render(plan: &[codegen::vendor::Planned], folder: &str, new_doc: &Path) -> String {
    let place = |p: &Option<(std::path::PathBuf, usize)>| vendor_check::place(p, folder);
    // Facts only: the vendor's prose stays out of the report as it stays out of the spec.
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map_or("(absent)".to_string(), |v| brief(&without_prose(v, false)))
    };
    let mut out = format!("Importing {} into spec/{folder}:\n", new_doc.display());
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    let mut conflicts = String::new();
    let mut describe = Vec::new();
    for planned in plan {
        let at = pointer(planned.step.path());
        match &planned.step {
            Step::Add { path, value } => {
                added += 1;
                describe.extend(needs_description(path, value));
                out += &format!(
                    "  add     #{at} ({}): {}\n",
                    place(&planned.place),
                    brief(value)
                );
            }
            Step::Remove { .. } => {
                removed += 1;
                out += &format!("  remove  #{at} ({})\n", place(&planned.place));
            }
            Step::Set { path, value } => {
                changed += 1;
                describe.extend(needs_description(path, value));
                out += &format!(
                    "  change  #{at} ({}): now {}\n",
                    place(&planned.place),
                    brief(value)
                );
            }
            Step::Conflict {
                ours, base, new, ..
            } => {
                conflicts += &format!(
                    "  #{at} ({}):\n    ours:   {}\n    base:   {}\n    vendor: {}\n",
                    place(&planned.place),
                    show(ours),
                    show(base),
                    show(new)
                );
            }
        }
    }
    let n_conflicts = plan
        .iter()
        .filter(|p| matches!(p.step, Step::Conflict { .. }))
        .count();
    if n_conflicts > 0 {
        out += "Conflicts (the vendor changed a place we changed; ours is kept):\n";
        out += &conflicts;
    }
    if !describe.is_empty() {
        out += "To describe in our own words once imported:\n";
        for path in &describe {
            out += &format!("  #{}\n", pointer(path));
        }
    }
    out += &format!(
        "{added} to add, {removed} to remove, {changed} to change, {n_conflicts} conflicts, {} places to describe\n",
        describe.len()
    );
    out
}

/// A value on one line: a scalar as JSON; an operation by its id; else its JSON, cut.
fn brief(v: &Value) -> String {
    if let Some(id) = v.get("operationId").and_then(Value::as_str) {
        return format!("operation `{id}`");
    }
    let text = v.to_string();
    match text.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}
