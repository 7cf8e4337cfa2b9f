//! `cargo xtask bench`: every performance figure side by side in one run, written to
//! BENCHMARKS.md. Targets are compared as ratios measured in the same run, never asserted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

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

/// Generation of one crate, warm: one run first that is not counted, then the median of
/// `n` (cheap, and on a shared VM single runs swing by a third).
fn generation_median(n: usize, mut f: impl FnMut() -> Result<()>) -> Result<(f64, f64, f64)> {
    f()?;
    let mut times = Vec::new();
    for _ in 0..n {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok((median(times.clone()), times[0], times[times.len() - 1]))
}

/// One crate's compile figures.
struct Compile {
    name: String,
    minimal_set: String,
    plain_lines: usize,
    lines: usize,
    base: Build,
    full: Build,
    minimal: Option<Build>,
}

pub fn bench(root: &Path, runs: usize, generation_only: bool, only: Option<&str>) -> Result<()> {
    let runs = runs.max(1);
    let apis: Vec<codegen::WorkspaceApi> = codegen::workspace_apis(root)?
        .into_iter()
        .filter(|a| only.is_none_or(|o| o == a.name()))
        .collect();
    if apis.is_empty() {
        bail!("no API named {only:?} in spec/");
    }

    // 1. Generation, in process (this xtask build: dev profile, generator crates optimized).
    let generation_runs = (runs * 3).max(9);
    let mut generation = Vec::new();
    for api in &apis {
        eprintln!(
            "generation of {} (1 warm-up + {generation_runs} runs)...",
            api.name()
        );
        let (m, lo, hi) = generation_median(generation_runs, || {
            api.generate(root).map(|_| ()).map_err(Into::into)
        })?;
        generation.push((
            api.name().to_string(),
            api.generate(root)?.operations,
            m,
            lo,
            hi,
        ));
    }
    // A document the size of the vendor's largest (Veeam Backup & Replication: 500+
    // operations, ~1,800 schemas, polymorphic .NET types), made up here so no vendor text is
    // needed: generated through the same pipeline with an inferred profile.
    let (big_ops, big_schemas) = (520, 1800);
    let big = vec![codegen::SpecFile {
        path: "synthetic.json".into(),
        text: synthetic_spec(big_ops, big_schemas).to_string(),
    }];
    let (big_runtime, _) =
        codegen::inferred_runtime(&big, "synthetic", "synthetic", r#"{ path = "x" }"#, true)?;
    let big_options = codegen::CrateOptions {
        name: "synthetic".into(),
        description: "synthetic".into(),
        command: "cargo xtask bench".into(),
        standalone: true,
        runtime: Some(big_runtime),
    };
    eprintln!("generation of a {big_ops}-operation, {big_schemas}-schema document...");
    let big_generation = generation_median(5, || {
        codegen::generate(&big, &big_options)
            .map(|_| ())
            .map_err(Into::into)
    })?;
    for (name, _, m, lo, hi) in &generation {
        println!("generation of {name}: median {m:.3} s over {generation_runs} runs (min {lo:.3}, max {hi:.3})");
    }
    println!(
        "generation of the synthetic {big_ops}-operation, {big_schemas}-schema document: median {:.3} s over 5 runs (min {:.3}, max {:.3})",
        big_generation.0, big_generation.1, big_generation.2
    );
    if generation_only {
        return Ok(());
    }

    // 2. Compile, per crate: full, minimal, and progenitor's plain output of the same
    // (normalized) spec, each a clean build of the crate alone (dependencies built once).
    let target = root.join("target/bench");
    eprintln!("building dependencies once...");
    run(Command::new(cargo())
        .args(["build", "--quiet", "--offline", "-p", "veeam-runtime"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(root))?;
    let mut compiles = Vec::new();
    for api in &apis {
        let plain_name = format!("{}_plain", api.name().replace('-', "_"));
        let plain_dir = target.join(&plain_name);
        let plain_lines = write_plain_crate(root, api, &plain_name, &plain_dir)?;
        let manifest = plain_dir.join("Cargo.toml");
        run(Command::new(cargo())
            .args(["build", "--quiet", "--offline", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(&target)
            .current_dir(root))?;
        eprintln!("clean builds of {} ({runs} runs each)...", api.name());
        let base = builds(runs, || {
            clean_build(root, &target, &plain_name, Some(&manifest), &[])
        })?;
        let full = builds(runs, || clean_build(root, &target, api.name(), None, &[]))?;
        let minimal_set = api.profile.minimal_features.join(",");
        let minimal = if minimal_set.is_empty() {
            None
        } else {
            Some(builds(runs, || {
                clean_build(
                    root,
                    &target,
                    api.name(),
                    None,
                    &["--no-default-features", "--features", &minimal_set],
                )
            })?)
        };
        compiles.push(Compile {
            name: api.name().to_string(),
            minimal_set,
            plain_lines,
            lines: source_lines(&api.generate(root)?.files),
            base,
            full,
            minimal,
        });
    }

    // 3. Runtime: decode and pagination walk, release build (vb365's restore points; the
    // runtime is the same for every crate).
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
    let decode_ratio = f("decode_ratio");
    let walk_ratio = f("walk_100k_peak_bytes") / f("walk_10k_peak_bytes");
    let mark = |ok: bool| if ok { "met" } else { "**not met**" };

    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(md, "Regenerate with `cargo xtask bench` (`--runs N`, default 3; `--api NAME` for one crate; about 25 minutes for all). Figures are")?;
    writeln!(
        md,
        "medians of the runs; ratios compare figures of the same run.\n"
    )?;
    writeln!(md, "Machine: {}.\n", machine())?;
    writeln!(md, "## Generation\n")?;
    writeln!(md, "Warm, in process: spec files in, crate files out (`cargo xtask` dev build, generator crates at opt-level 2, mimalloc).\n")?;
    writeln!(
        md,
        "| document | operations | median of {generation_runs} | min | max |"
    )?;
    writeln!(md, "| --- | ---: | ---: | ---: | ---: |")?;
    for (name, ops, m, lo, hi) in &generation {
        writeln!(
            md,
            "| `spec/{name}` | {ops} | {m:.2} s | {lo:.2} s | {hi:.2} s |"
        )?;
    }
    writeln!(md, "| synthetic, {big_ops} operations and {big_schemas} schemas (allOf, oneOf with discriminator, cycles; median of 5) | {big_ops} | {:.2} s | {:.2} s | {:.2} s |", big_generation.0, big_generation.1, big_generation.2)?;
    writeln!(md, "\n## Compile\n")?;
    writeln!(md, "Clean debug build of the crate alone (its dependencies built), wall time and the peak memory of rustc.\n")?;
    writeln!(md, "| crate | lines | progenitor's plain output (baseline) | all features | minimal set | full / baseline | minimal / full |")?;
    writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")?;
    for c in &compiles {
        let minimal = c.minimal.as_ref();
        writeln!(
            md,
            "| `{}` | {} (baseline {}) | {:.1} s, {:.0} MiB | {:.1} s, {:.0} MiB | {} | {:.0}% | {} |",
            c.name,
            c.lines,
            c.plain_lines,
            c.base.secs,
            c.base.peak_kb as f64 / 1024.0,
            c.full.secs,
            c.full.peak_kb as f64 / 1024.0,
            minimal.map_or("-".into(), |m| format!("{:.1} s, {:.0} MiB (`{}`)", m.secs, m.peak_kb as f64 / 1024.0, c.minimal_set)),
            100.0 * c.full.secs / c.base.secs,
            minimal.map_or("-".into(), |m| format!("{:.0}%", 100.0 * m.secs / c.full.secs)),
        )?;
    }
    writeln!(md, "\n## Runtime\n")?;
    writeln!(md, "| figure | value |")?;
    writeln!(md, "| --- | ---: |")?;
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
    for c in &compiles {
        let ratio_full = c.full.secs / c.base.secs;
        writeln!(
            md,
            "| `{}`: full crate compile <= 50% of the plain progenitor baseline | {:.0}% | {} |",
            c.name,
            ratio_full * 100.0,
            mark(ratio_full <= 0.5)
        )?;
        if let Some(m) = &c.minimal {
            let ratio_min = m.secs / c.full.secs;
            writeln!(
                md,
                "| `{}`: minimal feature set <= 15% of the full crate | {:.0}% | {} |",
                c.name,
                ratio_min * 100.0,
                mark(ratio_min <= 0.15)
            )?;
        }
    }
    for (name, _, m, _, _) in &generation {
        if name == "vb365" {
            writeln!(
                md,
                "| `vb365` generation <= 1 s warm | {m:.2} s | {} |",
                mark(*m <= 1.0)
            )?;
        }
    }
    writeln!(
        md,
        "| {big_ops}-operation, {big_schemas}-schema document generation <= 3 s | {:.2} s | {} |",
        big_generation.0,
        mark(big_generation.0 <= 3.0)
    )?;
    writeln!(md, "| page decode >= 90% of hand-written serde_json (median of the rounds' ratios) | {:.0}% | {} |", decode_ratio * 100.0, mark(decode_ratio >= 0.9))?;
    writeln!(md, "| pagination walk: peak memory independent of item count (peak at 100k / peak at 10k) | {:.2}x | {} |", walk_ratio, mark(walk_ratio < 1.25))?;
    if only.is_none() {
        std::fs::write(root.join("BENCHMARKS.md"), &md)?;
    }
    print!("{md}");
    Ok(())
}

/// A made-up OpenAPI 3.0 document of `operations` operations and `schemas` schemas, shaped
/// like the vendor's large .NET documents: paged lists, objects that reference each other
/// (cycles included), `allOf` inheritance, and `oneOf` with a discriminator whose variants
/// extend their parent. Deterministic.
pub fn synthetic_spec(operations: usize, schemas: usize) -> serde_json::Value {
    use serde_json::json;
    let name = |i: usize| format!("Model{i:04}");
    let mut components = serde_json::Map::new();
    for i in 0..schemas {
        let schema = match i % 10 {
            // A polymorphic parent: oneOf its two children, with a discriminator.
            0 if i + 2 < schemas => json!({
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "id": {"type": "string", "format": "uuid"}},
                "oneOf": [{"$ref": format!("#/components/schemas/{}", name(i + 1))}, {"$ref": format!("#/components/schemas/{}", name(i + 2))}],
                "discriminator": {"propertyName": "kind"}
            }),
            // Children that extend their parent (the .NET cycle typify recursed on).
            1 | 2 => json!({
                "allOf": [{"$ref": format!("#/components/schemas/{}", name(i - (i % 10)))}, {
                    "type": "object",
                    "properties": {format!("extra{i}"): {"type": "integer", "format": "int64"}}
                }]
            }),
            3 => {
                json!({"type": "string", "enum": ["None", "Running", "Success", "Warning", "Failed", format!("State{i}")]})
            }
            _ => json!({
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string", "nullable": true},
                    "created": {"type": "string", "format": "date-time"},
                    "sizeBytes": {"type": "integer", "format": "int64"},
                    // References forwards and backwards: cycles.
                    "next": {"$ref": format!("#/components/schemas/{}", name((i * 7 + 11) % schemas))},
                    "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{}", name((i * 13 + 5) % schemas))}},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            }),
        };
        components.insert(name(i), schema);
    }
    let mut paths = serde_json::Map::new();
    for i in 0..operations {
        let model = name((i * 3 + 4) % schemas);
        let tag = format!("Group{:02}", i % 60);
        let page = format!("PageOf{model}");
        components.entry(page.clone()).or_insert_with(|| json!({
            "type": "object",
            "properties": {
                "offset": {"type": "integer"}, "limit": {"type": "integer"}, "totalCount": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": format!("#/components/schemas/{model}")}}
            }
        }));
        let item = match i % 4 {
            0 => json!({"get": {
                "operationId": format!("Op{i}_List"), "tags": [tag],
                "parameters": [
                    {"name": "Offset", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    {"name": "Limit", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    {"name": "Filter", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{page}")}}}}}
            }}),
            1 => json!({"get": {
                "operationId": format!("Op{i}_Get"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}}}
            }}),
            2 => json!({"post": {
                "operationId": format!("Op{i}_Create"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}},
                    "202": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", name(((i * 3 + 4) % schemas) / 10 * 10))}}}}
                }
            }}),
            _ => json!({"get": {
                "operationId": format!("Op{i}_Export"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
            }}),
        };
        let path = match i % 4 {
            0 => format!("/api/v1/things{i}"),
            _ => format!("/api/v1/things{i}/{{id}}"),
        };
        paths.insert(path, item);
    }
    json!({
        "openapi": "3.0.1",
        "info": {"title": "synthetic", "version": "1"},
        "components": {
            "schemas": components,
            "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"Bearer": []}],
        "paths": paths
    })
}

/// progenitor's plain client for the same spec (normalized, no runtime, no features), as a
/// standalone crate; returns its line count.
fn write_plain_crate(
    root: &Path,
    api: &codegen::WorkspaceApi,
    name: &str,
    dir: &Path,
) -> Result<usize> {
    let files = codegen::load::read_spec(&api.spec_dir(root))?;
    let out = codegen::generate(
        &files,
        &codegen::CrateOptions {
            name: name.into(),
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
