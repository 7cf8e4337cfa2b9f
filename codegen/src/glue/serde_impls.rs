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

use std::fmt::Write as _;

use syn::punctuated::Punctuated;
use syn::{Fields, Item, ItemStruct, Meta, Token};

use crate::syntax::{inner_type, type_name};

/// How a field's value is read.
enum Read {
    Plain,
    /// `deserialize_with = "::veeam_runtime::lenient::null_as_default"`.
    NullAsDefault,
    /// A `DateTime<Utc>` or `Option` of one: `json::Time`, chrono's reading on a faster path.
    Time,
}

struct Field {
    /// As written in Rust (`r#type` for a raw identifier).
    ident: String,
    wire: String,
    read: Read,
    /// Absent in the input is its default (`Option` fields, `#[serde(default)]`).
    optional: bool,
    /// The `skip_serializing_if` path, as typify wrote it.
    skip: Option<String>,
}

enum Shape {
    /// `#[serde(transparent)]` on a one-field tuple struct.
    Newtype,
    Named {
        fields: Vec<Field>,
        has_default: bool,
    },
}

/// The serde impls of one struct, to be written out as text by [`write`]: they never go
/// through a syntax tree (quoting, parsing and printing 900 impls was a third of generation).
pub(crate) struct Impls {
    pub name: String,
    de: bool,
    ser: bool,
    shape: Shape,
}

/// Strips the serde derive and attributes from every struct of `items` it can write the
/// impls of, and returns those impls.
pub(crate) fn compact(items: &mut [Item]) -> Vec<Impls> {
    items
        .iter_mut()
        .filter_map(|item| match item {
            Item::Struct(s) => rewrite(s),
            _ => None,
        })
        .collect()
}

/// The impls for one struct (and its attributes stripped), or `None` when it keeps the
/// derive.
fn rewrite(s: &mut ItemStruct) -> Option<Impls> {
    let (de, ser) = derived(s);
    if !(de || ser) || !s.generics.params.is_empty() {
        return None;
    }
    let struct_metas = serde_metas(&s.attrs)?;
    let transparent = match struct_metas.as_slice() {
        [] => false,
        [m] if m.path().is_ident("transparent") => true,
        _ => return None,
    };
    let shape = match (&s.fields, transparent) {
        (Fields::Unnamed(f), true) if f.unnamed.len() == 1 => Shape::Newtype,
        (Fields::Named(named), false) => Shape::Named {
            fields: named.named.iter().map(field).collect::<Option<_>>()?,
            has_default: derives_default(s),
        },
        _ => return None,
    };
    let impls = Impls {
        name: s.ident.to_string(),
        de,
        ser,
        shape,
    };
    strip(s);
    Some(impls)
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
    s.attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
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
    let ident = f.ident.as_ref()?.to_string();
    let is_option = type_name(&f.ty).as_deref() == Some("Option");
    let mut field = Field {
        wire: ident.trim_start_matches("r#").to_string(),
        ident,
        read: Read::Plain,
        optional: is_option,
        skip: None,
    };
    for m in serde_metas(&f.attrs)? {
        if m.path().is_ident("rename") {
            field.wire = string_value(&m)?;
        } else if m.path().is_ident("skip_serializing_if") {
            let path = string_value(&m)?;
            syn::parse_str::<syn::ExprPath>(&path).ok()?;
            field.skip = Some(path.replace(' ', ""));
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
    if matches!(field.read, Read::Plain) && is_timestamp(&f.ty) {
        field.read = Read::Time;
    }
    Some(field)
}

/// `::chrono::DateTime<::chrono::offset::Utc>`, as typify writes it, or an `Option` of it.
fn is_timestamp(ty: &syn::Type) -> bool {
    let ty = match type_name(ty).as_deref() {
        Some("Option") => match inner_type(ty) {
            Some(inner) => inner,
            None => return false,
        },
        _ => ty,
    };
    let syn::Type::Path(p) = ty else { return false };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    names == ["chrono", "DateTime"] && inner_type(ty).and_then(type_name).as_deref() == Some("Utc")
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

/// Writes the impls, each under `cfg` (an attribute line, or empty), at the top level of a
/// module file. `json` is `::veeam_runtime::json`, imported where it is used.
pub(crate) fn write(out: &mut String, impls: &Impls, cfg: &str) {
    let name = &impls.name;
    let head = |out: &mut String, what: &str| {
        out.push_str(cfg);
        out.push_str(what);
    };
    match &impls.shape {
        Shape::Newtype => {
            if impls.de {
                head(
                    out,
                    &format!("impl<'de> ::serde::Deserialize<'de> for {name} {{\n"),
                );
                out.push_str(DESERIALIZE_SIGNATURE);
                out.push_str(
                    "        ::serde::Deserialize::deserialize(deserializer).map(Self)\n    }\n}\n",
                );
            }
            if impls.ser {
                head(out, &format!("impl ::serde::Serialize for {name} {{\n"));
                out.push_str(SERIALIZE_SIGNATURE);
                out.push_str(
                    "        ::serde::Serialize::serialize(&self.0, serializer)\n    }\n}\n",
                );
            }
        }
        Shape::Named {
            fields,
            has_default,
        } => {
            if impls.de {
                head(
                    out,
                    &format!("impl<'de> ::serde::Deserialize<'de> for {name} {{\n"),
                );
                deserialize(out, name, fields, *has_default);
            }
            if impls.ser {
                head(out, &format!("impl ::serde::Serialize for {name} {{\n"));
                serialize(out, fields);
            }
        }
    }
}

const DESERIALIZE_SIGNATURE: &str = "    fn deserialize<D: ::serde::Deserializer<'de>>(\n        deserializer: D,\n    ) -> ::std::result::Result<Self, D::Error> {\n";
const SERIALIZE_SIGNATURE: &str = "    fn serialize<S: ::serde::Serializer>(\n        &self,\n        serializer: S,\n    ) -> ::std::result::Result<S::Ok, S::Error> {\n";

/// A Rust string literal for `s`.
fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// `visit_map` fills the struct's `Default` in place when every field is optional, and
/// per-field slots checked at the end otherwise (their types inferred from the struct). Each
/// key costs one call and no `?` (one `?` after the `match`): `?` per field was most of the
/// derive-free impl's compile time.
fn deserialize(out: &mut String, name: &str, fields: &[Field], has_default: bool) {
    let in_place = has_default && !fields.is_empty() && fields.iter().all(|f| f.optional);
    let name_lit = literal(name);
    out.push_str(DESERIALIZE_SIGNATURE);
    let _ = write!(
        out,
        "        use ::veeam_runtime::json;
        struct __Visitor;
        impl<'de> ::serde::de::Visitor<'de> for __Visitor {{
            type Value = {name};
            #[inline]
            fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
                json::expecting(f, {name_lit})
            }}
            fn visit_map<A: ::serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> ::std::result::Result<{name}, A::Error> {{
"
    );
    if in_place {
        let _ = writeln!(
            out,
            "                let mut out = <{name} as ::std::default::Default>::default();"
        );
    } else {
        for i in 0..fields.len() {
            let _ = writeln!(
                out,
                "                let mut f{i} = ::std::option::Option::None;"
            );
        }
    }
    out.push_str(
        "                while let ::std::option::Option::Some(key) = map.next_key_seed(json::Fields(field))? {
                    match key {
",
    );
    for (i, f) in fields.iter().enumerate() {
        let call = match (in_place, &f.read) {
            (true, Read::Plain) => format!("put(&mut map, &mut out.{})", f.ident),
            (true, Read::NullAsDefault) => {
                format!("put_null_default(&mut map, &mut out.{})", f.ident)
            }
            (false, Read::Plain) => format!("set(&mut map, &mut f{i})"),
            (false, Read::NullAsDefault) => format!("set_null_default(&mut map, &mut f{i})"),
            (true, Read::Time) => format!("put_time(&mut map, &mut out.{})", f.ident),
            (false, Read::Time) => format!("set_time(&mut map, &mut f{i})"),
        };
        let _ = writeln!(out, "                        {i} => json::{call},");
    }
    out.push_str(
        "                        _ => json::skip(&mut map),
                    }?;
                }
",
    );
    if in_place {
        out.push_str("                ::std::result::Result::Ok(out)\n");
    } else {
        let _ = writeln!(out, "                ::std::result::Result::Ok({name} {{");
        for (i, f) in fields.iter().enumerate() {
            if f.optional {
                let _ = writeln!(
                    out,
                    "                    {}: f{i}.unwrap_or_default(),",
                    f.ident
                );
            } else {
                let _ = writeln!(
                    out,
                    "                    {}: json::required(f{i}, {})?,",
                    f.ident,
                    literal(&f.wire)
                );
            }
        }
        out.push_str("                })\n");
    }
    out.push_str("            }\n        }\n        const FIELDS: &[&str] = &[");
    for (i, f) in fields.iter().enumerate() {
        let _ = write!(
            out,
            "{}{}",
            if i == 0 { "" } else { ", " },
            literal(&f.wire)
        );
    }
    out.push_str(
        "];\n        #[inline]\n        fn field(key: &str) -> usize {\n            match key {\n",
    );
    for (i, f) in fields.iter().enumerate() {
        let _ = writeln!(out, "                {} => {i},", literal(&f.wire));
    }
    let _ = write!(
        out,
        "                _ => json::UNKNOWN,
            }}
        }}
        deserializer.deserialize_struct({name_lit}, FIELDS, __Visitor)
    }}
}}
"
    );
}

/// One `entry` per field (`if let Some` for optional ones), errors kept until `end`.
fn serialize(out: &mut String, fields: &[Field]) {
    out.push_str(SERIALIZE_SIGNATURE);
    let _ = writeln!(
        out,
        "        let {}e = ::veeam_runtime::json::Entries::new(serializer.serialize_map(::std::option::Option::None)?);",
        if fields.is_empty() { "" } else { "mut " }
    );
    for f in fields {
        let (ident, wire) = (&f.ident, literal(&f.wire));
        match f.skip.as_deref() {
            Some("::std::option::Option::is_none") => {
                let _ = writeln!(out, "        if let ::std::option::Option::Some(value) = &self.{ident} {{\n            e.entry({wire}, value);\n        }}");
            }
            Some(skip) => {
                let _ = writeln!(out, "        if !{skip}(&self.{ident}) {{\n            e.entry({wire}, &self.{ident});\n        }}");
            }
            None => {
                let _ = writeln!(out, "        e.entry({wire}, &self.{ident});");
            }
        }
    }
    out.push_str("        e.end()\n    }\n}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The struct without its serde attributes, then its impls; the whole must be Rust.
    fn run(src: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(src).unwrap();
        let impls = compact(&mut file.items);
        let mut out = prettyplease::unparse(&file);
        for i in &impls {
            write(&mut out, i, "#[cfg(feature = \"x\")]\n");
        }
        if let Err(e) = syn::parse_file(&out) {
            panic!("{e}:\n{out}");
        }
        (impls.len(), out)
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
        assert!(
            out.contains("if let ::std::option::Option::Some(value) = &self.e_tag"),
            "{out}"
        );
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
        assert!(
            out.contains("let mut out = <A as ::std::default::Default>::default();"),
            "{out}"
        );
        assert!(out.contains("put(&mut map, &mut out.a)"), "{out}");
        assert!(
            out.contains("put_null_default(") && out.contains("&mut out.tags"),
            "{out}"
        );
    }

    #[test]
    fn utc_timestamps_take_the_time_reader() {
        let (_, out) = run(r#"
            #[derive(::serde::Deserialize, Clone, Debug)]
            pub struct A {
                pub at: ::chrono::DateTime<::chrono::offset::Utc>,
                pub until: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                pub local: ::chrono::DateTime<::chrono::offset::FixedOffset>,
                pub all: ::std::vec::Vec<::chrono::DateTime<::chrono::offset::Utc>>,
                pub date: ::std::option::Option<::chrono::naive::NaiveDate>,
            }
        "#);
        assert!(
            out.contains("0 => json::set_time(&mut map, &mut f0)"),
            "{out}"
        );
        assert!(
            out.contains("1 => json::set_time(&mut map, &mut f1)"),
            "{out}"
        );
        for i in 2..5 {
            assert!(
                out.contains(&format!("{i} => json::set(&mut map, &mut f{i})")),
                "{out}"
            );
        }
        let (_, out) = run(r#"
            #[derive(::serde::Deserialize, Clone, Debug, Default)]
            pub struct B {
                pub until: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
            }
        "#);
        assert!(out.contains("put_time(&mut map, &mut out.until)"), "{out}");
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
