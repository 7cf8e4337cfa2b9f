//! `cargo xtask vendor-check`: the facts of a curated split spec compared with a vendor
//! document. Each test makes a workspace of its own (a small split spec under `spec/acme/`
//! and a vendor document beside it, the curated spec's facts as JSON, with prose of its own)
//! and changes one thing in the vendor's document: each kind of difference is found where it
//! is, a `vendor:` comment on its place explains it, and prose never counts.

use std::path::{Path, PathBuf};

use codegen::vendor::{self, Finding};
use serde_json::{json, Value};

const ROOT: &str = "\
# Root of a curated document. A comment that starts with `vendor:` marks a deliberate edit:
# vendor: a header like this one belongs to no key and explains nothing.
openapi: '3.0.1'
info:
  title: Acme backup
  version: v1
security:
  - Bearer: []
components:
  securitySchemes:
    Bearer:
      type: http
      scheme: bearer
paths: {}
";

const JOBS: &str = "\
# Jobs: operations and the schemas only they use.
paths:
  /v1/jobs:
    get:
      operationId: Job_List
      description: Lists the jobs, ours.
      tags:
        - Job
      parameters:
        - name: limit
          description: Page size, ours.
          in: query
          schema:
            type: integer
            format: int32
        - name: Accept
          in: header
          schema:
            # vendor: `nullable: true`; a header is never null
            type: string
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Job'
  /v1/jobs/{jobId}/export:
    post:
      operationId: Job_Export
      tags:
        - Job
      parameters:
        - name: jobId
          in: path
          required: true
          schema:
            type: string
            format: uuid
      responses:
        '200':
          description: A file
          content:
            application/octet-stream:
              schema:
                # vendor: `type: object`; the body is a file
                type: string
                format: binary
components:
  schemas:
    Job:
      required:
        - id
      type: object
      properties:
        id:
          description: Id of the job, ours.
          type: string
          format: uuid
        description:
          type: string
        kind:
          enum:
            - Backup
            - Copy
          type: string
";

/// The vendor's document with the same facts as `ROOT` and `JOBS` but the edits the
/// `vendor:` comments explain, and prose of its own.
fn vendor_doc() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Acme REST API", "version": "v1", "description": "The vendor's words."},
        "servers": [{"url": "https://acme.example"}],
        "tags": [{"name": "Job", "description": "Jobs."}],
        "security": [{"Bearer": []}],
        "components": {
            "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Job": {
                    "required": ["id"],
                    "type": "object",
                    "description": "A job, as the vendor says it.",
                    "properties": {
                        "id": {"type": "string", "format": "uuid", "example": "0c4a…"},
                        "description": {"type": "string"},
                        "kind": {"enum": ["Copy", "Backup"], "type": "string"}
                    }
                }
            }
        },
        "paths": {
            "/v1/jobs": {"get": {
                "operationId": "Job_List",
                "summary": "Get Jobs",
                "tags": ["Job"],
                "parameters": [
                    {"name": "Accept", "in": "header", "schema": {"type": "string", "nullable": true}},
                    {"name": "limit", "in": "query", "description": "Max.", "schema": {"type": "integer", "format": "int32"}}
                ],
                "responses": {"200": {"description": "Success", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Job"}}}}}
            }},
            "/v1/jobs/{jobId}/export": {"post": {
                "operationId": "Job_Export",
                "tags": ["Job"],
                "parameters": [{"name": "jobId", "in": "path", "required": true,
                    "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "Success", "content": {"application/octet-stream": {
                    "schema": {"type": "object"}}}}}
            }}
        }
    })
}

/// A workspace under the temp folder with `spec/acme/` (ROOT as openapi.yaml, `jobs` as
/// jobs.yaml, a profile) and the vendor's document as `vendor.json`; returns the root.
fn workspace(jobs: &str, vendor: &Value) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("vendor-check-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let api = root.join("spec/acme");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(api.join("openapi.yaml"), ROOT).unwrap();
    std::fs::write(api.join("jobs.yaml"), jobs).unwrap();
    let text = serde_json::to_string_pretty(vendor).unwrap();
    std::fs::write(root.join("vendor.json"), &text).unwrap();
    let profile = format!(
        "crate: {{name: acme, description: Acme backup REST API client}}\n\
         auth: {{kind: bearer}}\n\
         vendor_document: {{version: v1, file: vendor.json, sha256: {}}}\n",
        vendor::sha256_hex(text.as_bytes())
    );
    std::fs::write(api.join("profile.yaml"), profile).unwrap();
    root
}

/// What `cargo xtask vendor-check --api acme vendor.json` finds in `root`, explained or not.
fn check(root: &Path) -> Vec<Finding> {
    let ours = codegen::load::read_spec(&root.join("spec/acme")).unwrap();
    let theirs = codegen::load::read_spec(&root.join("vendor.json")).unwrap();
    vendor::check(&ours, &theirs).unwrap_or_else(|e| panic!("{e}"))
}

/// (pointer, what) of the differences no `vendor:` comment explains.
fn unexplained(jobs: &str, vendor: &Value) -> Vec<(String, String)> {
    let root = workspace(jobs, vendor);
    let found = check(&root);
    let _ = std::fs::remove_dir_all(&root);
    found
        .into_iter()
        .filter(|f| f.explained_by.is_none())
        .map(|f| (f.pointer, f.what))
        .collect()
}

/// The one unexplained difference after `change` is made to the vendor's document.
fn one_difference(change: impl FnOnce(&mut Value)) -> (String, String) {
    let mut doc = vendor_doc();
    change(&mut doc);
    let found = unexplained(JOBS, &doc);
    assert_eq!(found.len(), 1, "one difference expected: {found:#?}");
    found.into_iter().next().unwrap()
}

/// The line (1-based) of JOBS holding `needle`.
fn line_of(needle: &str) -> usize {
    JOBS.lines().position(|l| l.contains(needle)).unwrap() + 1
}

const LIST: &str = "/paths/~1v1~1jobs/get";
const EXPORT: &str = "/paths/~1v1~1jobs~1{jobId}~1export/post";

#[test]
fn the_curated_spec_and_its_vendor_document_agree_but_for_explained_edits() {
    let root = workspace(JOBS, &vendor_doc());
    let found = check(&root);
    let explained: Vec<(&str, usize)> = found
        .iter()
        .map(|f| {
            let (file, line, text) = f.explained_by.as_ref().expect("explained");
            assert!(text.starts_with("vendor:"), "{text}");
            (file.file_name().unwrap().to_str().unwrap(), *line)
        })
        .collect();
    // `nullable` of the Accept header; `type` and `format` of the file's schema: each
    // explained by the comment in the `schema:` block, the line above it.
    let header = line_of("# vendor: `nullable: true`") - 1;
    let file = line_of("# vendor: `type: object`") - 1;
    assert_eq!(
        explained,
        [
            ("jobs.yaml", header),
            ("jobs.yaml", file),
            ("jobs.yaml", file)
        ]
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn prose_differences_are_not_differences() {
    let mut doc = vendor_doc();
    doc["paths"]["/v1/jobs"]["get"]["description"] = json!("Another sentence.");
    doc["paths"]["/v1/jobs"]["get"]["summary"] = json!("Another summary");
    doc["paths"]["/v1/jobs"]["get"]["responses"]["200"]["description"] = json!("Fine");
    doc["components"]["schemas"]["Job"]["title"] = json!("The Job");
    doc["components"]["schemas"]["Job"]["properties"]["kind"]["examples"] = json!(["Copy"]);
    doc["components"]["schemas"]["Job"]["externalDocs"] = json!({"url": "https://acme.example"});
    doc["info"]["title"] = json!("Renamed");
    doc["tags"] = json!([{"name": "Job", "description": "Other words."}]);
    assert_eq!(unexplained(JOBS, &doc), []);
}

#[test]
fn a_new_operation_is_found() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs/{jobId}"] = json!({"get": {"operationId": "Job_Get",
            "responses": {"200": {"description": "OK"}}}});
    });
    assert_eq!(found.0, "/paths/~1v1~1jobs~1{jobId}");
    assert!(
        found.1.starts_with("only in the vendor's document"),
        "{found:?}"
    );
}

#[test]
fn a_method_the_vendor_dropped_is_found() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs/{jobId}/export"]
            .as_object_mut()
            .unwrap()
            .remove("post");
    });
    assert_eq!(found.0, EXPORT);
    assert!(found.1.starts_with("only in ours"), "{found:?}");
}

#[test]
fn a_renamed_operation_id_is_found() {
    let found =
        one_difference(|d| d["paths"]["/v1/jobs"]["get"]["operationId"] = json!("Jobs_Get"));
    assert_eq!(found.0, format!("{LIST}/operationId"));
    assert_eq!(found.1, "ours `\"Job_List\"`, the vendor's `\"Jobs_Get\"`");
}

#[test]
fn a_new_parameter_is_found_whatever_the_order() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
            .insert(
                0,
                json!({"name": "offset", "in": "query", "schema": {"type": "integer"}}),
            );
    });
    assert_eq!(
        found,
        (
            format!("{LIST}/parameters"),
            "only in the vendor's document: parameter query `offset`".to_string()
        )
    );
}

#[test]
fn a_parameter_that_moves_place_is_found() {
    let found = unexplained(JOBS, &{
        let mut d = vendor_doc();
        d["paths"]["/v1/jobs"]["get"]["parameters"][1]["in"] = json!("header");
        d
    });
    // Matched by place and name: ours is gone from the vendor's, theirs is new.
    assert_eq!(
        found,
        [
            (
                format!("{LIST}/parameters/0"),
                "only in ours: parameter query `limit`".to_string()
            ),
            (
                format!("{LIST}/parameters"),
                "only in the vendor's document: parameter header `limit`".to_string()
            ),
        ]
    );
}

#[test]
fn a_parameter_made_required_is_found() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs"]["get"]["parameters"][1]["required"] = json!(true)
    });
    assert_eq!(found.0, format!("{LIST}/parameters/0/required"));
}

#[test]
fn a_parameter_schema_change_is_found() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs"]["get"]["parameters"][1]["schema"]["format"] = json!("int64");
    });
    assert_eq!(
        found,
        (
            format!("{LIST}/parameters/0/schema/format"),
            "ours `\"int32\"`, the vendor's `\"int64\"`".to_string()
        )
    );
}

#[test]
fn a_new_property_is_found_and_a_property_named_description_is_a_property() {
    let found = one_difference(|d| {
        d["components"]["schemas"]["Job"]["properties"]["name"] = json!({"type": "string"});
    });
    assert_eq!(found.0, "/components/schemas/Job/properties/name");
    let found = one_difference(|d| {
        d["components"]["schemas"]["Job"]["properties"]["description"]["type"] = json!("integer");
    });
    assert_eq!(
        found.0,
        "/components/schemas/Job/properties/description/type"
    );
}

#[test]
fn type_and_format_changes_are_found() {
    let found = one_difference(|d| {
        d["components"]["schemas"]["Job"]["properties"]["id"]["type"] = json!("integer")
    });
    assert_eq!(found.0, "/components/schemas/Job/properties/id/type");
    let found = one_difference(|d| {
        d["components"]["schemas"]["Job"]["properties"]["id"]
            .as_object_mut()
            .unwrap()
            .remove("format");
    });
    assert_eq!(
        found,
        (
            "/components/schemas/Job/properties/id/format".to_string(),
            "only in ours: `format: \"uuid\"`".to_string()
        )
    );
}

#[test]
fn requiredness_is_found_name_by_name() {
    let found =
        one_difference(|d| d["components"]["schemas"]["Job"]["required"] = json!(["id", "kind"]));
    assert_eq!(
        found,
        (
            "/components/schemas/Job/required".to_string(),
            "only in the vendor's document: `\"kind\"`".to_string()
        )
    );
}

#[test]
fn a_new_enum_value_is_found_and_order_does_not_count() {
    let found = one_difference(|d| {
        d["components"]["schemas"]["Job"]["properties"]["kind"]["enum"] =
            json!(["Restore", "Copy", "Backup"]);
    });
    assert_eq!(
        found,
        (
            "/components/schemas/Job/properties/kind/enum".to_string(),
            "only in the vendor's document: `\"Restore\"`".to_string()
        )
    );
}

#[test]
fn response_and_media_type_changes_are_found() {
    let found = one_difference(|d| {
        d["paths"]["/v1/jobs"]["get"]["responses"]["404"] = json!({"description": "Not found"});
    });
    assert_eq!(found.0, format!("{LIST}/responses/404"));
    let found = unexplained(JOBS, &{
        let mut d = vendor_doc();
        let content = &mut d["paths"]["/v1/jobs"]["get"]["responses"]["200"]["content"];
        let media = content
            .as_object_mut()
            .unwrap()
            .remove("application/json")
            .unwrap();
        content["text/json"] = media;
        d
    });
    let at: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    let content = format!("{LIST}/responses/200/content");
    assert_eq!(
        at,
        [
            format!("{content}/application~1json"),
            format!("{content}/text~1json")
        ]
    );
}

#[test]
fn security_changes_are_found() {
    let found = one_difference(|d| d["paths"]["/v1/jobs"]["get"]["security"] = json!([]));
    assert_eq!(found.0, format!("{LIST}/security"));
    let found = one_difference(|d| {
        d["components"]["securitySchemes"]["Bearer"]["bearerFormat"] = json!("JWT")
    });
    assert_eq!(found.0, "/components/securitySchemes/Bearer/bearerFormat");
}

#[test]
fn a_vendor_comment_explains_its_block_and_nothing_beside_it() {
    // The export's file schema differs in two keywords, both under the commented schema;
    // the same kind of difference in the list operation's answer is not explained by it.
    let mut doc = vendor_doc();
    doc["paths"]["/v1/jobs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"type": "object"});
    let found = unexplained(JOBS, &doc);
    let at: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    let schema = format!("{LIST}/responses/200/content/application~1json/schema");
    assert_eq!(at, [format!("{schema}/$ref"), format!("{schema}/type")]);

    // Commented, the operation's new query parameter is explained; a file header explains
    // nothing (ROOT has one, and a new security scheme is still found).
    let commented = JOBS.replace(
        "      parameters:\n        - name: limit",
        "      parameters:\n        # vendor: also takes `offset`, which servers ignore\n        - name: limit",
    );
    let mut doc = vendor_doc();
    doc["paths"]["/v1/jobs"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "offset", "in": "query"}));
    doc["components"]["securitySchemes"]["Basic"] = json!({"type": "http", "scheme": "basic"});
    assert_eq!(
        unexplained(&commented, &doc),
        [(
            "/components/securitySchemes/Basic".to_string(),
            "only in the vendor's document: `Basic` {type, scheme}".to_string()
        )]
    );
    assert_eq!(unexplained(JOBS, &doc).len(), 2);
}

#[test]
fn a_difference_is_placed_at_its_file_and_line() {
    let mut doc = vendor_doc();
    doc["components"]["schemas"]["Job"]["properties"]["kind"]["enum"] = json!(["Backup"]);
    let root = workspace(JOBS, &doc);
    let found = check(&root);
    let _ = std::fs::remove_dir_all(&root);
    let enum_change = found
        .iter()
        .find(|f| f.explained_by.is_none())
        .expect("the enum difference");
    let (file, line) = enum_change.place.clone().expect("placed");
    assert_eq!(
        (file.file_name().unwrap().to_str(), line),
        (Some("jobs.yaml"), line_of("        kind:") + 1),
        "the line of `enum:`"
    );
}

#[test]
fn the_profile_names_the_document_of_record_by_its_digest() {
    let root = workspace(JOBS, &vendor_doc());
    let apis = codegen::workspace_apis(&root).unwrap();
    let record = apis[0]
        .profile
        .vendor_document
        .clone()
        .expect("a document of record");
    assert_eq!(record.file, "vendor.json");
    let bytes = std::fs::read(root.join("vendor.json")).unwrap();
    assert!(vendor::is_document_of_record(
        &record,
        &vendor::sha256_hex(&bytes)
    ));
    let mut other = bytes.clone();
    other.push(b'\n');
    assert!(!vendor::is_document_of_record(
        &record,
        &vendor::sha256_hex(&other)
    ));
    let _ = std::fs::remove_dir_all(&root);
}

/// The plan of `cargo xtask vendor-merge`: the vendor's change from `vendor_doc()` (the
/// document of record) to `new` merged into JOBS, as (step, pointer, line of JOBS).
fn merge_plan(new: &Value) -> Vec<(String, String, Option<usize>)> {
    let root = workspace(JOBS, &vendor_doc());
    std::fs::write(root.join("new.json"), new.to_string()).unwrap();
    let read = |p: &str| codegen::load::read_spec(&root.join(p)).unwrap();
    let plan = vendor::merge_plan(&read("spec/acme"), &read("vendor.json"), &read("new.json"))
        .unwrap_or_else(|e| panic!("{e}"))
        .steps;
    let _ = std::fs::remove_dir_all(&root);
    plan.into_iter()
        .map(|p| {
            let kind = match &p.step {
                vendor::merge::Step::Add { .. } => "add",
                vendor::merge::Step::Remove { .. } => "remove",
                vendor::merge::Step::Set { .. } => "change",
                vendor::merge::Step::Conflict { .. } => "conflict",
            };
            let line = p.place.map(|(file, line)| {
                assert!(file.ends_with("jobs.yaml"), "{}", file.display());
                line
            });
            (
                kind.to_string(),
                codegen::error::pointer(p.step.path()),
                line,
            )
        })
        .collect()
}

#[test]
fn merging_the_record_into_itself_plans_nothing() {
    assert_eq!(merge_plan(&vendor_doc()), []);
}

#[test]
fn a_vendor_revision_merges_step_by_step_and_conflicts_only_where_we_edited() {
    let mut new = vendor_doc();
    // A new operation, a new enum value, a parameter now required, prose changed, and a
    // change at the place of our `vendor:` edit (the export's body type).
    new["paths"]["/v1/jobs/{jobId}"] = json!({"delete": {"operationId": "Job_Delete",
        "summary": "Vendor words.", "tags": ["Job"],
        "responses": {"204": {"description": "Vendor words."}}}});
    new["components"]["schemas"]["Job"]["properties"]["kind"]["enum"] =
        json!(["Copy", "Backup", "Move"]);
    new["components"]["schemas"]["Job"]["description"] = json!("New vendor words.");
    new["paths"]["/v1/jobs"]["get"]["parameters"][1]["required"] = json!(true);
    new["paths"]["/v1/jobs/{jobId}/export"]["post"]["responses"]["200"]["content"]
        ["application/octet-stream"]["schema"] =
        json!({"type": "array", "items": {"type": "object"}});
    let plan = merge_plan(&new);
    let step = |kind: &str, at: &str, line: Option<usize>| (kind.to_string(), at.to_string(), line);
    assert_eq!(
        plan,
        [
            step(
                "add",
                "/paths/~1v1~1jobs/get/parameters/0/required",
                Some(line_of("- name: limit"))
            ),
            step("add", "/paths/~1v1~1jobs~1{jobId}", None),
            // Our edit made the body a binary string; the vendor's new array does not land
            // beside it: the whole schema is one conflict, and ours stays.
            step(
                "conflict",
                &format!("{EXPORT}/responses/200/content/application~1octet-stream/schema"),
                Some(line_of("# vendor: `type: object`") - 1),
            ),
            step(
                "change",
                "/components/schemas/Job/properties/kind/enum",
                Some(line_of("enum:"))
            ),
        ]
    );
}

/// JOBS after writing the plan of `new` (against the record `vendor_doc()`), and what
/// `vendor-check` then finds unexplained against `new`.
fn imported(new: &Value) -> (Vec<codegen::load::SpecFile>, Vec<(String, String)>) {
    let root = workspace(JOBS, &vendor_doc());
    std::fs::write(root.join("new.json"), new.to_string()).unwrap();
    let read = |p: &str| codegen::load::read_spec(&root.join(p)).unwrap();
    let ours = read("spec/acme");
    let merge = vendor::merge_plan(&ours, &read("vendor.json"), &read("new.json")).unwrap();
    let plan: Vec<_> = merge.steps.into_iter().map(|p| p.step).collect();
    let written = vendor::apply::apply(&merge.files, &plan).unwrap_or_else(|e| panic!("{e}"));
    let left = vendor::check(&written.files, &read("new.json"))
        .unwrap_or_else(|e| panic!("the written spec does not load: {e}"))
        .into_iter()
        .filter(|f| f.explained_by.is_none())
        .map(|f| (f.pointer, f.what))
        .collect();
    let _ = std::fs::remove_dir_all(&root);
    (written.files, left)
}

fn jobs_text(files: &[codegen::load::SpecFile]) -> &str {
    &files
        .iter()
        .find(|f| f.path.ends_with("jobs.yaml"))
        .unwrap()
        .text
}

#[test]
fn a_written_plan_says_what_the_vendor_says_keeps_our_words_and_edits_and_no_vendor_prose() {
    let mut new = vendor_doc();
    new["paths"]["/v1/jobs/{jobId}"] = json!({"delete": {"operationId": "Job_Delete",
        "summary": "Vendor words.", "tags": ["Job"],
        "parameters": [{"name": "jobId", "in": "path", "required": true, "description": "Vendor words.",
            "schema": {"type": "string", "format": "uuid"}}],
        "responses": {"204": {"description": "Vendor words."}}}});
    new["components"]["schemas"]["Job"]["properties"]["kind"]["enum"] =
        json!(["Copy", "Backup", "Move"]);
    new["components"]["schemas"]["Job"]["properties"]["size"] =
        json!({"type": "integer", "format": "int64", "description": "Vendor words."});
    new["components"]["schemas"]["Job"]["required"] = json!(["id", "kind"]);
    new["components"]["schemas"]["Stats"] =
        json!({"type": "object", "properties": {"n": {"type": "integer"}}});
    // The vendor drops the `limit` parameter and makes the id a plain string; it changes the
    // export's body type, where our `vendor:` edit stands.
    new["paths"]["/v1/jobs"]["get"]["parameters"] = json!([
        {"name": "Accept", "in": "header", "schema": {"type": "string", "nullable": true}}]);
    new["components"]["schemas"]["Job"]["properties"]["id"] = json!({"type": "string"});
    new["paths"]["/v1/jobs/{jobId}/export"]["post"]["responses"]["200"]["content"]
        ["application/octet-stream"]["schema"] =
        json!({"type": "array", "items": {"type": "object"}});
    let (files, left) = imported(&new);
    let text = jobs_text(&files);
    // The one thing left is the conflict: our edit stays, under its `vendor:` comment, so it
    // is still explained; everything else now says what the vendor says.
    assert_eq!(left, [], "{text}");
    assert!(
        text.contains("# vendor: `type: object`; the body is a file"),
        "{text}"
    );
    assert!(text.contains("Id of the job, ours.") && text.contains("Lists the jobs, ours."));
    assert!(
        !text.contains("Page size, ours."),
        "the removed parameter's words went: {text}"
    );
    for f in &files {
        assert!(
            !f.text.contains("Vendor words"),
            "vendor prose in {}",
            f.path.display()
        );
    }
    assert!(text.contains("operationId: Job_Delete"), "{text}");
    let shared_or_root = &files[0].text;
    assert!(shared_or_root.contains("Stats:"), "{shared_or_root}");
}

#[test]
fn writing_the_reverse_plan_gives_the_spec_back_but_the_words_of_what_came_and_went() {
    let mut new = vendor_doc();
    new["components"]["schemas"]["Job"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("kind");
    new["paths"]["/v1/jobs"]["get"]["parameters"][1]["schema"]["format"] = json!("int64");
    let (files, left) = imported(&new);
    assert_eq!(left, []);
    assert!(!jobs_text(&files).contains("kind:"));
    // And back: a workspace whose spec is the written one, the record now `new`.
    let root = workspace(jobs_text(&files), &new);
    std::fs::write(root.join("old.json"), vendor_doc().to_string()).unwrap();
    let read = |p: &str| codegen::load::read_spec(&root.join(p)).unwrap();
    let ours = read("spec/acme");
    let merge = vendor::merge_plan(&ours, &read("vendor.json"), &read("old.json")).unwrap();
    let plan: Vec<_> = merge.steps.into_iter().map(|p| p.step).collect();
    let back = vendor::apply::apply(&merge.files, &plan).unwrap();
    let _ = std::fs::remove_dir_all(&root);
    let facts = |files: &[codegen::load::SpecFile]| codegen::load::assemble(files).unwrap().value;
    let original = [
        codegen::load::SpecFile {
            path: "openapi.yaml".into(),
            text: ROOT.into(),
        },
        codegen::load::SpecFile {
            path: "jobs.yaml".into(),
            text: JOBS.into(),
        },
    ];
    assert_eq!(
        vendor::compare::differences(&facts(&back.files), &facts(&original)),
        []
    );
    // Text: the same but for the order the property came back in.
    assert_eq!(
        jobs_text(&back.files)
            .replace("format: int64", "format: int32")
            .lines()
            .count(),
        JOBS.lines().count()
    );
}

#[test]
fn an_operation_whose_path_moved_keeps_our_words_and_edits() {
    // A new version: every path's prefix changes, operation ids stay.
    let mut new = vendor_doc();
    let paths = new["paths"].as_object().unwrap().clone();
    new["paths"] = Value::Object(
        paths
            .into_iter()
            .map(|(k, v)| (k.replacen("/v1/", "/v2/", 1), v))
            .collect(),
    );
    new["paths"]["/v2/jobs"]["get"]["parameters"][1]["schema"]["format"] = json!("int64");
    let (files, left) = imported(&new);
    assert_eq!(left, []);
    let text = jobs_text(&files);
    assert!(!text.contains("/v1/"), "{text}");
    assert!(text.contains("  /v2/jobs:\n    get:\n      operationId: Job_List\n      description: Lists the jobs, ours."), "{text}");
    assert!(
        text.contains("Page size, ours.") && text.contains("format: int64"),
        "{text}"
    );
    assert!(
        text.contains("# vendor: `type: object`; the body is a file"),
        "{text}"
    );
}
