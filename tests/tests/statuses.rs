//! Several success statuses with different bodies (200 with the result, 202 with the session
//! that will produce it, 204 with nothing): the runtime pipeline makes an enum by status, each
//! variant holding its own body's type, where progenitor alone can only give untyped JSON. A
//! 2xx the spec does not list keeps its status and body. Against a mock of the fixture
//! `several_success_bodies.yaml`, generated through the runtime pipeline by build.rs.

use serde_json::json;
use tests::runtime_several_success_bodies::builder::{JobDeleteResponse, JobStartResponse};
use tests::runtime_several_success_bodies::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server(status: u16, body: Option<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    let mut answer = ResponseTemplate::new(status);
    if let Some(body) = body {
        answer = answer.set_body_json(body);
    }
    Mock::given(path("/jobs/7/start"))
        .and(method("POST"))
        .respond_with(answer.clone())
        .mount(&server)
        .await;
    Mock::given(path("/jobs/7"))
        .and(method("DELETE"))
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

async fn start(server: &MockServer) -> Result<JobStartResponse, veeam_runtime::Error> {
    let client = Client::builder(server.uri()).build().unwrap();
    client
        .job_start()
        .id("7")
        .send()
        .await
        .map(|r| r.into_inner())
}

#[tokio::test]
async fn each_status_decodes_into_its_own_type() {
    let s = server(200, Some(json!({"ok": true}))).await;
    match start(&s).await.unwrap() {
        JobStartResponse::Ok(result) => assert_eq!(result.ok, Some(true)),
        other => panic!("{other:?}"),
    }
    let s = server(
        202,
        Some(json!({"sessionId": "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a"})),
    )
    .await;
    match start(&s).await.unwrap() {
        JobStartResponse::Accepted(session) => assert_eq!(
            session.session_id.unwrap().to_string(),
            "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a"
        ),
        other => panic!("{other:?}"),
    }
    let s = server(204, None).await;
    let client = Client::builder(s.uri()).build().unwrap();
    assert!(matches!(
        client
            .job_delete()
            .id("7")
            .send()
            .await
            .unwrap()
            .into_inner(),
        JobDeleteResponse::NoContent
    ));
}

#[tokio::test]
async fn an_unlisted_success_keeps_its_status_and_body_and_errors_stay_errors() {
    let s = server(203, Some(json!({"note": "from a cache"}))).await;
    match start(&s).await.unwrap() {
        JobStartResponse::Other { status, body } => {
            assert_eq!(status, 203);
            assert_eq!(&body[..], br#"{"note":"from a cache"}"#);
        }
        other => panic!("{other:?}"),
    }
    let s = server(202, Some(json!({"sessionId": 5}))).await;
    let e = start(&s).await.unwrap_err();
    assert!(
        e.to_string().contains("at `.sessionId`"),
        "a body that does not fit its status's type: {e}"
    );
    let s = server(404, Some(json!({"title": "Not found", "status": 404}))).await;
    let e = start(&s).await.unwrap_err();
    assert_eq!(
        e.problem().and_then(|p| p.title.as_deref()),
        Some("Not found")
    );
}
