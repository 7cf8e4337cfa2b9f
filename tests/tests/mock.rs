//! The generated mock servers (`vb365-mock`, `vbazure-mock`, on `veeam-mock`) against the
//! real clients: what a user's test relies on. Login per profile (both grant spellings),
//! refresh, logout, tokens expired and revoked; pages as the server pages them, with a cap;
//! a wait; a download; every fault; typed assertions of what was received.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use serde_json::json;
use vb365::runtime::{RetryPolicy, WaitOptions};
use vb365::types;
use vb365_mock::{Fault, Mock};

const SESSION: &str = "6a7b9c2e-1f2a-4b3c-9d8e-0f1a2b3c4d5e";
const ORG: &str = "0b8f2c6e-5d4a-4c3b-9a1f-7e6d5c4b3a21";

fn points(n: usize) -> Vec<types::RestRestorePoint> {
    (0..n)
        .map(|i| types::RestRestorePoint {
            id: Some(format!("point-{i}")),
            ..Default::default()
        })
        .collect()
}

fn session(state: &str) -> types::RestRestoreSession {
    serde_json::from_value(json!({
        "id": SESSION, "type": "Vex", "creationTime": "2026-11-22T10:00:00Z", "state": state
    }))
    .unwrap()
}

fn quick() -> WaitOptions {
    WaitOptions::default().with_interval(Duration::from_millis(5), Duration::from_millis(20))
}

async fn get_point(
    client: &vb365::Client,
    id: &str,
) -> Result<types::RestRestorePoint, vb365::Error> {
    Ok(client
        .restore_point_get_restore_point()
        .restore_point_id(id)
        .send()
        .await?
        .into_inner())
}

#[tokio::test]
async fn logs_in_refreshes_and_logs_out_as_the_profile_says() {
    let mock = Mock::start().await;
    mock.restore_point_get_restore_point()
        .path_param("restorePointId", "point-1")
        .returns(points(2).remove(1));
    let client = mock.client();

    assert_eq!(
        get_point(&client, "point-1").await.unwrap().id.as_deref(),
        Some("point-1")
    );
    assert_eq!(mock.sessions().logins, 1);
    let login = &mock.requests()[0];
    assert_eq!(login.url.path(), "/v8/token");
    let form = String::from_utf8_lossy(&login.body).into_owned();
    assert!(
        form.contains("grant_type=password") && form.contains("disable_antiforgery_token=true"),
        "{form}"
    );

    // The server forgets the access token: a 401, a refresh, the request again.
    mock.expire_tokens();
    get_point(&client, "point-1").await.unwrap();
    assert_eq!((mock.sessions().logins, mock.sessions().refreshes), (1, 1));
    // Every token revoked: the refresh is refused, the password logs in again.
    mock.revoke_tokens();
    get_point(&client, "point-1").await.unwrap();
    let counts = mock.sessions();
    assert_eq!((counts.logins, counts.refreshes, counts.refused), (2, 1, 1));

    client.session().logout().await.unwrap();
    assert_eq!(mock.sessions().logouts, 1);
    // Each request carried the token current at its time: the 401s show the stale ones.
    let received = mock.restore_point_get_restore_point().received();
    assert_eq!(
        received.authorizations(),
        ["access-1", "access-1", "access-2", "access-2", "access-3"]
            .map(|t| Some(format!("Bearer {t}")))
    );
    assert_eq!(
        received.last_path_param("restorePointId").as_deref(),
        Some("point-1")
    );
    // A stub that matches nothing: 404, and listed.
    let e = get_point(&client, "point-9").await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404), "{e}");
    assert_eq!(mock.unmatched(), ["GET /v8/RestorePoints/point-9"]);
}

#[tokio::test]
async fn a_login_without_the_profiles_extra_fields_cannot_be_refreshed() {
    // As VB365: without `disable_antiforgery_token=true` the refresh token is refused.
    let mock = Mock::start().await;
    let http = reqwest::Client::new();
    let token = |form: &'static [(&'static str, &'static str)]| {
        http.post(format!("{}/v8/token", mock.uri()))
            .form(form)
            .send()
    };
    let bare = token(&[
        ("grant_type", "password"),
        ("username", "a"),
        ("password", "b"),
    ]);
    assert_eq!(bare.await.unwrap().status(), 200);
    let refresh = token(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", "refresh-1"),
    ]);
    assert_eq!(refresh.await.unwrap().status(), 400);
    let full = token(&[
        ("grant_type", "password"),
        ("username", "a"),
        ("password", "b"),
        ("disable_antiforgery_token", "true"),
    ]);
    assert_eq!(full.await.unwrap().status(), 200);
    let refresh = token(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", "refresh-2"),
    ]);
    assert_eq!(refresh.await.unwrap().status(), 200);
    let counts = mock.sessions();
    assert_eq!((counts.logins, counts.refreshes, counts.refused), (2, 1, 1));
}

#[tokio::test]
async fn wrong_credentials_are_refused_and_vb_for_azure_uses_its_own_grant_types() {
    let mock = vbazure_mock::Mock::start().await;
    mock.set_credentials("admin", "right");
    let client = vbazure::Client::builder(mock.uri())
        .password("admin", "wrong")
        .build()
        .unwrap();
    assert!(client.session().login().await.is_err());
    assert_eq!(mock.sessions().refused, 1);
    let client = vbazure::Client::builder(mock.uri())
        .password("admin", "right")
        .build()
        .unwrap();
    client.session().login().await.unwrap();
    let form = String::from_utf8_lossy(&mock.requests()[1].body).into_owned();
    assert!(form.starts_with("grant_type=Password&"), "{form}");
    // VB for Azure's logout is a DELETE of its token endpoint.
    client.session().logout().await.unwrap();
    assert_eq!(mock.sessions().logouts, 1);
    assert_eq!(mock.requests()[2].method.as_str(), "DELETE");
}

#[tokio::test]
async fn lists_are_served_in_pages_with_the_cap_the_server_sets() {
    let mock = Mock::start().await;
    mock.set_page_cap(Some(3));
    mock.restore_point_get_restore_points()
        .query("organizationId", ORG)
        .returns(points(7));
    let client = mock.client();
    let all: Vec<_> = client
        .restore_point_get_restore_points()
        .organization_id(ORG.parse::<uuid::Uuid>().unwrap())
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = all.iter().map(|p| p.id.clone().unwrap()).collect();
    assert_eq!(
        ids,
        (0..7).map(|i| format!("point-{i}")).collect::<Vec<_>>()
    );
    let got = mock.restore_point_get_restore_points().received();
    assert_eq!(got.count(), 3, "pages of 3, 3 and 1");
    let offsets: Vec<_> = (0..3).map(|i| got.query(i, "offset").unwrap()).collect();
    assert_eq!(offsets, ["0", "3", "6"]);
    assert_eq!(
        got.query(0, "limit").as_deref(),
        Some("500"),
        "the walk asks for 500"
    );

    // One page, as the server shapes it: the size applied echoed, a next link.
    let page = client
        .restore_point_get_restore_points()
        .organization_id(ORG.parse::<uuid::Uuid>().unwrap())
        .limit(5)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (page.offset, page.limit, page.results.len()),
        (Some(0), Some(3), 3)
    );
    let set = veeam_mock::set_id("restore_point_get_restore_points");
    assert_eq!(page.set_id.map(|s| s.to_string()), Some(set.clone()));
    let next = page
        .links
        .and_then(|l| l.0.get("next").and_then(|n| n.href.clone()));
    assert_eq!(
        next.as_deref(),
        Some(format!("/v8/RestorePoints?offset=3&limit=3&setId={set}").as_str())
    );
}

#[tokio::test]
async fn vb_for_azure_pages_count_their_items() {
    let mock = vbazure_mock::Mock::start().await;
    mock.set_page_cap(Some(2));
    let items: Vec<vbazure::types::VirtualMachineRestorePoint> = (0..5)
        .map(|i| {
            serde_json::from_value(json!({"id": format!("15ed5dd3-c759-4726-9682-be9f9d72a7d{i}")}))
                .unwrap()
        })
        .collect();
    mock.virtual_machine_restore_point_get_restore_point_page()
        .returns(items);
    let page = mock
        .client()
        .virtual_machine_restore_point_get_restore_point_page()
        .offset(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            page.offset,
            page.limit,
            page.total_count,
            page.results.len()
        ),
        (Some(2), Some(2), Some(5), 2)
    );
    let (ids, error) = tests_support_walk(&mock).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids.len(), 5);
}

/// The walk support/mod.rs does for the paging suites, against this mock.
async fn tests_support_walk(mock: &vbazure_mock::Mock) -> (Vec<String>, Option<vbazure::Error>) {
    let client = mock.client();
    let mut ids = Vec::new();
    let mut stream = std::pin::pin!(client
        .virtual_machine_restore_point_get_restore_point_page()
        .stream());
    loop {
        match stream.try_next().await {
            Ok(Some(p)) => ids.push(p.id.to_string()),
            Ok(None) => return (ids, None),
            Err(e) => return (ids, Some(e)),
        }
    }
}

#[tokio::test]
async fn a_session_works_for_some_polls_then_succeeds() {
    let mock = Mock::start().await;
    mock.restore_session_get_by_restore_session_id().polls(
        2,
        session("Working"),
        session("Stopped"),
    );
    let id: uuid::Uuid = SESSION.parse().unwrap();
    let done = mock
        .client()
        .wait_restore_session(&id, &quick())
        .await
        .unwrap();
    assert_eq!(done.state, session("Stopped").state);
    let got = mock.restore_session_get_by_restore_session_id().received();
    assert_eq!(got.count(), 3);
}

#[tokio::test]
async fn downloads_serve_the_bytes_given_and_bodies_are_received_typed() {
    let mock = Mock::start().await;
    mock.exchange_item_save_item_action()
        .returns(b"PST file".to_vec());
    let client = mock.client();
    let mut file = Vec::new();
    client
        .exchange_item_save_item_action()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .mailbox_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .item_id("item-1")
        .write_to(&mut file)
        .await
        .unwrap();
    assert_eq!(file, b"PST file");

    let edit: types::RestEditBackupJob =
        serde_json::from_value(json!({"name": "Nightly", "description": "every night"})).unwrap();
    mock.job_update().returns(());
    client
        .job_update()
        .job_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .body(edit.clone())
        .send()
        .await
        .unwrap();
    let got = mock.job_update().received();
    assert_eq!(got.count(), 1);
    let sent = got.last_body().unwrap().unwrap();
    assert_eq!(
        (&sent.name, &sent.description),
        (&edit.name, &edit.description)
    );
    // Matching on the body: a stub for another body does not answer.
    let other = types::RestEditBackupJob {
        name: Some("Other".into()),
        ..edit.clone()
    };
    mock.job_update().body(&other).status(500).returns(());
    assert_eq!(mock.job_update().body(&other).received().count(), 0);
}

#[tokio::test]
async fn faults_on_demand() {
    let mock = Mock::start().await;
    let client = vb365::Client::builder(mock.uri())
        .password(veeam_mock::USERNAME, veeam_mock::PASSWORD)
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let stub = || {
        mock.restore_point_get_restore_point()
            .path_param("restorePointId", "p")
    };

    // 503 and 429 with Retry-After are waited out; then the answer.
    stub()
        .fault(Fault::unavailable(0))
        .fault(Fault::too_many_requests(0))
        .returns(points(1).remove(0));
    get_point(&client, "p").await.unwrap();
    assert_eq!(stub().received().count(), 3);

    // Veeam's RESTExceptionInfo.
    stub()
        .always(Fault::rest_exception(
            400,
            "InvalidArgument",
            "no such point",
        ))
        .returns(points(1).remove(0));
    let e = get_point(&client, "p").await.unwrap_err();
    assert_eq!(
        (e.error_code(), e.status().map(|s| s.as_u16())),
        (Some("InvalidArgument"), Some(400)),
        "{e}"
    );
    assert!(e.to_string().contains("no such point"), "{e}");

    // An RFC 9457 problem.
    stub()
        .always(Fault::problem(409, "Conflict", "the point is locked"))
        .mount();
    let e = get_point(&client, "p").await.unwrap_err();
    let problem = e.problem().expect("a problem");
    assert_eq!(
        (problem.title.as_deref(), problem.detail.as_deref()),
        (Some("Conflict"), Some("the point is locked"))
    );

    // An empty 401 once: the client renews its token and asks again.
    let logins = mock.sessions().logins + mock.sessions().refreshes;
    stub()
        .fault(Fault::Unauthorized)
        .returns(points(1).remove(0));
    get_point(&client, "p").await.unwrap();
    assert_eq!(
        mock.sessions().logins + mock.sessions().refreshes,
        logins + 1
    );

    // A body cut short: a decoding error, not a hang or a panic.
    stub().always(Fault::Truncated).returns(points(1).remove(0));
    let e = get_point(&client, "p").await.unwrap_err();
    assert!(
        matches!(
            e.kind(),
            vb365::ErrorKind::Decode { .. } | vb365::ErrorKind::Transport(_)
        ),
        "{e:?}"
    );

    // A delay.
    stub()
        .always(Fault::Delay(Duration::from_millis(300)))
        .returns(points(1).remove(0));
    let started = Instant::now();
    get_point(&client, "p").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A null where the schema has a value, and an enum value this client does not know.
    let session_stub = mock.restore_session_get_by_restore_session_id();
    session_stub
        .null_field("/creationTime")
        .set_field("/type", json!("Quantum"))
        .returns(session("Working"));
    let got = client
        .restore_session_get_by_restore_session_id()
        .restore_session_id(SESSION.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.creation_time, None);

    // A delay on a stub without answers delays what answers after it: a slow login.
    mock.token()
        .always(Fault::Delay(Duration::from_millis(300)))
        .mount();
    let started = Instant::now();
    client.session().login().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        got.type_,
        Some(types::RestRestoreSessionType::Unknown("Quantum".into()))
    );
}
