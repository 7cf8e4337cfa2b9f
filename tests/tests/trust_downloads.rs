//! Downloads (issue 23, item 6): a file operation that answers without a body never
//! replaces (or creates) the file, and a saved file is readable by its owner only.

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = "2e7f9c4a-1b3d-4c5e-8f6a-7b8c9d0e1f2a";

fn id() -> uuid::Uuid {
    SESSION.parse().unwrap()
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("veeam-trust-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn save(server: &MockServer, to: &std::path::Path) -> Result<u64, vb365::Error> {
    vb365::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap()
        .exchange_item_save_item_action()
        .restore_session_id(id())
        .mailbox_id(id())
        .item_id("item-1")
        .save_to(to)
        .await
}

#[tokio::test]
async fn a_file_operation_answering_without_a_body_never_replaces_the_file() {
    for status in [202, 204] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let dir = temp_dir();
        let target = dir.join("item.msg");
        std::fs::write(&target, b"previous export").unwrap();
        let e = save(&server, &target).await.unwrap_err();
        assert!(e.to_string().contains("no file"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"previous export");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "nothing left behind"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_saved_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"mailbox data".to_vec()))
        .mount(&server)
        .await;
    let dir = temp_dir();
    let target = dir.join("item.msg");
    assert_eq!(save(&server, &target).await.unwrap(), 12);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    std::fs::remove_dir_all(&dir).unwrap();
}
