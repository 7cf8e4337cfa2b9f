//! `cargo xtask check`: is generated/ what `generate` would write?

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::{flags, project};

impl flags::Check {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
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
}
