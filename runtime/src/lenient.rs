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

/// A string enum whose unknown values decode into a variant that keeps them:
///
/// ```
/// veeam_runtime::string_enum! {
///     /// State of a restore session.
///     pub enum State { Working = "Working", Stopped = "Stopped", } unknown Unknown
/// }
/// let s: State = serde_json::from_str("\"Queued\"").unwrap();
/// assert_eq!(s, State::Unknown("Queued".into()));
/// assert_eq!(serde_json::to_string(&s).unwrap(), "\"Queued\"");
/// assert_eq!(State::from("Working"), State::Working);
/// ```
///
/// The generator rewrites every enum typify makes from a string `enum` into this.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        } unknown $unknown:ident
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this client does not know (a newer server), kept as sent.
            $unknown(::std::string::String),
        }
        impl $name {
            /// The value as it is on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }
            /// Whether the value is one the spec does not list.
            #[inline]
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::$unknown(_))
            }
        }
        impl ::std::convert::From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$unknown(other.to_owned()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for $name {
            #[inline]
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::$unknown(value),
                }
            }
        }
        impl ::std::convert::From<&::std::string::String> for $name {
            #[inline]
            fn from(value: &::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl ::std::convert::From<&$name> for $name {
            #[inline]
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl $crate::__serde::Serialize for $name {
            #[inline]
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::lenient::string_enum(d)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::string_enum! {
        pub enum Status { Running = "Running", Queued2 = "Queued 2", } unknown Unknown
    }

    #[test]
    fn known_unknown_and_round_trip() {
        let all: Vec<Status> =
            serde_json::from_str(r#"["Running","Queued 2","Paused",""]"#).unwrap();
        assert_eq!(
            all,
            [
                Status::Running,
                Status::Queued2,
                Status::Unknown("Paused".into()),
                Status::Unknown("".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"["Running","Queued 2","Paused",""]"#
        );
        assert!(all[2].is_unknown() && !all[0].is_unknown());
        assert_eq!(all[1].to_string(), "Queued 2");
        assert!(serde_json::from_str::<Status>("3").is_err());
    }

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
