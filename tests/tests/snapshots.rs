//! Snapshot tests: the client generated for each small fixture spec (one per normalization
//! pass and per vendor quirk) is pinned with insta, with the normalization summary on top.
//! The same clients are compiled by this crate's lib (see build.rs), and the functions at
//! the bottom assert, at compile time, the shape each pass must produce.

use std::path::Path;

use codegen::CrateOptions;

fn generate(fixture: &str) -> codegen::Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/specs").join(fixture);
    let mut files = codegen::load::read_spec(&path).unwrap();
    for f in &mut files {
        // Report relative names so the snapshot does not depend on the checkout's location.
        f.path = f.path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_path_buf();
    }
    let options = CrateOptions {
        name: "fixture".into(),
        description: "fixture".into(),
        command: "cargo test -p tests".into(),
    };
    codegen::generate(&files, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn snapshot(fixture: &str) -> codegen::Output {
    let output = generate(fixture);
    let name = fixture.trim_end_matches(".yaml");
    insta::assert_snapshot!(name, format!("{}\n\n{}", output.report.summary(), output.code));
    output
}

#[test]
fn default_response_becomes_error_ranges() {
    let out = snapshot("default_response.yaml");
    assert_eq!(out.report.changes["split_default_response"].len(), 1);
}

#[test]
fn form_and_json_request_keeps_form() {
    let out = snapshot("form_and_json_request.yaml");
    assert_eq!(out.report.changes["pick_request_media_type"].len(), 1);
    assert!(out.code.contains("form_urlencoded"), "the body is sent form-encoded");
}

#[test]
fn wildcard_response_is_decoded_as_json() {
    let out = snapshot("wildcard_response.yaml");
    assert_eq!(out.report.changes["wildcard_response_as_json"].len(), 1);
}

#[test]
fn octet_stream_object_is_streamed() {
    let out = snapshot("octet_stream_object.yaml");
    assert_eq!(out.report.changes["octet_stream_as_binary"].len(), 1);
}

#[test]
fn json_without_schema_is_any_value() {
    let out = snapshot("json_without_schema.yaml");
    assert_eq!(out.report.changes["json_without_schema_as_any"].len(), 1);
}

#[test]
fn optional_path_parameter_is_required() {
    let out = snapshot("optional_path_parameter.yaml");
    assert_eq!(out.report.changes["require_path_parameters"].len(), 1);
}

#[test]
fn split_spec_is_assembled() {
    let out = snapshot("split_spec");
    assert!(out.report.changes.is_empty());
}

#[test]
fn generation_is_deterministic() {
    for fixture in ["default_response.yaml", "split_spec"] {
        assert_eq!(generate(fixture).files, generate(fixture).files, "{fixture}");
    }
}

// Compile-time assertions on the compiled fixture clients: each pass's effect, as types.
#[allow(dead_code)]
mod shapes {
    use progenitor_client::{ByteStream, Error, ResponseValue};
    use tests::*;

    /// 200 is the success type, the old `default` the error type.
    async fn default_response(c: &default_response::Client) -> Result<ResponseValue<default_response::types::Item>, Error<default_response::types::Problem>> {
        c.item_get().id(uuid::Uuid::nil()).send().await
    }

    /// The grant is a typed body.
    async fn form_body(c: &form_and_json_request::Client) -> Result<ResponseValue<form_and_json_request::types::Token>, Error<()>> {
        c.token().body(form_and_json_request::types::Grant::builder().grant_type(form_and_json_request::types::GrantGrantType::Password)).send().await
    }

    /// `*/*` decoded into the typed token, not raw bytes.
    async fn wildcard(c: &wildcard_response::Client) -> Result<ResponseValue<wildcard_response::types::Token>, Error<()>> {
        c.token().send().await
    }

    /// The download is a byte stream.
    async fn download(c: &octet_stream_object::Client) -> Result<ResponseValue<ByteStream>, Error<octet_stream_object::types::Problem>> {
        c.export().id("s").send().await
    }

    /// Any JSON value.
    async fn any(c: &json_without_schema::Client) -> Result<ResponseValue<serde_json::Value>, Error<()>> {
        c.health().send().await
    }

    async fn path_param(c: &optional_path_parameter::Client) -> Result<ResponseValue<()>, Error<()>> {
        c.job_start().job_id(uuid::Uuid::nil()).send().await
    }

    /// Types from two fragments meet in one client.
    async fn split(c: &split_spec::Client) -> Result<ResponseValue<Vec<split_spec::types::Job>>, Error<()>> {
        c.job_get().send().await
    }
}
