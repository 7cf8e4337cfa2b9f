//! Step 3: the runtime's figures, from a release build of the `bench` package: page decode
//! and pagination walks (the runtime is the same for every crate).

use anyhow::{Context, Result};

use super::measure::run;
use crate::project;

/// The `bench` package's figures, by the names it prints them under.
pub struct Runtime(pub serde_json::Value);

impl Runtime {
    /// A figure; NaN when the bench printed none of that name.
    pub fn figure(&self, key: &str) -> f64 {
        self.0[key].as_f64().unwrap_or(f64::NAN)
    }
}

pub fn measure() -> Result<Runtime> {
    eprintln!("runtime figures (release build of bench/)...");
    let mut figures = bench(&["decode", "31"])?;
    // Each walk in a fresh process, so their peaks compare.
    for (n, key) in [("10000", "walk_10k"), ("100000", "walk_100k")] {
        let w = bench(&["walk", n])?;
        figures[format!("{key}_items_s")] = w["items_s"].clone();
        figures[format!("{key}_peak_bytes")] = w["peak_bytes"].clone();
    }
    Ok(Runtime(figures))
}

/// One run of the `bench` package (release): the JSON object it prints.
fn bench(args: &[&str]) -> Result<serde_json::Value> {
    let json = run(project::cargo()
        .args([
            "run",
            "--quiet",
            "--release",
            "--offline",
            "-p",
            "bench",
            "--",
        ])
        .args(args))?;
    serde_json::from_str(json.trim()).context("bench output")
}
