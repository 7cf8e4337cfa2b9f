//! `cargo xtask test`: what CI runs. Formatting, `check`, `vendor-check` of each spec against
//! its document of record where `$VEEAM_VENDOR_DOCS` holds it, `cargo test --workspace`, the
//! crate documentation, `publish --dry-run --all`, then `check-features`; the first that
//! fails ends it.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::{flags, project, vendor_check};

/// The hand-written packages: `cargo fmt --check` covers these (the generated crates are
/// prettyplease's output, checked by `check` instead).
const HAND_WRITTEN: &[&str] = &[
    "codegen",
    "xtask",
    "veeam-runtime",
    "veeam-profile",
    "veeam-mock",
    "veeam-command",
    "tests",
    "vb365-examples",
    "bench",
];

impl flags::Test {
    pub fn run(self) -> Result<ExitCode> {
        let steps: [fn() -> Result<ExitCode>; 7] = [
            fmt,
            || flags::Check.run(),
            vendor_check::documents_of_record,
            cargo_test,
            docs,
            // Every published crate packages and resolves as crates.io will see it.
            || {
                flags::Publish {
                    tag: None,
                    all: true,
                    dry_run: true,
                }
                .run()
            },
            || flags::CheckFeatures.run(),
        ];
        for step in steps {
            let code = step()?;
            if code != ExitCode::SUCCESS {
                return Ok(code);
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn fmt() -> Result<ExitCode> {
    let mut fmt = project::cargo();
    fmt.args(["fmt", "--check"]);
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
    Ok(ExitCode::SUCCESS)
}

fn cargo_test() -> Result<ExitCode> {
    let status = project::cargo()
        .args(["test", "--workspace", "--locked"])
        .status()
        .context("running cargo test")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `cargo doc` of the runtime, the mock server and every generated crate with all features,
/// warnings denied: a broken link or a malformed doc comment in a spec fails CI, not a user
/// on docs.rs.
fn docs() -> Result<ExitCode> {
    let mut doc = project::cargo();
    doc.args([
        "doc",
        "--no-deps",
        "--locked",
        "--all-features",
        "-p",
        "veeam-runtime",
        "-p",
        "veeam-mock",
        "-p",
        "veeam-command",
    ])
    .env("RUSTDOCFLAGS", "-D warnings");
    for api in codegen::workspace_apis(&project::root())? {
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
