//! A section of profile.yaml (a paging convention's, an auth kind's settings) read as its
//! settings type, with the path of a bad value in the error.

use std::any::Any;

use serde_json::Value;

/// `section` as `T`; the error names the key that failed (`default_limit: invalid type`).
pub fn read<T: serde::de::DeserializeOwned>(section: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(section).map_err(|e| match e.path().to_string() {
        p if p == "." => e.inner().to_string(),
        p => format!("{p}: {}", e.inner()),
    })
}

/// What every settings type of a plug-in (a paging convention's, an auth kind's) gives: itself
/// as profile.yaml writes it, and as its own type. Implemented for every serializable type.
pub trait Settings {
    /// The settings, as profile.yaml writes them.
    fn section(&self) -> Value;
    /// The settings as their own type, for code that reads one plug-in's settings.
    fn settings(&self) -> &dyn Any;
}

impl<T: serde::Serialize + Any> Settings for T {
    fn section(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
    fn settings(&self) -> &dyn Any {
        self
    }
}
