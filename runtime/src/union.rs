//! Polymorphic types: a base schema and its subtypes, told apart by a discriminator property.
//!
//! Veeam's larger APIs describe .NET class hierarchies: a `Job` is a backup job, a copy job,
//! ... and the JSON says which in a property such as `type`. The generator makes each such
//! base a [`tagged_union!`](crate::tagged_union): one variant per subtype, holding the
//! subtype with every field it has (its own and the base's), and an `Unknown` variant for a
//! kind this crate does not know (a newer server's), which keeps the base's fields and the
//! JSON as received and sends that JSON back unchanged. Decoding never loses a field the spec describes, and never fails
//! a page over a new kind.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Reads a union's JSON: the object and its discriminator value, if it has one.
#[doc(hidden)]
pub fn read<'de, D: Deserializer<'de>>(
    deserializer: D,
    union: &str,
    property: &str,
) -> Result<(Value, Option<String>), D::Error> {
    let raw = Value::deserialize(deserializer)?;
    if !raw.is_object() {
        return Err(D::Error::custom(format!(
            "expected a JSON object for {union}, found {}",
            kind(&raw)
        )));
    }
    let tag = raw.get(property).and_then(Value::as_str).map(str::to_owned);
    Ok((raw, tag))
}

/// Decodes a kind from the union's JSON (`known`: a variant's type; else the base's fields
/// of a kind this crate does not know, the JSON left whole); an error names the union and
/// the kind.
#[doc(hidden)]
pub fn decode<T: DeserializeOwned, E: serde::de::Error>(
    raw: &Value,
    union: &str,
    tag: Option<&str>,
    known: bool,
) -> Result<T, E> {
    T::deserialize(raw).map_err(|e| match (tag, known) {
        (Some(tag), true) => E::custom(format!("{union} of kind {tag:?}: {e}")),
        (Some(tag), false) => E::custom(format!("{union} of unknown kind {tag:?}: {e}")),
        (None, _) => E::custom(format!("{union} without its kind: {e}")),
    })
}

/// Writes a known variant: its fields, with the discriminator set to `tag` when the value
/// leaves it unset (a variant built in code), so the server can tell the kind.
#[doc(hidden)]
pub fn write<T: Serialize, S: Serializer>(
    value: &T,
    property: &str,
    tag: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    if let Value::Object(map) = &mut json {
        if map.get(property).is_none_or(Value::is_null) {
            map.insert(property.to_owned(), Value::String(tag.to_owned()));
        }
    }
    json.serialize(serializer)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A base type and its subtypes, told apart by a discriminator property:
///
/// ```
/// #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
/// pub struct JobBase { pub name: Option<String>, #[serde(rename = "type")] pub kind: Option<String> }
/// #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
/// pub struct BackupJob {
///     pub name: Option<String>,
///     #[serde(rename = "type")] pub kind: Option<String>,
///     pub repository: Option<String>,
/// }
/// veeam_runtime::tagged_union! {
///     /// A job of any kind.
///     pub enum Job by "type" {
///         /// A backup job.
///         BackupJob(BackupJob) = "Backup",
///     } unknown Unknown(JobBase)
/// }
/// let job: Job = serde_json::from_str(r#"{"type": "Backup", "name": "n", "repository": "r"}"#).unwrap();
/// let Job::BackupJob(backup) = &job else { panic!() };
/// assert_eq!(backup.repository.as_deref(), Some("r"));
///
/// // A kind this crate does not know keeps the base's fields and the JSON as received.
/// let text = r#"{"type":"Replica","name":"n","target":"t"}"#;
/// let job: Job = serde_json::from_str(text).unwrap();
/// assert!(job.is_unknown());
/// let Job::Unknown { base, .. } = &job else { panic!() };
/// assert_eq!(base.kind.as_deref(), Some("Replica"));
/// assert_eq!(base.name.as_deref(), Some("n"));
/// assert_eq!(serde_json::to_string(&job).unwrap(), text);
///
/// // A variant built in code is sent with its kind.
/// let built = Job::from(BackupJob { name: None, kind: None, repository: None });
/// assert!(serde_json::to_string(&built).unwrap().contains(r#""type":"Backup""#));
/// ```
///
/// Several values may name one variant (`= "A" | "B"`): a subtype's own subtypes, when the
/// variant is itself a union. The first is the one written for a value built in code.
#[macro_export]
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident by $property:literal {
            $($(#[$vmeta:meta])* $variant:ident($ty:ty) = $tag:literal $(| $more:literal)*,)*
        } unknown $unknown:ident($base:ty)
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        $vis enum $name {
            $($(#[$vmeta])* $variant(::std::boxed::Box<$ty>),)*
            /// A kind this client does not know (a newer server's): the fields every kind
            /// has, and the JSON as received, which is what is sent back.
            $unknown {
                base: ::std::boxed::Box<$base>,
                raw: $crate::__serde_json::Value,
            },
        }
        impl $name {
            /// Whether this is a kind the spec does not list.
            #[inline]
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::$unknown { .. })
            }
        }
        $(
            impl ::std::convert::From<$ty> for $name {
                #[inline]
                fn from(value: $ty) -> Self {
                    Self::$variant(::std::boxed::Box::new(value))
                }
            }
        )*
        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(value) => $crate::union::write(value.as_ref(), $property, $tag, s),)*
                    Self::$unknown { raw, .. } => $crate::__serde::Serialize::serialize(raw, s),
                }
            }
        }
        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let (raw, tag) = $crate::union::read(d, stringify!($name), $property)?;
                let tag = tag.as_deref();
                ::std::result::Result::Ok(match tag {
                    $(::std::option::Option::Some($tag $(| $more)*) => Self::$variant(
                        ::std::boxed::Box::new($crate::union::decode(&raw, stringify!($name), tag, true)?),
                    ),)*
                    _ => Self::$unknown {
                        base: ::std::boxed::Box::new($crate::union::decode(&raw, stringify!($name), tag, false)?),
                        raw,
                    },
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
    struct Base {
        #[serde(rename = "kind")]
        kind: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    }
    #[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
    struct Disk {
        kind: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        size: u64,
    }
    #[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
    struct Folder {
        kind: Option<String>,
        path: String,
    }
    crate::tagged_union! {
        enum Item by "kind" {
            Disk(Disk) = "disk" | "ssd",
            Folder(Folder) = "folder",
        } unknown Other(Base)
    }

    #[test]
    fn each_kind_decodes_into_its_variant_and_back() {
        for text in [
            r#"{"kind":"disk","name":"d","size":3}"#,
            r#"{"kind":"ssd","size":1}"#,
            r#"{"kind":"folder","path":"/x"}"#,
        ] {
            let item: Item = serde_json::from_str(text).unwrap();
            assert!(!item.is_unknown());
            assert_eq!(serde_json::to_string(&item).unwrap(), text);
        }
        let Item::Disk(disk) = serde_json::from_str(r#"{"kind":"ssd","size":1}"#).unwrap() else {
            panic!("an ssd is a disk");
        };
        assert_eq!(disk.size, 1);
    }

    #[test]
    fn an_unknown_kind_keeps_its_json_and_a_missing_one_too() {
        for text in [r#"{"kind":"tape","name":"t","slots":9}"#, r#"{"name":"t"}"#] {
            let item: Item = serde_json::from_str(text).unwrap();
            let Item::Other { base, .. } = &item else {
                panic!("{text} is of no known kind");
            };
            assert_eq!(base.name.as_deref(), Some("t"));
            assert_eq!(serde_json::to_string(&item).unwrap(), text);
        }
    }

    #[test]
    fn a_known_kind_that_does_not_decode_is_an_error_naming_it() {
        let e = serde_json::from_str::<Item>(r#"{"kind":"folder"}"#).unwrap_err();
        assert!(e.to_string().contains(r#"Item of kind "folder""#), "{e}");
        let e = serde_json::from_str::<Item>("[1]").unwrap_err();
        assert!(
            e.to_string().contains("expected a JSON object for Item"),
            "{e}"
        );
    }

    #[test]
    fn a_variant_built_in_code_is_sent_with_its_kind() {
        let folder = Item::from(Folder {
            kind: None,
            path: "/".into(),
        });
        assert_eq!(
            serde_json::to_string(&folder).unwrap(),
            r#"{"kind":"folder","path":"/"}"#
        );
    }
}
