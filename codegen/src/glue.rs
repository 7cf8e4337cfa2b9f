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

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{Fields, GenericArgument, Item, ItemImpl, Meta, PathArguments, Token, Type};

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
    lenient_enums(items, report)?;
    null_tolerant_fields(items, report);
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
    builders(items, survey, paging, features, report)
}

/// The crate root (`src/lib.rs`): the client's hooks and entry points, the runtime's
/// re-exports, the API's hand-written helpers. `downloads`: the download operations' ids.
pub(crate) fn lib_part(file: &mut syn::File, options: &RuntimeOptions) -> Result<(), String> {
    reexport_runtime_error(file);
    file.items.extend(client_items(options)?);
    if let Some(ext) = &options.extension {
        let ext: syn::File = syn::parse_str(ext).map_err(|e| format!("extension template: {e}"))?;
        file.items.extend(ext.items);
    }
    Ok(())
}

/// The passes over every method, on either half: `#[inline]`, shared setter errors.
pub(crate) fn methods(items: &mut [Item], report: &mut GlueReport) {
    report.inlined += inline_methods(items);
    report.setters += shared_setter_errors(items);
}

/// Builder setters (progenitor's and typify's) each end in `.map_err(|e| message)`: a
/// closure per setter, 2,600 of them, each a body rustc checks on its own. They call
/// `veeam_runtime::ops::or_message(_with)` instead; the messages are unchanged.
fn shared_setter_errors(items: &mut [Item]) -> usize {
    let mut count = 0;
    each_method(items, &mut |imp, f| {
        if imp.trait_ {
            return;
        }
        for stmt in &mut f.block.stmts {
            let syn::Stmt::Expr(syn::Expr::Assign(assign), Some(_)) = stmt else {
                continue;
            };
            let syn::Expr::MethodCall(call) = &*assign.right else {
                continue;
            };
            if call.method != "map_err" || call.args.len() != 1 {
                continue;
            }
            let syn::Expr::Closure(closure) = &call.args[0] else {
                continue;
            };
            let Some(replacement) = setter_message(closure) else {
                continue;
            };
            let converted = &call.receiver;
            assign.right = Box::new(match replacement {
                SetterMessage::Fixed(m) => {
                    syn::parse_quote!(::veeam_runtime::ops::or_message(#converted, #m))
                }
                SetterMessage::Prefix(p) => {
                    syn::parse_quote!(::veeam_runtime::ops::or_message_with(#converted, #p))
                }
            });
            count += 1;
        }
    });
    count
}

/// What a method's impl block is: a trait impl, generic over types.
struct ImplFacts {
    trait_: bool,
    generic: bool,
}

/// Calls `f` with every method of every impl in `items` and the modules under them.
fn each_method(items: &mut [Item], f: &mut impl FnMut(&ImplFacts, &mut syn::ImplItemFn)) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, content)) = &mut m.content {
                    each_method(content, f);
                }
            }
            Item::Impl(imp) => {
                let facts = ImplFacts {
                    trait_: imp.trait_.is_some(),
                    generic: imp.generics.type_params().next().is_some(),
                };
                for member in &mut imp.items {
                    if let syn::ImplItem::Fn(method) = member {
                        f(&facts, method);
                    }
                }
            }
            _ => {}
        }
    }
}

enum SetterMessage {
    /// `|_| "text".to_string()`
    Fixed(String),
    /// `|e| format!("text{e}")` or `|e| format!("text{}", e)`
    Prefix(String),
}

fn setter_message(closure: &syn::ExprClosure) -> Option<SetterMessage> {
    let mut body = &*closure.body;
    if let syn::Expr::Block(b) = body {
        match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => body = e,
            _ => return None,
        }
    }
    let param = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
        [syn::Pat::Wild(_)] => None,
        [syn::Pat::Ident(i)] => Some(i.ident.to_string()),
        _ => return None,
    };
    match (body, param) {
        (syn::Expr::MethodCall(m), None) if m.method == "to_string" && m.args.is_empty() => {
            match &*m.receiver {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(SetterMessage::Fixed(s.value())),
                _ => None,
            }
        }
        (syn::Expr::Macro(m), Some(param)) if m.mac.path.is_ident("format") => {
            let args = m
                .mac
                .parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
                .ok()?;
            let args: Vec<_> = args.into_iter().collect();
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = args.first()?
            else {
                return None;
            };
            let text = s.value();
            let prefix = match args.as_slice() {
                [_] => text.strip_suffix(&format!("{{{param}}}"))?,
                [_, syn::Expr::Path(p)] if p.path.is_ident(&param) => text.strip_suffix("{}")?,
                _ => return None,
            };
            // Any other placeholder would be lost.
            if prefix.contains('{') {
                return None;
            }
            Some(SetterMessage::Prefix(prefix.to_string()))
        }
        _ => None,
    }
}

/// Marks every non-generic method `#[inline]`. rustc compiles a library's non-generic
/// functions to machine code whether or not anyone calls them; an `#[inline]` one only in
/// the crate that calls it. A client of 487 operations where a program calls a dozen
/// should not make everyone pay LLVM for the rest (it was a third of the crate's build).
fn inline_methods(items: &mut [Item]) -> usize {
    let mut count = 0;
    each_method(items, &mut |imp, f| {
        let generic = imp.generic
            || f.sig.generics.type_params().next().is_some()
            || f.sig
                .inputs
                .iter()
                .any(|a| matches!(a, syn::FnArg::Typed(t) if matches!(*t.ty, Type::ImplTrait(_))));
        if generic || f.attrs.iter().any(|a| a.path().is_ident("inline")) {
            return;
        }
        f.attrs.push(syn::parse_quote!(#[inline]));
        count += 1;
    });
    count
}

/// typify writes a builder (`types::builder::X`, with `X::builder()`) for every struct; the
/// client only uses those of request bodies (`.body_map(|b| ...)`). The others were about
/// 40% of the crate's lines and nobody calls them: they are dropped from the types module's
/// tokens, before it is parsed. `keep`: the builders the client names.
pub(crate) fn prune_type_builders(
    types: TokenStream,
    keep: &BTreeSet<String>,
) -> (TokenStream, usize) {
    use crate::tokens::{
        is_builder_fn_impl, item_owner, join, split_items, take_module, with_module_body,
    };
    let unused =
        |item: &[proc_macro2::TokenTree]| item_owner(item).is_some_and(|n| !keep.contains(&n));
    let mut pruned = 0;
    let items = split_items(types).into_iter().filter_map(|item| {
        // `impl X { pub fn builder() -> builder::X }`
        if is_builder_fn_impl(&item) && unused(&item) {
            return None;
        }
        let (outer, Some(body)) = take_module(item.iter().cloned().collect(), "builder") else {
            return Some(item);
        };
        let kept = split_items(body).into_iter().filter(|member| {
            let drop = unused(member);
            let is_struct = crate::tokens::defines_struct(member);
            pruned += usize::from(drop && is_struct);
            !drop
        });
        Some(with_module_body(outer, "builder", join(kept)))
    });
    let stream = join(items.collect::<Vec<_>>());
    (stream, pruned)
}

fn parse_items(tokens: TokenStream) -> Result<Vec<Item>, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(file.items)
}

/// `vb365::Error` is the runtime's error (progenitor's stays reachable as
/// `progenitor_client::Error`), and the runtime is re-exported for its configuration types.
fn reexport_runtime_error(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Use(u) = item else { continue };
        let tree = &u.tree;
        let text = quote!(#tree).to_string();
        if matches!(u.vis, syn::Visibility::Public(_))
            && text.starts_with("progenitor_client")
            && text.contains("Error")
        {
            u.tree = syn::parse_quote!(progenitor_client::{ByteStream, ClientInfo, ResponseValue});
        }
    }
    file.items.push(syn::parse_quote!(
        /// The runtime every operation goes through: [`Error`], [`runtime::RetryPolicy`],
        /// [`runtime::Timeouts`], [`runtime::WaitOptions`].
        pub use ::veeam_runtime as runtime;
    ));
    file.items.push(syn::parse_quote!(
        pub use ::veeam_runtime::{Error, ErrorKind};
    ));
}

/// `Option<T>` as tokens.
fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The runtime's `ApiProfile` for this crate, from its profile.
fn api_profile(p: &crate::profile::Profile) -> TokenStream {
    let token_path = option(p.auth.token_path.as_deref());
    let logout = option(p.auth.logout.as_ref().map(|l| {
        let (method, path) = (&l.method, &l.path);
        quote!(::veeam_runtime::auth::Endpoint { method: #method, path: #path })
    }));
    let extra = p.auth.login_extra.iter().map(|(k, v)| quote!((#k, #v)));
    let paging = option(p.paging.as_ref().map(|_| quote!(PAGING)));
    quote!(::veeam_runtime::ApiProfile {
        token_path: #token_path,
        logout: #logout,
        login_extra: &[#(#extra),*],
        paging: #paging,
    })
}

/// `const PAGING`, the paging convention, when the API pages.
fn paging_const(p: &crate::profile::Profile) -> TokenStream {
    let Some(g) = &p.paging else {
        return TokenStream::new();
    };
    {
        let (offset, limit, items) = (&g.offset, &g.limit, &g.items);
        let offset_field = option(g.offset_field.as_deref());
        let limit_field = option(g.limit_field.as_deref());
        let total_field = option(g.total_field.as_deref());
        let next_link = option(g.next_link.as_deref());
        let set_id = option(g.set_id.as_deref());
        let default_limit = i64::from(g.default_limit);
        let max_limit = option(g.max_limit.map(i64::from));
        quote!(
        /// How this API pages its lists (its profile's `paging`).
        const PAGING: ::veeam_runtime::paging::PagingProfile = ::veeam_runtime::paging::PagingProfile {
            offset_param: #offset,
            limit_param: #limit,
            items: #items,
            offset_field: #offset_field,
            limit_field: #limit_field,
            total_field: #total_field,
            next_link: #next_link,
            set_id: #set_id,
            default_limit: #default_limit,
            max_limit: #max_limit,
        };)
    }
}

/// The crate-level items: hooks, the builder entry point, the login profile.
fn client_items(o: &RuntimeOptions) -> Result<Vec<Item>, String> {
    let profile = api_profile(&o.profile);
    let paging = paging_const(&o.profile);
    parse_items(quote! {
        #paging

        /// progenitor's hooks, for what it still sends itself: the session's token, timeouts,
        /// retries and re-login.
        impl progenitor_client::ClientHooks<::veeam_runtime::Session> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner
                    .authorize(request)
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
            }
            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(request, false).await
            }
        }
        impl ::veeam_runtime::FromParts for Client {
            const PROFILE: ::veeam_runtime::ApiProfile = #profile;
            fn from_parts(
                base_url: &str,
                http: reqwest::Client,
                session: ::veeam_runtime::Session,
            ) -> Self {
                Self::new_with_client(base_url, http, session)
            }
        }
        impl Client {
            /// Configures a client for the server at `base_url` (scheme, host and port, e.g.
            /// `https://vbo.example.com:4443`, and any path prefix a reverse proxy adds):
            /// credentials, TLS, timeouts, retries.
            pub fn builder(base_url: impl ::std::convert::Into<::std::string::String>) -> ::veeam_runtime::ClientBuilder<Self> {
                ::veeam_runtime::ClientBuilder::new(base_url)
            }
            /// The session: log in early, log out, inspect the retry policy.
            pub fn session(&self) -> &::veeam_runtime::Session {
                &self.inner
            }
        }
    })
}

/// Typify's string enums (unit variants only, serde-derived) become `string_enum!`s.
fn lenient_enums(items: &mut Vec<Item>, report: &mut GlueReport) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let derives_serde = e
            .attrs
            .iter()
            .any(|a| a.path().is_ident("derive") && quote!(#a).to_string().contains("Deserialize"));
        let container_serde = e.attrs.iter().any(|a| a.path().is_ident("serde"));
        if !derives_serde || container_serde || e.variants.is_empty() {
            continue;
        }
        if !e
            .variants
            .iter()
            .all(|v| matches!(v.fields, Fields::Unit) && v.discriminant.is_none())
        {
            continue;
        }
        let taken: BTreeSet<String> = e.variants.iter().map(|v| v.ident.to_string()).collect();
        let unknown = ["Unknown", "UnknownValue", "UnlistedValue"]
            .into_iter()
            .find(|n| !taken.contains(*n))
            .ok_or_else(|| format!("enum {}: no free name for the unknown variant", e.ident))?;
        let unknown = format_ident!("{unknown}");
        let mut variants = Vec::new();
        for v in &e.variants {
            let mut wire = v.ident.to_string();
            let mut docs = Vec::new();
            for a in &v.attrs {
                if a.path().is_ident("serde") {
                    a.parse_nested_meta(|m| {
                        if m.path.is_ident("rename") {
                            wire = m.value()?.parse::<syn::LitStr>()?.value();
                        }
                        Ok(())
                    })
                    .map_err(|err| format!("enum {}: {err}", e.ident))?;
                } else {
                    docs.push(a.clone());
                }
            }
            let ident = &v.ident;
            variants.push(quote!(#(#docs)* #ident = #wire,));
        }
        let docs: Vec<_> = e
            .attrs
            .iter()
            .filter(|a| !a.path().is_ident("derive"))
            .collect();
        let (vis, name) = (&e.vis, &e.ident);
        let tokens = quote! {
            ::veeam_runtime::string_enum! {
                #(#docs)*
                #vis enum #name { #(#variants)* } unknown #unknown
            }
        };
        names.insert(name.to_string());
        *item = syn::parse2(tokens).map_err(|err| format!("enum {}: {err}", name))?;
        report.lenient_enums += 1;
    }
    // Drop typify's conversions for those enums; the macro provides its own.
    items.retain(|item| {
        let Item::Impl(i) = item else { return true };
        let Some((trait_path, _)) = &i.trait_ else {
            return true;
        };
        let Type::Path(self_ty) = &*i.self_ty else {
            return true;
        };
        let Some(self_name) = self_ty.path.get_ident() else {
            return true;
        };
        if !names.contains(&self_name.to_string()) {
            return true;
        }
        let last = trait_path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        !matches!(last.as_str(), "Display" | "FromStr" | "TryFrom" | "From")
    });
    Ok(())
}

/// Optional fields that are not `Option` (lists, maps, flags with `#[serde(default)]`) read
/// `null` as their default.
fn null_tolerant_fields(items: &mut [Item], report: &mut GlueReport) {
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            if type_name(&field.ty).as_deref() == Some("Option") {
                continue;
            }
            for attr in field.attrs.iter_mut() {
                if !attr.path().is_ident("serde") {
                    continue;
                }
                let Meta::List(list) = &mut attr.meta else {
                    continue;
                };
                let Ok(mut metas) =
                    list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                else {
                    continue;
                };
                let bare_default = metas
                    .iter()
                    .any(|m| matches!(m, Meta::Path(p) if p.is_ident("default")));
                let has_with = metas
                    .iter()
                    .any(|m| m.path().is_ident("deserialize_with") || m.path().is_ident("with"));
                if !bare_default || has_with {
                    continue;
                }
                metas.push(syn::parse_quote!(
                    deserialize_with = "::veeam_runtime::lenient::null_as_default"
                ));
                list.tokens = quote!(#metas);
                report.null_tolerant_fields += 1;
            }
        }
    }
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

/// `Paged` for the page types some operation streams (`used`: the envelope types of paged
/// operations): the type of their `items` field's elements (`items`: the field's wire name).
pub(crate) fn page_impls(
    items: &mut Vec<Item>,
    used: &BTreeSet<String>,
    items_field: &str,
) -> Result<(), String> {
    let mut impls = Vec::new();
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        if !used.contains(&s.ident.to_string()) {
            continue;
        }
        let name = &s.ident;
        let field = s
            .fields
            .iter()
            .find(|f| wire_name(f).as_deref() == Some(items_field))
            .ok_or_else(|| format!("page type {name}: no `{items_field}` field"))?;
        // `Vec<T>`, or `Option<Vec<T>>` for a nullable list.
        let list = match type_name(&field.ty).as_deref() {
            Some("Option") => inner_type(&field.ty),
            _ => Some(&field.ty),
        };
        let item_ty = list
            .filter(|t| type_name(t).as_deref() == Some("Vec"))
            .and_then(inner_type)
            .ok_or_else(|| format!("page type {name}: `{items_field}` is not a list"))?;
        impls.push(quote! {
            impl ::veeam_runtime::paging::Paged for #name {
                type Item = #item_ty;
            }
        });
    }
    if impls.len() != used.len() {
        return Err(format!("page types not found among the types: {used:?}"));
    }
    items.extend(parse_items(quote!(#(#impls)*))?);
    Ok(())
}

/// A struct field's name on the wire: its `#[serde(rename = "..")]`, or its identifier.
fn wire_name(field: &syn::Field) -> Option<String> {
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut renamed = None;
        let _ = attr.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                renamed = Some(m.value()?.parse::<syn::LitStr>()?.value());
            } else if m.input.peek(Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
        if renamed.is_some() {
            return renamed;
        }
    }
    field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
}

/// The variant of a response enum for a success status: `Ok` for 200, `Accepted` for 202...
fn status_variant(status: &str) -> proc_macro2::Ident {
    let name = match status {
        "200" => "Ok".to_string(),
        "201" => "Created".to_string(),
        "202" => "Accepted".to_string(),
        "203" => "NonAuthoritativeInformation".to_string(),
        "204" => "NoContent".to_string(),
        "205" => "ResetContent".to_string(),
        "206" => "PartialContent".to_string(),
        "2XX" | "2xx" => "Success".to_string(),
        other => format!("Status{}", other.to_ascii_uppercase()),
    };
    format_ident!("{name}")
}

/// For an operation whose success statuses have different bodies: an enum with a variant per
/// status, each holding its own body's type, and the `send()` that decodes into it. A 2xx
/// the spec does not list is kept, status and body, in `Other`.
fn by_status(
    builder: &str,
    op: &TokenStream,
    statuses: &[crate::facts::StatusBody],
    generics_lt: &TokenStream,
    feature: Option<&str>,
) -> (TokenStream, TokenStream) {
    let name = format_ident!("{builder}Response");
    let cfg = feature.map(|f| quote!(#[cfg(feature = #f)]));
    let mut variants = Vec::new();
    let mut exact = Vec::new();
    let mut ranges = Vec::new();
    for s in statuses {
        let variant = status_variant(&s.status);
        let doc = format!("HTTP {}", s.status);
        let (payload, read) = match (&s.schema, s.bytes) {
            (Some(schema), _) => {
                let ty = format_ident!("{}", crate::normalize::rust_type_name(schema));
                (
                    quote!((types::#ty)),
                    quote!(#name::#variant(::veeam_runtime::ops::decode_body(#op, response).await?)),
                )
            }
            (None, true) => (
                quote!((ByteStream)),
                quote!(#name::#variant(::veeam_runtime::ops::stream_body(response))),
            ),
            (None, false) => (quote!(), quote!(#name::#variant)),
        };
        variants.push(quote!(#[doc = #doc] #variant #payload,));
        match s.status.parse::<u16>() {
            Ok(code) => exact.push(quote!(#code => #read,)),
            Err(_) => ranges.push(quote!(200..=299 => #read,)),
        }
    }
    let doc =
        format!("What [`{builder}::send`] answers with, by status: each status has its own body.");
    // `ByteStream` is not `Debug`.
    let derive = statuses
        .iter()
        .all(|s| s.schema.is_some() || !s.bytes)
        .then(|| quote!(#[derive(Debug)]));
    let item = quote! {
        #[doc = #doc]
        #derive
        #cfg
        pub enum #name {
            #(#variants)*
            /// A success status the spec does not list, with its body as received.
            Other { status: u16, body: ::bytes::Bytes },
        }
    };
    let send = quote! {
        /// Sends the request and decodes the body by status (see the response enum). Errors
        /// are [`veeam_runtime::Error`]s naming this operation, with the server's error body
        /// decoded (Veeam's `RESTExceptionInfo`, or an RFC 9457 problem).
        pub fn send(self) -> impl ::std::future::Future<
            Output = ::std::result::Result<ResponseValue<#name>, ::veeam_runtime::Error>,
        > #generics_lt {
            async move {
                let response = ::veeam_runtime::ops::response(#op, self.into_request()).await?;
                let (status, headers) = (response.status(), response.headers().clone());
                let value = match status.as_u16() {
                    #(#exact)*
                    #(#ranges)*
                    other => #name::Other { status: other, body: ::veeam_runtime::ops::read_body(#op, response).await? },
                };
                Ok(ResponseValue::new(value, status, headers))
            }
        }
    };
    (item, send)
}

/// One operation's builder, as progenitor wrote it, and what the spec says of it.
pub(crate) struct Builder {
    /// What a successful response decodes to.
    ok_ty: Type,
    /// The operation's facts, from the spec.
    pub facts: crate::facts::OperationFacts,
}

impl Builder {
    /// The page type to implement `Paged` for, when the operation streams an envelope.
    pub fn page_type(&self) -> Option<String> {
        match self.facts.paged {
            Some(crate::facts::PageShape::Envelope) => type_name(&self.ok_ty),
            _ => None,
        }
    }
}

/// Reads every builder off progenitor's builder module (`items`) without changing anything:
/// builder name -> its success type and its operation's facts (by the operation id its
/// `send` names).
pub(crate) fn survey(
    items: &[Item],
    facts: &BTreeMap<String, crate::facts::OperationFacts>,
) -> Result<BTreeMap<String, Builder>, String> {
    let mut builders = BTreeMap::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = type_name(&imp.self_ty) else {
            continue;
        };
        let Some(send_at) = send_index(imp) else {
            continue;
        };
        let syn::ImplItem::Fn(send) = &imp.items[send_at] else {
            unreachable!()
        };
        let ok_ty = ok_type(&send.sig.output)
            .ok_or_else(|| format!("builder {name}: unexpected send() signature"))?;
        let operation = send
            .block
            .stmts
            .iter()
            .find_map(operation_info)
            .ok_or_else(|| format!("builder {name}: progenitor's send() has no `let info = OperationInfo {{ operation_id: \"..\" }}`"))?;
        let facts = facts.get(&operation).cloned().ok_or_else(|| {
            format!("builder {name}: operation {operation} is not in the document")
        })?;
        builders.insert(name, Builder { ok_ty, facts });
    }
    Ok(builders)
}

/// Every builder: `send` (its request built by `into_request`, sent by `veeam_runtime::ops`);
/// `stream` for paged lists; `write_to`/`save_to` for downloads.
fn builders(
    items: &mut Vec<Item>,
    survey: &BTreeMap<String, Builder>,
    paging: Option<&crate::profile::Paging>,
    features: bool,
    report: &mut GlueReport,
) -> Result<(), String> {
    // (index of the builder's impl, the impl of the methods added to it)
    let mut added = Vec::new();
    for (at, item) in items.iter_mut().enumerate() {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Some(name) = type_name(&imp.self_ty) else {
            continue;
        };
        let (Some(send_at), Some(builder)) = (send_index(imp), survey.get(&name)) else {
            continue;
        };
        let lifetime = imp
            .generics
            .lifetimes()
            .next()
            .map(|l| l.lifetime.clone())
            .ok_or_else(|| format!("builder {name}: no lifetime for its client"))?;
        let syn::ImplItem::Fn(send) = imp.items.remove(send_at) else {
            unreachable!()
        };
        imp.items.insert(
            send_at,
            into_request(send, &lifetime).map_err(|e| format!("builder {name}: {e}"))?,
        );
        let generics = &imp.generics;
        let generics_lt = quote!(+ #lifetime);
        let self_ty = &imp.self_ty;
        let ok_ty = &builder.ok_ty;
        let f = &builder.facts;
        let (id, path, download, anonymous) = (&f.id, &f.path, f.download, f.anonymous);
        let op = quote!(::veeam_runtime::ops::Operation { id: #id, path: #path, download: #download, anonymous: #anonymous });
        let bytes_body = type_name(ok_ty).as_deref() == Some("ByteStream");
        if download && !bytes_body {
            return Err(format!(
                "builder {name}: the spec says operation {id} answers with a file, but progenitor's send() returns `{}`: the facts and progenitor disagree",
                quote!(#ok_ty)
            ));
        }
        // Which runtime sender: the success type says how the body is read.
        let sender = match ok_ty {
            Type::Tuple(t) if t.elems.is_empty() => format_ident!("empty"),
            _ if bytes_body => format_ident!("bytes"),
            _ => format_ident!("json"),
        };
        let mut extra_items = Vec::new();
        let send = match &f.statuses {
            Some(statuses) => {
                let (item, send) = by_status(
                    &name,
                    &op,
                    statuses,
                    &generics_lt,
                    features.then_some(f.group.as_str()),
                );
                extra_items.push(item);
                report.typed_statuses += 1;
                send
            }
            None => quote! {
                /// Sends the request. Errors are [`veeam_runtime::Error`]s naming this operation,
                /// with the server's error body decoded (Veeam's `RESTExceptionInfo`, or an RFC
                /// 9457 problem).
                pub fn send(self) -> impl ::std::future::Future<
                    Output = ::std::result::Result<ResponseValue<#ok_ty>, ::veeam_runtime::Error>,
                > #generics_lt {
                    ::veeam_runtime::ops::#sender(#op, self.into_request())
                }
            },
        };
        let mut methods = vec![send];
        report.sends += 1;
        if let (Some(shape), Some(paging)) = (&f.paged, paging) {
            let shape = match shape {
                crate::facts::PageShape::Envelope => {
                    quote!(::veeam_runtime::paging::Shape::Envelope)
                }
                crate::facts::PageShape::BareArray => {
                    quote!(::veeam_runtime::paging::Shape::BareArray)
                }
            };
            let offset = format_ident!("{}", crate::normalize::rust_ident(&paging.offset));
            let limit = format_ident!("{}", crate::normalize::rust_ident(&paging.limit));
            let set_id = match paging.set_id.as_deref().filter(|_| f.set_id) {
                Some(param) => {
                    let setter = format_ident!("{}", crate::normalize::rust_ident(param));
                    quote!(let b = match set_id { ::std::option::Option::Some(s) => b.#setter(s), ::std::option::Option::None => b };)
                }
                None => quote!(let _ = set_id;),
            };
            methods.push(quote! {
                /// Every item of every page, fetched lazily one page at a time (one page in
                /// memory). `.limit(n)` sets the page size the walk asks for (the server may
                /// serve fewer), `.offset(n)` where it starts. The walk never trusts the size
                /// it asked for: it follows the server's own numbers, and stops with an error
                /// when they are inconsistent rather than lose or repeat an item. An item that
                /// does not decode is an error naming its index; the stream goes on after it.
                pub fn stream(self) -> impl ::veeam_runtime::Stream<
                    Item = ::std::result::Result<
                        <#ok_ty as ::veeam_runtime::paging::Paged>::Item,
                        ::veeam_runtime::Error,
                    >,
                > #generics_lt {
                    let limit = match &self.#limit {
                        Ok(Some(n)) => ::std::option::Option::Some(*n as i64),
                        _ => ::std::option::Option::None,
                    };
                    let start = match &self.#offset {
                        Ok(Some(n)) => ::std::option::Option::Some(*n as i64),
                        _ => ::std::option::Option::None,
                    };
                    ::veeam_runtime::paging::stream(
                        #op,
                        #shape,
                        super::PAGING,
                        self,
                        start,
                        limit,
                        |b, offset, limit, set_id: ::std::option::Option<::std::string::String>| {
                            let b = b.#offset(offset).#limit(limit);
                            #set_id
                            b.into_request()
                        },
                    )
                }
            });
            report.streams += 1;
        }
        if download {
            methods.push(quote! {
                /// Downloads the file into `writer` chunk by chunk (constant memory); returns
                /// the number of bytes written.
                pub async fn write_to<W>(self, writer: &mut W) -> ::std::result::Result<u64, ::veeam_runtime::Error>
                where
                    W: ::veeam_runtime::AsyncWrite + ::std::marker::Unpin + ?Sized,
                {
                    let body = self.send().await?.into_inner();
                    ::veeam_runtime::download::write_to(body, writer).await.map_err(|e| e.in_operation(#id))
                }
                /// Downloads the file to `path`. The file at `path` is replaced only once the
                /// whole body has arrived; a failed or dropped download leaves it as it was.
                pub async fn save_to(self, path: impl ::std::convert::AsRef<::std::path::Path>) -> ::std::result::Result<u64, ::veeam_runtime::Error> {
                    let body = self.send().await?.into_inner();
                    ::veeam_runtime::download::save_to(body, path).await.map_err(|e| e.in_operation(#id))
                }
            });
            report.downloads += 1;
            report.download_operations.push(id.clone());
        }
        added.push((
            at,
            quote! {
                impl #generics #self_ty {
                    #(#methods)*
                }
                #(#extra_items)*
            },
        ));
    }
    // Each right after the builder's own impl, where a reader looks for it.
    let mut added = added.into_iter().peekable();
    let mut out = Vec::with_capacity(items.len() + added.len());
    for (at, item) in std::mem::take(items).into_iter().enumerate() {
        out.push(item);
        while let Some((_, tokens)) = added.next_if(|(i, _)| *i == at) {
            out.extend(parse_items(tokens)?);
        }
    }
    *items = out;
    report.download_operations.sort();
    Ok(())
}

fn send_index(imp: &ItemImpl) -> Option<usize> {
    imp.items.iter().position(
        |i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some()),
    )
}

/// progenitor's `send` up to its request, as a plain function: everything before
/// `let info = OperationInfo { operation_id: ".." }` builds the request (parameters, URL,
/// headers, body); what follows (hooks, sending, statuses) is `veeam_runtime::ops`, written
/// once. The statements are moved, not re-parsed.
fn into_request(
    mut method: syn::ImplItemFn,
    lifetime: &syn::Lifetime,
) -> Result<syn::ImplItem, String> {
    let mut stmts = std::mem::take(&mut method.block.stmts);
    let info_at = stmts
        .iter()
        .position(|s| operation_info(s).is_some())
        .ok_or("progenitor's send() has no `let info = OperationInfo { operation_id: \"..\" }`")?;
    stmts.truncate(info_at);
    let builds_request = matches!(stmts.last(), Some(syn::Stmt::Local(syn::Local { pat: syn::Pat::Ident(p), .. }))
        if p.ident == "request" && p.mutability.is_some());
    if !builds_request {
        return Err("progenitor's send() does not build `request` before `info`".into());
    }
    // The session, taken before progenitor's statements: they destructure `self`, and a
    // parameter named `client` (Jellyfin has one) renames the client binding.
    let client = client_field(&stmts)
        .ok_or("progenitor's send() does not start with `let Self { client, .. } = self;`")?;
    stmts.insert(0, syn::parse_quote!(let __session: &#lifetime ::veeam_runtime::Session = &self.#client.inner;));
    stmts.push(syn::Stmt::Expr(
        syn::parse_quote!(::std::result::Result::Ok((__session, request))),
        None,
    ));
    method.sig = syn::parse_quote! {
        fn into_request(self) -> ::std::result::Result<(&#lifetime ::veeam_runtime::Session, ::reqwest::Request), Error>
    };
    method.attrs.clear();
    method.vis = syn::Visibility::Inherited;
    method.block.stmts = stmts;
    Ok(syn::ImplItem::Fn(method))
}

/// The builder's client field: the first of `let Self { client, .. } = self;` (progenitor
/// names it `_client` when a parameter is called `client`).
pub(crate) fn client_field(stmts: &[syn::Stmt]) -> Option<syn::Member> {
    let syn::Stmt::Local(syn::Local {
        pat: syn::Pat::Struct(p),
        ..
    }) = stmts.first()?
    else {
        return None;
    };
    p.path
        .is_ident("Self")
        .then(|| p.fields.first().map(|f| f.member.clone()))
        .flatten()
}

/// The `".."` of `let info = OperationInfo { operation_id: ".." };`.
pub(crate) fn operation_info(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Local(syn::Local {
        pat: syn::Pat::Ident(p),
        init: Some(init),
        ..
    }) = stmt
    else {
        return None;
    };
    let syn::Expr::Struct(info) = &*init.expr else {
        return None;
    };
    if p.ident != "info" || !info.path.is_ident("OperationInfo") {
        return None;
    }
    info.fields.iter().find_map(|f| match (&f.member, &f.expr) {
        (
            syn::Member::Named(m),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }),
        ) if m == "operation_id" => Some(s.value()),
        _ => None,
    })
}

/// `T` of `-> Result<ResponseValue<T>, Error<E>>`.
pub(crate) fn ok_type(output: &syn::ReturnType) -> Option<Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let response_value = inner_type(ty)?;
    inner_type(response_value).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setter_closures_become_runtime_calls_with_the_same_messages() {
        let mut file: syn::File = syn::parse_str(r#"
            impl<'a> B<'a> {
                pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i32> {
                    self.limit = value.try_into().map(Some).map_err(|_| "conversion to `i32` for limit failed".to_string());
                    self
                }
                pub fn body<V>(mut self, value: V) -> Self {
                    self.body = value.try_into().map(From::from).map_err(|s| { format!("conversion to `X` for body failed: {}", s) });
                    self
                }
                pub fn id<T>(mut self, value: T) -> Self {
                    self.id = value.try_into().map_err(|e| format!("error converting supplied value for id: {e}"));
                    self
                }
                pub fn kept<T>(mut self, value: T) -> Self {
                    self.kept = value.try_into().map_err(|e| format!("{e} and {}", 1));
                    self
                }
            }
        "#).unwrap();
        assert_eq!(shared_setter_errors(&mut file.items), 3);
        let out = quote!(#file).to_string();
        assert!(out.contains(r#"or_message (value . try_into () . map (Some) , "conversion to `i32` for limit failed")"#), "{out}");
        assert!(
            out.contains(r#""conversion to `X` for body failed: ""#),
            "{out}"
        );
        assert!(
            out.contains(r#""error converting supplied value for id: ""#),
            "{out}"
        );
        assert!(
            out.contains(r#"map_err (| e | format ! ("{e} and {}" , 1))"#),
            "{out}"
        );
    }
}
