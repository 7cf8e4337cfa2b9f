//! Any value of the profile types (`veeam_profile`) as the Rust expression that builds it, so
//! a generated crate holds its profile as constants of the very types the runtime reads. It
//! is a serde serializer: a field added to a profile type is written with no edit here.

use std::fmt;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde::ser::{self, Serialize};

/// Where the runtime exposes the login's profile types, by name (a paging convention names
/// its own type's path: `paths` of [`expression`]).
const PATHS: &[(&str, &str)] = &[
    ("ApiProfile", "::veeam_runtime::ApiProfile"),
    ("Endpoint", "::veeam_runtime::auth::Endpoint"),
];

/// `value` as a Rust expression. Parts of it equal to one of `named` (a constant the crate
/// defines, with its own expression) are written as that constant's name. `paths`: where the
/// runtime exposes profile types beyond the login's, by name.
pub fn expression<T: Serialize>(
    value: &T,
    named: &[(&str, &TokenStream)],
    paths: &[(&str, &str)],
) -> Result<TokenStream, String> {
    let named: Vec<(String, String)> = named
        .iter()
        .map(|(name, tokens)| (name.to_string(), tokens.to_string()))
        .collect();
    value
        .serialize(Writer {
            named: &named,
            paths,
        })
        .map_err(|e| e.0)
}

#[derive(Debug)]
pub struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

#[derive(Clone, Copy)]
struct Writer<'a> {
    named: &'a [(String, String)],
    paths: &'a [(&'a str, &'a str)],
}

impl Writer<'_> {
    /// A constant's name where `tokens` is its expression.
    fn name_of(&self, tokens: TokenStream) -> TokenStream {
        let text = tokens.to_string();
        match self.named.iter().find(|(_, t)| *t == text) {
            Some((name, _)) => {
                let name = format_ident!("{name}");
                quote!(#name)
            }
            None => tokens,
        }
    }
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(format!(
        "a profile value of kind {what} has no Rust literal"
    )))
}

/// The elements of a sequence or tuple, gathered.
struct Parts<'a> {
    writer: Writer<'a>,
    items: Vec<TokenStream>,
    tuple: bool,
}

impl Parts<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.items.push(value.serialize(self.writer)?);
        Ok(())
    }

    fn finish(self) -> TokenStream {
        let items = self.items;
        if self.tuple {
            quote!((#(#items),*))
        } else {
            quote!(&[#(#items),*])
        }
    }
}

impl ser::SerializeSeq for Parts<'_> {
    type Ok = TokenStream;
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.push(value)
    }
    fn end(self) -> Result<TokenStream, Unsupported> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for Parts<'_> {
    type Ok = TokenStream;
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.push(value)
    }
    fn end(self) -> Result<TokenStream, Unsupported> {
        Ok(self.finish())
    }
}

/// A struct's fields, gathered; a field serde skips (`skip_serializing_if`) is `None`, as a
/// struct expression needs every field.
struct Fields<'a> {
    writer: Writer<'a>,
    path: TokenStream,
    fields: Vec<TokenStream>,
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = TokenStream;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        let key = format_ident!("{key}");
        let value = value.serialize(self.writer)?;
        self.fields.push(quote!(#key: #value));
        Ok(())
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), Unsupported> {
        let key = format_ident!("{key}");
        self.fields.push(quote!(#key: ::std::option::Option::None));
        Ok(())
    }
    fn end(self) -> Result<TokenStream, Unsupported> {
        let (path, fields) = (self.path, self.fields);
        Ok(self.writer.name_of(quote!(#path { #(#fields),* })))
    }
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = TokenStream;
    type Error = Unsupported;
    type SerializeSeq = Parts<'a>;
    type SerializeTuple = Parts<'a>;
    type SerializeTupleStruct = ser::Impossible<TokenStream, Unsupported>;
    type SerializeTupleVariant = ser::Impossible<TokenStream, Unsupported>;
    type SerializeMap = ser::Impossible<TokenStream, Unsupported>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = ser::Impossible<TokenStream, Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<TokenStream, Unsupported> {
        Ok(quote!(#v))
    }
    fn serialize_i8(self, v: i8) -> Result<TokenStream, Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<TokenStream, Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<TokenStream, Unsupported> {
        let v = Literal::i32_suffixed(v);
        Ok(quote!(#v))
    }
    fn serialize_i64(self, v: i64) -> Result<TokenStream, Unsupported> {
        let v = Literal::i64_suffixed(v);
        Ok(quote!(#v))
    }
    fn serialize_u8(self, v: u8) -> Result<TokenStream, Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<TokenStream, Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<TokenStream, Unsupported> {
        let v = Literal::u32_suffixed(v);
        Ok(quote!(#v))
    }
    fn serialize_u64(self, v: u64) -> Result<TokenStream, Unsupported> {
        let v = Literal::u64_suffixed(v);
        Ok(quote!(#v))
    }
    fn serialize_f32(self, _: f32) -> Result<TokenStream, Unsupported> {
        unsupported("f32")
    }
    fn serialize_f64(self, _: f64) -> Result<TokenStream, Unsupported> {
        unsupported("f64")
    }
    fn serialize_char(self, v: char) -> Result<TokenStream, Unsupported> {
        Ok(quote!(#v))
    }
    fn serialize_str(self, v: &str) -> Result<TokenStream, Unsupported> {
        Ok(quote!(#v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<TokenStream, Unsupported> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<TokenStream, Unsupported> {
        Ok(quote!(::std::option::Option::None))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<TokenStream, Unsupported> {
        let value = value.serialize(self)?;
        Ok(quote!(::std::option::Option::Some(#value)))
    }
    fn serialize_unit(self) -> Result<TokenStream, Unsupported> {
        Ok(quote!(()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<TokenStream, Unsupported> {
        unsupported("unit struct")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<TokenStream, Unsupported> {
        unsupported("enum")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<TokenStream, Unsupported> {
        unsupported("newtype struct")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<TokenStream, Unsupported> {
        unsupported("enum")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Parts<'a>, Unsupported> {
        Ok(Parts {
            writer: self,
            items: Vec::new(),
            tuple: false,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Parts<'a>, Unsupported> {
        Ok(Parts {
            writer: self,
            items: Vec::new(),
            tuple: true,
        })
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        unsupported("tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported("enum")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        unsupported("map")
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'a>, Unsupported> {
        let Some((_, path)) = PATHS.iter().chain(self.paths).find(|(n, _)| *n == name) else {
            return unsupported(&format!(
                "struct {name} (say where the runtime exposes it: `paths`)"
            ));
        };
        let path: TokenStream = path
            .parse()
            .map_err(|e| Unsupported(format!("{path}: {e}")))?;
        Ok(Fields {
            writer: self,
            path,
            fields: Vec::new(),
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported("enum")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use veeam_profile::{ApiProfile, Endpoint, PagingProfile};

    #[test]
    fn a_profile_is_the_expression_that_builds_it() {
        let paging = PagingProfile {
            offset_param: "skip",
            limit_param: "take",
            items: "data",
            offset_field: None,
            limit_field: Some("take"),
            total_field: None,
            next_link: None,
            set_id: None,
            default_limit: 500,
            max_limit: Some(1000),
        };
        let api = ApiProfile {
            token_path: Some("/t"),
            logout: Some(Endpoint {
                method: "DELETE",
                path: "/t",
            }),
            login_extra: &[("scope", "x")],
            password_grant: "password",
            refresh_grant: "refresh_token",
            paging: Some(paging),
        };
        let paths = [("PagingProfile", "::veeam_runtime::paging::PagingProfile")];
        let paging_tokens = expression(&paging, &[], &paths).unwrap();
        let text = paging_tokens.to_string();
        assert!(
            text.starts_with(":: veeam_runtime :: paging :: PagingProfile {"),
            "{text}"
        );
        assert!(
            text.contains("offset_field : :: std :: option :: Option :: None"),
            "{text}"
        );
        assert!(text.contains("default_limit : 500i64"), "{text}");
        assert!(
            text.contains("max_limit : :: std :: option :: Option :: Some (1000i64)"),
            "{text}"
        );
        let text = expression(&api, &[("PAGING", &paging_tokens)], &paths)
            .unwrap()
            .to_string();
        assert!(
            text.contains("login_extra : & [(\"scope\" , \"x\")]"),
            "{text}"
        );
        assert!(
            text.contains("paging : :: std :: option :: Option :: Some (PAGING)"),
            "{text}"
        );
        assert!(
            text.contains(":: veeam_runtime :: auth :: Endpoint { method : \"DELETE\""),
            "{text}"
        );
    }
}
