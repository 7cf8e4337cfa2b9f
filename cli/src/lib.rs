//! The engine of the `veeam` command line. The program itself (`veeam-cli`, generated) is
//! one call, [`main`], with the command tables of the API crates it was built with
//! (`vb365::commands::API`, ...): every operation of every API is a command, named, typed
//! and documented from the same spec as the crates, sent through the same runtime (login,
//! TLS pinning, retries, paging walks, waits, downloads).
//!
//! ```text
//! veeam [--profile NAME] <api> <group> <command> [--param value ...] [--body JSON|@file|-]
//!       [--all] [--wait] [--output-file PATH] [--output json|ndjson|table|yaml] [--fields a,b]
//! veeam login NAME --api API --url URL --user USER [--trust SHA256] [--keyring] [--default]
//! veeam completions bash|zsh|fish|powershell
//! ```
//!
//! Exit codes are [`exit`]'s.

use std::process::ExitCode;

use veeam_runtime::commands::Api;

mod config;
pub mod exit;
mod login;
mod output;
mod run;
mod tree;

pub use exit::Failure;
pub use tree::{command, markdown};

/// Runs the command line with `apis`, and returns its exit code.
pub fn main(apis: &[&'static Api]) -> ExitCode {
    let matches = match tree::command(apis).try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if matches.get_flag("verbose") {
        let filter = tracing_subscriber::EnvFilter::try_from_env("VEEAM_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("veeam_runtime=debug"));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    // Ctrl-C drops the command's future: a download's temporary file is removed, a wait
    // stops waiting (the work it followed goes on on the server).
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = run::dispatch(apis, &matches) => outcome,
            _ = tokio::signal::ctrl_c() => Err(Failure::new(exit::INTERRUPTED, "interrupted")),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.code == 0 => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
