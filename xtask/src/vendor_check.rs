//! `cargo xtask vendor-check --api NAME VENDOR_DOC`: does spec/<api> still say what the
//! vendor's document says? The comparison is `codegen::vendor`; this prints it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::{flags, project};

impl flags::VendorCheck {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let apis = codegen::workspace_apis(&root)?;
        let Some(api) = apis
            .iter()
            .find(|a| a.folder == self.api || a.name() == self.api)
        else {
            let names: Vec<&str> = apis.iter().map(|a| a.folder.as_str()).collect();
            bail!(
                "no API {:?} under spec/: one of {}",
                self.api,
                names.join(", ")
            );
        };
        let bytes = std::fs::read(&self.vendor_doc)
            .with_context(|| format!("reading {}", self.vendor_doc.display()))?;
        let sha256 = codegen::vendor::sha256_hex(&bytes);
        match &api.profile.vendor_document {
            Some(record) if codegen::vendor::is_document_of_record(record, &sha256) => println!(
                "{} is spec/{}'s document of record ({} {}, SHA-256 {sha256})",
                self.vendor_doc.display(),
                api.folder,
                record.file,
                record.version
            ),
            Some(record) => println!(
                "note: {} is not spec/{}'s document of record: its SHA-256 is {sha256}, the \
                 profile's vendor_document ({} {}) has {}",
                self.vendor_doc.display(),
                api.folder,
                record.file,
                record.version,
                record.sha256
            ),
            None => println!(
                "note: spec/{}/profile.yaml names no vendor_document; this file's SHA-256 is {sha256}",
                api.folder
            ),
        }
        let mut ours = codegen::load::read_spec(&api.spec_dir(&root))?;
        for f in &mut ours {
            if let Ok(rel) = f.path.strip_prefix(&root) {
                f.path = rel.to_path_buf();
            }
        }
        let vendor = codegen::load::read_spec(&self.vendor_doc)?;
        let findings = codegen::vendor::check(&ours, &vendor)?;
        let place = |p: &Option<(std::path::PathBuf, usize)>| match p {
            Some((file, line)) => format!("{}:{line}", file.display()),
            None => format!("spec/{} (nowhere yet)", api.folder),
        };
        let mut unexplained = 0;
        for f in &findings {
            match &f.explained_by {
                None => {
                    unexplained += 1;
                    println!("{}: #{}: {}", place(&f.place), f.pointer, f.what);
                }
                Some((file, line, _)) if self.explained => println!(
                    "explained by {}:{line}: #{}: {}",
                    file.display(),
                    f.pointer,
                    f.what
                ),
                Some(_) => {}
            }
        }
        println!(
            "spec/{} against {}: {} differences of facts, {} explained by `vendor:` comments, {unexplained} unexplained",
            api.folder,
            Path::new(&self.vendor_doc).display(),
            findings.len(),
            findings.len() - unexplained
        );
        Ok(if unexplained == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
