//! Hand-written serde impls in place of typify's `#[derive(Serialize, Deserialize)]`.
//!
//! serde's derive writes, per struct, a field enum and its visitor, `visit_seq`, `visit_map`
//! with duplicate-field checks, and a wrapper type for every `deserialize_with` field. For
//! vb365's 450 structs that was about a third of the crate's compile time (rustc's
//! self-profile: 18 s of typeck and borrowck in the derived `Deserialize` alone). JSON needs
//! much less: one `visit_map` matching the key's index, and one `serialize_entry` per
//! field. What the impls share lives in `veeam_runtime::json`.
//!
//! Only the serde attributes typify writes are understood (`rename`, `default`,
//! `skip_serializing_if`, `deserialize_with` of the two kinds the generator uses, and
//! `transparent` on a newtype); a struct with anything else keeps its derive, so this pass
//! can only make a struct cheaper, never change what it accepts.
//!
//! Differences from the derive, all invisible to JSON: a duplicate key keeps the last
//! value instead of failing, structs are not read from arrays, and they are written as maps.

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Fields, Item, ItemStruct, Meta, Token, Type};

use crate::glue::type_name;

/// How a field's value is read.
enum Read {
    Plain,
    /// `deserialize_with = "::veeam_runtime::lenient::null_as_default"`.
    NullAsDefault,
}

struct Field {
    ident: syn::Ident,
    ty: Type,
    wire: String,
    read: Read,
    /// Absent in the input is its default (`Option` fields, `#[serde(default)]`).
    optional: bool,
    skip: Option<syn::ExprPath>,
}

/// Rewrites every struct of `items` it can; returns how many.
pub(crate) fn compact(items: &mut Vec<Item>) -> Result<usize, String> {
    let mut out = Vec::with_capacity(items.len() * 2);
    let mut count = 0;
    for mut item in std::mem::take(items) {
        let extra = match &mut item {
            Item::Struct(s) => rewrite(s)?,
            _ => Vec::new(),
        };
        count += usize::from(!extra.is_empty());
        out.push(item);
        out.extend(extra);
    }
    *items = out;
    Ok(count)
}

/// The impls for one struct (and its attributes stripped), or nothing when it keeps the
/// derive.
fn rewrite(s: &mut ItemStruct) -> Result<Vec<Item>, String> {
    let (de, ser) = derived(s);
    if !(de || ser) || !s.generics.params.is_empty() {
        return Ok(Vec::new());
    }
    let Some(struct_metas) = serde_metas(&s.attrs) else {
        return Ok(Vec::new());
    };
    let transparent = match struct_metas.as_slice() {
        [] => false,
        [m] if m.path().is_ident("transparent") => true,
        _ => return Ok(Vec::new()),
    };
    let name = s.ident.clone();
    let name = &name;
    let impls = match (&s.fields, transparent) {
        (Fields::Unnamed(f), true) if f.unnamed.len() == 1 => newtype(name, de, ser),
        (Fields::Named(named), false) => {
            let mut fields = Vec::new();
            for f in &named.named {
                let Some(field) = field(f) else {
                    return Ok(Vec::new());
                };
                fields.push(field);
            }
            let mut impls = TokenStream::new();
            if de {
                impls.extend(deserialize(name, &fields, derives_default(s)));
            }
            if ser {
                impls.extend(serialize(name, &fields));
            }
            impls
        }
        _ => return Ok(Vec::new()),
    };
    strip(s);
    let file: syn::File = syn::parse2(impls).map_err(|e| format!("serde impls for {name}: {e}"))?;
    Ok(file.items)
}

/// Whether the struct derives serde's `Deserialize` and `Serialize`.
fn derived(s: &ItemStruct) -> (bool, bool) {
    let (mut de, mut ser) = (false, false);
    for attr in &s.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for p in &paths {
            match serde_derive(p) {
                Some("Deserialize") => de = true,
                Some("Serialize") => ser = true,
                _ => {}
            }
        }
    }
    (de, ser)
}

/// Whether the struct derives `Default` (typify does when every field has one).
fn derives_default(s: &ItemStruct) -> bool {
    s.attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .map(|paths| paths.iter().any(|p| p.is_ident("Default")))
            .unwrap_or(false)
    })
}

/// `Deserialize` for `::serde::Deserialize` or `serde::Deserialize`.
fn serde_derive(p: &syn::Path) -> Option<&'static str> {
    let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
    match segs.as_slice() {
        [s, d] if s == "serde" && d == "Deserialize" => Some("Deserialize"),
        [s, d] if s == "serde" && d == "Serialize" => Some("Serialize"),
        _ => None,
    }
}

/// The metas of every `#[serde(...)]` attribute; `None` when one does not parse.
fn serde_metas(attrs: &[syn::Attribute]) -> Option<Vec<Meta>> {
    let mut metas = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        metas.extend(
            attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()?,
        );
    }
    Some(metas)
}

fn string_value(m: &Meta) -> Option<String> {
    let Meta::NameValue(nv) = m else { return None };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(s),
        ..
    }) = &nv.value
    else {
        return None;
    };
    Some(s.value())
}

/// A field's serde behaviour, or `None` for an attribute this pass does not know.
fn field(f: &syn::Field) -> Option<Field> {
    let ident = f.ident.clone()?;
    let is_option = type_name(&f.ty).as_deref() == Some("Option");
    let mut field = Field {
        wire: ident.to_string().trim_start_matches("r#").to_string(),
        ident,
        ty: f.ty.clone(),
        read: Read::Plain,
        optional: is_option,
        skip: None,
    };
    for m in serde_metas(&f.attrs)? {
        if m.path().is_ident("rename") {
            field.wire = string_value(&m)?;
        } else if m.path().is_ident("skip_serializing_if") {
            field.skip = Some(syn::parse_str(&string_value(&m)?).ok()?);
        } else if matches!(&m, Meta::Path(p) if p.is_ident("default")) {
            field.optional = true;
        } else if m.path().is_ident("deserialize_with") {
            let with = string_value(&m)?.replace(' ', "");
            match with.as_str() {
                "::veeam_runtime::lenient::null_as_default" => field.read = Read::NullAsDefault,
                // typify's "required, but may be null": without `default` it must be present.
                "::std::option::Option::deserialize" if is_option => field.optional = false,
                _ => return None,
            }
        } else {
            return None;
        }
    }
    Some(field)
}

fn strip(s: &mut ItemStruct) {
    s.attrs.retain(|a| !a.path().is_ident("serde"));
    for attr in &mut s.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        else {
            continue;
        };
        let kept: Punctuated<syn::Path, Token![,]> = paths
            .into_iter()
            .filter(|p| serde_derive(p).is_none())
            .collect();
        *attr = syn::parse_quote!(#[derive(#kept)]);
    }
    s.attrs.retain(|a| {
        !a.path().is_ident("derive") || !matches!(&a.meta, Meta::List(l) if l.tokens.is_empty())
    });
    for f in s.fields.iter_mut() {
        f.attrs.retain(|a| !a.path().is_ident("serde"));
    }
}

fn newtype(name: &syn::Ident, de: bool, ser: bool) -> TokenStream {
    let mut out = TokenStream::new();
    if de {
        out.extend(quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    ::serde::Deserialize::deserialize(deserializer).map(Self)
                }
            }
        });
    }
    if ser {
        out.extend(quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    ::serde::Serialize::serialize(&self.0, serializer)
                }
            }
        });
    }
    out
}

/// `visit_map` fills the struct's `Default` in place when every field is optional, and
/// per-field slots checked at the end otherwise. Each key costs one call and no `?` (one
/// `?` after the `match`): `?` per field was most of the derive-free impl's compile time.
fn deserialize(name: &syn::Ident, fields: &[Field], has_default: bool) -> TokenStream {
    let name_str = name.to_string();
    let wires: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    let indexes = (0..fields.len()).map(proc_macro2::Literal::usize_unsuffixed);
    let in_place = has_default && fields.iter().all(|f| f.optional);
    let locals: Vec<_> = (0..fields.len()).map(|i| quote::format_ident!("f{i}")).collect();
    let arms = fields.iter().zip(&locals).enumerate().map(|(i, (f, l))| {
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        let ident = &f.ident;
        let call = match (in_place, &f.read) {
            (true, Read::Plain) => quote!(put(&mut map, &mut out.#ident)),
            (true, Read::NullAsDefault) => quote!(put_null_default(&mut map, &mut out.#ident)),
            (false, Read::Plain) => quote!(set(&mut map, &mut #l)),
            (false, Read::NullAsDefault) => quote!(set_null_default(&mut map, &mut #l)),
        };
        quote!(#i => ::veeam_runtime::json::#call,)
    });
    let (start, finish) = if in_place {
        (quote!(let mut out = <#name as ::std::default::Default>::default();), quote!(out))
    } else {
        let decls = fields.iter().zip(&locals).map(|(f, l)| {
            let ty = &f.ty;
            quote!(let mut #l: ::std::option::Option<#ty> = ::std::option::Option::None;)
        });
        let inits = fields.iter().zip(&locals).map(|(f, l)| {
            let ident = &f.ident;
            let wire = &f.wire;
            if f.optional {
                quote!(#ident: #l.unwrap_or_default(),)
            } else {
                quote!(#ident: ::veeam_runtime::json::required(#l, #wire)?,)
            }
        });
        (quote!(#(#decls)*), quote!(#name { #(#inits)* }))
    };
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    #[inline]
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        ::veeam_runtime::json::expecting(f, #name_str)
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#name, A::Error> {
                        #start
                        while let ::std::option::Option::Some(key) = map.next_key_seed(::veeam_runtime::json::Fields(field))? {
                            match key {
                                #(#arms)*
                                _ => ::veeam_runtime::json::skip(&mut map),
                            }?;
                        }
                        ::std::result::Result::Ok(#finish)
                    }
                }
                const FIELDS: &[&str] = &[#(#wires),*];
                #[inline]
                fn field(key: &str) -> usize {
                    match key {
                        #(#wires => #indexes,)*
                        _ => ::veeam_runtime::json::UNKNOWN,
                    }
                }
                deserializer.deserialize_struct(#name_str, FIELDS, Visitor)
            }
        }
    }
}

/// One `entry` per field (`if let Some` for optional ones), errors kept until `end`.
fn serialize(name: &syn::Ident, fields: &[Field]) -> TokenStream {
    let entries = fields.iter().map(|f| {
        let ident = &f.ident;
        let wire = &f.wire;
        match &f.skip {
            Some(skip) if quote!(#skip).to_string().replace(' ', "") == "::std::option::Option::is_none" => {
                quote!(if let ::std::option::Option::Some(value) = &self.#ident { e.entry(#wire, value); })
            }
            Some(skip) => quote!(if !#skip(&self.#ident) { e.entry(#wire, &self.#ident); }),
            None => quote!(e.entry(#wire, &self.#ident);),
        }
    });
    let mut_kw = if fields.is_empty() { quote!() } else { quote!(mut) };
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let #mut_kw e = ::veeam_runtime::json::Entries::new(serializer.serialize_map(::std::option::Option::None)?);
                #(#entries)*
                e.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(src).unwrap();
        let n = compact(&mut file.items).unwrap();
        (n, prettyplease::unparse(&file))
    }

    #[test]
    fn known_attributes_become_impls_and_the_derive_goes() {
        let (n, out) = run(r#"
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct A {
                #[serde(rename = "eTag", skip_serializing_if = "::std::option::Option::is_none")]
                pub e_tag: ::std::option::Option<i64>,
                #[serde(default, deserialize_with = "::veeam_runtime::lenient::null_as_default")]
                pub tags: ::std::vec::Vec<String>,
                pub r#type: String,
            }
        "#);
        assert_eq!(n, 1);
        assert!(out.contains("#[derive(Clone, Debug)]"), "{out}");
        assert!(!out.contains("#[serde"), "{out}");
        assert!(out.contains(r#"&["eTag", "tags", "type"]"#), "{out}");
        assert!(out.contains(r#"required(f2, "type")"#), "{out}");
        assert!(out.contains("set_null_default(&mut map, &mut f1)"), "{out}");
        assert!(out.contains("if let ::std::option::Option::Some(value) = &self.e_tag"), "{out}");
    }

    #[test]
    fn all_optional_structs_with_a_default_fill_it_in_place() {
        let (n, out) = run(r#"
            #[derive(::serde::Deserialize, Clone, Debug, Default)]
            pub struct A {
                pub a: ::std::option::Option<i64>,
                #[serde(default, deserialize_with = "::veeam_runtime::lenient::null_as_default")]
                pub tags: ::std::vec::Vec<String>,
            }
        "#);
        assert_eq!(n, 1);
        assert!(out.contains("let mut out = <A as ::std::default::Default>::default();"), "{out}");
        assert!(out.contains("put(&mut map, &mut out.a)"), "{out}");
        assert!(out.contains("put_null_default(") && out.contains("&mut out.tags"), "{out}");
    }

    #[test]
    fn anything_else_keeps_the_derive() {
        for src in [
            // An attribute this pass does not know, on a field or on the struct.
            "#[derive(::serde::Deserialize)] pub struct A { #[serde(flatten)] pub x: B }",
            "#[derive(::serde::Deserialize)] #[serde(deny_unknown_fields)] pub struct A { pub x: B }",
            "#[derive(::serde::Deserialize)] pub struct A { #[serde(deserialize_with = \"f\")] pub x: B }",
            // Shapes it does not write.
            "#[derive(::serde::Deserialize)] pub struct A(pub B, pub C);",
            "#[derive(::serde::Deserialize)] pub struct A<T> { pub x: T }",
            "#[derive(::serde::Deserialize)] pub enum A { X }",
        ] {
            let (n, out) = run(src);
            assert_eq!(n, 0, "{src}");
            assert!(out.contains("::serde::Deserialize"), "{out}");
        }
    }

    #[test]
    fn transparent_newtypes_delegate() {
        let (n, out) = run(
            "#[derive(::serde::Serialize, Clone)] #[serde(transparent)] pub struct A(pub String);",
        );
        assert_eq!(n, 1);
        assert!(
            out.contains("#[derive(Clone)]") && !out.contains("transparent"),
            "{out}"
        );
        assert!(
            out.contains("::serde::Serialize::serialize(&self.0, serializer)"),
            "{out}"
        );
        assert!(!out.contains("Deserialize"), "{out}");
    }
}
