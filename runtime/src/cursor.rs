//! Walking a list paged by tokens ([`CursorPaging`]) as one lazy stream of items: the first
//! request sends only the page size, each answer names the next page's token, and the walk
//! ends on a page without one.
//!
//! What the server says is checked, as for offset paging: a token it already gave (a server
//! that would loop forever) and a run of empty pages that keep naming a next page are
//! [`ErrorKind::Paging`] errors, never a quiet end or an endless walk. An item that does not
//! decode is an error naming its index and field; the walk goes on after it.

use std::collections::{HashSet, VecDeque};

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};
use crate::ops::{Operation, Prepared};
pub use veeam_profile::CursorPaging;

/// Empty pages in a row that still name a next page before the walk gives up.
const MAX_EMPTY_PAGES: u32 = 100;

struct Walk<B, T, F> {
    builder: B,
    make: F,
    /// The token of the next page (none for the first).
    token: Option<String>,
    /// Every token the server gave.
    seen: HashSet<String>,
    items: VecDeque<Result<T, Error>>,
    /// Why the walk cannot go on, served once the items before it are.
    failed: Option<Error>,
    empty_in_a_row: u32,
    pages: u64,
    done: bool,
}

/// A stream over every item of a token-paged list operation. `make(builder, token)` prepares
/// one page request: the builder as the caller set it (its page size included) and, after the
/// first page, the token of the next.
pub fn stream<'a, B, T, F>(
    op: Operation,
    profile: CursorPaging,
    builder: B,
    make: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    B: Clone + 'a,
    T: DeserializeOwned + 'a,
    F: FnMut(B, Option<String>) -> Prepared<'a> + 'a,
{
    let walk = Walk {
        builder,
        make,
        token: None,
        seen: HashSet::new(),
        items: VecDeque::new(),
        failed: None,
        empty_in_a_row: 0,
        pages: 0,
        done: false,
    };
    futures::stream::unfold(walk, move |mut walk| async move {
        // An empty page that names a next one serves nothing: ask for the next at once.
        while walk.items.is_empty() && !walk.done {
            let prepared = (walk.make)(walk.builder.clone(), walk.token.clone());
            if let Err(e) = next_page(op, &profile, &mut walk, prepared).await {
                walk.done = true;
                walk.items.clear();
                return Some((Err(e.in_operation(op.id)), walk));
            }
        }
        if let Some(item) = walk.items.pop_front() {
            return Some((item, walk));
        }
        let failed = walk.failed.take()?;
        Some((Err(failed.in_operation(op.id)), walk))
    })
}

/// Fetches one page, checks its token, and queues its items.
async fn next_page<B, T: DeserializeOwned, F>(
    op: Operation,
    profile: &CursorPaging,
    walk: &mut Walk<B, T, F>,
    prepared: Prepared<'_>,
) -> Result<(), Error> {
    let (_, body) = crate::ops::body(op, prepared).await?;
    let page = crate::paging::decode_envelope::<T>(&body, profile.items)?;
    walk.pages += 1;
    let next = next_token(&body, profile.next_field)?;
    tracing::debug!(
        operation = op.id,
        page = walk.pages,
        served = page.items.len(),
        more = next.is_some(),
        "page"
    );
    if let Some(token) = &next {
        if !walk.seen.insert(token.clone()) {
            // This page's items are good; the walk cannot go past them.
            walk.items.extend(page.items);
            walk.done = true;
            walk.failed = Some(paging(format!(
                "page {} names as the next page a token the server gave before (`{}`): the walk would repeat pages",
                walk.pages, profile.next_field
            )));
            return Ok(());
        }
    }
    if page.items.is_empty() && next.is_some() {
        walk.empty_in_a_row += 1;
        if walk.empty_in_a_row >= MAX_EMPTY_PAGES {
            return Err(paging(format!(
                "{MAX_EMPTY_PAGES} empty pages in a row still name a next page: the server does not advance"
            )));
        }
    } else {
        walk.empty_in_a_row = 0;
    }
    walk.items.extend(page.items);
    walk.done = next.is_none();
    walk.token = next;
    Ok(())
}

/// The next page's token: a string, or absent/null on the last page.
fn next_token(body: &[u8], field: &str) -> Result<Option<String>, Error> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| paging(format!("the page is not JSON: {e}")))?;
    match value.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(paging(format!("`{field}` is {other}, not a page token"))),
    }
}

fn paging(message: String) -> Error {
    Error::new(ErrorKind::Paging(message))
}
