//! The offset/limit convention (profile.yaml's `paging`, [`veeam_profile::PagingProfile`]):
//! an operation is paged when it takes the offset and limit query parameters (integers) and
//! answers with an envelope holding the items (or a bare array). Its walk is
//! `veeam_runtime::paging`.

use std::collections::BTreeMap;
use std::sync::Arc;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Value};
use veeam_profile::PagingProfile;

use super::convention::{stream_fn, Constant, Convention, Operation, Paging, Plan, StreamAt};
use crate::openapi::{is_json_media_type, resolve};

/// The convention.
pub struct Offset;

impl Convention for Offset {
    fn key(&self) -> &'static str {
        "paging"
    }
    fn read(&self, section: Value) -> Result<Arc<dyn Paging>, String> {
        Ok(Arc::new(crate::section::read::<PagingProfile>(section)?))
    }
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Paging>> {
        infer(doc, notes).map(|p| Arc::new(p) as Arc<dyn Paging>)
    }
}

impl Paging for PagingProfile {
    fn key(&self) -> &'static str {
        Offset.key()
    }
    fn check(&self) -> Result<(), (String, String)> {
        check(self).map_err(|(at, message)| (at.to_string(), message))
    }
    fn plan(&self, op: &Operation) -> Option<Plan> {
        if !op.integer_query(self.offset_param) || !op.integer_query(self.limit_param) {
            // The walk counts: paging parameters typed as strings (SendGrid's) are not walked.
            return None;
        }
        let shape = page_shape(op.doc, op.op, self, op.by_status, op.page_schema)?;
        let set_id = self
            .set_id
            .is_some_and(|name| op.query_param(name).is_some());
        Some(Plan {
            key: self.key(),
            detail: json!({"bare": shape == PageShape::BareArray, "set_id": set_id}),
            mock_answer: Some(match shape {
                PageShape::Envelope => "Envelope",
                PageShape::BareArray => "BareArray",
            }),
        })
    }
    fn constants(&self) -> Result<Vec<Constant>, String> {
        const TY: &str = "::veeam_runtime::paging::PagingProfile";
        Ok(vec![Constant {
            doc: "How this API pages its lists (its profile's `paging`).",
            name: "PAGING",
            ty: TY,
            value: crate::literal::expression(self, &[], &[("PagingProfile", TY)])?,
        }])
    }
    fn items_field(&self) -> &str {
        self.items
    }
    fn page_type(
        &self,
        plan: &Plan,
        ok: Option<String>,
        page_schema: Option<&str>,
    ) -> Option<String> {
        match (shape(plan), page_schema) {
            (PageShape::Envelope, Some(schema)) => Some(crate::names::type_name(schema)),
            (PageShape::Envelope, None) => ok,
            // A bare array: `Vec<T>` is `Paged` already; a named array type needs its impl.
            (PageShape::BareArray, _) => ok.filter(|t| t != "Vec"),
        }
    }
    fn stream_method(&self, plan: &Plan, at: &StreamAt) -> TokenStream {
        // By status, the page is the 200 body.
        let page_ty = match at.page_schema {
            Some(schema) => {
                let ty = format_ident!("{}", crate::names::type_name(schema));
                quote!(types::#ty)
            }
            None => at.ok_ty.clone(),
        };
        let set_id = plan.detail.get("set_id").and_then(Value::as_bool) == Some(true);
        stream_method(self, at.op, &page_ty, &shape(plan), set_id, at.generics_lt)
    }
    fn command_walk(&self, plan: &Plan) -> Option<TokenStream> {
        let set_id = plan.detail.get("set_id").and_then(Value::as_bool) == Some(true);
        let shape = match shape(plan) {
            PageShape::Envelope => quote!(::veeam_runtime::paging::Shape::Envelope),
            PageShape::BareArray => quote!(::veeam_runtime::paging::Shape::BareArray),
        };
        Some(quote!(::std::option::Option::Some((#shape, #set_id))))
    }
}

fn shape(plan: &Plan) -> PageShape {
    match plan.detail.get("bare").and_then(Value::as_bool) {
        Some(true) => PageShape::BareArray,
        _ => PageShape::Envelope,
    }
}

/// How a paged operation's items come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageShape {
    /// An object whose `items` field (the profile's) is the page's list.
    Envelope,
    /// The body is the list itself.
    BareArray,
}

/// How `op` pages under this convention, given that it takes the offset and limit
/// parameters: its success JSON body is a page, or (answering `by_status`) its 200 body
/// `page_schema` is an envelope.
pub fn page_shape(
    doc: &Value,
    op: &Value,
    paging: &PagingProfile,
    by_status: bool,
    page_schema: Option<&str>,
) -> Option<PageShape> {
    match (by_status, page_schema) {
        (false, _) => body_page_shape(doc, op, paging.items),
        (true, Some(name)) => doc
            .pointer(&crate::error::pointer(["components", "schemas", name]))
            .and_then(|schema| schema_page_shape(doc, schema, paging.items))
            .filter(|shape| *shape == PageShape::Envelope),
        (true, None) => None,
    }
}

/// A page: the success JSON body is an array, or an object with an array `items` property.
fn body_page_shape(doc: &Value, op: &Value, items: &str) -> Option<PageShape> {
    let schema = crate::openapi::successes(doc, op)
        .into_iter()
        .find_map(|r| {
            let content = r.get("content")?.as_object()?;
            content
                .iter()
                .find(|(mt, _)| is_json_media_type(mt))?
                .1
                .get("schema")
        })?;
    schema_page_shape(doc, schema, items)
}

/// A page: `schema` is an array, or an object with an array `items` property.
fn schema_page_shape(doc: &Value, schema: &Value, items: &str) -> Option<PageShape> {
    let schema = resolve(doc, schema);
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Some(PageShape::BareArray);
    }
    let parts = std::iter::once(schema).chain(
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| resolve(doc, s)),
    );
    for part in parts {
        if let Some(prop) = part.pointer(&format!(
            "/properties/{}",
            crate::error::escape_segment(items)
        )) {
            if resolve(doc, prop).get("type").and_then(Value::as_str) == Some("array") {
                return Some(PageShape::Envelope);
            }
        }
    }
    None
}

/// What a `paging` section must satisfy beyond its shape: (key, message).
pub fn check(p: &PagingProfile) -> Result<(), (&'static str, String)> {
    if p.offset_param == p.limit_param {
        return Err((
            "/limit",
            "the offset and limit parameters must differ".into(),
        ));
    }
    if p.default_limit < 1 || p.max_limit.is_some_and(|m| m < p.default_limit) {
        return Err((
            "/default_limit",
            "must be at least 1 and at most `max_limit`".into(),
        ));
    }
    if p.next_link.as_deref().is_some_and(|l| !l.starts_with('/')) {
        return Err((
            "/next_link",
            "a JSON pointer inside the envelope, starting with `/`".into(),
        ));
    }
    Ok(())
}

/// The paging parameters list operations share: the most common (offset, limit) pair of
/// query parameters among known spellings, and the envelope fields their responses have.
pub fn infer(doc: &Value, notes: &mut Vec<String>) -> Option<PagingProfile> {
    const OFFSETS: [&str; 6] = ["offset", "Offset", "skip", "Skip", "$skip", "start"];
    const LIMITS: [&str; 7] = ["limit", "Limit", "top", "Top", "$top", "pageSize", "count"];
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut envelopes: Vec<Value> = Vec::new();
    crate::openapi::each_operation(doc, |path, _, op| {
        let names: Vec<String> = crate::openapi::operation_parameters(doc, path, op)
            .into_iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
            .collect();
        let offset = OFFSETS.iter().find(|o| names.iter().any(|n| n == *o));
        let limit = LIMITS.iter().find(|l| names.iter().any(|n| n == *l));
        if let (Some(o), Some(l)) = (offset, limit) {
            *pairs.entry((o.to_string(), l.to_string())).or_default() += 1;
            if let Some(schema) = crate::openapi::success_json_schema(op) {
                envelopes.push(crate::openapi::resolve(doc, schema).clone());
            }
        }
    });
    let ((offset, limit), n) = pairs.into_iter().max_by_key(|(_, n)| *n)?;
    // The envelope's fields: the array property most envelopes have, and the usual names.
    let mut arrays: BTreeMap<String, usize> = BTreeMap::new();
    let mut fields: BTreeMap<String, usize> = BTreeMap::new();
    for e in &envelopes {
        for (name, prop) in e
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            *fields.entry(name.clone()).or_default() += 1;
            let prop = crate::openapi::resolve(doc, prop);
            if prop.get("type").and_then(Value::as_str) == Some("array") {
                *arrays.entry(name.clone()).or_default() += 1;
            }
        }
    }
    let items = arrays
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(k, _)| k)
        .unwrap_or_else(|| veeam_profile::de::results().to_string());
    let pick = |candidates: &[&str]| {
        candidates
            .iter()
            .find(|c| fields.contains_key(**c))
            .map(|c| leak(c.to_string()))
    };
    let paging = PagingProfile {
        offset_field: pick(&[offset.as_str(), "offset", "Offset", "skip"]),
        limit_field: pick(&[limit.as_str(), "limit", "Limit", "top"]),
        total_field: pick(&["totalCount", "total", "TotalCount", "count", "totalItems"]),
        next_link: fields.contains_key("_links").then_some("/_links/next/href"),
        set_id: pick(&["setId"]),
        items: leak(items),
        offset_param: leak(offset),
        limit_param: leak(limit),
        default_limit: veeam_profile::de::default_limit(),
        max_limit: None,
    };
    notes.push(format!(
        "paging: `{}`/`{}` on {n} operations; items in `{}`{}{}",
        paging.offset_param,
        paging.limit_param,
        paging.items,
        paging
            .total_field
            .as_ref()
            .map(|t| format!(", total in `{t}`"))
            .unwrap_or_default(),
        paging
            .next_link
            .as_ref()
            .map(|l| format!(", next link at `{l}`"))
            .unwrap_or_default(),
    ));
    Some(paging)
}

/// A string of an inferred profile, as the profile's types hold them (see
/// [`veeam_profile::de`]).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `stream()` of a paged operation's builder: every item of every page, walked by the
/// runtime's [`veeam_runtime::paging::stream`] with the setters of this convention's
/// parameters. `op`: the operation's `Operation` expression; `page_ty`: the type of one page;
/// `set_id`: the operation takes the profile's set-id parameter.
fn stream_method(
    paging: &PagingProfile,
    op: &TokenStream,
    page_ty: &TokenStream,
    shape: &PageShape,
    set_id: bool,
    generics_lt: &TokenStream,
) -> TokenStream {
    let shape = match shape {
        PageShape::Envelope => {
            quote!(::veeam_runtime::paging::Shape::Envelope)
        }
        PageShape::BareArray => {
            quote!(::veeam_runtime::paging::Shape::BareArray)
        }
    };
    let offset = format_ident!("{}", crate::names::ident(paging.offset_param));
    let limit = format_ident!("{}", crate::names::ident(paging.limit_param));
    let set_id = match paging.set_id.filter(|_| set_id) {
        Some(param) => {
            let setter = format_ident!("{}", crate::names::ident(param));
            quote!(let b = match set_id { ::std::option::Option::Some(s) => b.#setter(s), ::std::option::Option::None => b };)
        }
        None => quote!(let _ = set_id;),
    };
    stream_fn(
        &[
            "Every item of every page, fetched lazily one page at a time (one page in",
            "memory). `.limit(n)` sets the page size the walk asks for (the server may",
            "serve fewer), `.offset(n)` where it starts. The walk never trusts the size",
            "it asked for: it follows the server's own numbers, and stops with an error",
            "when they are inconsistent rather than lose or repeat an item. An item that",
            "does not decode is an error naming its index; the stream goes on after it.",
        ],
        page_ty,
        generics_lt,
        quote! {
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
                // A value the caller set that did not convert stays, so the request
                // fails with its message instead of the walk starting at 0.
                if b.#offset.is_err() || b.#limit.is_err() {
                    return b.into_request();
                }
                let b = b.#offset(offset).#limit(limit);
                #set_id
                b.into_request()
            },
        )
        },
    )
}
