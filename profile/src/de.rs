//! Reading profile values from YAML (feature `serde`): strings become `&'static str` by
//! leaking them. Only the generator reads profiles, once per run, a few hundred bytes each.

use serde::{Deserialize, Deserializer};

/// A string, leaked.
pub fn leak<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    Ok(Box::leak(String::deserialize(d)?.into_boxed_str()))
}

/// An optional string, leaked.
pub fn leak_some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| &*Box::leak(s.into_boxed_str())))
}

/// Pairs of strings given as a map (`{disable_antiforgery_token: 'true'}`), leaked, in the
/// map's order.
pub fn leak_pairs(
    pairs: impl IntoIterator<Item = (String, String)>,
) -> &'static [(&'static str, &'static str)] {
    let leaked: Vec<(&'static str, &'static str)> = pairs
        .into_iter()
        .map(|(k, v)| {
            (
                &*Box::leak(k.into_boxed_str()),
                &*Box::leak(v.into_boxed_str()),
            )
        })
        .collect();
    Box::leak(leaked.into_boxed_slice())
}

/// `items` when the profile gives none.
pub fn results() -> &'static str {
    "results"
}

/// `default_limit` when the profile gives none.
pub fn default_limit() -> i64 {
    500
}
