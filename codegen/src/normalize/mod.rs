//! Normalization: rewrite what real documents say into the shapes progenitor and typify take,
//! and record every rewrite in a [`Report`].
//!
//! Each pass is one quirk, a function `fn(&mut Value, &mut Report)` in the file of what it
//! touches ([`references`], [`operations`], [`media`], [`parameters`], [`schemas`],
//! [`polymorphism`], [`cycles`]; [`runtime`] for passes only crates wired to `veeam-runtime`
//! get), and runs in the order of [`PASSES`], the one list of them. A pass that cannot keep the meaning degrades
//! it with [`Report::degrade`], which `generate` prints as a warning naming file and pointer.

pub mod cycles;
pub mod media;
pub mod operations;
pub mod parameters;
pub mod polymorphism;
pub mod references;
pub mod report;
pub mod runtime;
pub mod schemas;

use serde_json::Value;

pub use report::Report;
pub use runtime::response_schemas;

/// Which crates a pass runs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every crate, and the semantic diff.
    Always,
    /// Crates wired to `veeam-runtime`.
    Runtime,
}

/// A pass: what it rewrites, and for which crates.
#[derive(Clone, Copy)]
pub enum Pass {
    Rewrite(When, fn(&mut Value, &mut Report)),
    /// Ends each operation's description with the link to its vendor reference page, when
    /// the profile gives a `reference_url`.
    ReferenceLinks(fn(&mut Value, &str)),
}

/// Every pass, in the order they run. Order matters where a pass reads what an earlier one
/// wrote: references are inlined before anything looks inside them, request media types are
/// picked before bodies are judged, schemas are made acyclic before anything composes them,
/// and collisions are resolved last, once every name is final.
pub const PASSES: &[Pass] = &[
    Pass::Rewrite(When::Always, references::inline_foreign_refs),
    Pass::Rewrite(When::Always, operations::drop_options_and_trace),
    Pass::Rewrite(When::Always, references::rename_colliding_schemas),
    Pass::Rewrite(When::Always, references::inline_response_refs),
    Pass::Rewrite(When::Always, operations::derive_operation_id),
    Pass::Rewrite(When::Always, media::json_suffix_media_type),
    Pass::Rewrite(When::Always, media::drop_media_encoding),
    Pass::Rewrite(When::Always, media::pick_request_media_type),
    Pass::Rewrite(When::Always, media::request_body_without_schema),
    Pass::Rewrite(When::Always, media::unsupported_request_media_as_bytes),
    Pass::Rewrite(When::Always, parameters::unsupported_parameter_styles),
    Pass::Rewrite(When::Always, parameters::parameter_content_as_schema),
    Pass::Rewrite(When::Always, parameters::structured_parameters_as_strings),
    Pass::Rewrite(When::Always, media::octet_stream_as_binary),
    Pass::Rewrite(When::Always, media::wildcard_response_as_json),
    Pass::Rewrite(When::Always, media::json_without_schema_as_any),
    Pass::Rewrite(When::Always, operations::split_default_response),
    Pass::Rewrite(When::Always, parameters::require_path_parameters),
    Pass::Rewrite(When::Always, schemas::type_from_format),
    Pass::Rewrite(When::Always, schemas::format_on_structures),
    Pass::Rewrite(When::Always, schemas::null_type_as_nullable),
    Pass::Rewrite(When::Always, schemas::enum_values_of_their_type),
    Pass::Rewrite(When::Always, schemas::drop_invalid_defaults),
    Pass::Rewrite(When::Always, schemas::enums_without_distinct_names),
    Pass::Rewrite(When::Always, schemas::nullable_object_roots),
    Pass::Rewrite(When::Always, schemas::drop_noop_constraints),
    Pass::Rewrite(When::Always, operations::informational_beside_success),
    Pass::Rewrite(When::Always, schemas::inline_names_clear_of_components),
    Pass::Rewrite(When::Always, schemas::drop_empty_compositions),
    Pass::Rewrite(When::Runtime, polymorphism::tagged_unions),
    Pass::Rewrite(When::Always, cycles::break_cycles),
    Pass::Rewrite(When::Always, parameters::path_parameters_not_nullable),
    Pass::Rewrite(When::Always, parameters::header_parameters_not_nullable),
    Pass::Rewrite(When::Runtime, runtime::drop_upgrade_only_operations),
    Pass::Rewrite(When::Runtime, runtime::operation_names_clear_of_client),
    Pass::Rewrite(When::Runtime, runtime::dropshot_pagination_by_the_runtime),
    Pass::Rewrite(When::Runtime, runtime::error_bodies_as_bytes),
    Pass::Rewrite(When::Runtime, runtime::response_fields_optional),
    Pass::Rewrite(When::Runtime, runtime::statuses_by_body),
    Pass::Rewrite(When::Always, operations::unify_response_bodies),
    Pass::Rewrite(When::Always, parameters::drop_colliding_parameters),
    Pass::Rewrite(When::Always, schemas::drop_colliding_properties),
    Pass::ReferenceLinks(operations::reference_links),
];

/// What the passes need to know of the crate being made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    /// The crate is wired to `veeam-runtime` (runs the [`When::Runtime`] passes).
    pub runtime: bool,
    /// The profile's `reference_url`, for [`Pass::ReferenceLinks`].
    pub reference_url: Option<&'a str>,
}

/// Runs [`PASSES`] in order.
pub fn run(doc: &mut Value, target: Target) -> Report {
    let mut report = Report::default();
    for pass in PASSES {
        match *pass {
            Pass::Rewrite(when, rewrite) => {
                if when == When::Always || target.runtime {
                    rewrite(doc, &mut report);
                }
            }
            Pass::ReferenceLinks(link) => {
                if let Some(url) = target.reference_url.filter(|_| target.runtime) {
                    link(doc, url);
                }
            }
        }
    }
    report
}

/// The passes every document gets (what the semantic diff compares).
pub fn all(doc: &mut Value) -> Report {
    run(doc, Target::default())
}

#[cfg(test)]
mod tests {
    use super::media::*;
    use super::parameters::*;
    use super::schemas::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn content_parameters_objects_formats_and_bad_defaults() {
        let before = json!({"paths": {"/a": {"get": {"parameters": [
            {"name": "select", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}},
            {"name": "version", "in": "query", "schema": {"type": "object", "properties": {"v": {}}}},
            {"name": "n", "in": "query", "schema": {"type": "integer", "default": "1", "enum": [1, 3]}}
        ]}}}, "components": {"schemas": {"M": {"type": "object", "format": "uri-map"}, "D": {"type": "string", "format": "date", "default": ""}}}});
        let mut doc = before;
        let mut report = Report::default();
        parameter_content_as_schema(&mut doc, &mut report);
        structured_parameters_as_strings(&mut doc, &mut report);
        format_on_structures(&mut doc, &mut report);
        drop_invalid_defaults(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/0/schema"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/1/schema"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/2/schema"),
            Some(&json!({"type": "integer", "enum": [1, 3]}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/M"),
            Some(&json!({"type": "object"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/D"),
            Some(&json!({"type": "string", "format": "date"}))
        );
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }

    #[test]
    fn deep_object_style_and_schemaless_bodies() {
        let before = json!({"paths": {"/a": {"post": {
            "parameters": [{"name": "f", "in": "query", "style": "deepObject", "explode": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {}}}}}}});
        let mut doc = before;
        let mut report = Report::default();
        unsupported_parameter_styles(&mut doc, &mut report);
        request_body_without_schema(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/post/parameters/0"),
            Some(&json!({"name": "f", "in": "query", "schema": {"type": "string"}}))
        );
        assert_eq!(
            doc.pointer("/paths/~1a/post/requestBody/content/application~1json/schema"),
            Some(&json!({}))
        );
    }

    #[test]
    fn colliding_parameters_and_properties_are_dropped() {
        let before = json!({
            "paths": {"/a": {"get": {"parameters": [{"name": "Limit", "in": "query"}, {"name": "limit", "in": "query"}]}}},
            "components": {"schemas": {"P": {"required": ["Type"], "properties": {"type": {}, "Type": {}}}}}
        });
        let mut report = Report::default();
        let mut doc = before;
        drop_colliding_parameters(&mut doc, &mut report);
        drop_colliding_properties(&mut doc, &mut report);
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters"),
            Some(&json!([{"name": "Limit", "in": "query"}]))
        );
        assert_eq!(
            doc.pointer("/components/schemas/P"),
            Some(&json!({"required": [], "properties": {"type": {}}}))
        );
        assert_eq!(report.degraded.values().map(Vec::len).sum::<usize>(), 2);
    }
}
