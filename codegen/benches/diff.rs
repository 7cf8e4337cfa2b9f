//! Benchmark of `cargo xtask diff` on the workspace's largest spec (by operations): loading
//! and normalizing both sides, and the diff itself, against (a) the same document and (b) a
//! copy with changes spread over it. Prints medians; asserts nothing.
//!
//! Run: `cargo bench -p codegen --bench diff`

use std::path::Path;
use std::time::{Duration, Instant};

use codegen::diff::{diff, PathRule};
use serde_json::Value;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// Every tenth operation renamed, every seventh schema given a new optional property.
fn mutated(spec: &Value) -> Value {
    let mut copy = spec.clone();
    let mut i = 0;
    if let Some(paths) = copy.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                i += 1;
                if i % 10 == 0 {
                    if let Some(id) = op.get_mut("operationId") {
                        *id = Value::String(format!("{}_Renamed", id.as_str().unwrap_or("")));
                    }
                }
            }
        }
    }
    if let Some(schemas) = copy
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (j, schema) in schemas.values_mut().enumerate() {
            if j % 7 == 0 {
                if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                    props.insert("benchAdded".into(), serde_json::json!({"type": "string"}));
                }
            }
        }
    }
    copy
}

fn main() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let runs = 15;
    let load = |dir: &Path| {
        codegen::prepare(&codegen::load::read_spec(dir).unwrap())
            .unwrap()
            .0
            .value
    };
    let (folder, spec) = codegen::workspace_apis(workspace)
        .unwrap()
        .into_iter()
        .map(|api| (api.folder.clone(), load(&api.spec_dir(workspace))))
        .max_by_key(|(_, spec)| codegen::validate::operation_count(spec))
        .expect("an API under spec/");
    let dir = workspace.join("spec").join(&folder);
    let load = || load(&dir);
    let changed = mutated(&spec);
    let rule = PathRule::default();
    let ops = codegen::validate::operation_count(&spec);
    let changes = diff(&spec, &changed, &rule).all_changes().count();

    let t_load = time(runs, load);
    let t_same = time(runs, || diff(&spec, &spec, &rule));
    let t_changed = time(runs, || diff(&spec, &changed, &rule));
    println!("diff benchmark: spec/{folder}, {ops} operations, median of {runs} runs");
    println!(
        "  load + assemble + normalize one side   {:>8.1} ms",
        t_load.as_secs_f64() * 1e3
    );
    println!(
        "  diff, identical documents              {:>8.1} ms",
        t_same.as_secs_f64() * 1e3
    );
    println!(
        "  diff, {changes:>4} changes                      {:>8.1} ms",
        t_changed.as_secs_f64() * 1e3
    );
    println!(
        "  whole `xtask diff` (2 loads + diff)    {:>8.1} ms",
        (2.0 * t_load.as_secs_f64() + t_changed.as_secs_f64()) * 1e3
    );
}
