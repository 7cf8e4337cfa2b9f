//! The shared half of the generated crates' JSON impls.
//!
//! The generator writes each struct's `Serialize` and `Deserialize` by hand instead of
//! deriving them: one `visit_map` with a `match` on the field's index, and one `if` per
//! optional field when serializing. serde's derive also writes a field enum, its visitor,
//! `visit_seq` and a wrapper type per `deserialize_with` field; in a crate of 450 structs
//! that was a third of the compile time, and JSON uses none of it. What every impl shares
//! lives here, written once.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
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
pub fn put<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = map.next_value()?;
    Ok(())
}

/// [`put`] for a field that reads `null` as its default.
#[inline]
pub fn put_null_default<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = map.next_value::<NullAsDefault<T>>()?.0;
    Ok(())
}

/// Reads the current value into a slot, for structs with required fields (checked at the end).
#[inline]
pub fn set<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// [`set`] for a field that reads `null` as its default.
#[inline]
pub fn set_null_default<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value::<NullAsDefault<T>>()?.0);
    Ok(())
}

/// A timestamp field: `DateTime<Utc>`, or `Option` of it (absent, `null` or .NET's "not
/// set" value [`DOTNET_UNSET`] is `None`).
pub trait Timestamp: Sized {
    #[doc(hidden)]
    type Wire: for<'de> Deserialize<'de>;
    #[doc(hidden)]
    fn from_wire(wire: Self::Wire) -> Self;
}

impl Timestamp for DateTime<Utc> {
    type Wire = Time;
    #[inline]
    fn from_wire(wire: Time) -> Self {
        wire.0
    }
}

impl Timestamp for Option<DateTime<Utc>> {
    type Wire = Option<Time>;
    #[inline]
    fn from_wire(wire: Option<Time>) -> Self {
        wire.map(|t| t.0).filter(|t| !is_dotnet_unset(t))
    }
}

/// .NET's `DateTime.MinValue`, `0001-01-01T00:00:00`: what Veeam's servers send for a time
/// that is not set (a running session's `endTime`). An optional timestamp field reads it
/// as `None`; a required one keeps it (as this value), since it has no "absent" to map to.
pub const DOTNET_UNSET: DateTime<Utc> = match DateTime::from_timestamp(-62_135_596_800, 0) {
    Some(t) => t,
    // Evaluated at compile time: a wrong constant fails the build, never a response.
    None => panic!("0001-01-01T00:00:00Z is within chrono's range"),
};

/// Whether `t` is [`DOTNET_UNSET`].
pub fn is_dotnet_unset(t: &DateTime<Utc>) -> bool {
    *t == DOTNET_UNSET
}

/// A `DateTime<Utc>` read the way chrono's own `Deserialize` reads it, accepting and
/// rejecting the same strings with the same errors, but five times faster on the strings
/// servers send: strict RFC 3339 goes through chrono's dedicated parser (55 ns against
/// 300 ns for `FromStr`'s general one; timestamps were a tenth of decoding a restore point
/// page), and anything else falls back to `FromStr` (relaxed RFC 3339).
///
/// One addition: a timestamp without a zone (`2026-11-01T00:00:00.1234567`, as .NET writes
/// a `DateTime` of unspecified kind) is read as UTC, which is what Veeam's servers keep.
/// Fractional seconds are kept to the nanosecond (.NET's 7 digits survive a round trip).
#[doc(hidden)]
pub struct Time(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Time {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Time;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 formatted date and time string")
            }
            #[inline]
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Time, E> {
                parse_time(s).map(Time).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// chrono's `str::parse::<DateTime<FixedOffset>>()` in UTC, taking the strict RFC 3339 path
/// first (what it accepts, `FromStr` reads the same).
#[inline]
fn parse_time(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => Ok(t.with_timezone(&Utc)),
        Err(_) => match s.parse::<DateTime<FixedOffset>>() {
            Ok(t) => Ok(t.with_timezone(&Utc)),
            // The error of the zoned parse says more ("premature end of input") than the
            // zoneless one would.
            Err(e) => zoneless(s).ok_or(e),
        },
    }
}

/// A date and time without a zone (`2026-11-01T00:00:00.1234567`), as UTC.
fn zoneless(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// [`put`] for a timestamp field (see [`Time`]).
#[inline]
pub fn put_time<'de, A: MapAccess<'de>, T: Timestamp>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = T::from_wire(map.next_value()?);
    Ok(())
}

/// [`set`] for a timestamp field (see [`Time`]).
#[inline]
pub fn set_time<'de, A: MapAccess<'de>, T: Timestamp>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(T::from_wire(map.next_value()?));
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

/// Decodes `body` into `T` with every `null` item of every list left out, or `None` if that
/// does not decode either (or there was no `null` item to leave out).
///
/// VB for Azure marks most of its schemas nullable, so a list may hold `null` items
/// (`"results": [null, {...}]`, `"tags": ["a", null]`); the generated types hold plain
/// `Vec<T>`s, which refuse them. Rather than fail the whole response for an item that says
/// nothing, [`crate::error::decode_json`] (and the paging walk, per item) retry with the
/// `null` items dropped. Only a body that failed to decode is read a second time.
pub fn decode_dropping_null_items<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if drop_null_items(&mut value) == 0 {
        return None;
    }
    let decoded = serde_json::from_value(value).ok()?;
    tracing::debug!("null list items left out to decode the response");
    Some(decoded)
}

/// Removes the `null` items of every array in `value`; returns how many.
fn drop_null_items(value: &mut serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            let before = items.len();
            items.retain(|v| !v.is_null());
            let dropped = before - items.len();
            dropped + items.iter_mut().map(drop_null_items).sum::<usize>()
        }
        Value::Object(map) => map.values_mut().map(drop_null_items).sum(),
        _ => 0,
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
        assert!(
            !String::from_utf8_lossy(&buf).contains("\"c\""),
            "{}",
            String::from_utf8_lossy(&buf)
        );
    }

    /// `Time` and chrono's `Deserialize for DateTime<Utc>` on one JSON value: the same
    /// instant, or the same error text. Where only `Time` reads it, it is a time without a
    /// zone that chrono reads, as UTC, once `Z` is added: the one intended difference.
    fn both(json: &str) -> (Result<DateTime<Utc>, String>, Result<DateTime<Utc>, String>) {
        let ours = serde_json::from_str::<Time>(json)
            .map(|t| t.0)
            .map_err(|e| e.to_string());
        let chrono = serde_json::from_str::<DateTime<Utc>>(json).map_err(|e| e.to_string());
        if let (Ok(t), Err(_)) = (&ours, &chrono) {
            let text: String = serde_json::from_str(json).unwrap();
            let as_utc = serde_json::from_str::<DateTime<Utc>>(
                &serde_json::to_string(&format!("{text}Z")).unwrap(),
            );
            assert_eq!(
                as_utc.as_ref().ok(),
                Some(t),
                "{text:?} read without a zone"
            );
            return (ours.clone(), ours);
        }
        (ours, chrono)
    }

    #[test]
    fn zoneless_times_are_utc_and_the_dotnet_sentinel_is_unset() {
        let t = serde_json::from_str::<Time>(r#""2026-11-01T00:00:00.1234567""#)
            .unwrap()
            .0;
        let z: DateTime<Utc> = "2026-11-01T00:00:00.1234567Z".parse().unwrap();
        assert_eq!(t, z);
        // .NET's seven fractional digits survive a round trip.
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Time>(&json).unwrap().0, t, "{json}");
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_700);
        for unset in [
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00.0000000",
            "0001-01-01T00:00:00+00:00",
        ] {
            let json = serde_json::to_string(unset).unwrap();
            let wire: Option<Time> = serde_json::from_str(&json).unwrap();
            assert_eq!(Option::<DateTime<Utc>>::from_wire(wire), None, "{unset}");
            let wire: Time = serde_json::from_str(&json).unwrap();
            assert_eq!(DateTime::<Utc>::from_wire(wire), DOTNET_UNSET, "{unset}");
        }
        assert_eq!(DOTNET_UNSET.to_rfc3339(), "0001-01-01T00:00:00+00:00");
        // A minute later is a time, not the sentinel.
        let wire: Option<Time> = serde_json::from_str(r#""0001-01-01T00:01:00""#).unwrap();
        assert!(Option::<DateTime<Utc>>::from_wire(wire).is_some());
    }

    #[test]
    fn null_list_items_are_left_out_only_on_a_second_reading() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Page {
            results: Vec<Row>,
        }
        let body = br#"{"results":[null,{"id":"a","tags":["x",null,"y"]},null]}"#;
        assert!(serde_json::from_slice::<Page>(body).is_err());
        let page: Page = decode_dropping_null_items(body).unwrap();
        assert_eq!(
            page.results,
            [Row {
                id: "a".into(),
                note: None,
                tags: vec!["x".into(), "y".into()]
            }]
        );
        // No null item to leave out, or still not decoding: no answer.
        assert!(decode_dropping_null_items::<Page>(br#"{"results":[{"id":3}]}"#).is_none());
        assert!(decode_dropping_null_items::<Page>(br#"{"results":[null,{"id":3}]}"#).is_none());
    }

    #[test]
    fn time_reads_what_chrono_reads() {
        // The servers' own format takes the fast path.
        assert!(DateTime::parse_from_rfc3339("2022-02-22T14:44:22.3764709Z").is_ok());
        for s in [
            "2022-02-22T14:44:22.3764709Z",
            "2022-02-22T14:44:22Z",
            "2022-02-22T14:44:22.1234567891234Z",
            "2022-02-22T14:44:22+03:00",
            "2022-02-22T14:44:22.5-07:30",
            "2022-02-22t14:44:22z",
            "2022-02-22 14:44:22Z",
            "2022-02-22T14:44:22 Z",
            "2022-02-22T14:44:22+0300",
            "2016-12-31T23:59:60Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.9999999Z",
            "+12022-02-22T14:44:22Z",
            "2022-02-22T14:44:22",
            "2022-02-22",
            "2022-02-30T14:44:22Z",
            "2022-02-22T24:00:00Z",
            "2022-02-22T14:44:22Z ",
            " 2022-02-22T14:44:22Z",
            "",
            "now",
        ] {
            let (ours, chrono) = both(&serde_json::to_string(s).unwrap());
            assert_eq!(ours, chrono, "{s:?}");
        }
        for json in ["null", "3", "[]", "{}"] {
            let (ours, chrono) = both(json);
            assert_eq!(ours, chrono, "{json}");
        }
    }

    /// Every one-character change of a few timestamps, and pairs of changes: wherever one
    /// parser accepts, the other gives the same instant, and their errors read alike.
    #[test]
    fn time_agrees_with_chrono_on_near_misses() {
        let alphabet = [
            '0', '1', '2', '5', '9', '-', '+', ':', '.', 'T', 't', 'Z', 'z', ' ', 'x',
        ];
        let mut tried = 0;
        let mut accepted = 0;
        for base in ["2022-02-22T14:44:22.3764709Z", "2022-02-22T14:44:22+03:00"] {
            let chars: Vec<char> = base.chars().collect();
            for i in 0..chars.len() {
                for &a in &alphabet {
                    for j in [
                        None,
                        Some((i + 7) % chars.len()),
                        Some((i + 13) % chars.len()),
                    ] {
                        let mut c = chars.clone();
                        c[i] = a;
                        if let Some(j) = j {
                            c[j] = alphabet[(i + j) % alphabet.len()];
                        }
                        let s: String = c.into_iter().collect();
                        let (ours, chrono) = both(&serde_json::to_string(&s).unwrap());
                        accepted += usize::from(chrono.is_ok());
                        tried += 1;
                        assert_eq!(ours, chrono, "{s:?}");
                    }
                }
            }
        }
        // The near misses exercise both outcomes.
        assert!(
            accepted > 100 && tried - accepted > 100,
            "{accepted} of {tried}"
        );
    }

    #[derive(Debug, PartialEq)]
    struct Stamped {
        at: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    }

    impl<'de> Deserialize<'de> for Stamped {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Stamped;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    expecting(f, "Stamped")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Stamped, A::Error> {
                    let (mut f0, mut f1) = (None, None);
                    while let Some(key) = map.next_key_seed(Fields(|k: &str| match k {
                        "at" => 0,
                        "until" => 1,
                        _ => UNKNOWN,
                    }))? {
                        match key {
                            0 => set_time(&mut map, &mut f0),
                            1 => set_time(&mut map, &mut f1),
                            _ => skip(&mut map),
                        }?;
                    }
                    Ok(Stamped {
                        at: required(f0, "at")?,
                        until: f1.unwrap_or_default(),
                    })
                }
            }
            deserializer.deserialize_map(V)
        }
    }

    #[test]
    fn timestamp_fields_required_and_optional() {
        let at: DateTime<Utc> = "2022-02-22T14:44:22.3764709Z".parse().unwrap();
        let s: Stamped = serde_json::from_str(r#"{"at":"2022-02-22T14:44:22.3764709Z"}"#).unwrap();
        assert_eq!(s, Stamped { at, until: None });
        let s: Stamped =
            serde_json::from_str(r#"{"until":null,"at":"2022-02-22T17:44:22.3764709+03:00"}"#)
                .unwrap();
        assert_eq!(s, Stamped { at, until: None });
        let s: Stamped = serde_json::from_str(
            r#"{"at":"2022-02-22T14:44:22.3764709Z","until":"2022-02-22 14:44:22.3764709Z"}"#,
        )
        .unwrap();
        assert_eq!(
            s,
            Stamped {
                at,
                until: Some(at)
            }
        );
        let e = serde_json::from_str::<Stamped>(r#"{"until":"2022-02-22T14:44:22Z"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("missing field `at`"), "{e}");
        let e = serde_json::from_str::<Stamped>(r#"{"at":null}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "invalid type: null, expected an RFC 3339 formatted date and time string"
            ),
            "{e}"
        );
        let e = serde_json::from_str::<Stamped>(r#"{"at":"2022-02-30T14:44:22Z"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("input is out of range"), "{e}");

        // In place, as structs with only optional fields are read.
        let mut until: Option<DateTime<Utc>> = Some(at);
        let mut de = serde_json::Deserializer::from_str(r#"{"until":null}"#);
        struct One<'a>(&'a mut Option<DateTime<Utc>>);
        impl<'de> Visitor<'de> for One<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                while map.next_key::<IgnoredAny>()?.is_some() {
                    put_time(&mut map, self.0)?;
                }
                Ok(())
            }
        }
        de.deserialize_map(One(&mut until)).unwrap();
        assert_eq!(until, None);
    }
}
