//! Snapshot tests: the client generated for each small fixture spec (one per normalization
//! pass and per vendor quirk) is pinned with insta, with the normalization summary on top.
//! The same clients are compiled by this crate's lib (see build.rs), and the functions at
//! the bottom assert, at compile time, the shape each pass must produce.

use std::path::Path;

use codegen::CrateOptions;

fn generate(fixture: &str) -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/specs")
        .join(fixture);
    let mut files = codegen::load::read_spec(&path).unwrap();
    for f in &mut files {
        // Report relative names so the snapshot does not depend on the checkout's location.
        f.path = f
            .path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_path_buf();
    }
    let options = CrateOptions {
        name: "fixture".into(),
        description: "fixture".into(),
        command: "cargo test -p tests".into(),
        standalone: false,
        runtime: None,
    };
    codegen::generate(&files, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The runtime pipeline on a fixture: the crate we would ship (profile inferred, no features).
fn generate_with_runtime(fixture: &str) -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/specs")
        .join(fixture);
    let mut files = codegen::load::read_spec(&path).unwrap();
    for f in &mut files {
        f.path = f
            .path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_path_buf();
    }
    let (runtime, _) = codegen::inferred_runtime(&files, "fixture", "fixture", "", false).unwrap();
    let options = CrateOptions {
        name: "fixture".into(),
        description: "fixture".into(),
        command: "cargo test -p tests".into(),
        standalone: false,
        runtime: Some(runtime),
    };
    codegen::generate(&files, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Every fixture spec through the runtime pipeline, pinned: summaries, warnings, then each
/// file of the crate (compiled by this crate's lib too, see build.rs).
#[test]
fn every_fixture_spec_is_snapshotted_through_the_runtime_pipeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/specs");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for fixture in names {
        let output = generate_with_runtime(&fixture);
        let name = format!("runtime__{}", fixture.trim_end_matches(".yaml"));
        let glue = output
            .glue
            .as_ref()
            .map(|g| g.summary())
            .unwrap_or_default();
        let mut text = format!(
            "{}\n{glue}\n{}\n\n// src/lib.rs\n{}",
            output.report.summary(),
            output.warnings.join("\n"),
            output.code
        );
        for (module, code) in &output.modules {
            text.push_str(&format!("\n// src/{module}.rs\n{code}"));
        }
        insta::assert_snapshot!(name, text);
    }
}

/// Every fixture spec, pinned: the normalization summary, the warnings, then the client.
#[test]
fn every_fixture_spec_is_snapshotted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/specs");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for fixture in names {
        let output = generate(&fixture);
        let name = fixture.trim_end_matches(".yaml");
        let warnings = output.warnings.join("\n");
        insta::assert_snapshot!(
            name,
            format!("{}\n{warnings}\n\n{}", output.report.summary(), output.code)
        );
    }
}

#[test]
fn default_response_becomes_error_ranges() {
    let out = generate("default_response.yaml");
    assert_eq!(out.report.changes["split_default_response"].len(), 1);
}

#[test]
fn form_and_json_request_keeps_form() {
    let out = generate("form_and_json_request.yaml");
    assert_eq!(out.report.changes["pick_request_media_type"].len(), 1);
    assert!(
        out.code.contains("form_urlencoded"),
        "the body is sent form-encoded"
    );
}

#[test]
fn wildcard_response_is_decoded_as_json() {
    let out = generate("wildcard_response.yaml");
    assert_eq!(out.report.changes["wildcard_response_as_json"].len(), 1);
}

#[test]
fn octet_stream_object_is_streamed() {
    let out = generate("octet_stream_object.yaml");
    assert_eq!(out.report.changes["octet_stream_as_binary"].len(), 1);
}

#[test]
fn json_without_schema_is_any_value() {
    let out = generate("json_without_schema.yaml");
    assert_eq!(out.report.changes["json_without_schema_as_any"].len(), 1);
}

#[test]
fn optional_path_parameter_is_required() {
    let out = generate("optional_path_parameter.yaml");
    assert_eq!(out.report.changes["require_path_parameters"].len(), 1);
}

#[test]
fn split_spec_is_assembled() {
    let out = generate("split_spec");
    assert!(out.report.changes.is_empty());
}

#[test]
fn different_bodies_degrade_with_warnings() {
    let out = generate("several_success_bodies.yaml");
    assert_eq!(out.report.changes["json_suffix_media_type"].len(), 3);
    assert_eq!(
        out.warnings,
        [
            "warning: fixtures/specs/several_success_bodies.yaml#/paths/~1jobs~1{id}~1start/post/responses: success responses 200, 202 have different bodies; they are all untyped JSON (serde_json::Value) now",
            "warning: fixtures/specs/several_success_bodies.yaml#/paths/~1jobs~1{id}~1start/post/responses: error responses 400, 401, 403, 404, 429 have different bodies; they are all raw bytes (ByteStream) now",
            "warning: fixtures/specs/several_success_bodies.yaml#/paths/~1jobs~1{id}/delete/responses: success responses 200, 204 have different bodies; they are all raw bytes (ByteStream) now",
        ]
    );
}

#[test]
fn colliding_names_are_dropped_with_warnings() {
    let out = generate("awkward_names.yaml");
    assert_eq!(out.report.degraded["drop_colliding_parameters"].len(), 2);
    assert_eq!(out.report.degraded["drop_colliding_properties"].len(), 1);
    assert!(
        out.warnings[0]
            .ends_with("parameter \"limit\" has the same Rust name `limit` as \"Limit\"; dropped"),
        "{:?}",
        out.warnings
    );
}

#[test]
fn missing_operation_ids_are_derived() {
    let out = generate("security_and_ids.yaml");
    assert_eq!(out.report.changes["derive_operation_id"].len(), 3);
    assert!(out.warnings.is_empty());
}

#[test]
fn nullable_path_parameter_and_odd_formats() {
    let out = generate("nullable_and_formats.yaml");
    assert_eq!(out.report.changes["path_parameters_not_nullable"].len(), 1);
    assert!(out.warnings.is_empty());
}

#[test]
fn schema_shapes_need_no_normalization() {
    let out = generate("schema_shapes.yaml");
    assert!(out.report.changes.is_empty() && out.warnings.is_empty());
}

#[test]
fn generation_is_deterministic() {
    for fixture in ["default_response.yaml", "split_spec"] {
        assert_eq!(
            generate(fixture).files,
            generate(fixture).files,
            "{fixture}"
        );
    }
}

// Compile-time assertions on the compiled fixture clients: each pass's effect, as types.
#[allow(dead_code)]
mod shapes {
    use progenitor_client::{ByteStream, Error, ResponseValue};
    use tests::*;

    /// 200 is the success type, the old `default` the error type.
    async fn default_response(
        c: &default_response::Client,
    ) -> Result<ResponseValue<default_response::types::Item>, Error<default_response::types::Problem>>
    {
        c.item_get().id(uuid::Uuid::nil()).send().await
    }

    /// The grant is a typed body.
    async fn form_body(
        c: &form_and_json_request::Client,
    ) -> Result<ResponseValue<form_and_json_request::types::Token>, Error<()>> {
        c.token()
            .body(
                form_and_json_request::types::Grant::builder()
                    .grant_type(form_and_json_request::types::GrantGrantType::Password),
            )
            .send()
            .await
    }

    /// `*/*` decoded into the typed token, not raw bytes.
    async fn wildcard(
        c: &wildcard_response::Client,
    ) -> Result<ResponseValue<wildcard_response::types::Token>, Error<()>> {
        c.token().send().await
    }

    /// The download is a byte stream.
    async fn download(
        c: &octet_stream_object::Client,
    ) -> Result<ResponseValue<ByteStream>, Error<octet_stream_object::types::Problem>> {
        c.export().id("s").send().await
    }

    /// Any JSON value.
    async fn any(
        c: &json_without_schema::Client,
    ) -> Result<ResponseValue<serde_json::Value>, Error<()>> {
        c.health().send().await
    }

    async fn path_param(
        c: &optional_path_parameter::Client,
    ) -> Result<ResponseValue<()>, Error<()>> {
        c.job_start().job_id(uuid::Uuid::nil()).send().await
    }

    /// Different success bodies: untyped JSON; per-status error bodies: raw bytes.
    async fn several(
        c: &several_success_bodies::Client,
    ) -> Result<ResponseValue<serde_json::Value>, Error<ByteStream>> {
        c.job_start().id("j").send().await
    }

    async fn delete_raw(
        c: &several_success_bodies::Client,
    ) -> Result<ResponseValue<ByteStream>, Error<()>> {
        c.job_delete().id("j").send().await
    }

    /// Derived operation names.
    async fn derived(c: &security_and_ids::Client) -> Result<ResponseValue<()>, Error<()>> {
        c.delete_api_v1_restore_points_by_restore_point_id()
            .restore_point_id("p")
            .send()
            .await
    }

    /// What real servers' documents needed (field_servers.yaml, through the runtime
    /// pipeline): a nullable object root is a plain struct, used as an `Option`; closed and
    /// nullable response types still read; the `session` operation is `get_session`; a named
    /// array page and lowercase paging parameters stream; string paging parameters do not.
    fn field_servers(c: &runtime_field_servers::Client) {
        use runtime_field_servers::types::{JobSession, RestoreOptions};
        let s: JobSession =
            serde_json::from_str(r#"{"status": "Running", "newField": 1}"#).unwrap();
        let _: Option<String> = s.status;
        let _ = RestoreOptions::builder().reason("r".to_string());
        let _: Option<JobSession> = RestoreOptions::builder()
            .reason("r".to_string())
            .try_into()
            .ok()
            .and_then(|o: RestoreOptions| o.session);
        let _ = c.get_session().send();
        let _ = c.session();
        let _: Vec<runtime_field_servers::types::BlocksItem> = Vec::new();
        let _ = c.blocks_get().stream();
        let _ = c.containers_get().stream();
        let _ = c.stats_get().offset("0".to_string()).send();
        let _ = c.list_get().list_id("l".to_string()).send();
        // The path parameter kept over the query one of the same name; numbers listed for a
        // string are text; values listed on an array are its items'; a typeless enum a string.
        use runtime_field_servers::types::{
            ProxyGetRegion, Regions, RegionsCentersItem, RegionsOwnership,
        };
        let _ = c
            .proxy_get()
            .path("p".to_string())
            .region(ProxyGetRegion::X1)
            .send();
        let r: Regions = serde_json::from_str(r#"{"centers": ["EU"], "ownership": null}"#).unwrap();
        let _: Vec<RegionsCentersItem> = r.centers; // a list: null reads as empty
        let _: Option<RegionsOwnership> = r.ownership;
        // An allOf part's enum clear of the component of the same name; `type: 'null'`
        // alternatives are nullability; a structured text body is the text itself.
        use runtime_field_servers::types::{ErrorGroup, ErrorGroupState, ErrorGroupStateValue};
        let g: ErrorGroup = serde_json::from_str(r#"{"state": "open", "maybe": null}"#).unwrap();
        let _: Option<ErrorGroupStateValue> = g.state;
        let _: Option<String> = g.maybe;
        let _ = ErrorGroupState::default();
        let _ = c.note_update().body("text".to_string()).send();
        // Nullable enum and string roots are plain types, used as `Option`s (a required use
        // too); `+1` is a variant `Plus1`.
        use runtime_field_servers::types::{AccountSubtype, Reaction, ReactionContent};
        let r: Reaction =
            serde_json::from_str(r#"{"content": "+1", "public": true, "subtype": null}"#).unwrap();
        let _: Option<AccountSubtype> = r.subtype;
        let _: Option<String> = r.comment.map(|c| c.to_string());
        assert!(matches!(r.content, Some(ReactionContent::Plus1)));
        let _: Option<runtime_field_servers::types::Week> = r.hours; // a list, not `[bool; 40]`
        let _: Vec<bool> = runtime_field_servers::types::Week(vec![true; 40]).0;
        let _ = c
            .reaction_create()
            .body(Reaction::builder().subtype(Some(AccountSubtype::Ira)));
    }

    /// The nullable path parameter is a plain Uuid; a nullable object is a plain struct
    /// (where it is used, the field is an Option); formats map to their types or fall back
    /// to the base type.
    fn formats(item: nullable_and_formats::types::Item, c: &nullable_and_formats::Client) {
        let _: Option<chrono::NaiveDate> = item.day;
        let _: Option<String> = item.duration;
        let _: Option<String> = item.label;
        let _: Option<i64> = item.weird;
        let _: Option<f64> = item.ratio;
        let _ = c.item_get().id(uuid::Uuid::nil());
    }

    /// PascalCase and dashed query names get snake-case setters; keywords and dotted names
    /// become fields.
    fn names(p: awkward_names::types::Point, c: &awkward_names::Client) {
        let _ = c
            .restore_point_get()
            .limit(1)
            .offset(0)
            .set_id("s")
            .type_("t");
        let _: (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = (p.type_, p.match_, p.issued, p.expires);
    }

    /// Recursive schemas are boxed; repeated inline enums each get a type.
    fn shapes(p: schema_shapes::types::Page) {
        let _: Option<Box<Option<schema_shapes::types::Node>>> = p.tree.map(|n| n.parent);
        let _ = (
            p.state1,
            p.state2,
            p.state3,
            p.anything,
            p.untyped,
            p.operator,
            p.storage,
            p.wrapped,
            p.wrapped_nullable,
        );
    }

    /// Types from two fragments meet in one client.
    async fn split(
        c: &split_spec::Client,
    ) -> Result<ResponseValue<Vec<split_spec::types::Job>>, Error<()>> {
        c.job_get().send().await
    }
}
