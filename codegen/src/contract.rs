//! What the glue assumes about progenitor's and typify's output, checked on a document that
//! exercises each assumption. progenitor is pinned exactly (`=0.15.1`); on an upgrade,
//! `tests/tests/contract.rs` runs [`violations`] and names each assumption that no longer
//! holds, instead of leaving a maintainer to read a thousand compile errors.

use serde_json::json;
use syn::{Item, Type};

/// A document with a paged list (a page type with a `results` list), a JSON body with a
/// builder, a form body, a file download, an operation without a body, a string enum, a
/// parameter named `client`, and schema and parameter names that need sanitizing.
fn document() -> serde_json::Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "contract", "version": "1"},
        "paths": {
            "/items": {"get": {"operationId": "Item_GetPage", "parameters": [
                {"name": "offset", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                {"name": "client", "in": "query", "schema": {"type": "string"}},
                {"name": "Set-Id", "in": "query", "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PageOfREST.Item"}}}}}},
                "post": {"operationId": "Item_Create", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PageOfREST.Item"}}}},
                "responses": {"204": {"description": "No Content"}}}},
            "/items/{id}/export": {"post": {"operationId": "Item_Export",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"format": {"type": "string"}}}}}},
                "responses": {"200": {"description": "OK", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}}
        },
        "components": {"schemas": {
            "PageOfREST.Item": {"type": "object", "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                "setId": {"type": "string", "format": "uuid"}}},
            "Item": {"type": "object", "required": ["state"], "properties": {"state": {"$ref": "#/components/schemas/item_state"}}},
            "item_state": {"type": "string", "enum": ["Working", "Stopped"]}
        }}
    })
}

/// Each assumption that does not hold, as a sentence saying what the glue expects.
pub fn violations() -> Vec<String> {
    let mut out = Vec::new();
    let api: openapiv3::OpenAPI = match serde_json::from_value(document()) {
        Ok(api) => api,
        Err(e) => {
            return vec![format!(
                "the contract document no longer reads as OpenAPI: {e}"
            )]
        }
    };
    let (tokens, _) = match crate::code::progenitor_tokens(&api) {
        Ok(t) => t,
        Err(e) => return vec![format!("progenitor refuses the contract document: {e}")],
    };
    let (rest, types) = crate::tokens::take_module(tokens, "types");
    let (rest, builder) = crate::tokens::take_module(rest.into_iter().collect(), "builder");
    let (Some(types), Some(builder)) = (types, builder) else {
        return vec!["progenitor no longer writes `pub mod types { .. }` and `pub mod builder { .. }` (tokens::take_module)".into()];
    };
    let parse = |t: proc_macro2::TokenStream| syn::parse2::<syn::File>(t).map(|f| f.items);
    let (Ok(types), Ok(builder), Ok(root)) = (
        parse(types),
        parse(builder),
        parse(rest.into_iter().collect()),
    ) else {
        return vec!["progenitor's modules no longer parse as Rust".into()];
    };
    let mut check = |ok: bool, what: &str| {
        if !ok {
            out.push(what.to_string());
        }
    };
    // typify's names, as the glue predicts them (names::type_name, rust_ident).
    let structs: Vec<String> = types
        .iter()
        .filter_map(|i| {
            if let Item::Struct(s) = i {
                Some(s.ident.to_string())
            } else {
                None
            }
        })
        .collect();
    for schema in ["PageOfREST.Item", "Item"] {
        let name = crate::names::type_name(schema);
        check(
            structs.contains(&name),
            &format!(
                "typify names schema {schema:?} `{name}` (names::type_name); it wrote {structs:?}"
            ),
        );
    }
    let enum_name = crate::names::type_name("item_state");
    check(
        types.iter().any(|i| matches!(i, Item::Enum(e) if e.ident == enum_name && e.attrs.iter().any(|a| a.path().is_ident("derive")))),
        &format!("typify writes string enums as plain enums named like `{enum_name}` with derived serde (glue::lenient_enums)"),
    );
    // The builders.
    let sends: Vec<&syn::ImplItemFn> = builder
        .iter()
        .filter_map(|i| {
            if let Item::Impl(imp) = i {
                Some(imp)
            } else {
                None
            }
        })
        .flat_map(|imp| imp.items.iter())
        .filter_map(|m| {
            if let syn::ImplItem::Fn(f) = m {
                Some(f)
            } else {
                None
            }
        })
        .filter(|f| f.sig.ident == "send" && f.sig.asyncness.is_some())
        .collect();
    check(
        sends.len() == 3,
        &format!(
            "every builder has one `pub async fn send(self)` (glue::send_index); found {}",
            sends.len()
        ),
    );
    for send in &sends {
        let ids: Vec<String> = send
            .block
            .stmts
            .iter()
            .filter_map(crate::glue::operation_info)
            .collect();
        check(
            ids.len() == 1,
            "send() has `let info = OperationInfo { operation_id: \"..\" }` (glue::operation_info)",
        );
        check(
            crate::glue::client_field(&send.block.stmts).is_some(),
            "send() starts with `let Self { client, .. } = self;` (glue::client_field)",
        );
        check(
            crate::glue::ok_type(&send.sig.output).is_some(),
            "send() returns `Result<ResponseValue<T>, Error<E>>` (glue::ok_type)",
        );
    }
    let ok_types: Vec<String> = sends
        .iter()
        .filter_map(|s| crate::glue::ok_type(&s.sig.output))
        .map(|t| quote::quote!(#t).to_string())
        .collect();
    check(
        ok_types.iter().any(|t| t.ends_with("ByteStream")),
        &format!("a binary body is `ByteStream` (glue: downloads); send() types are {ok_types:?}"),
    );
    check(
        ok_types.iter().any(|t| t == "()"),
        &format!("no body is `()` (glue: ops::empty); send() types are {ok_types:?}"),
    );
    let setters: Vec<String> = builder
        .iter()
        .filter_map(|i| {
            if let Item::Impl(imp) = i {
                Some(imp)
            } else {
                None
            }
        })
        .flat_map(|imp| imp.items.iter())
        .filter_map(|m| {
            if let syn::ImplItem::Fn(f) = m {
                Some(f.sig.ident.to_string())
            } else {
                None
            }
        })
        .collect();
    for param in ["offset", "limit", "Set-Id"] {
        let setter = crate::names::ident(param);
        check(setters.contains(&setter), &format!("parameter {param:?} has the setter `{setter}` (names::ident; the glue's stream() calls it)"));
    }
    check(
        builder.iter().any(|i| matches!(i, Item::Struct(s) if s.fields.iter().any(|f| f.ident.as_ref().is_some_and(|n| n == "_client")))),
        "a parameter named `client` renames the builder's client field `_client` (glue::client_field reads whichever it is)",
    );
    check(
        builder.iter().any(|i| matches!(i, Item::Struct(s) if s.fields.iter().any(|f| matches!(&f.ty, Type::Path(p) if quote::quote!(#p).to_string().contains("types :: builder ::"))))),
        "a JSON body with a typify builder is held as `Result<types::builder::X, String>` (tokens::type_builders_in_fields)",
    );
    // The client.
    let client_impl = root.iter().any(|i| {
        matches!(i, Item::Impl(imp) if imp.items.iter().any(|m| matches!(m, syn::ImplItem::Fn(f) if f.sig.ident == "new_with_client")))
    });
    check(
        client_impl,
        "`Client::new_with_client(baseurl, reqwest_client, inner)` exists (glue: FromParts)",
    );
    out
}
