//! A section of profile.yaml (a paging convention's, an auth kind's settings) read as its
//! settings type, with the path of a bad value in the error.

use serde_json::Value;

/// `section` as `T`; the error names the key that failed (`default_limit: invalid type`).
pub fn read<T: serde::de::DeserializeOwned>(section: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(section).map_err(|e| match e.path().to_string() {
        p if p == "." => e.inner().to_string(),
        p => format!("{p}: {}", e.inner()),
    })
}
