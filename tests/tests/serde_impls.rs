//! The generated structs' serde impls are written by the generator, not derived
//! (`codegen/src/serde_impls.rs`). These pin what serde's derive did and the wire needs:
//! wire names, required and optional fields, `null` handling, skipping on output, errors.

use serde_json::{json, Value};
use vb365::types::{
    OAuthTokenResponse, RestAmazonS3DataRetrieval, RestBackupRepositoryFromClient,
    RestRestorePoint, SecureString,
};

fn restore_point() -> Value {
    json!({
        "id": "a1b2c3d4-0000-0000-0000-000000000001a1b2c3d4-0000-0000-0000-000000000002",
        "backupTime": "2023-06-01T10:00:00Z",
        "eTag": 42,
        "isCopy": false,
        "isExchange": true,
        "organizationId": "6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43",
        "_links": {"self": {"href": "/v8/RestorePoints/x"}}
    })
}

#[test]
fn round_trip_keeps_wire_names_and_values() {
    let rp: RestRestorePoint = serde_json::from_value(restore_point()).unwrap();
    assert_eq!(rp.e_tag, Some(42));
    assert_eq!(rp.is_exchange, Some(true));
    assert_eq!(
        rp.organization_id.unwrap().to_string(),
        "6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43"
    );
    assert_eq!(rp.links.len(), 1);
    // Fields the input lacks stay absent on output (`None` and empty maps are skipped).
    assert_eq!(serde_json::to_value(&rp).unwrap(), restore_point());
    assert_eq!(
        serde_json::to_value(RestRestorePoint::default()).unwrap(),
        json!({})
    );
}

#[test]
fn unknown_keys_are_skipped_and_a_repeated_key_keeps_the_last() {
    let rp: RestRestorePoint =
        serde_json::from_str(r#"{"eTag":1,"newField":{"deep":[1,{"x":null}]},"eTag":2}"#).unwrap();
    assert_eq!(rp.e_tag, Some(2));
}

#[test]
fn null_reads_as_empty_for_optional_maps_and_as_none_for_options() {
    let d: RestAmazonS3DataRetrieval =
        serde_json::from_str(r#"{"_actions":null,"_links":null,"name":null,"id":null}"#).unwrap();
    assert!(d.actions.is_empty() && d.links.is_empty());
    assert_eq!(d.name, None);
    let absent: RestAmazonS3DataRetrieval = serde_json::from_str("{}").unwrap();
    assert!(absent.actions.is_empty());
    // An empty map is not written out.
    assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));
    let e = serde_json::from_str::<RestAmazonS3DataRetrieval>(r#"{"_actions":[]}"#).unwrap_err();
    assert!(e.to_string().contains("expected a map"), "{e}");
}

#[test]
fn required_fields_must_be_present_even_when_nullable() {
    // `retentionType` is required but may be null (typify's `Option::deserialize`).
    let e = serde_json::from_str::<RestBackupRepositoryFromClient>(r#"{"name":"r"}"#).unwrap_err();
    assert!(
        e.to_string().starts_with("missing field `retentionType`"),
        "{e}"
    );
    let r: RestBackupRepositoryFromClient =
        serde_json::from_str(r#"{"retentionType":null}"#).unwrap();
    assert_eq!(r.retention_type, None);
    // And it is written even when `None`: the server requires the key.
    assert_eq!(
        serde_json::to_value(&r).unwrap()["retentionType"],
        Value::Null
    );

    let token = json!({
        "access_token": "a", "token_type": "bearer", "refresh_token": "r", "expires_in": 3600,
        ".issued": "2023-06-01T10:00:00Z", ".expires": "2023-06-01T11:00:00Z"
    });
    let t: OAuthTokenResponse = serde_json::from_value(token.clone()).unwrap();
    assert_eq!(t.expires_in, Some(3600));
    assert_eq!(serde_json::to_value(&t).unwrap(), token);
    // A response type requires only its own id: the rest may be missing or null.
    let mut missing = token;
    missing.as_object_mut().unwrap().remove("access_token");
    let t = serde_json::from_value::<OAuthTokenResponse>(missing).unwrap();
    assert_eq!(t.access_token, None);
    let e =
        serde_json::from_str::<vb365::types::RestRestoreSession>(r#"{"name":null}"#).unwrap_err();
    assert_eq!(e.to_string(), "missing field `id` at line 1 column 13");
}

#[test]
fn errors_name_what_was_expected() {
    let e = serde_json::from_str::<RestRestorePoint>(r#"{"id":5}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid type: integer `5`, expected a string"),
        "{e}"
    );
    let e = serde_json::from_str::<RestRestorePoint>("[]")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid type: sequence, expected struct RestRestorePoint"),
        "{e}"
    );
    let e = serde_json::from_str::<RestRestorePoint>(r#"{"eTag":1"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("EOF"), "{e}");
}

#[test]
fn transparent_newtypes_are_their_inner_value() {
    let s: SecureString = serde_json::from_str(r#""p@ss""#).unwrap();
    assert_eq!(serde_json::to_string(&s).unwrap(), r#""p@ss""#);
}
