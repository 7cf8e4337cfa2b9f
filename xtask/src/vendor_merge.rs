//! `cargo xtask vendor-merge --api NAME --base RECORD NEW_DOC`: what importing a vendor
//! revision would do to spec/<api>. The merge is `codegen::vendor::merge`; this prints its
//! plan, each step at its place in our files, and writes nothing.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use codegen::error::pointer;
use codegen::vendor::merge::{needs_description, without_prose, Step};
use serde_json::Value;

use crate::{flags, project, vendor_check};

impl flags::VendorMerge {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let api = project::workspace_api(&root, &self.api)?;
        let bytes = std::fs::read(&self.base)
            .with_context(|| format!("reading {}", self.base.display()))?;
        let sha256 = codegen::vendor::sha256_hex(&bytes);
        match &api.profile.vendor_document {
            Some(record) if codegen::vendor::is_document_of_record(record, &sha256) => {}
            Some(record) => println!(
                "note: --base {} is not spec/{}'s document of record ({} {}, SHA-256 {}); \
                 the plan takes it as the base all the same",
                self.base.display(),
                api.folder,
                record.file,
                record.version,
                record.sha256
            ),
            None => println!(
                "note: spec/{}/profile.yaml names no vendor_document",
                api.folder
            ),
        }
        let mut ours = codegen::load::read_spec(&api.spec_dir(&root))?;
        for f in &mut ours {
            if let Ok(rel) = f.path.strip_prefix(&root) {
                f.path = rel.to_path_buf();
            }
        }
        let base = codegen::load::read_spec(&self.base)?;
        let new = codegen::load::read_spec(&self.new_doc)?;
        let plan = codegen::vendor::merge_plan(&ours, &base, &new)?;
        print!("{}", render(&plan, &api.folder, &self.new_doc));
        Ok(ExitCode::SUCCESS)
    }
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
