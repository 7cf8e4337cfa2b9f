//! A consumer of the crates, in a workspace of its own as a user's project is: it depends on
//! `vb365` with only the features it calls and takes `vb365-mock` as a dev-dependency, and
//! its own test of its own code (an organization's restore points across three pages, one
//! busy answer survived, the calls asserted) passes under `cargo test`.
//!
//! It builds in `target/consumer` (a fresh workspace cannot share the outer build's lock),
//! offline, with this workspace's lockfile, so it resolves exactly what the tests here do.

use std::path::Path;

const LIB: &str = r#"//! The consumer's own code: a report of an organization's restore points.

use futures::TryStreamExt;

/// The ids of every restore point of `organization`, across every page.
pub async fn restore_points(
    client: &vb365::Client,
    organization: uuid::Uuid,
) -> Result<Vec<String>, vb365::Error> {
    let points: Vec<vb365::types::RestRestorePoint> = client
        .restore_point_get_restore_points()
        .organization_id(organization)
        .stream()
        .try_collect()
        .await?;
    Ok(points.into_iter().filter_map(|p| p.id).collect())
}
"#;

const TEST: &str = r#"use vb365::types::RestRestorePoint;
use vb365_mock::{Fault, Mock};

#[tokio::test]
async fn lists_every_restore_point_of_the_organization() {
    let mock = Mock::start().await;
    mock.set_page_cap(Some(2));
    let organization = uuid::Uuid::new_v4();
    let points: Vec<RestRestorePoint> = (0..5)
        .map(|n| RestRestorePoint { id: Some(format!("point-{n}")), ..Default::default() })
        .collect();
    mock.restore_point_get_restore_points()
        .query("organizationId", organization)
        .fault(Fault::unavailable(0))
        .returns(points.clone());

    let got = backup_report::restore_points(&mock.client(), organization).await.unwrap();

    assert_eq!(got, ["point-0", "point-1", "point-2", "point-3", "point-4"]);
    let calls = mock.restore_point_get_restore_points().received();
    assert_eq!(calls.count(), 4, "the 503, then pages at offsets 0, 2 and 4");
    assert_eq!(calls.last_query("offset").as_deref(), Some("4"));
    assert_eq!(calls.last_query("organizationId"), Some(organization.to_string()));
    assert_eq!(mock.sessions().logins, 1);
}
"#;

#[test]
fn a_fresh_workspace_tests_its_own_code_with_the_mock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    let dir = std::env::temp_dir().join(format!("consumer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let generated = root.join("generated");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            r#"[package]
name = "backup-report"
version = "0.1.0"
edition = "2021"

[dependencies]
vb365 = {{ path = "{vb365}", default-features = false, features = ["auth", "organization", "restore-point"] }}
futures = "0.3"
uuid = {{ version = "1", features = ["serde", "v4"] }}

[dev-dependencies]
vb365-mock = {{ path = "{mock}" }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

# A workspace of its own.
[workspace]
"#,
            vb365 = generated.join("vb365").display(),
            mock = generated.join("vb365-mock").display(),
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB).unwrap();
    std::fs::write(dir.join("tests/report.rs"), TEST).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let text = tests::cargo_in_own_workspace(&dir, &["test", "--quiet"]);
    assert!(
        text.contains("test result: ok. 1 passed"),
        "its one test ran and passed:\n{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
