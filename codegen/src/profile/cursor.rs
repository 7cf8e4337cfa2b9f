//! The page-token convention: `veeam_profile::CursorPaging` (profile.yaml's `cursor_paging`;
//! what dropshot servers declare with `x-dropshot-pagination`). This module checks it
//! ([`check`]), finds it in a document without a profile ([`infer`]), says which operations
//! page by it ([`is_paged`]) and writes their `stream()` ([`stream_method`]), which the
//! runtime's `cursor` module walks.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use veeam_profile::CursorPaging;

use super::paging::stream_fn;
use crate::openapi::{is_json_media_type, resolve};

/// The extension dropshot puts on its paginated operations.
pub const DROPSHOT: &str = "x-dropshot-pagination";

/// What a `cursor_paging` section must satisfy beyond its shape: (key, message).
pub fn check(c: &CursorPaging) -> Result<(), (&'static str, String)> {
    if c.token_param == c.limit_param {
        return Err((
            "/cursor_paging/limit_param",
            "the token and limit parameters must differ".into(),
        ));
    }
    for (key, value) in [
        ("/cursor_paging/token_param", c.token_param),
        ("/cursor_paging/limit_param", c.limit_param),
        ("/cursor_paging/items", c.items),
        ("/cursor_paging/next_field", c.next_field),
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
pub fn stream_method(
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
