//! The auth kinds: how a client of the API logs in. Each kind says what profile.yaml's `auth`
//! must give for it ([`check`]), how it is found in a document without a profile
//! ([`infer`]), and what the crate's guide says of it ([`guide`]); the runtime reads the
//! password grant's fields through [`veeam_profile::ApiProfile`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use veeam_profile::Endpoint;

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub kind: AuthKind,
    /// The OAuth2 token endpoint (`password`).
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

/// The OAuth2 grant types a password login and a refresh send.
pub const STANDARD_GRANTS: (&str, &str) = ("password", "refresh_token");

/// The `grant_type` values the client sends, in the API's own words: the profile's where it
/// gives them, else the values of the token request's `grant_type` enum that match OAuth2's
/// (letter case aside), else OAuth2's. A profile value the document's enum does not list is
/// an error (pointer, message): the server would refuse every login.
pub fn grant_types(doc: &Value, auth: &Auth) -> Result<(String, String), (String, String)> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// OAuth2 password grant, form-encoded, with refresh: `token_path` is required.
    Password,
    /// A bearer token the caller obtains elsewhere.
    Bearer,
    /// No authentication.
    None,
}

/// What an `auth` section must satisfy beyond its shape: (key, message).
pub fn check(auth: &Auth) -> Result<(), (&'static str, String)> {
    match (auth.kind, &auth.token_path) {
        (AuthKind::Password, None) => {
            return Err((
                "/auth/token_path",
                "`kind: password` needs the token endpoint's path".into(),
            ))
        }
        (AuthKind::Password, Some(p)) if !p.starts_with('/') => {
            return Err(("/auth/token_path", format!("{p:?}: a path starts with `/`")))
        }
        (AuthKind::Bearer | AuthKind::None, Some(_)) => {
            return Err((
                "/auth/token_path",
                "only `kind: password` logs in at a token endpoint".into(),
            ))
        }
        _ => {}
    }
    if let Some(logout) = &auth.logout {
        if !["POST", "DELETE", "GET", "PUT"].contains(&logout.method) {
            return Err((
                "/auth/logout/method",
                format!(
                    "{:?}: one of POST, DELETE, GET, PUT (upper case)",
                    logout.method
                ),
            ));
        }
    }
    Ok(())
}

impl Auth {
    /// An auth of `kind`, at `token_path` for a password grant, with nothing else said.
    pub fn of(kind: AuthKind, token_path: Option<String>) -> Auth {
        Auth {
            kind,
            token_path,
            logout: None,
            login_extra: BTreeMap::new(),
            password_grant: None,
            refresh_grant: None,
        }
    }
}

/// How a document without a profile authenticates, from its security schemes and its token
/// endpoint; `notes` says what was found.
pub fn infer(doc: &Value, notes: &mut Vec<String>) -> Auth {
    let none = Auth::of(AuthKind::None, None);
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    let Some(schemes) = schemes.filter(|s| !s.is_empty()) else {
        notes.push("auth: none (no securitySchemes)".into());
        return none;
    };
    // An OAuth2 password flow names its token URL.
    for (name, scheme) in schemes {
        if let Some(url) = scheme
            .pointer("/flows/password/tokenUrl")
            .and_then(Value::as_str)
        {
            let path = url_path(url);
            notes.push(format!(
                "auth: password grant at {path} (securityScheme {name:?}, OAuth2 password flow)"
            ));
            return Auth::of(AuthKind::Password, Some(path));
        }
    }
    // A bearer scheme (http bearer, or an `Authorization` header key) with a token endpoint
    // that takes `grant_type` form-encoded: Veeam's and many others' own login.
    if let Some(path) = token_endpoint(doc) {
        notes.push(format!(
            "auth: password grant at {path} (an operation takes a form-encoded `grant_type`)"
        ));
        return Auth::of(AuthKind::Password, Some(path));
    }
    let bearer = schemes.values().any(|s| {
        s.get("scheme")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case("bearer"))
            || s.get("name")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case("authorization"))
            || s.get("type").and_then(Value::as_str) == Some("oauth2")
    });
    if bearer {
        notes.push(
            "auth: bearer token (no token endpoint found; pass one with `.bearer_token()`)".into(),
        );
        return Auth {
            kind: AuthKind::Bearer,
            ..none
        };
    }
    notes.push("auth: none (no bearer or OAuth2 password scheme)".into());
    none
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
