//! `cargo xtask bench`: every performance figure side by side in one run, written to
//! BENCHMARKS.md. Targets are compared as ratios measured in the same run, never asserted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// The feature set the README recommends for the common job.
const MINIMAL: &str = "auth,organization,restore-point,restore-session";

struct Build {
    secs: f64,
    peak_kb: u64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A clean build of one package (its dependencies already built): wall time and the peak
/// memory of the largest process (rustc), from GNU time.
fn clean_build(
    root: &Path,
    target: &Path,
    package: &str,
    manifest: Option<&Path>,
    args: &[&str],
) -> Result<Build> {
    let mut clean = Command::new(cargo());
    clean
        .args(["clean", "--quiet", "-p", package])
        .arg("--target-dir")
        .arg(target)
        .current_dir(root);
    if let Some(m) = manifest {
        clean.arg("--manifest-path").arg(m);
    }
    run(&mut clean)?;
    let mut build = Command::new("/usr/bin/time");
    build
        .args(["-f", "BENCH %e %M"])
        .arg(cargo())
        .args(["build", "--quiet", "--offline", "-p", package])
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .current_dir(root);
    if let Some(m) = manifest {
        build.arg("--manifest-path").arg(m);
    }
    let out = build
        .output()
        .context("running /usr/bin/time cargo build (GNU time is needed)")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("building {package} {args:?} failed:\n{stderr}");
    }
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("BENCH "))
        .context("no timing from GNU time")?;
    let mut parts = line.split_whitespace().skip(1);
    Ok(Build {
        secs: parts.next().context("time")?.parse()?,
        peak_kb: parts.next().context("memory")?.parse()?,
    })
}

fn builds(runs: usize, mut f: impl FnMut() -> Result<Build>) -> Result<Build> {
    let mut secs = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let b = f()?;
        secs.push(b.secs);
        peaks.push(b.peak_kb as f64);
    }
    Ok(Build {
        secs: median(secs),
        peak_kb: median(peaks) as u64,
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB RAM", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem}; {rustc}")
}

pub fn bench(root: &Path, runs: usize, generation_only: bool) -> Result<()> {
    let runs = runs.max(1);
    let apis = codegen::workspace_apis(root)?;
    let vb365 = apis.iter().find(|a| a.name() == "vb365").context("vb365")?;

    // 1. Generation, in process (this xtask build: dev profile, generator crates optimized),
    // warm: one run first that is not counted, then the median of at least 9. It is cheap,
    // and on a shared VM single runs swing by a third.
    let generation_runs = (runs * 3).max(9);
    eprintln!("generation (1 warm-up + {generation_runs} runs)...");
    let mut output = vb365.generate(root)?;
    let mut times = Vec::new();
    for _ in 0..generation_runs {
        let start = Instant::now();
        output = vb365.generate(root)?;
        times.push(start.elapsed().as_secs_f64());
    }
    if generation_only {
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "generation: median {:.3} s over {generation_runs} runs (min {:.3}, max {:.3})",
            median(times.clone()),
            times[0],
            times[times.len() - 1]
        );
        return Ok(());
    }
    let generation = median(times);
    let lines_full = source_lines(&output.files);

    // 2. Compile: full, minimal, and progenitor's plain output of the same (normalized) spec.
    let target = root.join("target/bench");
    let plain_dir = target.join("vb365-plain");
    let plain = write_plain_crate(root, vb365, &plain_dir)?;
    eprintln!("building dependencies once...");
    run(Command::new(cargo())
        .args(["build", "--quiet", "--offline", "-p", "veeam-runtime"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root))?;
    run(Command::new(cargo())
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(plain_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root))?;
    eprintln!("clean builds ({runs} runs each)...");
    let manifest = plain_dir.join("Cargo.toml");
    let base = builds(runs, || {
        clean_build(root, &target, "vb365_plain", Some(&manifest), &[])
    })?;
    let full = builds(runs, || clean_build(root, &target, "vb365", None, &[]))?;
    let minimal = builds(runs, || {
        clean_build(
            root,
            &target,
            "vb365",
            None,
            &["--no-default-features", "--features", MINIMAL],
        )
    })?;

    // 3. Runtime: decode and pagination walk, release build.
    eprintln!("runtime figures (release build of bench/)...");
    let runtime_bench = |args: &[&str]| -> Result<serde_json::Value> {
        let json = run(Command::new(cargo())
            .args([
                "run",
                "--quiet",
                "--release",
                "--offline",
                "-p",
                "bench",
                "--",
            ])
            .args(args)
            .current_dir(root))?;
        serde_json::from_str(json.trim()).context("bench output")
    };
    let mut r = runtime_bench(&["decode", "31"])?;
    // Each walk in a fresh process, so their peaks compare.
    for (n, key) in [("10000", "walk_10k"), ("100000", "walk_100k")] {
        let w = runtime_bench(&["walk", n])?;
        r[format!("{key}_items_s")] = w["items_s"].clone();
        r[format!("{key}_peak_bytes")] = w["peak_bytes"].clone();
    }
    let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
    let mib = |b: f64| b / 1024.0 / 1024.0;

    let ratio_full = full.secs / base.secs;
    let ratio_min = minimal.secs / full.secs;
    // Generated throughput over hand-written, round by round (see bench/src/main.rs).
    let decode_ratio = f("decode_ratio");
    let walk_ratio = f("walk_100k_peak_bytes") / f("walk_10k_peak_bytes");
    let mark = |ok: bool| if ok { "met" } else { "**not met**" };

    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(md, "Regenerate with `cargo xtask bench` (`--runs N`, default 3; about 10 minutes). Figures are")?;
    writeln!(
        md,
        "medians of the runs; ratios compare figures of the same run.\n"
    )?;
    writeln!(md, "Machine: {}.\n", machine())?;
    writeln!(md, "| figure | value |")?;
    writeln!(md, "| --- | ---: |")?;
    writeln!(md, "| generation of `generated/vb365`, warm, median of {generation_runs} (spec files in, crate files out; `cargo xtask` dev build, generator crates at opt-level 2, mimalloc) | {generation:.2} s |")?;
    writeln!(
        md,
        "| generated `src/*.rs`, all features | {lines_full} lines |"
    )?;
    writeln!(md, "| clean debug build, progenitor's plain output of the same spec (baseline, {} lines) | {:.1} s, peak {:.0} MiB |", plain, base.secs, base.peak_kb as f64 / 1024.0)?;
    writeln!(
        md,
        "| clean debug build, `vb365` all features | {:.1} s, peak {:.0} MiB |",
        full.secs,
        full.peak_kb as f64 / 1024.0
    )?;
    writeln!(
        md,
        "| clean debug build, `vb365` minimal (`{MINIMAL}`) | {:.1} s, peak {:.0} MiB |",
        minimal.secs,
        minimal.peak_kb as f64 / 1024.0
    )?;
    writeln!(md, "| decode a 10,000-item restore point page ({:.1} MB), generated types | {:.0} MB/s, {:.0} items/s |", f("page_bytes") / 1e6, f("decode_generated_mb_s"), f("decode_generated_items_s"))?;
    writeln!(
        md,
        "| the same into a minimal hand-written serde struct | {:.0} MB/s, {:.0} items/s |",
        f("decode_hand_mb_s"),
        f("decode_hand_items_s")
    )?;
    writeln!(md, "| `.stream()` over 10,000 restore points (pages of 1,000; mock server in the same process) | {:.0} items/s, process peak {:.1} MiB |", f("walk_10k_items_s"), mib(f("walk_10k_peak_bytes")))?;
    writeln!(md, "| `.stream()` over 100,000 restore points, likewise (a fresh process) | {:.0} items/s, process peak {:.1} MiB |", f("walk_100k_items_s"), mib(f("walk_100k_peak_bytes")))?;
    writeln!(md, "\n## Targets\n")?;
    writeln!(md, "| target | measured | |")?;
    writeln!(md, "| --- | ---: | --- |")?;
    writeln!(
        md,
        "| full crate compile <= 50% of the plain progenitor baseline | {:.0}% | {} |",
        ratio_full * 100.0,
        mark(ratio_full <= 0.5)
    )?;
    writeln!(
        md,
        "| minimal feature set <= 15% of the full crate | {:.0}% | {} |",
        ratio_min * 100.0,
        mark(ratio_min <= 0.15)
    )?;
    writeln!(
        md,
        "| generation <= 1 s warm | {generation:.2} s | {} |",
        mark(generation <= 1.0)
    )?;
    writeln!(md, "| page decode >= 90% of hand-written serde_json (median of the rounds' ratios) | {:.0}% | {} |", decode_ratio * 100.0, mark(decode_ratio >= 0.9))?;
    writeln!(md, "| pagination walk: peak memory independent of item count (peak at 100k / peak at 10k) | {:.2}x | {} |", walk_ratio, mark(walk_ratio < 1.25))?;
    std::fs::write(root.join("BENCHMARKS.md"), &md)?;
    print!("{md}");
    Ok(())
}

/// progenitor's plain client for the same spec (normalized, no runtime, no features), as a
/// standalone crate; returns its line count.
fn write_plain_crate(root: &Path, api: &codegen::WorkspaceApi, dir: &Path) -> Result<usize> {
    let files = codegen::load::read_spec(&api.spec_dir(root))?;
    let out = codegen::generate(
        &files,
        &codegen::CrateOptions {
            name: "vb365_plain".into(),
            description: "baseline".into(),
            command: "cargo xtask bench".into(),
            standalone: true,
            runtime: None,
        },
    )?;
    for (rel, text) in &out.files {
        let path: PathBuf = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(&path, text)?;
    }
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(source_lines(&out.files))
}

/// The lines of a crate's Rust sources.
fn source_lines(files: &std::collections::BTreeMap<PathBuf, String>) -> usize {
    files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(_, t)| t.lines().count())
        .sum()
}
