//! Timing and memory of what the benchmark runs: medians of runs, clean builds under GNU
//! time, and the machine they ran on.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::project;

/// A build's wall time and the peak memory of its largest process.
pub struct Build {
    pub secs: f64,
    pub peak_kb: u64,
}

/// The median, fastest and slowest of some runs, in seconds.
pub struct Timing {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs `cmd`; its standard output, or an error with its standard error.
pub fn run(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A clean build of one package (its dependencies already built): wall time and the peak
/// memory of the largest process (rustc), from GNU time.
pub fn clean_build(
    target: &Path,
    package: &str,
    manifest: Option<&Path>,
    args: &[&str],
) -> Result<Build> {
    clean_build_of(target, &[package], package, manifest, args)
}

/// [`clean_build`] of `package` with the packages `clean` cleaned first (a program and the
/// crates of its own it builds).
pub fn clean_build_of(
    target: &Path,
    clean_packages: &[&str],
    package: &str,
    manifest: Option<&Path>,
    args: &[&str],
) -> Result<Build> {
    let mut clean = project::cargo();
    clean.args(["clean", "--quiet"]);
    for p in clean_packages {
        clean.args(["-p", p]);
    }
    clean.arg("--target-dir").arg(target);
    if let Some(m) = manifest {
        clean.arg("--manifest-path").arg(m);
    }
    run(&mut clean)?;
    let mut build = Command::new("/usr/bin/time");
    build
        .args(["-f", "BENCH %e %M"])
        .arg(project::cargo_program())
        .args(["build", "--quiet", "--offline", "-p", package])
        .args(args)
        .arg("--target-dir")
        .arg(target)
        .current_dir(project::root());
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

/// The median time and the median peak of `runs` builds.
pub fn builds(runs: usize, mut f: impl FnMut() -> Result<Build>) -> Result<Build> {
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

/// Something run in process, warm: one run first that is not counted, then `n` timed (cheap,
/// and on a shared VM single runs swing by a third).
pub fn warm_timing(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<Timing> {
    f()?;
    let mut times = Vec::new();
    for _ in 0..n {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(Timing {
        min: times[0],
        max: times[times.len() - 1],
        median: median(times),
    })
}

/// The CPU, its cores, the memory and the compiler.
pub fn machine() -> String {
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
