//! Paging against servers that behave as real ones do: they cap pages below what is asked,
//! ignore parameters, count or do not count, link the next page or not. The stream must
//! return every item exactly once, or fail loudly; never end early in silence.

mod support;
use support::walk_azure;

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What a server puts in its pages.
#[derive(Clone, Copy)]
struct Behaviour {
    items: usize,
    /// Serves at most this many items per page, whatever is asked.
    cap: usize,
    total: bool,
    echo_limit: bool,
    echo_offset: bool,
    next_link_only: bool,
    ignore_offset: bool,
    bare_array: bool,
}

const BASE: Behaviour = Behaviour {
    items: 95,
    cap: 30,
    total: false,
    echo_limit: true,
    echo_offset: true,
    next_link_only: false,
    ignore_offset: false,
    bare_array: false,
};

/// A restore point list served as `b` says; records the (offset, limit) of each request.
struct Points {
    b: Behaviour,
    log: Arc<Mutex<Vec<(usize, usize)>>>,
}

fn point(i: usize) -> Value {
    json!({"id": format!("5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5{i:06}"), "isCopy": null})
}

impl Respond for Points {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            request
                .url
                .query_pairs()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let asked_offset = q("offset").unwrap_or(0);
        let asked_limit = q("limit").unwrap_or(50);
        self.log.lock().unwrap().push((asked_offset, asked_limit));
        let b = self.b;
        let offset = if b.ignore_offset { 0 } else { asked_offset };
        let served = asked_limit.min(b.cap);
        let end = (offset + served).min(b.items);
        let results: Vec<Value> = (offset.min(end)..end).map(point).collect();
        if b.bare_array {
            return ResponseTemplate::new(200).set_body_json(results);
        }
        let mut page = json!({"results": results});
        if b.echo_offset && !b.next_link_only {
            page["offset"] = json!(offset);
        }
        if b.echo_limit && !b.next_link_only {
            page["limit"] = json!(served);
        }
        if b.total {
            page["totalCount"] = json!(b.items);
        }
        if end < b.items {
            page["_links"] = json!({"next": {"href": format!("https://vbo.internal:4443/v8/RestorePoints?offset={end}&limit={served}")}});
        } else {
            page["_links"] =
                json!({"self": {"href": "https://vbo.internal:4443/v8/RestorePoints"}});
        }
        if b.next_link_only {
            page.as_object_mut().unwrap().remove("_links");
            if end < b.items {
                page["_links"] = json!({"next": {"href": format!("/v8/RestorePoints?limit={served}&offset={end}")}});
            }
        }
        ResponseTemplate::new(200).set_body_json(page)
    }
}

async fn serve(b: Behaviour) -> (MockServer, Arc<Mutex<Vec<(usize, usize)>>>) {
    let server = MockServer::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    Mock::given(wiremock::matchers::path("/v8/RestorePoints"))
        .respond_with(Points {
            b,
            log: log.clone(),
        })
        .mount(&server)
        .await;
    (server, log)
}

/// Every item the stream yields, and the error it ended on, if any.
async fn walk(server: &MockServer, limit: Option<i32>) -> (Vec<String>, Option<vb365::Error>) {
    let client = vb365::Client::builder(server.uri()).build().unwrap();
    let mut builder = client.restore_point_get_restore_points();
    if let Some(l) = limit {
        builder = builder.limit(l);
    }
    let mut stream = std::pin::pin!(builder.stream());
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(p) => ids.push(p.id.expect("an id")),
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

fn all(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| point(i)["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_cap_below_the_request_still_yields_every_item() {
    // We ask 500 (the default); the server serves 30: 95 items in four pages.
    let (server, log) = serve(BASE).await;
    let (ids, error) = walk(&server, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, all(95));
    assert_eq!(
        *log.lock().unwrap(),
        [(0, 500), (30, 500), (60, 500), (90, 500)]
    );
}

#[tokio::test]
async fn a_cap_above_our_page_size_changes_nothing() {
    let (server, log) = serve(Behaviour { cap: 1000, ..BASE }).await;
    let (ids, error) = walk(&server, Some(40)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, all(95));
    assert_eq!(log.lock().unwrap().len(), 3);
}

fn azure_point(i: usize) -> Value {
    json!({"id": format!("00000000-0000-4000-8000-{i:012}")})
}

fn azure_all(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| azure_point(i)["id"].as_str().unwrap().to_string())
        .collect()
}

/// VB for Azure's restore points: 95 of them, at most 30 a page, counted, no limit echoed.
struct AzurePoints {
    served_until: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Respond for AzurePoints {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "Offset")
            .map_or(0, |(_, v)| v.parse().unwrap());
        self.log.lock().unwrap().push(offset);
        let results: Vec<Value> = (offset..(offset + 30).min(self.served_until))
            .map(azure_point)
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"offset": offset, "totalCount": 95, "results": results}))
    }
}

async fn serve_azure(served_until: usize) -> (MockServer, Arc<Mutex<Vec<usize>>>) {
    let server = MockServer::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    Mock::given(wiremock::matchers::path(
        "/api/v8.1/restorePoints/virtualMachines",
    ))
    .respond_with(AzurePoints {
        served_until,
        log: log.clone(),
    })
    .mount(&server)
    .await;
    (server, log)
}

#[tokio::test]
async fn with_a_total_count_the_walk_ends_when_the_count_is_reached() {
    let (server, log) = serve_azure(95).await;
    let (ids, error) = walk_azure(&server).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, azure_all(95));
    assert_eq!(
        *log.lock().unwrap(),
        [0, 30, 60, 90],
        "no request past the count"
    );
}

#[tokio::test]
async fn vb365_does_not_count_so_an_empty_page_ends_its_walk() {
    let (server, log) = serve(Behaviour {
        total: true,
        echo_limit: false,
        ..BASE
    })
    .await;
    let (ids, error) = walk(&server, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, all(95));
    assert_eq!(
        log.lock().unwrap().len(),
        5,
        "its profile has no total: the count is not read"
    );
}

#[tokio::test]
async fn without_any_numbers_only_an_empty_page_ends_the_walk() {
    let (server, log) = serve(Behaviour {
        echo_limit: false,
        ..BASE
    })
    .await;
    let (ids, error) = walk(&server, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, all(95));
    // Four pages of items and the empty one that ends the walk.
    assert_eq!(log.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn a_next_link_alone_is_followed() {
    let (server, log) = serve(Behaviour {
        next_link_only: true,
        ..BASE
    })
    .await;
    let (ids, error) = walk(&server, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, all(95));
    let offsets: Vec<usize> = log.lock().unwrap().iter().map(|(o, _)| *o).collect();
    assert_eq!(
        offsets,
        [0, 30, 60, 90, 95],
        "the last page has no next link; an empty page ends it"
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_is_an_error_not_an_endless_stream() {
    // It echoes the offset it used (0): caught on the second page.
    let (server, _) = serve(Behaviour {
        ignore_offset: true,
        ..BASE
    })
    .await;
    let (ids, error) = walk(&server, None).await;
    assert_eq!(ids, all(30));
    let e = error.expect("an error");
    assert!(matches!(e.kind(), vb365::ErrorKind::Paging(_)), "{e}");
    assert!(e.to_string().contains("does not honour `offset`"), "{e}");
    // Without echoing it: caught by the repeated items.
    let (server, _) = serve(Behaviour {
        ignore_offset: true,
        echo_offset: false,
        ..BASE
    })
    .await;
    let (ids, error) = walk(&server, None).await;
    assert_eq!(ids, all(30));
    let e = error.expect("an error");
    assert!(
        e.to_string()
            .contains("starts with items an earlier page served"),
        "{e}"
    );
}

#[tokio::test]
async fn a_count_the_pages_do_not_reach_is_an_error() {
    // The server counts 95 but stops serving at 60 (items deleted meanwhile, or a bug).
    let (server, _) = serve_azure(60).await;
    let (ids, error) = walk_azure(&server).await;
    assert_eq!(ids, azure_all(60));
    let e = error.expect("an error");
    assert!(
        e.to_string()
            .contains("counts 95 items but served an empty page at offset 60"),
        "{e}"
    );
}

#[tokio::test]
async fn an_item_that_does_not_decode_is_an_error_naming_it_and_the_walk_goes_on() {
    struct OneBad;
    impl Respond for OneBad {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let offset: usize = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut results: Vec<Value> = (offset..(offset + 30).min(40)).map(point).collect();
            if offset == 0 {
                results[3]["isCopy"] = json!("yes");
            }
            ResponseTemplate::new(200)
                .set_body_json(json!({"offset": offset, "limit": 30, "results": results}))
        }
    }
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v8/RestorePoints"))
        .respond_with(OneBad)
        .mount(&server)
        .await;
    let client = vb365::Client::builder(server.uri()).build().unwrap();
    let items: Vec<_> = client
        .restore_point_get_restore_points()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 40);
    let e = items[3].as_ref().unwrap_err();
    assert!(e.to_string().contains("at `.results[3].isCopy`"), "{e}");
    assert_eq!(e.operation(), Some("restore_point_get_restore_points"));
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 39);
}

#[tokio::test]
async fn the_set_id_of_the_first_page_is_sent_with_the_next_ones() {
    // The server keeps a snapshot per setId. Without it, 5 mailboxes added after the first
    // page would shift the later pages and 5 would be skipped; with it, the walk sees the
    // list as it was when it started.
    const SET: &str = "4f1e9a52-7d3c-4b8e-9f6a-0c2d3e4f5a6b";
    struct Snapshot {
        log: Arc<Mutex<Vec<Option<String>>>>,
    }
    fn mailbox(i: usize) -> Value {
        json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "email": format!("m{i}@example.com")})
    }
    impl Respond for Snapshot {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let q = |k: &str| {
                request
                    .url
                    .query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            let offset: usize = q("offset").map_or(0, |v| v.parse().unwrap());
            let set = q("setId");
            self.log.lock().unwrap().push(set.clone());
            let shift = if set.as_deref() == Some(SET) || offset == 0 {
                0
            } else {
                5
            };
            let results: Vec<Value> = (offset + shift..(offset + shift + 30).min(95 + shift))
                .map(mailbox)
                .collect();
            ResponseTemplate::new(200).set_body_json(
                json!({"offset": offset, "limit": 30, "setId": SET, "results": results}),
            )
        }
    }
    let server = MockServer::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let session = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";
    Mock::given(wiremock::matchers::path(format!(
        "/v8/RestoreSessions/{session}/organization/mailboxes/search"
    )))
    .respond_with(Snapshot { log: log.clone() })
    .mount(&server)
    .await;
    let client = vb365::Client::builder(server.uri()).build().unwrap();
    let stream = client
        .exchange_mailbox_search_by_options()
        .restore_session_id(session.parse::<uuid::Uuid>().unwrap())
        .body(vb365::types::RestSearchOptions {
            query: Some("m".into()),
        })
        .stream();
    let emails: Vec<String> = stream.map(|m| m.unwrap().email.unwrap()).collect().await;
    assert_eq!(
        emails,
        (0..95)
            .map(|i| format!("m{i}@example.com"))
            .collect::<Vec<_>>()
    );
    let sets = log.lock().unwrap().clone();
    assert_eq!(sets.len(), 4);
    assert_eq!(sets[0], None);
    assert!(
        sets[1..].iter().all(|s| s.as_deref() == Some(SET)),
        "{sets:?}"
    );
}
