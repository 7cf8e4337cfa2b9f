//! The `bearer` auth kind: a token the caller obtains elsewhere, sent as is on every call
//! (`.bearer_token(token)`; `veeam_runtime::auth` puts it on each request).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::kind::{Auth, Kind};

/// The kind.
pub struct Bearer;

impl Kind for Bearer {
    fn name(&self) -> &'static str {
        "bearer"
    }
    fn read(&self, section: Value) -> Result<Arc<dyn Auth>, String> {
        Ok(Arc::new(crate::section::read::<BearerAuth>(section)?))
    }
    /// A bearer scheme (http bearer, an `Authorization` header key, OAuth2) without a token
    /// endpoint (the `password` kind comes first).
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Auth>> {
        let schemes = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)?;
        let bearer = schemes.values().any(|s| {
            s.get("scheme")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case("bearer"))
                || s.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case("authorization"))
                || s.get("type").and_then(Value::as_str) == Some("oauth2")
        });
        if !bearer {
            return None;
        }
        notes.push(
            "auth: bearer token (no token endpoint found; pass one with `.bearer_token()`)".into(),
        );
        Some(Arc::new(BearerAuth {}))
    }
}

/// `auth: {kind: bearer}`: nothing else to say.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BearerAuth {}

impl Auth for BearerAuth {
    fn kind(&self) -> &'static str {
        Bearer.name()
    }
    fn builder_call(&self) -> String {
        ".bearer_token(\"token\")".to_string()
    }
    fn guide(&self) -> String {
        "Every call carries the bearer token given to the builder.".to_string()
    }
}
