//! Clients generated at build time (see build.rs) from each spec under fixtures/specs, one
//! module per fixture, named after the file. They are compiled here (progenitor imports
//! `types` into its builder module even when a spec has none, hence the allow); their shape is
//! asserted in tests/snapshots.rs and their text pinned by the insta snapshots.

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// The workspace README: each of its Rust blocks is compiled as a doc test, so what it shows
/// a user builds against the crates as they are.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// The pages of docs/, compiled the same way (only some have Rust blocks today; each is listed
/// so one added later is compiled too).
#[doc = include_str!("../../docs/using-the-crates.md")]
pub mod using_the_crates {}
#[doc = include_str!("../../docs/architecture.md")]
pub mod architecture {}
#[doc = include_str!("../../docs/curating-a-spec.md")]
pub mod curating_a_spec {}
#[doc = include_str!("../../docs/normalization.md")]
pub mod normalization {}
#[doc = include_str!("../../docs/reviewing-a-change.md")]
pub mod reviewing_a_change {}
#[doc = include_str!("../../docs/testing.md")]
pub mod testing {}
#[doc = include_str!("../../docs/benchmarks.md")]
pub mod benchmarks {}
#[doc = include_str!("../../docs/releasing.md")]
pub mod releasing {}

/// Each generated crate's guide (its README, which is also its root documentation): its Rust
/// blocks compile here against the crate. `drift.rs` checks every crate under generated/ is
/// listed.
#[doc = include_str!("../../generated/vb365/README.md")]
pub mod vb365_guide {}
#[doc = include_str!("../../generated/vb365-v6/README.md")]
pub mod vb365_v6_guide {}
#[doc = include_str!("../../generated/vb365-v7/README.md")]
pub mod vb365_v7_guide {}
#[doc = include_str!("../../generated/vbazure/README.md")]
pub mod vbazure_guide {}

/// Runs `cargo --offline ARGS` in `dir`, a workspace of its own (a user's project, a copy of
/// this one), building in this workspace's `target/consumer`: a fresh workspace cannot share
/// the outer build's lock, and those that build there share their dependencies. Panics with
/// cargo's output when it fails; returns that output.
pub fn cargo_in_own_workspace(dir: &std::path::Path, args: &[&str]) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .arg("--offline")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root.join("target/consumer"))
        .output()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed:\n{text}",
        dir.display()
    );
    text
}
