//! Forward-compatible decoding, used by the generated types.
//!
//! Servers send enum values our spec does not list (a newer server; `Queued` for a job
//! status) and `null` in fields the spec does not mark nullable. Neither fails a response:
//! every generated string enum has an `Unknown(String)` variant that keeps the value and
//! serializes it back unchanged, and optional fields treat `null` as absent.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// `null` (or absent) decodes as the type's default: for optional lists, maps and flags.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Deserializes a string enum through `From<&str>`, which maps unknown values to the
/// enum's `Unknown` variant. Borrows the string when the format allows.
pub fn string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct V<T>(PhantomData<T>);
    impl<T: for<'a> From<&'a str>> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
    deserializer.deserialize_str(V(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(default, deserialize_with = "null_as_default")]
        tags: Vec<String>,
    }

    #[test]
    fn null_absent_and_present() {
        let r: Row = serde_json::from_str(r#"{"tags":null}"#).unwrap();
        assert!(r.tags.is_empty());
        let r: Row = serde_json::from_str(r#"{}"#).unwrap();
        assert!(r.tags.is_empty());
        let r: Row = serde_json::from_str(r#"{"tags":["a"]}"#).unwrap();
        assert_eq!(r.tags, ["a"]);
        assert!(serde_json::from_str::<Row>(r#"{"tags":3}"#).is_err());
    }
}
