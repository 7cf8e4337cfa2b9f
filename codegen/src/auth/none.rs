//! The `none` auth kind: calls carry no credentials.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::kind::{Auth, Kind};

/// The kind.
pub struct NoAuth;

impl Kind for NoAuth {
    fn name(&self) -> &'static str {
        "none"
    }
    fn read(&self, section: Value) -> Result<Arc<dyn Auth>, String> {
        Ok(Arc::new(crate::section::read::<NoneAuth>(section)?))
    }
    /// The last kind tried: a document that shows no other.
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Auth>> {
        let schemes = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .filter(|s| !s.is_empty());
        notes.push(match schemes {
            None => "auth: none (no securitySchemes)".into(),
            Some(_) => "auth: none (no bearer or OAuth2 password scheme)".into(),
        });
        Some(Arc::new(NoneAuth {}))
    }
}

/// `auth: {kind: none}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoneAuth {}

impl Auth for NoneAuth {
    fn kind(&self) -> &'static str {
        NoAuth.name()
    }
    fn builder_call(&self) -> String {
        String::new()
    }
    fn guide(&self) -> String {
        "The API needs no authentication.".to_string()
    }
}
