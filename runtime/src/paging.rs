//! Walking a paged list as one lazy stream of items, without losing or repeating any.
//!
//! Servers cap page sizes below what is asked (a per-endpoint cap, a proxy, an older
//! server), so the size we asked for says nothing about whether a page was the last. The walk
//! trusts only what the server says:
//!
//! - the offset it echoes must be the one asked for (a server that ignores the offset would
//!   serve the first page forever): otherwise an error;
//! - a next link, when the page has one, must ask for the offset right after the items the
//!   page served (a link built from the page size asked for, not the items served, would
//!   skip items): otherwise an error; an empty page with a next link is followed (a few in a
//!   row at most), not taken as the end;
//! - a total count, when present, says when the walk is done; an empty page before it is an
//!   error (items were lost), never a quiet end; a count below the items already served, or
//!   one that changes during the walk, is an error; so is a result-set id that changes;
//! - the page size it echoes: a page shorter than that is the last;
//! - with none of these (a bare array), only an empty page ends the walk.
//!
//! A page that starts with items the previous page served (the server ignores the offset, or
//! the pages overlap) is an error; items are compared by their JSON as sent, so the check
//! holds for items that do not decode too. An item that does not decode is an error naming
//! its index and the field; the walk goes on with the next item. A `null` item (VB for
//! Azure marks its list items nullable) is skipped: it counts as served, for the offsets,
//! but is not yielded. Only one page is held in memory.

use std::collections::hash_map::DefaultHasher;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use futures::Stream;
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

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

/// One page as the server sent it: its items (each decoded on its own; `null` items
/// skipped), and its numbers.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<Result<T, Error>>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub total: Option<i64>,
    pub next: Option<String>,
    pub set_id: Option<String>,
    /// Items the server sent, `null`s included: what the next offset counts.
    pub served: usize,
    /// A fingerprint of each item's JSON as sent, in order, `null`s included (as `None`).
    fingerprints: Vec<Option<u64>>,
}

impl<T> Page<T> {
    fn empty() -> Self {
        Page {
            items: Vec::new(),
            offset: None,
            limit: None,
            total: None,
            next: None,
            set_id: None,
            served: 0,
            fingerprints: Vec::new(),
        }
    }
}

/// The items of a page that is an object holding them in its field `items`, each decoded on
/// its own: what a paging convention without offsets (`cursor`) reads of a page.
/// (`items` is a profile's, `'static` as every profile string is.)
pub fn decode_envelope<T: DeserializeOwned>(
    body: &[u8],
    items: &'static str,
) -> Result<Page<T>, Error> {
    let profile = PagingProfile {
        offset_param: "",
        limit_param: "",
        items,
        offset_field: None,
        limit_field: None,
        total_field: None,
        next_link: None,
        set_id: None,
        default_limit: 0,
        max_limit: None,
    };
    decode_page(body, Shape::Envelope, &profile)
}

/// Decodes a page body. The envelope's numbers are read in one pass, and its items kept as
/// raw JSON (borrowed from the body); each item is then decoded on its own, so one bad item
/// costs only itself and its error names its index and field, and fingerprinted as sent.
pub fn decode_page<T: DeserializeOwned>(
    body: &[u8],
    shape: Shape,
    profile: &PagingProfile,
) -> Result<Page<T>, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let raw = match shape {
        Shape::BareArray => Option::<Vec<&RawValue>>::deserialize(&mut de).map(|items| RawPage {
            items: items.unwrap_or_default(),
            page: Page::empty(),
        }),
        Shape::Envelope => EnvelopeSeed {
            profile,
            item: std::marker::PhantomData,
        }
        .deserialize(&mut de),
    }
    .and_then(|page| de.end().map(|()| page));
    let raw = match raw {
        Ok(raw) => raw,
        Err(e) => {
            // The envelope's numbers are read leniently: a data error is the page not being
            // an object, or its list not being a list.
            let is_object =
                serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_object());
            let path = match shape {
                Shape::Envelope if e.is_data() && is_object => format!(".{}", profile.items),
                _ => ".".to_string(),
            };
            return Err(decode_error(body, &path, e.to_string()));
        }
    };
    let prefix = match shape {
        Shape::BareArray => String::new(),
        Shape::Envelope => format!(".{}", profile.items),
    };
    let mut page = raw.page;
    page.served = raw.items.len();
    page.fingerprints = raw.items.iter().map(|i| fingerprint_raw(i)).collect();
    page.items = raw
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.get() != "null")
        .map(|(i, item)| decode_item(body, &prefix, i, item))
        .collect();
    Ok(page)
}

/// One item: decoded in one pass, and read again only on failure, to name the field.
fn decode_item<T: DeserializeOwned>(
    body: &[u8],
    prefix: &str,
    index: usize,
    item: &RawValue,
) -> Result<T, Error> {
    let e = match serde_json::from_str::<T>(item.get()) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if let Some(v) = crate::json::decode_dropping_null_items::<T>(item.get().as_bytes()) {
        return Ok(v);
    }
    Err({
        let de = &mut serde_json::Deserializer::from_str(item.get());
        let (inner, message) = match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) => (crate::error::json_path(e.path()), e.inner().to_string()),
            Ok(_) => (".".to_string(), e.to_string()),
        };
        let path = format!(
            "{prefix}[{index}]{}",
            if inner == "." { "" } else { inner.as_str() }
        );
        decode_error(body, &path, message)
    })
}

/// A page with its items not yet decoded.
struct RawPage<'de, T> {
    items: Vec<&'de RawValue>,
    page: Page<T>,
}

fn decode_error(body: &[u8], path: &str, message: String) -> Error {
    // The start of the body: enough to see what came back, bounded for a large page.
    let excerpt = Bytes::copy_from_slice(&body[..body.len().min(4096)]);
    Error::decode(excerpt, path, message)
}

/// Reads an envelope with the profile's field names in one pass: the items as raw JSON, the
/// numbers, the next link and the set id; anything else is skipped.
struct EnvelopeSeed<'p, T> {
    profile: &'p PagingProfile,
    item: std::marker::PhantomData<T>,
}

impl<'de, T> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = RawPage<'de, T>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<RawPage<'de, T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T> Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = RawPage<'de, T>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a page object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPage<'de, T>, A::Error> {
        let p = self.profile;
        let mut items = Vec::new();
        let mut page = Page::empty();
        // The first segment of the next link's pointer: the envelope field holding it.
        let links = p.next_link.and_then(|l| l.split('/').nth(1));
        while let Some(key) = map.next_key::<String>()? {
            let key = key.as_ref();
            if key == p.items {
                // A list that is null or missing holds no items.
                items = map
                    .next_value::<Option<Vec<&'de RawValue>>>()?
                    .unwrap_or_default();
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
        Ok(RawPage { items, page })
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

/// A fingerprint of an item's JSON as sent, to recognise one served twice (whether or not
/// it decodes). `null` items have none: two of them are not the same item.
fn fingerprint_raw(item: &RawValue) -> Option<u64> {
    let text = item.get();
    if text == "null" {
        return None;
    }
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
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
    /// The total count the first page gave, which later pages must repeat.
    total: Option<i64>,
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
    make: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    B: Clone + 'a,
    T: DeserializeOwned + 'a,
    F: FnMut(B, i64, i64, Option<String>) -> Prepared<'a> + 'a,
{
    let walk = new_walk(&profile, builder, start, limit);
    walk_stream(op, shape, profile, walk, make)
}

/// The walk before its first page.
fn new_walk<B, T>(
    profile: &PagingProfile,
    builder: B,
    start: Option<i64>,
    limit: Option<i64>,
) -> Walk<B, T> {
    // A profile with a maximum below 1 must not make `clamp` panic.
    let max = profile.max_limit.unwrap_or(i64::MAX).max(1);
    Walk {
        builder,
        offset: start.unwrap_or(0).max(0),
        limit: limit.unwrap_or(profile.default_limit).clamp(1, max),
        set_id: None,
        items: VecDeque::new(),
        previous: Vec::new(),
        first: None,
        served: 0,
        total: None,
        pages: 0,
        done: false,
    }
}

fn walk_stream<'a, B, T, F>(
    op: Operation,
    shape: Shape,
    profile: PagingProfile,
    walk: Walk<B, T>,
    make: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    B: Clone + 'a,
    T: DeserializeOwned + 'a,
    F: FnMut(B, i64, i64, Option<String>) -> Prepared<'a> + 'a,
{
    futures::stream::unfold((walk, make), move |(mut walk, mut make)| async move {
        // A page of `null`s only yields nothing: go on to the next.
        loop {
            if let Some(item) = walk.items.pop_front() {
                return Some((item, (walk, make)));
            }
            if walk.done {
                return None;
            }
            let prepared = make(
                walk.builder.clone(),
                walk.offset,
                walk.limit,
                walk.set_id.clone(),
            );
            if let Err(e) = next_page(op, shape, &profile, &mut walk, prepared).await {
                walk.done = true;
                walk.items.clear();
                return Some((Err(e.in_operation(op.id)), (walk, make)));
            }
        }
    })
}

/// Fetches the page at `walk.offset`, checks it against what the server said before, and
/// queues its items.
async fn next_page<B, T: DeserializeOwned>(
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
    let n = page.served as i64;
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
    let prints = &page.fingerprints;
    if walk.pages > 1
        && (repeats(&walk.previous, prints)
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
        walk.total = page.total;
    } else {
        if let (Some(first), Some(now)) = (&walk.set_id, &page.set_id) {
            if first != now {
                return Err(paging(format!(
                    "the page at offset {asked} belongs to result set {now:?}, the walk started in {first:?}: the list changed under it"
                )));
            }
        }
        if let (Some(first), Some(now)) = (walk.total, page.total) {
            if first != now {
                return Err(paging(format!(
                    "the server counted {first} items on the first page and {now} on the page at offset {asked}: the list changed during the walk, items may be missing or repeated"
                )));
            }
        }
    }
    let end = asked + n;
    if let Some(total) = page.total {
        if total < end {
            return Err(paging(format!(
                "the server counts {total} items but has served {end} (up to the page at offset {asked}): its count is wrong"
            )));
        }
    }
    walk.served += n;
    // A next link that does not fit what was served: this page's items are good, but the
    // walk cannot go on without losing or repeating items.
    let broken_link = page
        .next
        .as_deref()
        .and_then(|link| offset_of_link(link, profile.offset_param))
        .filter(|&o| o != end && n > 0)
        .map(|o| {
            paging(format!(
                "the page at offset {asked} served {n} items and links the next page at offset {o}, not {end}: following it would {} items",
                if o > end { "skip" } else { "repeat" }
            ))
        });
    walk.done = if n == 0 {
        if let Some(total) = page.total {
            if asked < total {
                return Err(paging(format!(
                    "the server counts {total} items but served an empty page at offset {asked} ({} items served): items would be missing",
                    walk.served
                )));
            }
        }
        if page.next.is_some() {
            // Asking again at the same offset would serve the same empty page; ending here
            // would lose whatever the link points at.
            return Err(paging(format!(
                "the page at offset {asked} is empty but links a next page: the server does not say where its list ends, and items after it would be lost"
            )));
        }
        true
    } else if page.next.is_some() {
        false
    } else if let Some(total) = page.total {
        end >= total
    } else if let Some(server_limit) = page.limit {
        n < server_limit
    } else {
        false
    };
    walk.offset = end;
    walk.previous = page.fingerprints;
    walk.items = page
        .items
        .into_iter()
        .map(|i| i.map_err(|e| e.in_operation(op.id)))
        .collect();
    if let Some(e) = broken_link {
        walk.items.push_back(Err(e.in_operation(op.id)));
        walk.done = true;
    }
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
    fn null_items_are_skipped_but_counted_and_items_are_fingerprinted_as_sent() {
        let body = br#"{"offset":0,"results":[null,{"id":1,"name":"a"},{"id":2,"name":7},null]}"#;
        let page = decode_page::<Item>(body, Shape::Envelope, &PROFILE).unwrap();
        assert_eq!(page.served, 4, "nulls count for the next offset");
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].as_ref().unwrap().id, 1);
        let ErrorKind::Decode { path, .. } = page.items[1].as_ref().unwrap_err().kind() else {
            panic!()
        };
        assert_eq!(path, ".results[2].name");
        // The item that does not decode has a fingerprint too: a repeat of it is seen.
        assert!(page.fingerprints[2].is_some());
        assert_eq!(
            (page.fingerprints[0], page.fingerprints[3]),
            (None, None),
            "nulls are never the same item"
        );
        let bare = br#"[null,{"id":1,"name":"a"}]"#;
        let page = decode_page::<Item>(bare, Shape::BareArray, &PROFILE).unwrap();
        assert_eq!((page.served, page.items.len()), (2, 1));
        for (body, path) in [
            (&b"[1,2]"[..], "."),
            (&b"{\"results\":3}"[..], ".results"),
            (&b"{\"results\":[1"[..], "."),
        ] {
            let e = decode_page::<Item>(body, Shape::Envelope, &PROFILE).unwrap_err();
            let ErrorKind::Decode { path: at, .. } = e.kind() else {
                panic!("{e}")
            };
            assert_eq!(at, path, "{e}");
        }
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
