//! The shared half of the generated crates' JSON impls.
//!
//! The generator writes each struct's `Serialize` and `Deserialize` by hand instead of
//! deriving them: one `visit_map` with a `match` on the field's index, and one `if` per
//! optional field when serializing. serde's derive also writes a field enum, its visitor,
//! `visit_seq` and a wrapper type per `deserialize_with` field; in a crate of 450 structs
//! that was a third of the compile time, and JSON uses none of it. What every impl shares
//! lives here, written once.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap};
use serde::Deserialize;

/// A key's index among a struct's fields, from the struct's own `match` on the name (which
/// rustc compiles to the fastest comparisons for those names), or [`UNKNOWN`] for a key the
/// struct does not have (its value is then skipped). As a seed it reads one key.
#[derive(Clone, Copy)]
pub struct Fields<F>(pub F);

/// The index [`Fields`] gives a key the struct does not have.
pub const UNKNOWN: usize = usize::MAX;

impl<'de, F: Fn(&str) -> usize> DeserializeSeed<'de> for Fields<F> {
    type Value = usize;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, F: Fn(&str) -> usize> Visitor<'de> for Fields<F> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok((self.0)(key))
    }
    #[inline]
    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        Ok(std::str::from_utf8(key).map(&self.0).unwrap_or(UNKNOWN))
    }
}

/// A required field's value, or serde's "missing field" error.
pub fn required<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// Reads `null` as `T::default()`: optional lists, maps and flags sent as `null`.
pub struct NullAsDefault<T>(pub T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for NullAsDefault<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(NullAsDefault(
            Option::<T>::deserialize(deserializer)?.unwrap_or_default(),
        ))
    }
}

/// Reads the current value into a field. The generated `visit_map` calls one of these per
/// key and applies `?` once, after its `match`: a `?` per field was most of its compile time.
#[inline]
pub fn put<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, field: &mut T) -> Result<(), A::Error> {
    *field = map.next_value()?;
    Ok(())
}

/// [`put`] for a field that reads `null` as its default.
#[inline]
pub fn put_null_default<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(map: &mut A, field: &mut T) -> Result<(), A::Error> {
    *field = map.next_value::<NullAsDefault<T>>()?.0;
    Ok(())
}

/// Reads the current value into a slot, for structs with required fields (checked at the end).
#[inline]
pub fn set<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, slot: &mut Option<T>) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// [`set`] for a field that reads `null` as its default.
#[inline]
pub fn set_null_default<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(map: &mut A, slot: &mut Option<T>) -> Result<(), A::Error> {
    *slot = Some(map.next_value::<NullAsDefault<T>>()?.0);
    Ok(())
}

/// Skips the value of a key the struct does not have.
#[inline]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

/// A struct being written as a map: the generated `serialize` calls [`Entries::entry`] per
/// field, and the first error is returned by [`Entries::end`] (no `?` per field).
pub struct Entries<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> Entries<M> {
    #[inline]
    pub fn new(map: M) -> Self {
        Entries { map, error: None }
    }

    #[inline]
    pub fn entry<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            if let Err(e) = self.map.serialize_entry(key, value) {
                self.error = Some(e);
            }
        }
    }

    #[inline]
    pub fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(e) => Err(e),
            None => self.map.end(),
        }
    }
}

/// `expecting` for a generated struct visitor: `struct Name`, as serde's derive words it.
pub fn expecting(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write!(f, "struct {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the generator writes, by hand: one required field, one optional, one list that
    /// reads `null` as empty.
    #[derive(Debug, PartialEq)]
    struct Row {
        id: String,
        note: Option<String>,
        tags: Vec<String>,
    }

    impl<'de> Deserialize<'de> for Row {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Row;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    expecting(f, "Row")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
                    let mut f0: Option<String> = None;
                    let mut f1: Option<Option<String>> = None;
                    let mut f2: Option<Vec<String>> = None;
                    while let Some(key) = map.next_key_seed(Fields(field))? {
                        match key {
                            0 => set(&mut map, &mut f0),
                            1 => set(&mut map, &mut f1),
                            2 => set_null_default(&mut map, &mut f2),
                            _ => skip(&mut map),
                        }?;
                    }
                    Ok(Row {
                        id: required(f0, "id")?,
                        note: f1.unwrap_or_default(),
                        tags: f2.unwrap_or_default(),
                    })
                }
            }
            const FIELDS: &[&str] = &["id", "note", "tags"];
            fn field(key: &str) -> usize {
                match key {
                    "id" => 0,
                    "note" => 1,
                    "tags" => 2,
                    _ => UNKNOWN,
                }
            }
            deserializer.deserialize_struct("Row", FIELDS, V)
        }
    }

    #[test]
    fn fields_required_optional_and_null_lists() {
        let r: Row = serde_json::from_str(r#"{"tags":null,"id":"a","extra":{"x":[1]}}"#).unwrap();
        assert_eq!(
            r,
            Row {
                id: "a".into(),
                note: None,
                tags: vec![]
            }
        );
        let r: Row = serde_json::from_str(r#"{"id":"a","note":"n","tags":["t"]}"#).unwrap();
        assert_eq!(
            r,
            Row {
                id: "a".into(),
                note: Some("n".into()),
                tags: vec!["t".into()]
            }
        );
        // A key with an escape is not borrowed from the input; it must still match.
        let r: Row = serde_json::from_str(r#"{"i\u0064":"a"}"#).unwrap();
        assert_eq!(r.id, "a");
        // From a reader too (keys arrive as transient strings).
        let r: Row = serde_json::from_reader(&br#"{"id":"b"}"#[..]).unwrap();
        assert_eq!(r.id, "b");
    }

    #[test]
    fn errors_read_like_serde_derive() {
        let e = serde_json::from_str::<Row>(r#"{"note":"n"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("missing field `id`"), "{e}");
        let e = serde_json::from_str::<Row>(r#"[1]"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid type: sequence, expected struct Row"),
            "{e}"
        );
        let e = serde_json::from_str::<Row>(r#"{"id":3}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid type: integer `3`, expected a string"),
            "{e}"
        );
        let e = serde_json::from_str::<Row>(r#"{"id":"a","tags":3}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a sequence"), "{e}");
    }

    struct Fails;
    impl Serialize for Fails {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("this value cannot be written"))
        }
    }

    struct Out(Option<u8>, Fails, u8);
    impl Serialize for Out {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut e = Entries::new(serializer.serialize_map(None)?);
            if let Some(v) = &self.0 {
                e.entry("a", v);
            }
            e.entry("b", &self.1);
            e.entry("c", &self.2);
            e.end()
        }
    }

    #[test]
    fn entries_return_the_first_error() {
        let mut buf = Vec::new();
        let e = serde_json::to_writer(&mut buf, &Out(Some(1), Fails, 3)).unwrap_err();
        assert_eq!(e.to_string(), "this value cannot be written");
        // Nothing after the failing entry was written.
        assert!(!String::from_utf8_lossy(&buf).contains("\"c\""), "{}", String::from_utf8_lossy(&buf));
    }
}
