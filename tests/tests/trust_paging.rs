//! Paging cross-checks (issue 23, item 2): the walk follows the server only while what it
//! says agrees with what it served. An empty page that links a next one, a next link past
//! the items served, a total below what was served or one that changes, a result set that
//! changes: each is an error, never a quiet end or a quiet skip. Repeats are recognised by
//! the items' JSON as sent, so items that do not decode are not exempt; `null` items (VB
//! for Azure's nullable list items) are skipped, not errors, and still count as served.

mod support;
use support::walk_azure;

use std::sync::Arc;

use futures::StreamExt;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers every page request with `page(offset, limit)`.
struct Pages(Arc<dyn Fn(usize, usize) -> Value + Send + Sync>);

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            request
                .url
                .query_pairs()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let body = (self.0)(q("offset").unwrap_or(0), q("limit").unwrap_or(0));
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn serve(
    at: &str,
    page: impl Fn(usize, usize) -> Value + Send + Sync + 'static,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path(at))
        .respond_with(Pages(Arc::new(page)))
        .mount(&server)
        .await;
    server
}

fn point(i: usize) -> Value {
    json!({"id": format!("point-{i}")})
}

/// VB365's restore points: the ids yielded, and the error the walk ended on.
async fn walk_vb365(server: &MockServer) -> (Vec<String>, Option<vb365::Error>) {
    let client = vb365::Client::builder(server.uri()).build().unwrap();
    let mut stream = std::pin::pin!(client.restore_point_get_restore_points().stream().take(200));
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(p) => ids.push(p.id.unwrap_or_default()),
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

fn azure_point(i: usize) -> Value {
    json!({"id": format!("00000000-0000-4000-8000-{i:012}")})
}

const AZURE: &str = "/api/v8.1/restorePoints/virtualMachines";

fn assert_paging(error: Option<impl std::fmt::Display + HasKind>, wanted: &str) {
    let e = error.expect("the walk ended without an error");
    assert!(e.is_paging(), "{e}");
    assert!(e.to_string().contains(wanted), "{e}");
}

trait HasKind {
    fn is_paging(&self) -> bool;
}
impl HasKind for vb365::Error {
    fn is_paging(&self) -> bool {
        matches!(self.kind(), vb365::ErrorKind::Paging(_))
    }
}

#[tokio::test]
async fn an_empty_page_that_links_a_next_one_is_an_error_not_the_end() {
    // The page at 30 is empty (filtered away on the server), yet links the next: the items
    // from 60 on exist.
    let server = serve("/v8/RestorePoints", |offset, _| {
        let results: Vec<Value> = match offset {
            0 => (0..30).map(point).collect(),
            30 => vec![],
            _ => (offset..offset + 10).map(point).collect(),
        };
        let next = offset + 30;
        json!({"offset": offset, "results": results,
               "_links": {"next": {"href": format!("/v8/RestorePoints?offset={next}&limit=30")}}})
    })
    .await;
    let (ids, error) = walk_vb365(&server).await;
    assert_eq!(ids.len(), 30);
    assert_paging(error, "empty but links a next page");
}

#[tokio::test]
async fn a_next_link_past_the_items_served_is_an_error() {
    // Capped at 30 a page, but the link is built from the 500 asked for: following it
    // would skip items 30 to 499.
    let server = serve("/v8/RestorePoints", |offset, limit| {
        let results: Vec<Value> = (offset..offset + 30).map(point).collect();
        json!({"offset": offset, "results": results,
               "_links": {"next": {"href": format!("/v8/RestorePoints?offset={}&limit={limit}", offset + limit)}}})
    })
    .await;
    let (ids, error) = walk_vb365(&server).await;
    assert_eq!(ids.len(), 30);
    assert_paging(error, "not 30: following it would skip");
}

#[tokio::test]
async fn a_set_id_that_changes_during_the_walk_is_an_error() {
    let server = serve("/v8/RestorePoints", |offset, _| {
        let results: Vec<Value> = (offset..offset + 30).map(point).collect();
        let set = if offset == 0 { "set-A" } else { "set-B" };
        json!({"offset": offset, "limit": 30, "setId": set, "results": results})
    })
    .await;
    let (ids, error) = walk_vb365(&server).await;
    assert_eq!(ids.len(), 30);
    assert_paging(error, "set-B");
}

#[tokio::test]
async fn a_repeated_page_is_recognised_even_when_its_items_do_not_decode() {
    // The server ignores the offset and echoes none; its items do not decode (`id` is a
    // number). Without the check the stream would yield decode errors forever.
    let server = serve(
        "/v8/RestorePoints",
        |_, _| json!({"limit": 2, "results": [{"id": 1}, {"id": 2}]}),
    )
    .await;
    // The first page's two items are decode errors; the walk stops at the repeat.
    let client = vb365::Client::builder(server.uri()).build().unwrap();
    let all: Vec<_> = client
        .restore_point_get_restore_points()
        .stream()
        .take(50)
        .collect()
        .await;
    assert_eq!(all.len(), 3, "two decode errors, then the paging error");
    let last = all.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(last.kind(), vb365::ErrorKind::Paging(_)), "{last}");
}

#[tokio::test]
async fn a_total_below_what_was_served_is_an_error() {
    let server = serve(AZURE, |offset, _| {
        let results: Vec<Value> = (offset..offset + 30).map(azure_point).collect();
        json!({"offset": offset, "totalCount": 10, "results": results})
    })
    .await;
    let (_, error) = walk_azure(&server).await;
    let e = error.expect("an error");
    assert!(matches!(e.kind(), vbazure::ErrorKind::Paging(_)), "{e}");
    assert!(
        e.to_string().contains("counts 10 items but has served 30"),
        "{e}"
    );
}

#[tokio::test]
async fn a_total_that_changes_during_the_walk_is_an_error() {
    let server = serve(AZURE, |offset, _| {
        let results: Vec<Value> = (offset..(offset + 30).min(95)).map(azure_point).collect();
        let total = if offset == 0 { 95 } else { 60 };
        json!({"offset": offset, "totalCount": total, "results": results})
    })
    .await;
    let (ids, error) = walk_azure(&server).await;
    assert_eq!(ids.len(), 30);
    let e = error.expect("an error");
    assert!(matches!(e.kind(), vbazure::ErrorKind::Paging(_)), "{e}");
    assert!(
        e.to_string().contains("95") && e.to_string().contains("60"),
        "{e}"
    );
}

#[tokio::test]
async fn null_items_are_skipped_and_still_count_as_served() {
    // 95 entries, every tenth `null`, 30 a page: offsets move by what was served.
    let entry = |i: usize| {
        if i % 10 == 0 {
            Value::Null
        } else {
            azure_point(i)
        }
    };
    let server = serve(AZURE, move |offset, _| {
        let results: Vec<Value> = (offset..(offset + 30).min(95)).map(entry).collect();
        json!({"offset": offset, "totalCount": 95, "results": results})
    })
    .await;
    let (ids, error) = walk_azure(&server).await;
    assert!(error.is_none(), "{error:?}");
    let expected: Vec<String> = (0..95)
        .filter(|i| i % 10 != 0)
        .map(|i| azure_point(i)["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, expected);

    // The same page read whole with `send()`: the null items are left out, not fatal.
    let client = vbazure::Client::builder(server.uri()).build().unwrap();
    let page = client
        .virtual_machine_restore_point_get_restore_point_page()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.results.len(), 27);
}
