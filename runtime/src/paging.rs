//! Walking a paged list as one lazy stream of items, without losing or repeating any.
//!
//! Servers cap page sizes below what is asked (a per-endpoint cap, a proxy, an older
//! server), so the size we asked for says nothing about whether a page was the last. The walk
//! trusts only what the server says:
//!
//! - the offset it echoes must be the one asked for (a server that ignores the offset would
//!   serve the first page forever): otherwise an error;
//! - a next link, when the page has one, gives the next offset;
//! - a total count, when present, says when the walk is done; an empty page before it is an
//!   error (items were lost), never a quiet end;
//! - the page size it echoes: a page shorter than that is the last;
//! - with none of these (a bare array), only an empty page ends the walk.
//!
//! A page that starts with items the previous page served (the server ignores the offset, or
//! the pages overlap) is an error. An item that does not decode is an error naming its index
//! and the field; the walk goes on with the next item. Only one page is held in memory.

use std::collections::hash_map::DefaultHasher;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use futures::Stream;
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::ops::{Operation, Prepared};

/// An API's paging convention (its `profile.yaml`'s `paging`), defined once for the
/// generator and the runtime (`veeam-profile`).
pub use veeam_profile::PagingProfile;

/// How a paged operation's items come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An object holding the items in [`PagingProfile::items`].
    Envelope,
    /// The body is the array of items.
    BareArray,
}

/// Implemented for each page type the generator wires (`PageOfRESTOrganization`, ...), and
/// for `Vec<T>`: the type of one item.
pub trait Paged {
    type Item;
}

impl<T> Paged for Vec<T> {
    type Item = T;
}

/// One page as the server sent it: its items (each decoded on its own when the page as a
/// whole does not decode), and its numbers.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<Result<T, Error>>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub total: Option<i64>,
    pub next: Option<String>,
    pub set_id: Option<String>,
}

/// Decodes a page body. The fast path decodes every item in one pass; if any item fails, the
/// page is read again as JSON values and each item decoded on its own, so one bad item costs
/// only itself, and its error names its index and field.
pub fn decode_page<T: DeserializeOwned>(
    body: &[u8],
    shape: Shape,
    profile: &PagingProfile,
) -> Result<Page<T>, Error> {
    let fast = match shape {
        Shape::BareArray => serde_json::from_slice::<Vec<T>>(body).map(|items| Page {
            items: items.into_iter().map(Ok).collect(),
            offset: None,
            limit: None,
            total: None,
            next: None,
            set_id: None,
        }),
        Shape::Envelope => {
            let mut de = serde_json::Deserializer::from_slice(body);
            EnvelopeSeed::<T> {
                profile,
                item: std::marker::PhantomData,
            }
            .deserialize(&mut de)
            .and_then(|page| de.end().map(|()| page))
        }
    };
    match fast {
        Ok(page) => Ok(page),
        Err(_) => decode_page_item_by_item(body, shape, profile),
    }
}

fn decode_page_item_by_item<T: DeserializeOwned>(
    body: &[u8],
    shape: Shape,
    profile: &PagingProfile,
) -> Result<Page<T>, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| decode_error(body, ".", e.to_string()))?;
    let (items, envelope) = match shape {
        Shape::BareArray => (value, None),
        Shape::Envelope => {
            let serde_json::Value::Object(mut map) = value else {
                return Err(decode_error(body, ".", "expected a page object".into()));
            };
            let items = map.remove(profile.items).unwrap_or(serde_json::Value::Null);
            (items, Some(serde_json::Value::Object(map)))
        }
    };
    let prefix = match shape {
        Shape::BareArray => String::new(),
        Shape::Envelope => format!(".{}", profile.items),
    };
    let items = match items {
        serde_json::Value::Array(items) => items,
        // A page whose list is null or missing holds no items.
        serde_json::Value::Null => Vec::new(),
        _ => {
            return Err(decode_error(
                body,
                &prefix,
                "expected a list of items".into(),
            ))
        }
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            serde_path_to_error::deserialize::<_, T>(item).map_err(|e| {
                let inner = crate::error::json_path(e.path());
                let path = format!(
                    "{prefix}[{i}]{}",
                    if inner == "." { "" } else { inner.as_str() }
                );
                decode_error(body, &path, e.inner().to_string())
            })
        })
        .collect();
    let number = |field: Option<&str>| -> Option<i64> {
        let v = envelope.as_ref()?.get(field?)?;
        v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
    };
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    Ok(Page {
        items,
        offset: number(profile.offset_field),
        limit: number(profile.limit_field),
        total: number(profile.total_field),
        next: text(
            envelope
                .as_ref()
                .and_then(|e| e.pointer(profile.next_link?)),
        ),
        set_id: text(envelope.as_ref().and_then(|e| e.get(profile.set_id?))),
    })
}

fn decode_error(body: &[u8], path: &str, message: String) -> Error {
    // The start of the body: enough to see what came back, bounded for a large page.
    let excerpt = Bytes::copy_from_slice(&body[..body.len().min(4096)]);
    Error::new(ErrorKind::Decode {
        body: excerpt,
        path: path.to_string(),
        message,
    })
}

/// Reads an envelope with the profile's field names in one pass: the items as `Vec<T>`, the
/// numbers, the next link and the set id; anything else is skipped.
struct EnvelopeSeed<'p, T> {
    profile: &'p PagingProfile,
    item: std::marker::PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = Page<T>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Page<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = Page<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a page object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let p = self.profile;
        let mut page = Page {
            items: Vec::new(),
            offset: None,
            limit: None,
            total: None,
            next: None,
            set_id: None,
        };
        // The first segment of the next link's pointer: the envelope field holding it.
        let links = p.next_link.and_then(|l| l.split('/').nth(1));
        while let Some(key) = map.next_key::<String>()? {
            let key = key.as_str();
            if key == p.items {
                let items: Option<Vec<T>> = map.next_value()?;
                page.items = items.unwrap_or_default().into_iter().map(Ok).collect();
            } else if Some(key) == p.offset_field {
                page.offset = map.next_value::<Lenient>()?.0;
            } else if Some(key) == p.limit_field {
                page.limit = map.next_value::<Lenient>()?.0;
            } else if Some(key) == p.total_field {
                page.total = map.next_value::<Lenient>()?.0;
            } else if Some(key) == p.set_id {
                page.set_id =
                    map.next_value::<Option<serde_json::Value>>()?
                        .and_then(|v| match v {
                            serde_json::Value::String(s) => Some(s),
                            serde_json::Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        });
            } else if Some(key) == links {
                let value: serde_json::Value = map.next_value()?;
                let rest = &p.next_link.unwrap_or_default()[1 + key.len()..];
                let at = if rest.is_empty() {
                    Some(&value)
                } else {
                    value.pointer(rest)
                };
                page.next = at.and_then(|v| v.as_str()).map(str::to_string);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(page)
    }
}

/// A number (or numeric string) read leniently: anything else is "not said".
struct Lenient(Option<i64>);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Option::<serde_json::Value>::deserialize(d)?;
        Ok(Lenient(v.and_then(|v| {
            v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
        })))
    }
}

/// The offset a next link asks for: its `offset_param` query parameter.
fn offset_of_link(link: &str, param: &str) -> Option<i64> {
    let query = link.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.eq_ignore_ascii_case(param)
            .then(|| v.parse().ok())
            .flatten()
    })
}

/// A stable fingerprint of an item, to recognise one served twice.
fn fingerprint<T: Serialize>(item: &T) -> Option<u64> {
    let bytes = serde_json::to_vec(item).ok()?;
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    Some(h.finish())
}

/// Whether `page` starts with items `previous` served (`previous` holds every item of the
/// last page, in order): its first item is there and the items after it match `page`'s.
fn repeats(previous: &[Option<u64>], page: &[Option<u64>]) -> bool {
    let Some(Some(first)) = page.first() else {
        return false;
    };
    previous.iter().enumerate().any(|(at, p)| {
        *p == Some(*first)
            && previous[at..]
                .iter()
                .zip(page)
                .all(|(a, b)| a.is_some() && a == b)
    })
}

/// Where the walk is.
struct Walk<B, T> {
    builder: B,
    /// The offset of the next page to request.
    offset: i64,
    limit: i64,
    set_id: Option<String>,
    items: VecDeque<Result<T, Error>>,
    /// Fingerprints of the previous page's items, and of the first item of the first page.
    previous: Vec<Option<u64>>,
    first: Option<u64>,
    /// Items served so far.
    served: i64,
    pages: u64,
    done: bool,
}

/// A stream over every item of a paged list operation.
///
/// `make(builder, offset, limit, set_id)` prepares one page request. Pages are requested one
/// at a time as the caller consumes items. `start` and `limit`: the caller's `.offset(n)` and
/// `.limit(n)`, if set.
pub fn stream<'a, B, T, F>(
    op: Operation,
    shape: Shape,
    profile: PagingProfile,
    builder: B,
    start: Option<i64>,
    limit: Option<i64>,
    mut make: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    B: Clone + 'a,
    T: DeserializeOwned + Serialize + 'a,
    F: FnMut(B, i64, i64, Option<String>) -> Prepared<'a> + 'a,
{
    let max = profile.max_limit.unwrap_or(i64::MAX);
    let walk = Walk {
        builder,
        offset: start.unwrap_or(0).max(0),
        limit: limit.unwrap_or(profile.default_limit).clamp(1, max),
        set_id: None,
        items: VecDeque::new(),
        previous: Vec::new(),
        first: None,
        served: 0,
        pages: 0,
        done: false,
    };
    futures::stream::unfold(walk, move |mut walk| {
        let prepared = (walk.items.is_empty() && !walk.done).then(|| {
            make(
                walk.builder.clone(),
                walk.offset,
                walk.limit,
                walk.set_id.clone(),
            )
        });
        async move {
            if let Some(prepared) = prepared {
                if let Err(e) = next_page(op, shape, &profile, &mut walk, prepared).await {
                    walk.done = true;
                    walk.items.clear();
                    return Some((Err(e.in_operation(op.id)), walk));
                }
            }
            let item = walk.items.pop_front()?;
            Some((item, walk))
        }
    })
}

/// Fetches the page at `walk.offset`, checks it against what the server said before, and
/// queues its items.
async fn next_page<B, T: DeserializeOwned + Serialize>(
    op: Operation,
    shape: Shape,
    profile: &PagingProfile,
    walk: &mut Walk<B, T>,
    prepared: Prepared<'_>,
) -> Result<(), Error> {
    let asked = walk.offset;
    let (status, body) = crate::ops::body(op, prepared).await?;
    if status == reqwest::StatusCode::ACCEPTED {
        // VB for Azure's lists of cloud resources may start a rescan instead of answering.
        return Err(paging(format!(
            "asked for the page at offset {asked}, the server answered 202 Accepted instead: it started asynchronous work ({}); wait for it to finish, then list again",
            crate::error::snippet(&String::from_utf8_lossy(&body))
        )));
    }
    let page = decode_page::<T>(&body, shape, profile)?;
    walk.pages += 1;
    let n = page.items.len() as i64;
    tracing::debug!(
        operation = op.id,
        page = walk.pages,
        offset = asked,
        asked_limit = walk.limit,
        served = n,
        server_limit = page.limit,
        total = page.total,
        "page"
    );
    if let Some(echoed) = page.offset {
        if echoed != asked {
            return Err(paging(format!(
                "asked for the page at offset {asked}, the server answered with offset {echoed}: it does not honour `{}`",
                profile.offset_param
            )));
        }
    }
    let prints: Vec<Option<u64>> = page
        .items
        .iter()
        .map(|i| i.as_ref().ok().and_then(fingerprint))
        .collect();
    if walk.pages > 1
        && (repeats(&walk.previous, &prints)
            || (prints.first().copied().flatten().is_some() && prints[0] == walk.first))
    {
        return Err(paging(format!(
            "the page at offset {asked} starts with items an earlier page served: the server ignores `{}` or its pages overlap",
            profile.offset_param
        )));
    }
    if walk.pages == 1 {
        walk.first = prints.first().copied().flatten();
        walk.set_id = page.set_id.clone();
    }
    walk.served += n;
    let next_offset = page
        .next
        .as_deref()
        .and_then(|l| offset_of_link(l, profile.offset_param));
    walk.done = if n == 0 {
        if let Some(total) = page.total {
            if asked < total {
                return Err(paging(format!(
                    "the server counts {total} items but served an empty page at offset {asked} ({} items served): items would be missing",
                    walk.served
                )));
            }
        }
        true
    } else if page.next.is_some() {
        false
    } else if let Some(total) = page.total {
        asked + n >= total
    } else if let Some(server_limit) = page.limit {
        n < server_limit
    } else {
        false
    };
    walk.offset = match next_offset {
        Some(o) if o > asked => o,
        _ => asked + n,
    };
    walk.previous = prints;
    walk.items = page
        .items
        .into_iter()
        .map(|i| i.map_err(|e| e.in_operation(op.id)))
        .collect();
    if walk.done {
        tracing::debug!(
            operation = op.id,
            pages = walk.pages,
            items = walk.served,
            "last page"
        );
    }
    Ok(())
}

fn paging(message: String) -> Error {
    Error::new(ErrorKind::Paging(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: PagingProfile = PagingProfile {
        offset_param: "offset",
        limit_param: "limit",
        items: "results",
        offset_field: Some("offset"),
        limit_field: Some("limit"),
        total_field: Some("totalCount"),
        next_link: Some("/_links/next/href"),
        set_id: Some("setId"),
        default_limit: 500,
        max_limit: Some(10_000),
    };

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    struct Item {
        id: u32,
        name: String,
    }

    #[test]
    fn a_page_decodes_in_one_pass_with_its_numbers() {
        let body = br#"{"offset":30,"limit":"30","totalCount":95,"setId":"s-1","extra":{"a":[1]},
            "_links":{"next":{"href":"https://h/v8/x?offset=60&limit=30"}},"results":[{"id":1,"name":"a"}]}"#;
        let page = decode_page::<Item>(body, Shape::Envelope, &PROFILE).unwrap();
        assert_eq!(
            (page.offset, page.limit, page.total),
            (Some(30), Some(30), Some(95))
        );
        assert_eq!(page.set_id.as_deref(), Some("s-1"));
        assert_eq!(
            page.next.as_deref(),
            Some("https://h/v8/x?offset=60&limit=30")
        );
        assert_eq!(page.items.len(), 1);
        assert_eq!(
            offset_of_link(page.next.as_deref().unwrap(), "offset"),
            Some(60)
        );
    }

    #[test]
    fn one_bad_item_costs_only_itself_and_names_its_index_and_field() {
        let body = br#"{"offset":0,"results":[{"id":1,"name":"a"},{"id":2,"name":null},{"id":3,"name":"c"}]}"#;
        let page = decode_page::<Item>(body, Shape::Envelope, &PROFILE).unwrap();
        assert_eq!(page.offset, Some(0));
        assert!(page.items[0].is_ok() && page.items[2].is_ok());
        let e = page.items[1].as_ref().unwrap_err();
        let ErrorKind::Decode { path, .. } = e.kind() else {
            panic!("{e}")
        };
        assert_eq!(path, ".results[1].name");
        let bare = br#"[{"id":1,"name":"a"},{"id":"x","name":"b"}]"#;
        let page = decode_page::<Item>(bare, Shape::BareArray, &PROFILE).unwrap();
        let ErrorKind::Decode { path, .. } = page.items[1].as_ref().unwrap_err().kind() else {
            panic!()
        };
        assert_eq!(path, "[1].id");
    }

    #[test]
    fn repeated_items_are_recognised_in_order_only() {
        let (a, b, c, d) = (Some(1), Some(2), Some(3), Some(4));
        assert!(repeats(&[a, b, c], &[a, b, c]), "the same page again");
        assert!(repeats(&[a, b, c], &[b, c, d]), "overlapping pages");
        assert!(
            !repeats(&[a, b, c], &[d, a]),
            "an equal item later in the page is not an overlap"
        );
        assert!(!repeats(&[a, b], &[c, d]));
        assert!(!repeats(&[], &[a]));
    }
}
