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
