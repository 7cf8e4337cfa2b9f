//! Walking offset/limit pages as one lazy stream of items.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use crate::error::Error;

/// Page size when the caller sets none with `.limit(n)`: large enough to keep round trips
/// few, small enough to keep one page's memory modest. The server allows up to 10,000.
pub const DEFAULT_PAGE_SIZE: i64 = 500;

/// One page as the stream needs it: its items and the server's cached result set id.
pub struct Page<T, S> {
    pub items: Vec<T>,
    pub set_id: Option<S>,
}

/// Implemented by the generator for each page type (`PageOfRESTOrganization`, ...): its
/// `results` and its `setId`.
pub trait IntoPage {
    type Item;
    type SetId: Clone;
    fn into_page(self) -> Page<Self::Item, Self::SetId>;
}

/// A stream over every item of a paged list operation.
///
/// `fetch(builder, offset, limit, set_id)` sends one page request. Pages are requested one
/// at a time as the caller consumes items, so only one page is held in memory. The first
/// page's `setId` (if the operation takes one) is passed on to later pages so the server
/// serves them from the same cached result set. The walk ends after an empty or short page.
pub fn stream<B, T, S, F, Fut>(
    builder: B,
    start: i64,
    limit: i64,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    S: Clone,
    F: FnMut(B, i64, i64, Option<S>) -> Fut,
    Fut: Future<Output = Result<Page<T, S>, Error>>,
{
    let limit = limit.clamp(1, 10_000);
    struct Walk<B, T, S> {
        builder: B,
        offset: i64,
        set_id: Option<S>,
        items: VecDeque<T>,
        last: bool,
    }
    let walk = Walk {
        builder,
        offset: start.max(0),
        set_id: None,
        items: VecDeque::new(),
        last: false,
    };
    futures::stream::unfold(Some(walk), move |state| {
        let next = state.map(|mut walk| {
            let page = (walk.items.is_empty() && !walk.last).then(|| {
                fetch(walk.builder.clone(), walk.offset, limit, walk.set_id.clone())
            });
            async move {
                if let Some(page) = page {
                    match page.await {
                        Ok(page) => {
                            let n = page.items.len() as i64;
                            walk.last = n < limit;
                            walk.offset += n;
                            if walk.set_id.is_none() {
                                walk.set_id = page.set_id;
                            }
                            walk.items = page.items.into();
                        }
                        // Report the error once, then end.
                        Err(e) => return Some((Err(e), None)),
                    }
                }
                let item = walk.items.pop_front()?;
                Some((Ok(item), Some(walk)))
            }
        });
        async move {
            match next {
                Some(fut) => fut.await,
                None => None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::{Arc, Mutex};

    /// A server with `total` items, recording the requests it got.
    fn pages(
        total: i64,
        log: Arc<Mutex<Vec<(i64, i64, Option<String>)>>>,
    ) -> impl FnMut((), i64, i64, Option<String>) -> std::future::Ready<Result<Page<i64, String>, Error>>
    {
        move |(), offset, limit, set_id| {
            log.lock().unwrap().push((offset, limit, set_id));
            let items = (offset..(offset + limit).min(total)).collect();
            std::future::ready(Ok(Page {
                items,
                set_id: Some("set-1".to_string()),
            }))
        }
    }

    #[tokio::test]
    async fn walks_every_page_passing_the_set_id() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let all: Vec<i64> = stream((), 0, 4, pages(10, log.clone()))
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        let set = || Some("set-1".to_string());
        assert_eq!(*log.lock().unwrap(), vec![(0, 4, None), (4, 4, set()), (8, 4, set())]);
    }

    #[tokio::test]
    async fn exact_multiple_ends_on_the_empty_page() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let n = stream((), 0, 5, pages(10, log.clone())).count().await;
        assert_eq!(n, 10);
        assert_eq!(log.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn lazy_one_page_at_a_time() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let first: Vec<_> = stream((), 0, 3, pages(1000, log.clone())).take(4).collect().await;
        assert_eq!(first.len(), 4);
        assert_eq!(log.lock().unwrap().len(), 2, "only the pages consumed are fetched");
    }

    #[tokio::test]
    async fn an_error_ends_the_stream_after_being_reported() {
        let mut calls = 0;
        let s = stream((), 0, 2, move |(), offset, _, _: Option<String>| {
            calls += 1;
            std::future::ready(if calls == 1 {
                Ok(Page { items: vec![offset, offset + 1], set_id: None })
            } else {
                Err(Error::new(crate::ErrorKind::Timeout("page 2".into())))
            })
        });
        let got: Vec<_> = s.collect().await;
        assert_eq!(got.len(), 3);
        assert!(got[2].is_err());
    }
}
