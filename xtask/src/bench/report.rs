//! BENCHMARKS.md: the figures of one run in the template `xtask/templates/benchmarks.md`,
//! with each target compared as a ratio of figures measured in the same run.

use super::compile::Compile;
use super::generation::{Generation, SYNTHETIC_RUNS};
use super::measure::machine;
use super::runtime::Runtime;
use super::synthetic;

/// The page; `{name}`s are filled by [`fill`].
const TEMPLATE: &str = include_str!("../../templates/benchmarks.md");

pub fn markdown(
    generation: &Generation,
    compiles: &[Compile],
    cli: &[super::cli::CliBuild],
    runtime: &Runtime,
) -> String {
    let f = |k: &str| runtime.figure(k);
    let decode_ratio = f("decode_ratio");
    let walk_ratio = f("walk_100k_peak_bytes") / f("walk_10k_peak_bytes");
    let t = &generation.synthetic;
    fill(
        TEMPLATE,
        &[
            ("machine", machine()),
            ("generation_runs", generation.runs.to_string()),
            ("generation_rows", generation_rows(generation)),
            ("synthetic_operations", synthetic::OPERATIONS.to_string()),
            ("synthetic_schemas", synthetic::SCHEMAS.to_string()),
            ("synthetic_runs", SYNTHETIC_RUNS.to_string()),
            ("synthetic_median", format!("{:.2}", t.median)),
            ("synthetic_min", format!("{:.2}", t.min)),
            ("synthetic_max", format!("{:.2}", t.max)),
            ("synthetic_mark", mark(t.median <= 3.0).into()),
            ("compile_rows", compile_rows(compiles)),
            ("cli_rows", cli.iter().map(|b| b.row()).collect()),
            ("page_mb", format!("{:.1}", f("page_bytes") / 1e6)),
            (
                "decode_generated_mb_s",
                format!("{:.0}", f("decode_generated_mb_s")),
            ),
            (
                "decode_generated_items_s",
                format!("{:.0}", f("decode_generated_items_s")),
            ),
            ("decode_hand_mb_s", format!("{:.0}", f("decode_hand_mb_s"))),
            (
                "decode_hand_items_s",
                format!("{:.0}", f("decode_hand_items_s")),
            ),
            ("walk_10k_items_s", format!("{:.0}", f("walk_10k_items_s"))),
            (
                "walk_10k_peak_mib",
                format!("{:.1}", f("walk_10k_peak_bytes") / MIB),
            ),
            (
                "walk_100k_items_s",
                format!("{:.0}", f("walk_100k_items_s")),
            ),
            (
                "walk_100k_peak_mib",
                format!("{:.1}", f("walk_100k_peak_bytes") / MIB),
            ),
            ("crate_targets", crate_targets(generation, compiles)),
            ("decode_percent", format!("{:.0}", decode_ratio * 100.0)),
            ("decode_mark", mark(decode_ratio >= 0.9).into()),
            ("walk_ratio", format!("{walk_ratio:.2}")),
            ("walk_mark", mark(walk_ratio < 1.25).into()),
        ],
    )
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// GNU time's peak (KiB) in MiB.
fn peak_mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn generation_rows(generation: &Generation) -> String {
    generation
        .crates
        .iter()
        .map(|g| {
            let t = &g.timing;
            format!(
                "| `spec/{}` | {} | {:.2} s | {:.2} s | {:.2} s |\n",
                g.name, g.operations, t.median, t.min, t.max
            )
        })
        .collect()
}

fn compile_rows(compiles: &[Compile]) -> String {
    compiles
        .iter()
        .map(|c| {
            let minimal = c.minimal.as_ref();
            format!(
                "| `{}` | {} (baseline {}) | {:.1} s, {:.0} MiB | {:.1} s, {:.0} MiB | {} | {:.0}% | {} | {} |\n",
                c.name,
                c.lines,
                c.plain_lines,
                c.base.secs,
                peak_mib(c.base.peak_kb),
                c.full.secs,
                peak_mib(c.full.peak_kb),
                minimal.map_or("-".into(), |m| format!(
                    "{:.1} s, {:.0} MiB (`{}`)",
                    m.secs,
                    peak_mib(m.peak_kb),
                    c.minimal_set
                )),
                100.0 * c.full.secs / c.base.secs,
                minimal.map_or("-".into(), |m| format!("{:.0}%", 100.0 * m.secs / c.full.secs)),
                c.mock.as_ref().map_or("-".into(), |(lines, m)| format!(
                    "{:.1} s, {:.0} MiB ({lines} lines)",
                    m.secs,
                    peak_mib(m.peak_kb)
                )),
            )
        })
        .collect()
}

/// Each crate's targets: compile against the baseline, the minimal set against the full
/// crate, then generation time.
fn crate_targets(generation: &Generation, compiles: &[Compile]) -> String {
    let mut rows = String::new();
    for c in compiles {
        let ratio_full = c.full.secs / c.base.secs;
        rows.push_str(&format!(
            "| `{}`: full crate compile <= 50% of the plain progenitor baseline | {:.0}% | {} |\n",
            c.name,
            ratio_full * 100.0,
            mark(ratio_full <= 0.5)
        ));
        if let Some(m) = &c.minimal {
            let ratio_min = m.secs / c.full.secs;
            rows.push_str(&format!(
                "| `{}`: minimal feature set <= 15% of the full crate | {:.0}% | {} |\n",
                c.name,
                ratio_min * 100.0,
                mark(ratio_min <= 0.15)
            ));
        }
    }
    for g in &generation.crates {
        let m = g.timing.median;
        rows.push_str(&format!(
            "| `{}` generation <= 1 s warm | {m:.2} s | {} |\n",
            g.name,
            mark(m <= 1.0)
        ));
    }
    rows
}

/// `template` with each `{name}` replaced by its value in `values`, in one pass (a value is
/// never searched for names); an unknown `{name}` is left as it is.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = values.iter().find(|(n, _)| *n == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fill_replaces_known_names_once_and_keeps_other_braces() {
        let values = [("a", "{b}".to_string()), ("b", "2".to_string())];
        assert_eq!(fill("x{a}y{b}z{c}{", &values), "x{b}y2z{c}{");
    }

    #[test]
    fn every_placeholder_of_the_template_is_filled() {
        use super::super::compile::Compile;
        use super::super::generation::{Generated, Generation};
        use super::super::measure::{Build, Timing};
        use super::super::runtime::Runtime;
        let timing = || Timing {
            median: 0.5,
            min: 0.4,
            max: 0.6,
        };
        let build = |secs| Build {
            secs,
            peak_kb: 1024,
        };
        let generation = Generation {
            runs: 9,
            crates: vec![Generated {
                name: "one".into(),
                operations: 3,
                timing: timing(),
            }],
            synthetic: timing(),
        };
        let compiles = [Compile {
            name: "one".into(),
            minimal_set: "a".into(),
            plain_lines: 10,
            lines: 5,
            base: build(2.0),
            full: build(1.0),
            minimal: Some(build(0.1)),
            mock: Some((7, build(0.2))),
        }];
        let runtime = Runtime(serde_json::json!({"decode_ratio": 1.0}));
        let cli = [crate::bench::cli::CliBuild {
            apis: "all".into(),
            build: build(6.0),
            bytes: 13_500_000,
        }];
        let md = super::markdown(&generation, &compiles, &cli, &runtime);
        assert!(!md.contains('{'), "an unfilled placeholder:\n{md}");
        assert!(md.contains("| all | 6.0 s, "), "{md}");
        assert!(md.contains("| `one` generation <= 1 s warm | 0.50 s | met |\n"));
        assert!(
            md.starts_with("# Benchmarks\n\n") && md.ends_with(" |\n"),
            "{md}"
        );
    }
}
