//! The VB for Microsoft Azure v8.1 client against mock servers (`vbazure-mock` where it models
//! the server, wiremock for answers it would not give): its own token endpoint and logout, `Offset`/`Limit` paging, RFC 9457 problem errors, a restore answered 202 and
//! followed to its end, asynchronous operations, and a file answered under two statuses.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use vbazure::runtime::WaitOptions;
use vbazure::{types, ErrorKind};
use wiremock::matchers::{body_string, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const POINT: &str = "15ed5dd3-c759-4726-9682-be9f9d72a7d5";

fn bearer(server: &MockServer) -> vbazure::Client {
    vbazure::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default().with_interval(Duration::from_millis(5), Duration::from_millis(20))
}

/// `GET path` answers each of `bodies` once, in order, then the last one for ever.
async fn answers_in_turn(server: &MockServer, at: &str, bodies: &[serde_json::Value]) {
    let last = bodies.len() - 1;
    for (i, body) in bodies.iter().enumerate() {
        let mock = Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(body));
        let mock = if i < last {
            mock.up_to_n_times(1).with_priority(1 + i as u8)
        } else {
            mock.with_priority(100)
        };
        mock.mount(server).await;
    }
}

#[tokio::test]
async fn logs_in_at_its_token_endpoint_and_streams_restore_points_by_offset_and_limit() {
    let mock = vbazure_mock::Mock::start().await;
    mock.set_credentials("admin", "pw");
    let points: Vec<types::VirtualMachineRestorePoint> = (0..3)
        .map(|i| {
            serde_json::from_value(
                json!({"id": format!("15ed5dd3-c759-4726-9682-be9f9d72a7d{i}"),
                                          "backupDestination": "Archive"}),
            )
            .unwrap()
        })
        .collect();
    // Fields v8.1 does not list (a newer server's) must not fail the page.
    mock.virtual_machine_restore_point_get_restore_point_page()
        .set_field("/addedInV9", json!({"x": 1}))
        .returns(points);
    let client = vbazure::Client::builder(mock.uri())
        .password("admin", "pw")
        .build()
        .unwrap();
    let points: Vec<_> = client
        .virtual_machine_restore_point_get_restore_point_page()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(
        points[0].backup_destination,
        Some(types::BackupDestination::UnknownValue("Archive".into())),
        "a value v8.1 does not list is kept, not an error"
    );
    let login = String::from_utf8_lossy(&mock.requests()[0].body).into_owned();
    assert_eq!(login, "grant_type=Password&username=admin&password=pw");
    let pages = mock
        .virtual_machine_restore_point_get_restore_point_page()
        .received();
    let asked: Vec<_> = (0..pages.count())
        .map(|i| (pages.query(i, "Offset"), pages.query(i, "Limit")))
        .collect();
    let page = |o: &str| (Some(o.to_string()), Some("2".to_string()));
    assert_eq!(asked, [page("0"), page("2")]);
}

#[tokio::test]
async fn logout_deletes_the_token_and_the_next_call_logs_in_again() {
    let mock = vbazure_mock::Mock::start().await;
    mock.system_get_about()
        .returns(serde_json::from_value(json!({"serverVersion": "8.1"})).unwrap());
    let client = mock.client();
    client.session().login().await.unwrap();
    client.session().logout().await.unwrap();
    client.system_get_about().send().await.unwrap();
    let sessions = mock.sessions();
    assert_eq!((sessions.logins, sessions.logouts), (2, 1));
    assert_eq!(
        mock.system_get_about().received().authorizations(),
        [Some("Bearer access-2".to_string())]
    );
}

#[tokio::test]
async fn problem_details_errors_are_decoded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v8.1/restorePoints/virtualMachines/{POINT}"
        )))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(
                json!({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.4",
                       "title": "Not Found", "status": 404,
                       "detail": "Restore point was not found.", "traceId": "00-abc-01",
                       "errorCode": "NotFound"})
                .to_string(),
                "application/problem+json",
            ),
        )
        .mount(&server)
        .await;
    let err = bearer(&server)
        .virtual_machine_restore_point_get_restore_point_by_id()
        .restore_point_id(POINT.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.operation(),
        Some("virtual_machine_restore_point_get_restore_point_by_id")
    );
    assert_eq!(err.status(), Some(reqwest::StatusCode::NOT_FOUND));
    let problem = err.problem().expect("an RFC 9457 problem");
    assert_eq!(
        problem.detail.as_deref(),
        Some("Restore point was not found.")
    );
    assert_eq!(problem.trace_id.as_deref(), Some("00-abc-01"));
    assert_eq!(problem.extensions["errorCode"], "NotFound");
    assert!(
        err.to_string().contains("Restore point was not found."),
        "{err}"
    );
}

#[tokio::test]
async fn a_vm_restore_answers_a_session_that_is_waited_to_its_end() {
    let server = MockServer::start().await;
    let session = "d1c3e0f1-0000-4000-8000-000000000001";
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v8.1/restorePoints/virtualMachines/{POINT}/restoreVirtualMachine"
        )))
        .and(body_string(r#"{"reason":"test restore"}"#))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"id": session, "type": "RestoreVms", "status": "Pending"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    // Running, then a state this client does not know (waited through), then the end.
    answers_in_turn(
        &server,
        &format!("/api/v8.1/jobSessions/{session}"),
        &[
            json!({"id": session, "status": "Running"}),
            json!({"id": session, "status": "Verifying"}),
            json!({"id": session, "status": "Warning", "executionStopTime": "2026-11-24T10:00:00Z"}),
        ],
    )
    .await;
    let client = bearer(&server);
    let started = client
        .virtual_machine_restore_point_restore_vm()
        .restore_point_id(POINT.parse::<uuid::Uuid>().unwrap())
        .body(types::VirtualMachineRestoreOptions::builder().reason("test restore".to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), reqwest::StatusCode::ACCEPTED);
    let started = started.into_inner();
    assert_eq!(started.status, Some(types::JobStatus::Pending));
    let done = client
        .wait_started_session(&started, &quick())
        .await
        .unwrap();
    assert_eq!(done.status, Some(types::JobStatus::Warning));
    let polls = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(polls, 3, "Running, the unknown state, then Warning");
}

#[tokio::test]
async fn a_session_answer_without_an_id_is_an_error_not_a_wait() {
    let client = vbazure::Client::builder("http://127.0.0.1:9")
        .bearer_token("T")
        .build()
        .unwrap();
    let started: types::JobSession = serde_json::from_value(json!({"status": "Running"})).unwrap();
    let err = client
        .wait_started_session(&started, &quick())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn asynchronous_operations_are_waited_until_final() {
    let server = MockServer::start().await;
    let id = "0a0a0a0a-0000-4000-8000-00000000000b";
    let at = format!("/api/v8.1/operations/{id}");
    answers_in_turn(
        &server,
        &at,
        &[
            json!({"id": id, "startTime": "2026-11-24T10:00:00Z", "status": "Running"}),
            json!({"id": id, "startTime": "2026-11-24T10:00:00Z", "status": "Error",
                   "error": {"title": "Failed", "detail": "No permissions."}}),
        ],
    )
    .await;
    let client = bearer(&server);
    let id: uuid::Uuid = id.parse().unwrap();
    let done = client.wait_operation(&id, &quick()).await.unwrap();
    assert_eq!(done.status, Some(types::JobStatus::Error));
    assert_eq!(
        done.error.unwrap().detail.as_deref(),
        Some("No permissions.")
    );

    let server = MockServer::start().await;
    answers_in_turn(
        &server,
        &at,
        &[json!({"id": id, "startTime": "2026-11-24T10:00:00Z", "status": "Running"})],
    )
    .await;
    let err = bearer(&server)
        .wait_operation(&id, &quick().with_deadline(Duration::from_millis(60)))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn a_file_answered_under_two_statuses_is_typed_by_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v8.1/system/logs"))
        .and(query_param("ExportLogsType", "LastDays"))
        .and(query_param("Days", "3"))
        .respond_with(ResponseTemplate::new(201).set_body_bytes(b"PK\x03\x04logs".to_vec()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v8.1/system/logs"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = bearer(&server);
    let export = || {
        client
            .system_export_logs()
            .export_logs_type(types::ExportLogsType::LastDays)
            .days(3)
    };
    match export().send().await.unwrap().into_inner() {
        vbazure::builder::SystemExportLogsResponse::Created(body) => {
            let bytes: Vec<u8> = body
                .into_inner()
                .try_fold(Vec::new(), |mut all, chunk| async move {
                    all.extend_from_slice(&chunk);
                    Ok(all)
                })
                .await
                .unwrap();
            assert_eq!(bytes, b"PK\x03\x04logs");
        }
        other => panic!("expected the 201 file, got {other:?}"),
    }
    assert!(matches!(
        export().send().await.unwrap().into_inner(),
        vbazure::builder::SystemExportLogsResponse::NoContent
    ));
}

#[tokio::test]
async fn a_list_answered_202_is_a_loud_error_not_an_empty_stream() {
    let server = MockServer::start().await;
    let operation = "0a0a0a0a-0000-4000-8000-00000000000c";
    Mock::given(method("GET"))
        .and(path("/api/v8.1/protectedItem/virtualMachines"))
        .respond_with(ResponseTemplate::new(202).set_body_json(
            json!({"id": operation, "startTime": "2026-11-24T10:00:00Z", "status": "Running"}),
        ))
        .mount(&server)
        .await;
    let client = bearer(&server);
    let items: Vec<_> = client
        .protected_virtual_machine_get_protected_item_page()
        .sync(true)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1, "one error, and the stream ends");
    let err = items.into_iter().next().unwrap().unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Paging(_)), "{err:?}");
    assert!(err.to_string().contains("202 Accepted"), "{err}");
    assert!(
        err.to_string().contains(operation),
        "names the operation: {err}"
    );

    // `send` gives the asynchronous operation, typed.
    match client
        .protected_virtual_machine_get_protected_item_page()
        .send()
        .await
        .unwrap()
        .into_inner()
    {
        vbazure::builder::ProtectedVirtualMachineGetProtectedItemPageResponse::Accepted(op) => {
            assert_eq!(op.id.to_string(), operation)
        }
        other => panic!("expected the 202, got {other:?}"),
    }
}
