//! `cargo xtask check`: is generated/ what `generate` would write?

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::{flags, project};

impl flags::Check {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let mut clean = true;
        let apis = codegen::workspace_apis(&root)?;
        for api in &apis {
            let output = api.generate(&root)?;
            for (folder, files) in api.crates(&root, &output)? {
                clean &= up_to_date(&root, api.name(), &folder, &files);
            }
        }
        let files = codegen::cli::crate_files(&root, &apis)?;
        clean &= up_to_date(&root, "veeam", codegen::cli::FOLDER, &files);
        if clean {
            Ok(ExitCode::SUCCESS)
        } else {
            eprintln!("generated/ is stale: run `cargo xtask generate` and commit the result");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Whether `generated/<folder>/` holds exactly `files`; prints the differences when not.
fn up_to_date(
    root: &Path,
    name: &str,
    folder: &str,
    files: &std::collections::BTreeMap<std::path::PathBuf, String>,
) -> bool {
    let dir = root.join("generated").join(folder);
    let drift = codegen::compare_with_disk(&dir, files);
    for (rel, on_disk, fresh) in &drift.changed {
        let shown = Path::new("generated").join(folder).join(rel);
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
            "stale file: generated/{folder}/{} (generation does not write it)",
            stale.display()
        );
    }
    if drift.is_clean() {
        println!("{name}: generated/{folder} is up to date");
    }
    drift.is_clean()
}
