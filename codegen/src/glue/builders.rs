//! Each operation's builder: `send()` through `veeam_runtime::ops` (an enum by status when
//! the statuses have different bodies), `stream()` for paged lists, `write_to`/`save_to` for
//! downloads, all from the operation's facts; and the `Paged` impls of page types.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, ItemImpl, Token, Type};

use super::report::GlueReport;
use crate::syntax::{inner_type, parse_items, type_name};

/// `Paged` for the page types some operation streams (`used`: the envelope types of paged
/// operations, each with the wire name of its items field): the type of those items.
pub(crate) fn page_impls(
    items: &mut Vec<Item>,
    used: &BTreeMap<String, String>,
) -> Result<(), String> {
    let mut impls = Vec::new();
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        let Some(items_field) = used.get(&s.ident.to_string()).map(String::as_str) else {
            continue;
        };
        let name = &s.ident;
        // A named array schema is a newtype over the list (a bare-array page); else the
        // envelope's items field.
        let field = match &s.fields {
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => f.unnamed.first(),
            fields => fields
                .iter()
                .find(|f| wire_name(f).as_deref() == Some(items_field)),
        }
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
pub(super) fn wire_name(field: &syn::Field) -> Option<String> {
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
pub(super) fn status_variant(status: &str) -> proc_macro2::Ident {
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
pub(super) fn by_status(
    builder: &str,
    op: &TokenStream,
    statuses: &[crate::facts::StatusBody],
    generics_lt: &TokenStream,
    feature: Option<&str>,
) -> (TokenStream, TokenStream) {
    let name = format_ident!("{builder}Response");
    let cfg = feature.map(|f| quote!(#[cfg(feature = #f)]));
    let mut variants = Vec::new();
    let mut debug_arms = Vec::new();
    let mut exact = Vec::new();
    let mut ranges = Vec::new();
    for s in statuses {
        let variant = status_variant(&s.status);
        let doc = format!("HTTP {}", s.status);
        let (payload, read) = match (&s.schema, s.bytes) {
            (Some(schema), _) => {
                let ty = format_ident!("{}", crate::names::type_name(schema));
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
        let shown = variant.to_string();
        debug_arms.push(match (&s.schema, s.bytes) {
            (Some(_), _) => quote!(#name::#variant(v) => f.debug_tuple(#shown).field(v).finish(),),
            (None, true) => {
                quote!(#name::#variant(_) => f.write_str(concat!(#shown, "(<byte stream>)")),)
            }
            (None, false) => quote!(#name::#variant => f.write_str(#shown),),
        });
        match s.status.parse::<u16>() {
            Ok(code) => exact.push(quote!(#code => #read,)),
            Err(_) => ranges.push(quote!(200..=299 => #read,)),
        }
    }
    let doc =
        format!("What [`{builder}::send`] answers with, by status: each status has its own body.");
    // `ByteStream` is not `Debug`: a stream shows as `<byte stream>`.
    let item = quote! {
        #[doc = #doc]
        #cfg
        pub enum #name {
            #(#variants)*
            /// A success status the spec does not list, with its body as received.
            Other { status: u16, body: ::bytes::Bytes },
        }
        #cfg
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    #name::Other { status, body } => f
                        .debug_struct("Other")
                        .field("status", status)
                        .field("body", body)
                        .finish(),
                }
            }
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
    /// The page type to implement `Paged` for, when the operation streams one, and the field
    /// holding its items: its paging convention says which.
    pub fn page_type(&self, pagings: &crate::paging::Pagings) -> Option<(String, String)> {
        let plan = self.facts.paging.as_ref()?;
        let paging = pagings.get(plan.key)?;
        let ty = paging.page_type(
            plan,
            type_name(&self.ok_ty),
            self.facts.page_schema.as_deref(),
        )?;
        Some((ty, paging.items_field().to_string()))
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
pub(super) fn builders(
    items: &mut Vec<Item>,
    survey: &BTreeMap<String, Builder>,
    profile: &crate::profile::Profile,
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
        if download && !bytes_body && f.statuses.is_none() {
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
        if let Some(plan) = &f.paging {
            let paging = profile.paging.get(plan.key).ok_or_else(|| {
                format!(
                    "builder {name}: paged by `{}`, which the profile lacks",
                    plan.key
                )
            })?;
            methods.push(paging.stream_method(
                plan,
                &crate::paging::StreamAt {
                    op: &op,
                    ok_ty: &quote!(#ok_ty),
                    page_schema: f.page_schema.as_deref(),
                    generics_lt: &generics_lt,
                },
            ));
            report.streams += 1;
        }
        if download {
            report.downloads += 1;
            report.download_operations.push(id.clone());
        }
        // A file under one status only: with several, the caller matches the enum by status.
        if download && f.statuses.is_none() {
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

pub(super) fn send_index(imp: &ItemImpl) -> Option<usize> {
    imp.items.iter().position(
        |i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send" && f.sig.asyncness.is_some()),
    )
}

/// progenitor's `send` up to its request, as a plain function: everything before
/// `let info = OperationInfo { operation_id: ".." }` builds the request (parameters, URL,
/// headers, body); what follows (hooks, sending, statuses) is `veeam_runtime::ops`, written
/// once. The statements are moved, not re-parsed.
pub(super) fn into_request(
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
