//! Discovery: which VB365 REST versions a server serves, asked without credentials, against
//! mocks serving each subset, an unreachable address, and servers whose answers say nothing.

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that serves `versions` (401 without a token) and 404s anything else.
async fn serving(versions: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    for v in versions {
        Mock::given(method("GET"))
            .and(path(format!("/{v}/ServiceInstance")))
            .respond_with(ResponseTemplate::new(401))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    server
}

async fn discover(url: String) -> Result<veeam_runtime::discovery::Discovery, vb365::Error> {
    let builder = vb365::Client::builder(url);
    vb365::discover_versions(&builder, Duration::from_secs(5)).await
}

#[tokio::test]
async fn each_subset_of_versions_is_told_apart_and_the_newest_known_is_picked() {
    for (served, newest) in [
        (vec!["v6", "v7", "v8"], Some("v8")),
        (vec!["v6", "v7"], Some("v7")),
        (vec!["v6"], Some("v6")),
        (vec!["v8"], Some("v8")),
        (vec!["v5"], None),
    ] {
        let server = serving(&served).await;
        let d = discover(server.uri()).await.unwrap();
        assert_eq!(d.newest(), newest, "{served:?}");
        let known: Vec<&str> = ["v8", "v7", "v6"]
            .into_iter()
            .filter(|v| served.contains(v))
            .collect();
        assert_eq!(d.served, known, "{served:?}");
        assert_eq!(d.served.len() + d.not_served.len(), 3);
        // No credentials were sent: discovery is anonymous.
        for r in server.received_requests().await.unwrap() {
            assert!(!r.headers.contains_key("authorization"));
        }
    }
}

#[tokio::test]
async fn unreachable_and_odd_servers_are_errors_that_say_so() {
    // Nothing listens there (a port just closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = discover(format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot be reached"), "{e}");
    // A proxy page that answers everything with 200: it does not 404 a version that cannot exist.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>portal</html>"))
        .mount(&server)
        .await;
    let e = discover(server.uri()).await.unwrap_err();
    assert!(
        e.to_string().contains("for a version that does not exist"),
        "{e}"
    );
    // A server failing on one version.
    let server = MockServer::start().await;
    Mock::given(path("/v7/ServiceInstance"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let e = discover(server.uri()).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("/v7/ServiceInstance answered HTTP 500"),
        "{e}"
    );
}
