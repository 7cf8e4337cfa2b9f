//! The `password` auth kind: the OAuth2 password grant, form-encoded, at the API's token
//! endpoint, with refresh (VB365's and VB for Azure's login). The runtime's session
//! (`veeam_runtime::auth`) logs in, refreshes and logs out with the fields it writes into the
//! crate's [`veeam_profile::ApiProfile`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use veeam_profile::{ApiProfile, Endpoint};

use super::kind::{Auth, Kind, STANDARD_GRANTS};

/// The kind.
pub struct Password;

impl Kind for Password {
    fn name(&self) -> &'static str {
        "password"
    }
    fn read(&self, section: Value) -> Result<Arc<dyn Auth>, String> {
        Ok(Arc::new(crate::section::read::<PasswordAuth>(section)?))
    }
    fn infer(&self, doc: &Value, notes: &mut Vec<String>) -> Option<Arc<dyn Auth>> {
        let path = infer(doc, notes)?;
        Some(Arc::new(PasswordAuth::at(path)))
    }
}

/// `auth: {kind: password, ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordAuth {
    /// The OAuth2 token endpoint (required; an `Option` so that its absence is an error
    /// naming the key rather than a parse error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_path: Option<String>,
    /// The endpoint that revokes the session's tokens, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout: Option<Endpoint>,
    /// Extra form fields of the password grant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub login_extra: BTreeMap<String, String>,
    /// The `grant_type` values of a password login and of a refresh, when the API spells
    /// them otherwise than OAuth2 (`password`, `refresh_token`). Left out, they are read from
    /// the token request's `grant_type` enum (see [`grant_types`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_grant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_grant: Option<String>,
}

impl PasswordAuth {
    /// A password login at `token_path`, with nothing else said.
    pub fn at(token_path: String) -> PasswordAuth {
        PasswordAuth {
            token_path: Some(token_path),
            logout: None,
            login_extra: BTreeMap::new(),
            password_grant: None,
            refresh_grant: None,
        }
    }
}

impl Auth for PasswordAuth {
    fn kind(&self) -> &'static str {
        Password.name()
    }
    fn check(&self) -> Result<(), (String, String)> {
        check(self).map_err(|(at, message)| (at.to_string(), message))
    }
    fn resolve(&self, doc: &Value) -> Result<Option<Arc<dyn Auth>>, (String, String)> {
        let (password, refresh) = grant_types(doc, self)?;
        Ok(Some(Arc::new(PasswordAuth {
            password_grant: Some(password),
            refresh_grant: Some(refresh),
            ..self.clone()
        })))
    }
    fn api_profile(&self) -> ApiProfile {
        let leak = |s: &str| &*Box::leak(s.to_string().into_boxed_str());
        ApiProfile {
            token_path: self.token_path.as_deref().map(leak),
            logout: self.logout,
            login_extra: veeam_profile::de::leak_pairs(self.login_extra.clone()),
            password_grant: leak(self.password_grant.as_deref().unwrap_or(STANDARD_GRANTS.0)),
            refresh_grant: leak(self.refresh_grant.as_deref().unwrap_or(STANDARD_GRANTS.1)),
            paging: None,
        }
    }
    fn builder_call(&self) -> String {
        ".password(\"admin\", \"secret\")".to_string()
    }
    fn mock_call(&self) -> String {
        ".password(::veeam_mock::USERNAME, ::veeam_mock::PASSWORD)".to_string()
    }
    fn mock_note(&self) -> &'static str {
        " that logs in as [`veeam_mock::USERNAME`]"
    }
    fn guide(&self) -> String {
        format!(
            "The client logs in with the OAuth2 password grant at `{}` on its first call, refreshes the token before it expires, and logs in again when the server forgets it. `.bearer_token(token)` uses a token obtained elsewhere instead.{}",
            self.token_path.as_deref().unwrap_or("?"),
            match &self.logout {
                Some(l) => format!(" `client.session().logout()` ends the session on the server (`{} {}`).", l.method, l.path),
                None => String::new(),
            }
        )
    }
    fn logs_out(&self) -> bool {
        self.logout.is_some()
    }
}

/// The `grant_type` values the client sends, in the API's own words: the profile's where it
/// gives them, else the values of the token request's `grant_type` enum that match OAuth2's
/// (letter case aside), else OAuth2's. A profile value the document's enum does not list is
/// an error (pointer, message): the server would refuse every login.
pub fn grant_types(doc: &Value, auth: &PasswordAuth) -> Result<(String, String), (String, String)> {
    let Some(path) = &auth.token_path else {
        let (p, r) = STANDARD_GRANTS;
        return Ok((p.into(), r.into()));
    };
    let at = crate::error::pointer(["paths", path.as_str(), "post", "requestBody"]);
    let allowed: Option<Vec<String>> = doc
        .pointer(&format!("{at}/content"))
        .and_then(Value::as_object)
        .and_then(|content| content.values().next())
        .and_then(|media| media.get("schema"))
        .map(|s| crate::openapi::resolve(doc, s))
        .and_then(|s| s.pointer("/properties/grant_type"))
        .map(|g| crate::openapi::resolve(doc, g))
        .and_then(|g| g.get("enum"))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        });
    let pick = |given: &Option<String>, standard: &str, key: &str| {
        match (given, &allowed) {
        (Some(v), Some(list)) if !list.contains(v) => Err((
            at.clone(),
            format!("the profile's auth.{key} {v:?} is not a grant type the token request allows ({})", list.join(", ")),
        )),
        (Some(v), _) => Ok(v.clone()),
        (None, Some(list)) => list
            .iter()
            .find(|v| v.eq_ignore_ascii_case(standard))
            .cloned()
            .ok_or_else(|| {
                (
                    at.clone(),
                    format!("the token request's grant types ({}) have none like {standard:?}: say which one in the profile's auth.{key}", list.join(", ")),
                )
            }),
        (None, None) => Ok(standard.to_string()),
    }
    };
    Ok((
        pick(&auth.password_grant, STANDARD_GRANTS.0, "password_grant")?,
        pick(&auth.refresh_grant, STANDARD_GRANTS.1, "refresh_grant")?,
    ))
}

/// What a password auth must satisfy beyond its shape: (key inside `auth`, message).
pub fn check(auth: &PasswordAuth) -> Result<(), (&'static str, String)> {
    match &auth.token_path {
        None => {
            return Err((
                "/token_path",
                "`kind: password` needs the token endpoint's path".into(),
            ))
        }
        Some(p) if !p.starts_with('/') => {
            return Err(("/token_path", format!("{p:?}: a path starts with `/`")))
        }
        _ => {}
    }
    if let Some(logout) = &auth.logout {
        if !["POST", "DELETE", "GET", "PUT"].contains(&logout.method) {
            return Err((
                "/logout/method",
                format!(
                    "{:?}: one of POST, DELETE, GET, PUT (upper case)",
                    logout.method
                ),
            ));
        }
    }
    Ok(())
}

/// The token endpoint of a document without a profile, when it has a password login: an
/// OAuth2 password flow's token URL, or a bearer scheme with an operation that takes a
/// form-encoded `grant_type` (Veeam's and many others' own login).
fn infer(doc: &Value, notes: &mut Vec<String>) -> Option<String> {
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty())?;
    for (name, scheme) in schemes {
        if let Some(url) = scheme
            .pointer("/flows/password/tokenUrl")
            .and_then(Value::as_str)
        {
            let path = url_path(url);
            notes.push(format!(
                "auth: password grant at {path} (securityScheme {name:?}, OAuth2 password flow)"
            ));
            return Some(path);
        }
    }
    let path = token_endpoint(doc)?;
    notes.push(format!(
        "auth: password grant at {path} (an operation takes a form-encoded `grant_type`)"
    ));
    Some(path)
}

/// The path of a POST operation whose form-encoded body has a `grant_type` property.
fn token_endpoint(doc: &Value) -> Option<String> {
    let mut found = None;
    crate::openapi::each_operation(doc, |path, method, op| {
        if found.is_some() || method != "post" {
            return;
        }
        let Some(media) = op.pointer("/requestBody/content/application~1x-www-form-urlencoded")
        else {
            return;
        };
        let schema = crate::openapi::resolve(doc, media.get("schema").unwrap_or(&Value::Null));
        if schema.pointer("/properties/grant_type").is_some() {
            found = Some(path.to_string());
        }
    });
    found
}

fn url_path(url: &str) -> String {
    let rest = url
        .split_once("://")
        .map_or(url, |(_, r)| r.split_once('/').map_or("", |(_, p)| p));
    let path = if url.contains("://") {
        format!("/{rest}")
    } else {
        url.to_string()
    };
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}
