//! The page-token convention (profile.yaml's `cursor_paging`, [`veeam_profile::CursorPaging`];
//! what dropshot servers declare with `x-dropshot-pagination`): the first request sends a
//! page size, each answer holds its items and the next page's token. This module checks it,
//! finds it in a document without a profile, says which operations page by it and writes
//! their `stream()`, which `veeam_runtime::cursor` walks.

use std::sync::Arc;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{json, Value};
use veeam_profile::CursorPaging;

use super::convention::{stream_fn, Constant, Convention, Operation, Paging, Plan, StreamAt};
use crate::openapi::{is_json_media_type, resolve};

/// The convention.
pub struct Cursor;

impl Convention for Cursor {
    fn key(&self) -> &'static str {
        "cursor_paging"
    }
    fn read(&self, section: Value) -> Result<Arc<dyn Paging>, String> {
        Ok(Arc::new(crate::section::read::<CursorPaging>(section)?))
    }
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Paging>> {
        infer(doc, notes).map(|c| Arc::new(c) as Arc<dyn Paging>)
    }
}

impl Paging for CursorPaging {
    fn key(&self) -> &'static str {
        Cursor.key()
    }
    fn check(&self) -> Result<(), (String, String)> {
        check(self).map_err(|(at, message)| (at.to_string(), message))
    }
    fn plan(&self, op: &Operation) -> Option<Plan> {
        let query = op.query_names();
        let names: Vec<&str> = query.iter().map(|(n, _)| *n).collect();
        if !is_paged(op.doc, op.op, &names, self) {
            return None;
        }
        // Its other optional query parameters' builder fields, which later pages leave out.
        let clear: Vec<String> = query
            .iter()
            .filter(|(n, required)| !required && *n != self.token_param && *n != self.limit_param)
            .map(|(n, _)| crate::names::ident(n))
            .collect();
        Some(Plan {
            key: self.key(),
            detail: json!({ "clear": clear }),
            mock_answer: None,
        })
    }
    fn constants(&self) -> Result<Vec<Constant>, String> {
        const TY: &str = "::veeam_runtime::cursor::CursorPaging";
        Ok(vec![Constant {
            doc: "How this API pages its lists by tokens (its profile's `cursor_paging`).",
            name: "CURSOR_PAGING",
            ty: TY,
            value: crate::literal::expression(self, &[], &[("CursorPaging", TY)])?,
        }])
    }
    fn items_field(&self) -> &str {
        self.items
    }
    fn page_type(&self, _: &Plan, ok: Option<String>, _: Option<&str>) -> Option<String> {
        ok
    }
    fn stream_method(&self, plan: &Plan, at: &StreamAt) -> TokenStream {
        let clear: Vec<String> = plan
            .detail
            .get("clear")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        stream_method(self, at.op, at.ok_ty, &clear, at.generics_lt)
    }
}

/// The extension dropshot puts on its paginated operations.
pub const DROPSHOT: &str = "x-dropshot-pagination";

/// What a `cursor_paging` section must satisfy beyond its shape: (key, message).
pub fn check(c: &CursorPaging) -> Result<(), (&'static str, String)> {
    if c.token_param == c.limit_param {
        return Err((
            "/limit_param",
            "the token and limit parameters must differ".into(),
        ));
    }
    for (key, value) in [
        ("/token_param", c.token_param),
        ("/limit_param", c.limit_param),
        ("/items", c.items),
        ("/next_field", c.next_field),
    ] {
        if value.trim().is_empty() {
            return Err((key, "must not be empty".into()));
        }
    }
    Ok(())
}

/// Dropshot's convention, when an operation of `doc` declares it: `page_token` and `limit`,
/// an envelope with `items` and `next_page`.
pub fn infer(doc: &Value, notes: &mut Vec<String>) -> Option<CursorPaging> {
    let mut n = 0;
    crate::openapi::each_operation(doc, |_, _, op| {
        if op.get(DROPSHOT).is_some() {
            n += 1;
        }
    });
    if n == 0 {
        return None;
    }
    notes.push(format!(
        "cursor paging: `page_token`/`limit`, items in `items`, next token in `next_page` ({n} operations declare `{DROPSHOT}`)"
    ));
    Some(CursorPaging {
        token_param: "page_token",
        limit_param: "limit",
        items: "items",
        next_field: "next_page",
    })
}

/// Whether `op` pages by this convention: it takes the token and limit query parameters
/// (`query`: its query parameters' names) and its success JSON body is an object with the
/// items list and the next-token field.
pub fn is_paged(doc: &Value, op: &Value, query: &[&str], c: &CursorPaging) -> bool {
    let takes = |name: &str| query.iter().any(|q| *q == name);
    if !takes(c.token_param) || !takes(c.limit_param) {
        return false;
    }
    let Some(schema) = crate::openapi::successes(doc, op)
        .into_iter()
        .find_map(|r| {
            r.get("content")?
                .as_object()?
                .iter()
                .find(|(mt, _)| is_json_media_type(mt))?
                .1
                .get("schema")
        })
    else {
        return false;
    };
    let schema = resolve(doc, schema);
    let property = |name: &str| {
        schema
            .get("properties")
            .and_then(|p| p.get(name))
            .map(|p| resolve(doc, p))
    };
    property(c.items)
        .and_then(|p| p.get("type"))
        .and_then(Value::as_str)
        == Some("array")
        && property(c.next_field).is_some()
}

/// `stream()` of a token-paged operation's builder. `clear`: the builder fields of its other
/// optional query parameters, which later pages leave out (the token stands for them, and
/// dropshot refuses both).
fn stream_method(
    c: &CursorPaging,
    op: &TokenStream,
    page_ty: &TokenStream,
    clear: &[String],
    generics_lt: &TokenStream,
) -> TokenStream {
    let token = format_ident!("{}", crate::names::ident(c.token_param));
    let mutable = (!clear.is_empty()).then(|| quote!(mut));
    let clear = clear.iter().map(|f| format_ident!("{f}"));
    stream_fn(
        &[
            "Every item of every page, fetched lazily one page at a time (one page in",
            "memory): the first request as this builder is set (`.limit(n)` is the page",
            "size), each later one with the token the previous page named. A token the server",
            "gave before, or a long run of empty pages, ends the stream with an error rather",
            "than loop. An item that does not decode is an error naming its index; the stream",
            "goes on after it.",
        ],
        page_ty,
        generics_lt,
        quote! {
        ::veeam_runtime::cursor::stream(
            #op,
            super::CURSOR_PAGING,
            self,
            |b, token: ::std::option::Option<::std::string::String>| match token {
                ::std::option::Option::Some(token) => {
                    let #mutable b = b.#token(token);
                    #( b.#clear = ::std::result::Result::Ok(::std::option::Option::None); )*
                    b.into_request()
                }
                ::std::option::Option::None => b.into_request(),
            },
        )
        },
    )
}
