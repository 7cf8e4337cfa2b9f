//! `cargo xtask diff`: one fixture pair per kind of change (tests/fixtures/diff/*.yaml, each
//! with an `old` and a `new` document), each change's kind and class asserted.

use std::path::Path;

use codegen::diff::{diff, render, Class, Diff, Format, PathRule};
use codegen::SpecFile;
use serde_json::Value;

fn prepared(name: &str, value: &Value) -> Value {
    let file = SpecFile {
        path: format!("{name}.json").into(),
        text: value.to_string(),
    };
    codegen::prepare(&[file])
        .unwrap_or_else(|e| panic!("{e}"))
        .0
        .value
}

fn diff_fixture(fixture: &str) -> Diff {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/diff")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap();
    let pair: Value = serde_norway::from_str(&text).unwrap();
    diff(
        &prepared("old", &pair["old"]),
        &prepared("new", &pair["new"]),
        &PathRule::default(),
    )
}

/// (operation path, kind, at, class) of every operation change, for compact assertions.
fn op_changes(d: &Diff) -> Vec<(String, &'static str, String, Class)> {
    d.operations
        .iter()
        .flat_map(|o| {
            o.changes.iter().map(move |c| {
                (
                    format!("{} {}", o.method, o.path),
                    c.kind,
                    c.at.clone(),
                    c.class,
                )
            })
        })
        .collect()
}

fn has(d: &Diff, op: &str, kind: &str, at: &str, class: Class) {
    let all = op_changes(d);
    assert!(
        all.iter()
            .any(|(o, k, a, c)| o == op && *k == kind && a == at && *c == class),
        "expected {op} {kind} at {at:?} as {class:?}; got:\n{all:#?}"
    );
}

#[test]
fn version_bump_and_case_churn_are_no_change() {
    let d = diff_fixture("version_bump.yaml");
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn case_sensitive_rule_sees_the_bump_as_remove_and_add() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff/version_bump.yaml");
    let pair: Value = serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rule = PathRule {
        fold_case: false,
        ..PathRule::default()
    };
    let d = diff(
        &prepared("old", &pair["old"]),
        &prepared("new", &pair["new"]),
        &rule,
    );
    // Same operationId on both sides: reported as one moved operation, not a remove and an add.
    let kinds: Vec<_> = op_changes(&d).into_iter().map(|c| c.1).collect();
    assert_eq!(kinds, ["operation_moved"]);
}

#[test]
fn operations_added_removed_renamed_moved() {
    let d = diff_fixture("operations_added_removed_renamed_moved.yaml");
    has(&d, "GET /v8/Health", "operation_added", "", Class::Safe);
    has(
        &d,
        "GET /v8/Legacy",
        "operation_removed",
        "",
        Class::BreakingCode,
    );
    has(
        &d,
        "GET /v8/Jobs",
        "operation_renamed",
        "",
        Class::BreakingCode,
    );
    has(
        &d,
        "POST /v8/Jobs/{id}/run",
        "operation_moved",
        "",
        Class::BreakingWire,
    );
    assert_eq!(op_changes(&d).len(), 4);
    let e = &d.crate_effect;
    assert_eq!(e.methods_added, ["health_get"]);
    assert_eq!(e.methods_removed, ["legacy_get"]);
    assert_eq!(e.methods_changed, ["job_get_page", "job_start"]);
}

#[test]
fn parameter_changes() {
    let d = diff_fixture("parameters.yaml");
    let op = "GET /v8/Items";
    has(
        &d,
        op,
        "type_changed",
        "query parameter limit",
        Class::BreakingCode,
    );
    has(
        &d,
        op,
        "parameter_now_required",
        "query parameter jobId",
        Class::BreakingCode,
    );
    has(
        &d,
        op,
        "parameter_added",
        "query parameter organizationId",
        Class::BreakingCode,
    );
    has(
        &d,
        op,
        "parameter_added",
        "query parameter search",
        Class::Safe,
    );
    has(
        &d,
        op,
        "parameter_removed",
        "query parameter legacy",
        Class::BreakingCode,
    );
    assert_eq!(op_changes(&d).len(), 5);
}

#[test]
fn enum_value_added_in_a_response_breaks_the_wire_and_removed_in_a_request_breaks_code() {
    let d = diff_fixture("enums.yaml");
    let op = "POST /v8/JobSessions";
    has(
        &d,
        op,
        "enum_value_added",
        "response 200 › status",
        Class::BreakingWire,
    );
    has(
        &d,
        op,
        "enum_value_removed",
        "request body › kind",
        Class::BreakingCode,
    );
    let removed = d
        .all_changes()
        .find(|c| c.kind == "enum_value_removed")
        .unwrap();
    assert!(removed.breaks_wire, "the server rejects the dropped value");
    assert!(removed.reason.contains("Legacy"));
    assert_eq!(op_changes(&d).len(), 2);
}

#[test]
fn success_status_and_media_type_changes() {
    let d = diff_fixture("status_and_media.yaml");
    has(
        &d,
        "POST /v8/Jobs/{id}/stop",
        "success_status_changed",
        "responses",
        Class::BreakingCode,
    );
    has(
        &d,
        "POST /v8/Reports/License",
        "media_type_changed",
        "response 200",
        Class::BreakingCode,
    );
    let status = d
        .all_changes()
        .find(|c| c.kind == "success_status_changed")
        .unwrap();
    assert!(
        status.reason.starts_with("success status 200 → 204"),
        "{}",
        status.reason
    );
}

#[test]
fn bare_array_to_page_envelope_is_recognized() {
    let d = diff_fixture("became_paged.yaml");
    let op = "GET /v8/RestorePoints";
    has(&d, op, "became_paged", "response 200", Class::BreakingCode);
    has(
        &d,
        op,
        "parameter_added",
        "query parameter offset",
        Class::Safe,
    );
    has(
        &d,
        op,
        "parameter_added",
        "query parameter limit",
        Class::Safe,
    );
    assert_eq!(op_changes(&d).len(), 3);
    assert_eq!(d.crate_effect.types_added, ["PageOfRestorePoint"]);
}

#[test]
fn restore_that_became_asynchronous() {
    let d = diff_fixture("restore_became_async.yaml");
    let op = "POST /v8/RestoreSessions/{id}/organization/mailboxes/restore";
    // The status alone breaks old clients on the wire; the new body type breaks code.
    has(
        &d,
        op,
        "success_status_changed",
        "responses",
        Class::BreakingWire,
    );
    has(&d, op, "ref_changed", "response 202", Class::BreakingCode);
    let status = d
        .all_changes()
        .find(|c| c.kind == "success_status_changed")
        .unwrap();
    assert!(status.breaks_wire);
    assert!(
        status.reason.starts_with("success status 200 → 202"),
        "{}",
        status.reason
    );
}

#[test]
fn shared_schema_change_is_listed_under_every_operation_that_reaches_it() {
    let d = diff_fixture("shared_schema.yaml");
    has(
        &d,
        "GET /v8/Jobs",
        "nullability_changed",
        "response 200[] › lastRun › endTime",
        Class::BreakingCode,
    );
    has(
        &d,
        "GET /v8/Jobs/{id}",
        "nullability_changed",
        "response 200 › lastRun › endTime",
        Class::BreakingCode,
    );
    has(
        &d,
        "GET /v8/Jobs/{id}",
        "property_removed",
        "response 200 › legacyFlag",
        Class::BreakingCode,
    );
    has(
        &d,
        "GET /v8/Jobs/{id}",
        "property_now_optional",
        "response 200 › name",
        Class::BreakingCode,
    );
    has(
        &d,
        "GET /v8/Jobs/{id}",
        "ref_changed",
        "response 200 › schedule",
        Class::BreakingCode,
    );
    has(
        &d,
        "PUT /v8/Jobs/{id}",
        "property_added",
        "request body › proxyId",
        Class::BreakingCode,
    );
    // Once per operation, however many ways it reaches the schema.
    let per_op = op_changes(&d)
        .iter()
        .filter(|c| c.0 == "GET /v8/Jobs/{id}" && c.1 == "nullability_changed")
        .count();
    assert_eq!(per_op, 1);
    // And once under the schema itself, not followed into other schemas.
    let run = d
        .schemas
        .iter()
        .find(|s| s.name == "Run")
        .expect("Run listed");
    assert_eq!(run.changes.len(), 1);
    assert_eq!(run.changes[0].kind, "nullability_changed");
    let job = d
        .schemas
        .iter()
        .find(|s| s.name == "Job")
        .expect("Job listed");
    assert!(
        job.changes.iter().all(|c| c.kind != "nullability_changed"),
        "Job's own changes only"
    );
    // JobUpdate is only sent: its new required field breaks old clients.
    let update = d
        .schemas
        .iter()
        .find(|s| s.name == "JobUpdate")
        .expect("JobUpdate listed");
    assert_eq!(update.changes[0].kind, "property_added");
    assert_eq!(update.changes[0].class, Class::BreakingCode);
    let e = &d.crate_effect;
    assert_eq!(e.types_added, ["ScheduleV2"]);
    assert_eq!(e.types_removed, ["ScheduleV1"]);
    assert_eq!(e.types_changed, ["Job", "JobUpdate", "Run"]);
}

fn workspace_spec() -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    codegen::prepare(&codegen::load::read_spec(&root.join("spec/vb365")).unwrap())
        .unwrap()
        .0
        .value
}

#[test]
fn spec_against_itself_is_no_change() {
    let spec = workspace_spec();
    let d = diff(&spec, &spec, &PathRule::default());
    assert!(d.is_empty());
    assert_eq!(
        render(&d, "a", "b", Format::Text),
        "API diff: a -> b\nno change\n"
    );
}

#[test]
fn spec_against_a_reformatted_copy_is_no_change() {
    fn reorder(v: &Value) -> Value {
        match v {
            // Every map's keys in reverse order: layout and key order must not matter.
            Value::Object(m) => Value::Object(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reorder(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(reorder).collect()),
            other => other.clone(),
        }
    }
    let spec = workspace_spec();
    let copy = prepared("copy", &reorder(&spec));
    assert!(diff(&spec, &copy, &PathRule::default()).is_empty());
}

#[test]
fn markdown_report_has_a_summary_table_and_the_crate_effect() {
    let d = diff_fixture("operations_added_removed_renamed_moved.yaml");
    let md = render(&d, "old", "new", Format::Markdown);
    assert!(md.contains("| breaking (client code) | 2 |"), "{md}");
    assert!(md.contains("| breaking (wire) | 1 |"), "{md}");
    assert!(md.contains("| safe | 1 |"), "{md}");
    assert!(
        md.contains("- Client methods removed (1): `legacy_get`"),
        "{md}"
    );
    let json: Value = serde_json::from_str(&render(&d, "old", "new", Format::Json)).unwrap();
    assert_eq!(json["crate_effect"]["methods_added"][0], "health_get");
    // The operation counts come first, and make the migration table's row.
    assert!(
        md.contains("Operations: 1 added, 1 removed, 1 renamed, 1 moved."),
        "{md}"
    );
    assert_eq!(
        render(&d, "v6", "v7", Format::Summary),
        "| `v6` → `v7` | 1 | 1 | 1 | 1 | 2 | 1 | 1 |\n"
    );
}

fn spec_of(folder: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    codegen::prepare(&codegen::load::read_spec(&root.join("spec").join(folder)).unwrap())
        .unwrap()
        .0
        .value
}

#[test]
fn a_change_in_a_shared_schema_is_reported_once_with_the_operations_it_reaches() {
    let d = diff_fixture("shared_schema.yaml");
    // The operations record where their reached changes are.
    let via: Vec<_> = d
        .operations
        .iter()
        .flat_map(|o| o.changes.iter().filter(|c| c.kind == "nullability_changed"))
        .map(|c| c.via.as_deref())
        .collect();
    assert_eq!(via, [Some("Run"), Some("Run")], "{d:#?}");
    let reach: Vec<_> = d
        .reached_by("Run")
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(reach, ["Job_Get", "Job_GetById"]);
    // Counted once: Run's one change, not once per operation.
    let distinct = d
        .distinct_changes()
        .filter(|c| c.kind == "nullability_changed")
        .count();
    assert_eq!(distinct, 1);
    let md = codegen::diff::render_markdown(&d, "old", "new", None);
    assert_eq!(
        md.matches("`endTime`").count() + md.matches("› endTime`").count(),
        1,
        "{md}"
    );
    assert!(
        md.contains("<code>Run</code>: 1 breaking (client code), 0 breaking (wire), 0 safe; reaches 2 operations"),
        "{md}"
    );
    assert!(
        md.contains("Reached by: `job_get`, `job_get_by_id`."),
        "{md}"
    );
    assert!(
        md.contains("- changed shared schemas it reaches: `Job`, `Run`"),
        "{md}"
    );
}

/// The real version bump: VB365 v7 to v8.
fn v7_to_v8() -> Diff {
    diff(
        &spec_of("vb365-v7"),
        &spec_of("vb365"),
        &PathRule::default(),
    )
}

#[test]
fn the_first_screen_counts_operations_changes_and_the_crate_effect() {
    let d = v7_to_v8();
    assert_eq!(
        d.operation_counts(),
        [
            ("added", 50),
            ("removed", 20),
            ("renamed", 10),
            ("moved", 6)
        ]
    );
    assert_eq!(d.semver(), codegen::diff::Bump::Major);
    let md = codegen::diff::render_markdown(&d, "v7", "v8", None);
    let first_screen: String = md.lines().take(40).collect::<Vec<_>>().join("\n");
    assert!(first_screen.contains("Operations: 50 added, 20 removed, 10 renamed, 6 moved."));
    assert!(first_screen.contains("**Semver bump: major"));
    let counts = d.counts();
    for (class, n) in &counts {
        assert!(
            first_screen.contains(&format!("| {} | {n} |", class.label())),
            "{first_screen}"
        );
    }
    assert_eq!(
        counts.values().sum::<usize>(),
        d.distinct_changes().count(),
        "each change counted once"
    );
    let e = &d.crate_effect;
    assert!(first_screen.contains(&format!(
        "methods {} added, {} removed, {} changed",
        e.methods_added.len(),
        e.methods_removed.len(),
        e.methods_changed.len()
    )));
    // Breaking changes by resource group, worst first.
    let table: Vec<usize> = first_screen
        .lines()
        .skip_while(|l| !l.starts_with("| resource group"))
        .skip(2)
        .take_while(|l| l.starts_with("| ") && !l.starts_with("| …"))
        .map(|l| l.split('|').nth(2).unwrap().trim().parse().unwrap())
        .collect();
    assert!(table.len() >= 10, "{first_screen}");
    assert!(
        table.windows(2).all(|w| w[0] >= w[1]),
        "worst first: {table:?}"
    );
}

#[test]
fn a_report_over_its_budget_is_cut_says_so_and_keeps_the_summary() {
    let d = v7_to_v8();
    let full = codegen::diff::render_markdown(&d, "v7", "v8", None);
    assert!(
        full.len() > 200_000,
        "the complete report is large: {}",
        full.len()
    );
    let summary_end = full.find("\n## Operations by resource group").unwrap();
    for max_bytes in [60_000, 20_000, 1_000] {
        let budget = codegen::diff::Budget {
            max_bytes,
            full_report: "`full.md`".into(),
        };
        let cut = codegen::diff::render_markdown(&d, "v7", "v8", Some(&budget));
        assert!(
            cut.starts_with(&full[..summary_end]),
            "the summary is never cut ({max_bytes})"
        );
        assert!(cut.contains("**This report was cut to fit"), "{cut}");
        assert!(cut.contains("The full report: `full.md`."));
        if max_bytes >= 20_000 {
            assert!(cut.len() <= max_bytes, "{} > {max_bytes}", cut.len());
            // Every resource group with breaking changes keeps at least a line.
            for group in ["SharePointDocument", "RbacRole", "Account"] {
                assert!(
                    cut.contains(&format!("**{group}**"))
                        || cut.contains(&format!("<b>{group}</b>")),
                    "{group} in {max_bytes}"
                );
            }
        }
        // <details> blocks are whole: as many closed as opened.
        assert_eq!(
            cut.matches("<details>").count(),
            cut.matches("</details>").count()
        );
    }
    // A report that fits is not cut.
    let small = diff_fixture("shared_schema.yaml");
    let budget = codegen::diff::Budget {
        max_bytes: 60_000,
        full_report: "x".into(),
    };
    let md = codegen::diff::render_markdown(&small, "a", "b", Some(&budget));
    assert_eq!(md, codegen::diff::render_markdown(&small, "a", "b", None));
}

/// The crate effect names what the generated crates have: every method a diff from nothing
/// reports added is a client method of the crate, and the crate has no other; every type is
/// a type of the crate. Checked on every workspace API.
#[test]
fn the_crate_effect_names_the_generated_crates_methods_and_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let nothing = prepared(
        "nothing",
        &serde_json::json!({"openapi": "3.0.1", "info": {"title": "t", "version": "0"}, "paths": {}}),
    );
    for api in codegen::workspace_apis(root).unwrap() {
        let spec = spec_of(&api.folder);
        let d = diff(&nothing, &spec, &PathRule::default());
        let dir = api.crate_dir(root);
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        let types = std::fs::read_to_string(dir.join("src/types.rs")).unwrap();
        let start = lib.find("impl Client {").unwrap();
        let end = lib.find("\npub mod builder;").unwrap();
        let mut methods: Vec<String> =
            regex::Regex::new(r"pub fn (\w+)\(\s*&self,?\s*\) -> builder::")
                .unwrap()
                .captures_iter(&lib[start..end])
                .map(|c| c[1].to_string())
                .collect();
        methods.sort();
        let mut added = d.crate_effect.methods_added.clone();
        added.sort();
        assert_eq!(added, methods, "{}: methods", api.name());
        let declared = regex::Regex::new(r"pub\s+(?:struct|enum|type)\s+(\w+)").unwrap();
        let names: std::collections::BTreeSet<&str> = declared
            .captures_iter(&types)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        let missing: Vec<&String> = d
            .crate_effect
            .types_added
            .iter()
            .filter(|t| !names.contains(t.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: types not in the crate: {missing:?}",
            api.name()
        );
        assert!(d.crate_effect.types_added.len() > 100, "{}", api.name());
    }
}
