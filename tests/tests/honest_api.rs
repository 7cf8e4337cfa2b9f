//! What a generated client offers is what it does: no constructor that builds an HTTP client
//! nobody sends with (or unwraps its build), and a page-size or offset that does not convert
//! is an error from the stream, never a walk that quietly starts at 0 with the default size.

use futures::StreamExt;
use wiremock::MockServer;

#[test]
fn no_public_constructor_but_the_builder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated");
    for krate in ["vb365", "vb365-v6", "vb365-v7", "vbazure"] {
        let lib = std::fs::read_to_string(root.join(krate).join("src/lib.rs")).unwrap();
        assert!(
            !lib.contains("pub fn new(") && !lib.contains("pub fn new_with_client("),
            "{krate}: progenitor's constructors are not public"
        );
        assert!(
            !lib.contains(".unwrap()"),
            "{krate}: no unwrap in the crate root"
        );
        assert!(
            lib.contains("pub fn builder("),
            "{krate}: Client::builder is the way"
        );
    }
}

#[tokio::test]
async fn a_page_size_that_does_not_convert_is_the_stream_s_error() {
    let server = MockServer::start().await;
    let client = vb365::Client::builder(server.uri())
        .bearer_token("t")
        .build()
        .unwrap();
    // `limit` is an i32 on the wire: u64::MAX does not fit.
    let mut stream = std::pin::pin!(client
        .restore_point_get_restore_points()
        .limit(u64::MAX)
        .stream());
    let first = stream.next().await.expect("the stream says why");
    let error = first.expect_err("no walk with a page size the caller did not ask for");
    assert!(error.to_string().contains("limit"), "{error}");
    assert!(stream.next().await.is_none(), "and ends");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing was sent"
    );
}
