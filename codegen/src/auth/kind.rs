//! What an auth kind is ([`Kind`], [`Auth`]); the kinds themselves are this module's
//! siblings.

use std::sync::Arc;

use serde_json::Value;
use veeam_profile::ApiProfile;

/// One auth kind: profile.yaml's `auth` section when its `kind` is this one's name.
pub trait Kind: Sync {
    /// Its `kind:` (`password`, `bearer`, `none`).
    fn name(&self) -> &'static str;
    /// Reads the section's other keys (their shape; [`Auth::check`] checks the values).
    fn read(&self, section: Value) -> Result<Arc<dyn Auth>, String>;
    /// This kind, when a document without a profile shows it, with a note saying how.
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Auth>>;
}

/// An auth kind as an API's profile sets it up (plain data: safe to share and to read after
/// a panic).
pub trait Auth: crate::section::Settings + Send + Sync + std::panic::RefUnwindSafe {
    /// Its kind's name.
    fn kind(&self) -> &'static str;
    /// What the settings must satisfy beyond their shape: (pointer inside `auth`, message).
    fn check(&self) -> Result<(), (String, String)> {
        Ok(())
    }
    /// The settings with what the document says filled in (the grant types a token request
    /// allows), or why the document and the profile disagree: (pointer in the document,
    /// message). `None`: nothing to fill in.
    fn resolve(&self, _doc: &Value) -> Result<Option<Arc<dyn Auth>>, (String, String)> {
        Ok(None)
    }
    /// The login's half of the runtime's [`ApiProfile`] (its `paging` is the profile's):
    /// by default, no login at all.
    fn api_profile(&self) -> ApiProfile {
        ApiProfile {
            token_path: None,
            logout: None,
            login_extra: &[],
            password_grant: STANDARD_GRANTS.0,
            refresh_grant: STANDARD_GRANTS.1,
            paging: None,
        }
    }
    /// The client builder's call that gives the credentials, as the crate's guide shows it
    /// (`.password("admin", "secret")`; empty when there are none).
    fn builder_call(&self) -> String;
    /// The same call in the mock crate's `client()`, with the mock's own credentials.
    fn mock_call(&self) -> String {
        self.builder_call()
    }
    /// What the mock crate's `client()` documentation adds (` that logs in as ...`).
    fn mock_note(&self) -> &'static str {
        ""
    }
    /// What the guide says of logging in.
    fn guide(&self) -> String;
    /// Whether a session ends on the server (`client.session().logout()`).
    fn logs_out(&self) -> bool {
        false
    }
}

/// The OAuth2 grant types a password login and a refresh send.
pub const STANDARD_GRANTS: (&str, &str) = ("password", "refresh_token");
