//! Wiring progenitor's output to `veeam-runtime`, as a rewrite of the generated syntax tree.
//!
//! progenitor gives us operations and types; this step adds what a client needs against a
//! real server, all delegating to hand-written code in `runtime/`:
//!
//! - `Client`'s inner value is the runtime's `Session` (`ClientHooks` delegate to it too, as
//!   progenitor requires); `Client::builder(url)` configures it;
//! - every builder's `send()` hands progenitor's request (`into_request()`) to
//!   `veeam_runtime::ops` and returns `veeam_runtime::Error`;
//! - operations with `offset`/`limit` get `.stream()`, walking every page lazily;
//! - binary downloads get `.write_to(writer)` and `.save_to(path)`;
//! - string enums keep values the spec does not list (`Unknown(String)`), and optional lists,
//!   maps and flags read `null` as absent;
//! - a base schema and its subtypes are one enum, a tagged union keeping unknown kinds.
//!
//! One module per job: [`client`] (the crate root), [`builders`] (each operation), [`lenient`]
//! (forward-compatible types), [`unions`] (polymorphic types), [`serde_impls`] (serde impls written out), [`compile_time`]
//! (what keeps the crate quick to compile); [`report`] counts what they did.

mod builders;
mod client;
mod compile_time;
mod lenient;
pub mod report;
mod serde_impls;
mod unions;

pub(crate) use builders::{client_field, ok_type, operation_info, page_impls, survey, Builder};
pub(crate) use compile_time::prune_type_builders;
pub use report::GlueReport;
pub(crate) use serde_impls::{write as write_serde_impls, Impls};
pub(crate) use unions::{plans as union_plans, replacements as union_replacements};

use std::collections::BTreeMap;

use quote::quote;
use syn::Item;

use crate::options::RuntimeOptions;

/// The `types` module's half: tagged unions, lenient enums, null-tolerant fields, and the
/// serde impls (returned, to be written out as text after printing).
pub(crate) fn types_part(
    items: &mut Vec<Item>,
    unions: &BTreeMap<String, (crate::normalize::polymorphism::UnionPlan, Option<String>)>,
    report: &mut GlueReport,
) -> Result<Vec<Impls>, String> {
    unions::write(items, unions, report)?;
    lenient::lenient_enums(items, report)?;
    lenient::null_tolerant_fields(items, report);
    let serde = serde_impls::compact(items);
    report.serde_impls = serde.len();
    Ok(serde)
}

/// The builder module (`items`), rewritten from its [`survey`]: each builder's
/// `send`/`stream`/downloads.
pub(crate) fn builder_part(
    items: &mut Vec<Item>,
    survey: &BTreeMap<String, Builder>,
    profile: &crate::profile::Profile,
    features: bool,
    report: &mut GlueReport,
) -> Result<(), String> {
    // The crate root's `Error` is the runtime's now; progenitor's code means its own. Path
    // parameters are encoded by the runtime: progenitor's `encode_path` leaves `\` alone,
    // which the URL parser turns into `/` (`CORP\j.doe` would reach the server as two
    // segments).
    let mut uses_root = false;
    for item in items.iter_mut() {
        if let Item::Use(u) = item {
            let tree = &u.tree;
            if quote!(#tree).to_string().starts_with("super :: {") {
                u.tree = syn::parse_quote!(super::{
                    ByteStream, ClientInfo, RequestBuilderExt, ResponseValue,
                });
                uses_root = true;
            }
        }
    }
    if uses_root {
        items.insert(
            0,
            syn::parse_quote!(
                use ::veeam_runtime::encode_path;
            ),
        );
        items.insert(
            0,
            syn::parse_quote!(
                use progenitor_client::Error;
            ),
        );
    }
    builders::builders(items, survey, profile, features, report)
}

/// The crate root (`src/lib.rs`): the client's hooks and entry points, the runtime's
/// re-exports, the API's hand-written helpers. `downloads`: the download operations' ids.
pub(crate) fn lib_part(file: &mut syn::File, options: &RuntimeOptions) -> Result<(), String> {
    client::reexport_runtime_error(file);
    client::constructors_private(file);
    file.items.extend(client::client_items(options)?);
    if let Some(ext) = &options.extension {
        let ext: syn::File = syn::parse_str(ext).map_err(|e| format!("extension template: {e}"))?;
        file.items.extend(ext.items);
    }
    Ok(())
}

/// The passes over every method, on either half: `#[inline]`, shared setter errors.
pub(crate) fn methods(items: &mut [Item], report: &mut GlueReport) {
    report.inlined += compile_time::inline_methods(items);
    report.setters += compile_time::shared_setter_errors(items);
}
