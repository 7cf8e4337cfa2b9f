//! `cargo xtask <command>`: the maintainer's command line over the `codegen` library. Each
//! command lives in the file of its name; its flags, with every other's, in `flags.rs`.

use std::process::ExitCode;

use clap::Parser;

mod bench;
mod check;
mod check_features;
mod diff;
mod flags;
mod generate;
mod import;
mod project;
mod publish;
mod release;
mod test;
mod vendor_check;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let result = match flags::Cli::parse().command {
        flags::Command::Generate(cmd) => cmd.run(),
        flags::Command::Check(cmd) => cmd.run(),
        flags::Command::Diff(cmd) => cmd.run(),
        flags::Command::Test(cmd) => cmd.run(),
        flags::Command::Bench(cmd) => cmd.run(),
        flags::Command::CheckFeatures(cmd) => cmd.run(),
        flags::Command::Release(cmd) => cmd.run(),
        flags::Command::Publish(cmd) => cmd.run(),
        flags::Command::VendorCheck(cmd) => cmd.run(),
        flags::Command::Import(cmd) => cmd.run(),
        flags::Command::VendorFacts(cmd) => cmd.run(),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::FAILURE
    })
}
