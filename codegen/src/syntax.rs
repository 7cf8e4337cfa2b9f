//! Small questions about syn's syntax trees that the glue, the serde impls and the features
//! all ask: the name of a type, the `T` inside `Vec<T>`, items parsed from tokens.

use proc_macro2::TokenStream;
use syn::{GenericArgument, Item, PathArguments, Type};

pub fn parse_items(tokens: TokenStream) -> Result<Vec<Item>, String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    Ok(file.items)
}

/// The last path segment's name of a type: `Option` for `::std::option::Option<T>`.
pub fn type_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

/// The `T` of `Vec<T>` or `Option<T>`.
pub fn inner_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}
