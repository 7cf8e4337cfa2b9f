//! What a paging convention is ([`Convention`], [`Paging`]) and what it is given and gives
//! back; the conventions themselves are this module's siblings.

use std::sync::Arc;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// One paging convention: its profile.yaml section.
pub trait Convention: Sync {
    /// Its section's key in profile.yaml (`paging`, `cursor_paging`).
    fn key(&self) -> &'static str;
    /// Reads its section (its shape only; [`Paging::check`] checks the values).
    fn read(&self, section: Value) -> Result<Arc<dyn Paging>, String>;
    /// Its settings as a document without a profile shows them, with a note saying how.
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Paging>>;
}

/// A convention as an API's profile sets it up (plain data: safe to share and to read
/// after a panic).
pub trait Paging: crate::section::Settings + Send + Sync + std::panic::RefUnwindSafe {
    /// Its convention's profile.yaml key.
    fn key(&self) -> &'static str;
    /// What the section must satisfy beyond its shape: (pointer inside it, message).
    fn check(&self) -> Result<(), (String, String)> {
        Ok(())
    }
    /// How `op` pages by this convention, when it does.
    fn plan(&self, op: &Operation) -> Option<Plan>;
    /// The crate-root constants the operations' `stream()`s read (`const PAGING`).
    fn constants(&self) -> Result<Vec<Constant>, String>;
    /// The field of a page type that holds its items (its `Paged` impl reads it).
    fn items_field(&self) -> &str;
    /// The page type that needs a `Paged` impl, by name: `ok` is the name of the type the
    /// operation answers with; `None` when the page type has one already (`Vec<T>`).
    fn page_type(
        &self,
        plan: &Plan,
        ok: Option<String>,
        page_schema: Option<&str>,
    ) -> Option<String>;
    /// The builder's `stream()`. `op`: the operation's `veeam_runtime::ops::Operation`
    /// expression; `ok_ty`: the type it answers with; `page_schema`: the 200 body's schema
    /// when it answers by status.
    fn stream_method(&self, plan: &Plan, at: &StreamAt) -> TokenStream;
    /// The command line's walk of an operation this convention pages: the value of its
    /// `veeam_runtime::commands::Command::paging`, or `None` when the command line cannot
    /// walk it (the command then pages by hand, without `--all`).
    fn command_walk(&self, _plan: &Plan) -> Option<TokenStream> {
        None
    }
}

/// Where a `stream()` is written: the operation and its builder.
pub struct StreamAt<'a> {
    /// The operation's `::veeam_runtime::ops::Operation { .. }` expression.
    pub op: &'a TokenStream,
    /// The type `send()` answers with.
    pub ok_ty: &'a TokenStream,
    /// Answering by status: the page's component schema (the 200 body).
    pub page_schema: Option<&'a str>,
    /// `+ 'a`, the builder's lifetime bound on the stream.
    pub generics_lt: &'a TokenStream,
}

/// A constant at the crate root: `const NAME: TY = VALUE;`, with a doc line.
pub struct Constant {
    pub doc: &'static str,
    pub name: &'static str,
    /// The runtime's path of its type.
    pub ty: &'static str,
    pub value: TokenStream,
}

impl Constant {
    /// The item.
    pub fn item(&self) -> TokenStream {
        let (doc, name, value) = (
            format!(" {}", self.doc),
            quote::format_ident!("{}", self.name),
            &self.value,
        );
        let ty: syn::Type = syn::parse_str(self.ty).expect("a constant's type is a path");
        quote!(#[doc = #doc] const #name: #ty = #value;)
    }
}

/// How one operation pages: which convention, and what the convention needs to know about
/// it (its own facts, as JSON: the convention wrote them and reads them back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The convention's key.
    pub key: &'static str,
    pub detail: Value,
    /// How the generated mock answers the operation: the `veeam_mock::Answer` that serves
    /// pages of this shape (`Envelope`, `BareArray`); `None`: one JSON body, as for any
    /// operation.
    pub mock_answer: Option<&'static str>,
}

/// An operation, as a convention looks at it to say whether it pages by it.
pub struct Operation<'a> {
    pub doc: &'a Value,
    pub op: &'a Value,
    /// Its query parameters (its path's and its own).
    pub query: Vec<&'a Value>,
    /// Its success statuses have different bodies (an enum by status).
    pub by_status: bool,
    /// Answering by status: the 200 body's component schema.
    pub page_schema: Option<&'a str>,
}

impl Operation<'_> {
    /// The query parameter `name`, letter case aside (VB for Azure spells them `Offset` on most
    /// lists and `offset` on a few; the builder's setters are snake case either way).
    pub fn query_param(&self, name: &str) -> Option<&Value> {
        self.query.iter().copied().find(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// The query parameter `name` is typed as an integer.
    pub fn integer_query(&self, name: &str) -> bool {
        self.query_param(name)
            .and_then(|p| p.get("schema"))
            .map(|s| crate::openapi::resolve(self.doc, s))
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("integer")
    }

    /// The query parameters' names, with whether each is required.
    pub fn query_names(&self) -> Vec<(&str, bool)> {
        self.query
            .iter()
            .filter_map(|p| {
                Some((
                    p.get("name").and_then(Value::as_str)?,
                    p.get("required").and_then(Value::as_bool) == Some(true),
                ))
            })
            .collect()
    }
}

/// A paged builder's `stream()`, as every convention writes it: its documentation (one
/// string per line), the signature (a stream of the page's items), and `body`.
pub fn stream_fn(
    doc: &[&str],
    page_ty: &TokenStream,
    generics_lt: &TokenStream,
    body: TokenStream,
) -> TokenStream {
    let doc = doc.iter().map(|line| format!(" {line}"));
    quote! {
        #(#[doc = #doc])*
        pub fn stream(self) -> impl ::veeam_runtime::Stream<
            Item = ::std::result::Result<
                <#page_ty as ::veeam_runtime::paging::Paged>::Item,
                ::veeam_runtime::Error,
            >,
        > #generics_lt {
            #body
        }
    }
}
