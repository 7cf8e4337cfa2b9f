//! Token paging (dropshot's convention, Oxide's lists): the crate generated from
//! `dropshot_pagination.yaml` through the runtime pipeline (profile inferred: `cursor_paging`)
//! streams every item by following `next_page` tokens, sends later pages the token alone (the
//! sort order left out, as dropshot wants), follows empty pages that name a next one, and
//! ends with an error, not a loop, on a token the server gave before.

use futures::TryStreamExt;
use serde_json::json;
use tests::runtime_dropshot_pagination::types::NameSortMode;
use tests::runtime_dropshot_pagination::Client;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn project(n: u32) -> serde_json::Value {
    json!({"id": format!("00000000-0000-0000-0000-{n:012}"), "name": format!("p{n}")})
}

/// Pages of projects: the first without a token, then one per token in `pages`.
async fn server(pages: &[(Option<&str>, Vec<u32>, Option<&str>)]) -> MockServer {
    let server = MockServer::start().await;
    for (token, items, next) in pages {
        let body = json!({
            "items": items.iter().map(|n| project(*n)).collect::<Vec<_>>(),
            "next_page": next,
        });
        let mock = Mock::given(method("GET")).and(path("/v1/projects"));
        let mock = match token {
            Some(t) => mock
                .and(query_param("page_token", *t))
                .and(query_param_is_missing("sort_by")),
            None => mock.and(query_param_is_missing("page_token")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    server
}

fn names(projects: &[tests::runtime_dropshot_pagination::types::Project]) -> Vec<String> {
    projects.iter().map(|p| p.name.clone().unwrap()).collect()
}

#[tokio::test]
async fn every_item_of_every_page_and_later_pages_send_only_the_token() {
    let s = server(&[
        (None, vec![1, 2], Some("t1")),
        (Some("t1"), vec![3, 4], Some("t2")),
        (Some("t2"), vec![5], None),
    ])
    .await;
    let client = Client::builder(s.uri()).build().unwrap();
    let all: Vec<_> = client
        .project_list()
        .limit(std::num::NonZeroU32::new(2).unwrap())
        .sort_by(NameSortMode::NameAscending)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(&all), ["p1", "p2", "p3", "p4", "p5"]);
    let requests = s.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].url.query(),
        Some("limit=2&sort_by=name_ascending")
    );
    assert_eq!(requests[1].url.query(), Some("limit=2&page_token=t1"));
}

#[tokio::test]
async fn empty_pages_that_name_a_next_one_are_followed() {
    let s = server(&[
        (None, vec![], Some("a")),
        (Some("a"), vec![], Some("b")),
        (Some("b"), vec![7], None),
    ])
    .await;
    let client = Client::builder(s.uri()).build().unwrap();
    let all: Vec<_> = client.project_list().stream().try_collect().await.unwrap();
    assert_eq!(names(&all), ["p7"]);
}

#[tokio::test]
async fn a_token_given_twice_is_an_error_not_a_loop() {
    let s = server(&[
        (None, vec![1], Some("same")),
        (Some("same"), vec![2], Some("same")),
    ])
    .await;
    let client = Client::builder(s.uri()).build().unwrap();
    let mut stream = std::pin::pin!(client.project_list().stream());
    let mut served = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(p)) => served.push(p),
            Ok(None) => panic!("the walk ended quietly after {served:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(
        names(&served),
        ["p1", "p2"],
        "what was served before the repeat"
    );
    assert!(
        matches!(error.kind(), veeam_runtime::ErrorKind::Paging(_)),
        "{error}"
    );
    assert!(error.to_string().contains("project_list"), "{error}");
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after the error"
    );
}

#[tokio::test]
async fn a_path_parameter_is_kept_on_every_page() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/projects/web/disks"))
        .and(query_param_is_missing("page_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [{"id": "d1", "size": 1}], "next_page": "n"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/projects/web/disks"))
        .and(query_param("page_token", "n"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [{"id": "d2"}], "next_page": null})),
        )
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).build().unwrap();
    let disks: Vec<_> = client
        .disk_list()
        .project("web")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = disks.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2"]);
}
