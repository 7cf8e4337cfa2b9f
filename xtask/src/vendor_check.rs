//! `cargo xtask vendor-check --api NAME VENDOR_DOC`: does spec/<api> still say what the
//! vendor's document says? The comparison is `codegen::vendor`; this prints it. `cargo xtask
//! test` runs it too, for each API whose document of record is in `$VEEAM_VENDOR_DOCS`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use codegen::WorkspaceApi;

use crate::{flags, project};

/// The folder `cargo xtask test` looks in for the vendor documents of record (they are
/// Veeam's files, prose and all, so the repository does not hold them).
pub const DOCS_ENV: &str = "VEEAM_VENDOR_DOCS";

impl flags::VendorCheck {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let api = project::workspace_api(&root, &self.api)?;
        let outcome = check_api(&api, &self.vendor_doc, self.explained)?;
        Ok(if outcome.unexplained == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}

/// What one run found.
pub struct Outcome {
    /// The file is the profile's document of record (same SHA-256).
    pub is_record: bool,
    pub unexplained: usize,
}

/// Compares spec/<api> with `vendor_doc` and prints the result: whether it is the document
/// of record, each unexplained difference (and with `explained` the others), a summary.
pub fn check_api(api: &WorkspaceApi, vendor_doc: &Path, explained: bool) -> Result<Outcome> {
    let root = project::root();
    let bytes =
        std::fs::read(vendor_doc).with_context(|| format!("reading {}", vendor_doc.display()))?;
    let sha256 = codegen::vendor::sha256_hex(&bytes);
    let record = api.profile.vendor_document.as_ref();
    let is_record = record.is_some_and(|r| codegen::vendor::is_document_of_record(r, &sha256));
    match record {
        Some(record) if is_record => println!(
            "{} is spec/{}'s document of record ({} {}, SHA-256 {sha256})",
            vendor_doc.display(),
            api.folder,
            record.file,
            record.version
        ),
        Some(record) => println!(
            "note: {} is not spec/{}'s document of record: its SHA-256 is {sha256}, the \
             profile's vendor_document ({} {}) has {}",
            vendor_doc.display(),
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
    let vendor = codegen::load::read_spec(vendor_doc)?;
    let findings = codegen::vendor::check(&ours, &vendor)?;
    let place = |p: &Option<(std::path::PathBuf, usize)>| place(p, &api.folder);
    let mut unexplained = 0;
    for f in &findings {
        match &f.explained_by {
            None => {
                unexplained += 1;
                println!("{}: #{}: {}", place(&f.place), f.pointer, f.what);
            }
            Some((file, line, _)) if explained => println!(
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
        vendor_doc.display(),
        findings.len(),
        findings.len() - unexplained
    );
    Ok(Outcome {
        is_record,
        unexplained,
    })
}

/// `file:line` of a place in spec/<folder>, or that we have nothing there yet.
pub fn place(p: &Option<(std::path::PathBuf, usize)>, folder: &str) -> String {
    match p {
        Some((file, line)) => format!("{}:{line}", file.display()),
        None => format!("spec/{folder} (nowhere yet)"),
    }
}

/// `cargo xtask test`'s step: every API whose document of record (by its file name) is in
/// `$VEEAM_VENDOR_DOCS` must be it (same SHA-256) and differ from the spec only where a
/// `vendor:` comment says so. Without the variable, or without an API's file there, that
/// API is skipped, saying so.
pub fn documents_of_record() -> Result<ExitCode> {
    let Some(dir) = std::env::var_os(DOCS_ENV) else {
        println!("vendor-check: skipped ({DOCS_ENV} is not set to a folder holding the vendor documents of record)");
        return Ok(ExitCode::SUCCESS);
    };
    let dir = Path::new(&dir);
    let mut clean = true;
    for api in codegen::workspace_apis(&project::root())? {
        let Some(record) = &api.profile.vendor_document else {
            println!("vendor-check: spec/{} names no vendor_document", api.folder);
            continue;
        };
        let path = dir.join(&record.file);
        if !path.is_file() {
            println!(
                "vendor-check: skipped spec/{} ({} is not in {})",
                api.folder,
                record.file,
                dir.display()
            );
            continue;
        }
        let outcome = check_api(&api, &path, false)?;
        if !outcome.is_record || outcome.unexplained > 0 {
            clean = false;
        }
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        eprintln!("vendor-check failed: a spec differs from its document of record where no `vendor:` comment says why, or a file is not the profile's document of record");
        ExitCode::FAILURE
    })
}
