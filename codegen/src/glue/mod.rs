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
//!   maps and flags read `null` as absent.

//!
//! One module per job: [`client`] (the crate root), [`builders`] (each operation), [`lenient`]
//! (forward-compatible types), [`shaping`] (compile time).

mod builders;
mod client;
mod lenient;
mod shaping;

pub(crate) use builders::{client_field, ok_type, operation_info, page_impls, survey, Builder};
pub(crate) use shaping::prune_type_builders;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, Item, PathArguments, Type};

/// How a crate is wired to the runtime: the API's profile and where the runtime is.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Cargo dependency spec of `veeam-runtime`, e.g. `{ path = "../../runtime" }`.
    pub dependency: String,
    /// Login, paging and the crate's name (`spec/<api>/profile.yaml`, or inferred).
    pub profile: crate::profile::Profile,
    /// Hand-written API-specific helpers appended to the crate (e.g. wait helpers): the text
    /// of the profile's extension file.
    pub extension: Option<String>,
    /// The API's own part of the crate's guide (Markdown): the text of the profile's guide
    /// files.
    pub guide: Option<String>,
    /// One Cargo feature per resource group (tag); see [`crate::features`].
    pub features: bool,
}

/// What the rewrite did, for the summary line and for tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GlueReport {
    pub lenient_enums: usize,
    pub null_tolerant_fields: usize,
    /// Structs whose serde impls are written out instead of derived.
    pub serde_impls: usize,
    /// Non-generic methods marked `#[inline]` (compiled only where called).
    pub inlined: usize,
    /// Builder setters whose error message comes from the runtime instead of a closure.
    pub setters: usize,
    pub sends: usize,
    pub streams: usize,
    pub downloads: usize,
    /// Operation ids of the downloads, sorted: they get the download timeout.
    pub download_operations: Vec<String>,
    /// typify builders dropped: types no request body is built from.
    pub pruned_type_builders: usize,
    /// Operations answering with an enum by status (several success bodies).
    pub typed_statuses: usize,
}

impl GlueReport {
    pub fn summary(&self) -> String {
        format!(
            "runtime: {} sends, {} enums by status, {} streams, {} downloads, {} lenient enums, {} null-tolerant fields, {} compact serde impls, {} unused type builders dropped",
            self.sends,
            self.typed_statuses, self.streams, self.downloads, self.lenient_enums, self.null_tolerant_fields, self.serde_impls, self.pruned_type_builders
        )
    }

    /// Adds what the other half of the crate (types, or the rest) did.
    pub(crate) fn merge(&mut self, other: GlueReport) {
        self.lenient_enums += other.lenient_enums;
        self.null_tolerant_fields += other.null_tolerant_fields;
        self.serde_impls += other.serde_impls;
        self.inlined += other.inlined;
        self.setters += other.setters;
        self.sends += other.sends;
        self.streams += other.streams;
        self.downloads += other.downloads;
        self.download_operations.extend(other.download_operations);
        self.download_operations.sort();
        self.pruned_type_builders += other.pruned_type_builders;
        self.typed_statuses += other.typed_statuses;
    }
}

/// The `types` module's half: lenient enums, null-tolerant fields, and the serde impls
/// (returned, to be written out as text after printing).
pub(crate) fn types_part(
    items: &mut Vec<Item>,
    report: &mut GlueReport,
) -> Result<Vec<crate::serde_impls::Impls>, String> {
    lenient::lenient_enums(items, report)?;
    lenient::null_tolerant_fields(items, report);
    let serde = crate::serde_impls::compact(items);
    report.serde_impls = serde.len();
    Ok(serde)
}

/// The builder module (`items`), rewritten from its [`survey`]: each builder's
/// `send`/`stream`/downloads.
pub(crate) fn builder_part(
    items: &mut Vec<Item>,
    survey: &BTreeMap<String, Builder>,
    paging: Option<&crate::profile::Paging>,
    features: bool,
    report: &mut GlueReport,
) -> Result<(), String> {
    // The crate root's `Error` is the runtime's now; progenitor's code means its own.
    let mut uses_root = false;
    for item in items.iter_mut() {
        if let Item::Use(u) = item {
            let tree = &u.tree;
            if quote!(#tree).to_string().starts_with("super :: {") {
                u.tree = syn::parse_quote!(super::{
                    encode_path, ByteStream, ClientInfo, RequestBuilderExt, ResponseValue,
                });
                uses_root = true;
            }
        }
    }
    if uses_root {
        items.insert(
            0,
            syn::parse_quote!(
                use progenitor_client::Error;
            ),
        );
    }
    builders::builders(items, survey, paging, features, report)
}

/// The crate root (`src/lib.rs`): the client's hooks and entry points, the runtime's
/// re-exports, the API's hand-written helpers. `downloads`: the download operations' ids.
pub(crate) fn lib_part(file: &mut syn::File, options: &RuntimeOptions) -> Result<(), String> {
    client::reexport_runtime_error(file);
    file.items.extend(client::client_items(options)?);
    if let Some(ext) = &options.extension {
        let ext: syn::File = syn::parse_str(ext).map_err(|e| format!("extension template: {e}"))?;
        file.items.extend(ext.items);
    }
    Ok(())
}

/// The passes over every method, on either half: `#[inline]`, shared setter errors.
pub(crate) fn methods(items: &mut [Item], report: &mut GlueReport) {
    report.inlined += shaping::inline_methods(items);
    report.setters += shaping::shared_setter_errors(items);
}

fn parse_items(tokens: TokenStream) -> Result<Vec<Item>, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(file.items)
}

/// The last path segment's name of a type: `Option` for `::std::option::Option<T>`.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

/// The `T` of `Vec<T>` or `Option<T>`.
pub(crate) fn inner_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}
