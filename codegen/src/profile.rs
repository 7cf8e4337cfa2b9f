//! An API's profile: what the generator needs to know about an API that its OpenAPI document
//! does not say (how to log in, how lists are paged, the crate's name, hand-written helpers).
//! It is data, `spec/<api>/profile.yaml` beside the document, so adding an API is adding a
//! folder; for a document without one, [`infer`] reads what it can from the document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Location, Result};

/// The profile's file name inside an API's folder (the loader does not take it as a spec
/// fragment).
pub const FILE_NAME: &str = "profile.yaml";

/// `spec/<api>/profile.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The crate: its name and one line saying what it talks to.
    #[serde(rename = "crate")]
    pub krate: CrateInfo,
    pub auth: Auth,
    /// How list operations are paged; absent when the API does not page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
    /// Rust files appended to the crate root (hand-written helpers), relative to the API's
    /// folder: its own (`extension.rs`), or one several APIs share (`../vb365-common/waits.rs`,
    /// in a folder of `spec/` without a profile).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub extension: Vec<String>,
    /// Markdown appended to the crate's guide (its README and root documentation): the
    /// API's own examples (paging, downloads, waiting), in the API's folder or a sibling
    /// folder of spec/ like `extension`. `{{crate}}` in it stands for the crate's Rust name,
    /// so one guide can serve several versions. Its Rust blocks are compiled by the tests
    /// crate.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub guide: Vec<String>,
    /// The features a typical program needs, checked on their own by `cargo xtask check-features`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minimal_features: Vec<String>,
    /// The vendor's reference page of an operation, with `{tag}` and `{operationId}` in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrateInfo {
    pub name: String,
    pub description: String,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
}

/// The paging convention: an operation is paged when it takes both the `offset` and `limit`
/// query parameters and answers with an envelope holding `items` (or with a bare array).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// Query parameter: items to skip (`offset`, `Offset`, `skip`).
    pub offset: String,
    /// Query parameter: page size (`limit`, `Limit`, `top`).
    pub limit: String,
    /// Envelope field holding the page's items.
    #[serde(default = "default_items")]
    pub items: String,
    /// Envelope fields echoing the offset and the page size the server applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_field: Option<String>,
    /// Envelope field with the total number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_field: Option<String>,
    /// JSON pointer, inside the envelope, of the next page's link (`/_links/next/href`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
    /// A result-set id the first page returns (envelope field) and later pages send back
    /// (query parameter of the same name), so they come from one snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_id: Option<String>,
    /// Page size asked for when the caller sets none.
    #[serde(default = "default_limit")]
    pub default_limit: u32,
    /// The largest page size the API accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_limit: Option<u32>,
}

fn default_items() -> String {
    "results".into()
}

fn default_limit() -> u32 {
    500
}

impl Profile {
    /// Reads and checks a profile file. `text` is its contents, `file` its name in errors.
    pub fn parse(file: &Path, text: &str) -> Result<Profile> {
        let profile: Profile = serde_norway::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            Error::Syntax {
                file: file.to_path_buf(),
                format: "profile",
                line,
                column,
                message: e.to_string(),
            }
        })?;
        profile.check().map_err(|(key, message)| Error::Invalid {
            at: Location {
                file: file.to_path_buf(),
                pointer: key.to_string(),
            },
            message,
        })?;
        Ok(profile)
    }

    /// Reads `profile.yaml` in an API's folder.
    pub fn read(dir: &Path) -> Result<Profile> {
        Profile::read_file(&dir.join(FILE_NAME))
    }

    /// Reads a profile file.
    pub fn read_file(file: &Path) -> Result<Profile> {
        let file = file.to_path_buf();
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Read {
            file: file.clone(),
            source,
        })?;
        Profile::parse(&file, &text)
    }

    /// What a profile must satisfy beyond its shape: (key, message).
    fn check(&self) -> Result<(), (&'static str, String)> {
        if !is_crate_name(&self.krate.name) {
            return Err(("/crate/name", format!("{:?} is not a crate name: letters, digits, `_` and `-`, starting with a letter", self.krate.name)));
        }
        match (self.auth.kind, &self.auth.token_path) {
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
        if let Some(logout) = &self.auth.logout {
            if !["POST", "DELETE", "GET", "PUT"].contains(&logout.method.as_str()) {
                return Err((
                    "/auth/logout/method",
                    format!(
                        "{:?}: one of POST, DELETE, GET, PUT (upper case)",
                        logout.method
                    ),
                ));
            }
        }
        if let Some(p) = &self.paging {
            if p.offset == p.limit {
                return Err((
                    "/paging/limit",
                    "the offset and limit parameters must differ".into(),
                ));
            }
            if p.default_limit == 0 || p.max_limit.is_some_and(|m| m < p.default_limit) {
                return Err((
                    "/paging/default_limit",
                    "must be at least 1 and at most `max_limit`".into(),
                ));
            }
            if p.next_link.as_deref().is_some_and(|l| !l.starts_with('/')) {
                return Err((
                    "/paging/next_link",
                    "a JSON pointer inside the envelope, starting with `/`".into(),
                ));
            }
        }
        let inside = |e: &str| {
            !e.starts_with('/')
                && e.split('/').filter(|s| *s == "..").count() <= 1
                && !e.contains("/../")
        };
        for e in &self.extension {
            if !inside(e) || !e.ends_with(".rs") {
                return Err(("/extension", format!("{e:?}: a `.rs` file in the API's folder, or in a sibling folder of spec/ (`../common/x.rs`)")));
            }
        }
        for g in &self.guide {
            if !inside(g) || !g.ends_with(".md") {
                return Err(("/guide", format!("{g:?}: a `.md` file in the API's folder, or in a sibling folder of spec/ (`../common/guide.md`)")));
            }
        }
        Ok(())
    }

    /// The extension files' paths, in the profile's order.
    pub fn extension_paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.extension.iter().map(|e| dir.join(e)).collect()
    }

    /// The extension files' text, joined (`None` without any).
    pub fn read_extensions(&self, dir: &Path) -> Result<Option<String>> {
        read_joined(self.extension_paths(dir))
    }

    /// The guide files' paths, in the profile's order.
    pub fn guide_paths(&self, dir: &Path) -> Vec<PathBuf> {
        self.guide.iter().map(|g| dir.join(g)).collect()
    }

    /// The guide files' text, joined (`None` without any).
    pub fn read_guide(&self, dir: &Path) -> Result<Option<String>> {
        read_joined(self.guide_paths(dir))
    }

    /// As YAML, for `generate --spec` to print what it inferred.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).unwrap_or_default()
    }
}

/// The files' text, one after the other, each ending in a newline (`None` without any).
fn read_joined(paths: Vec<PathBuf>) -> Result<Option<String>> {
    let mut text = String::new();
    for path in paths {
        text.push_str(
            &std::fs::read_to_string(&path).map_err(|source| Error::Read { file: path, source })?,
        );
        text.push('\n');
    }
    Ok((!text.is_empty()).then_some(text))
}

/// `extension: x.rs` or `extension: [a.rs, b.rs]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// A valid crate name: ASCII letters, digits, `_` and `-`, starting with a letter.
pub fn is_crate_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A profile for a document that comes without one (`generate --spec`), from what the
/// document says: its security scheme and token endpoint, and the paging parameters its list
/// operations share. Each choice is listed in the returned notes.
pub fn infer(doc: &Value, name: &str, description: &str) -> (Profile, Vec<String>) {
    let mut notes = Vec::new();
    let auth = infer_auth(doc, &mut notes);
    let paging = infer_paging(doc, &mut notes);
    let profile = Profile {
        krate: CrateInfo {
            name: name.to_string(),
            description: description.to_string(),
        },
        auth,
        paging,
        extension: Vec::new(),
        guide: Vec::new(),
        minimal_features: Vec::new(),
        reference_url: None,
    };
    (profile, notes)
}

fn infer_auth(doc: &Value, notes: &mut Vec<String>) -> Auth {
    let none = Auth {
        kind: AuthKind::None,
        token_path: None,
        logout: None,
        login_extra: BTreeMap::new(),
    };
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
            return Auth {
                kind: AuthKind::Password,
                token_path: Some(path),
                logout: None,
                login_extra: BTreeMap::new(),
            };
        }
    }
    // A bearer scheme (http bearer, or an `Authorization` header key) with a token endpoint
    // that takes `grant_type` form-encoded: Veeam's and many others' own login.
    if let Some(path) = token_endpoint(doc) {
        notes.push(format!(
            "auth: password grant at {path} (an operation takes a form-encoded `grant_type`)"
        ));
        return Auth {
            kind: AuthKind::Password,
            token_path: Some(path),
            logout: None,
            login_extra: BTreeMap::new(),
        };
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

/// The paging parameters list operations share: the most common (offset, limit) pair of
/// query parameters among known spellings, and the envelope fields their responses have.
fn infer_paging(doc: &Value, notes: &mut Vec<String>) -> Option<Paging> {
    const OFFSETS: [&str; 6] = ["offset", "Offset", "skip", "Skip", "$skip", "start"];
    const LIMITS: [&str; 7] = ["limit", "Limit", "top", "Top", "$top", "pageSize", "count"];
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut envelopes: Vec<Value> = Vec::new();
    crate::openapi::each_operation(doc, |path, _, op| {
        let names: Vec<String> = crate::openapi::operation_parameters(doc, path, op)
            .into_iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
            .collect();
        let offset = OFFSETS.iter().find(|o| names.iter().any(|n| n == *o));
        let limit = LIMITS.iter().find(|l| names.iter().any(|n| n == *l));
        if let (Some(o), Some(l)) = (offset, limit) {
            *pairs.entry((o.to_string(), l.to_string())).or_default() += 1;
            if let Some(schema) = crate::openapi::success_json_schema(op) {
                envelopes.push(crate::openapi::resolve(doc, schema).clone());
            }
        }
    });
    let ((offset, limit), n) = pairs.into_iter().max_by_key(|(_, n)| *n)?;
    // The envelope's fields: the array property most envelopes have, and the usual names.
    let mut arrays: BTreeMap<String, usize> = BTreeMap::new();
    let mut fields: BTreeMap<String, usize> = BTreeMap::new();
    for e in &envelopes {
        for (name, prop) in e
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            *fields.entry(name.clone()).or_default() += 1;
            let prop = crate::openapi::resolve(doc, prop);
            if prop.get("type").and_then(Value::as_str) == Some("array") {
                *arrays.entry(name.clone()).or_default() += 1;
            }
        }
    }
    let items = arrays
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(k, _)| k)
        .unwrap_or_else(default_items);
    let pick = |candidates: &[&str]| {
        candidates
            .iter()
            .find(|c| fields.contains_key(**c))
            .map(|c| c.to_string())
    };
    let paging = Paging {
        offset_field: pick(&[offset.as_str(), "offset", "Offset", "skip"]),
        limit_field: pick(&[limit.as_str(), "limit", "Limit", "top"]),
        total_field: pick(&["totalCount", "total", "TotalCount", "count", "totalItems"]),
        next_link: fields
            .contains_key("_links")
            .then(|| "/_links/next/href".to_string()),
        set_id: pick(&["setId"]),
        items,
        offset,
        limit,
        default_limit: default_limit(),
        max_limit: None,
    };
    notes.push(format!(
        "paging: `{}`/`{}` on {n} operations; items in `{}`{}{}",
        paging.offset,
        paging.limit,
        paging.items,
        paging
            .total_field
            .as_ref()
            .map(|t| format!(", total in `{t}`"))
            .unwrap_or_default(),
        paging
            .next_link
            .as_ref()
            .map(|l| format!(", next link at `{l}`"))
            .unwrap_or_default(),
    ));
    Some(paging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_profile_reads_and_unknown_keys_are_errors() {
        let text = "crate: {name: vb365, description: d}\nauth:\n  kind: password\n  token_path: /v8/token\n  login_extra: {disable_antiforgery_token: 'true'}\npaging: {offset: offset, limit: limit, set_id: setId}\n";
        let p = Profile::parse(Path::new("p.yaml"), text).unwrap();
        assert_eq!(p.auth.token_path.as_deref(), Some("/v8/token"));
        assert_eq!(p.paging.as_ref().unwrap().items, "results");
        assert_eq!(p.paging.as_ref().unwrap().default_limit, 500);
        let typo = text.replace("token_path", "tokenpath");
        let e = Profile::parse(Path::new("p.yaml"), &typo)
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.yaml") && e.contains("tokenpath"), "{e}");
        let no_path = "crate: {name: a, description: d}\nauth: {kind: password}\n";
        let e = Profile::parse(Path::new("p.yaml"), no_path)
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.yaml#/auth/token_path"), "{e}");
    }

    #[test]
    fn inference_finds_the_token_endpoint_and_the_paging_pair() {
        let doc = json!({
            "components": {"securitySchemes": {"Bearer": {"type": "apiKey", "in": "header", "name": "Authorization"}},
                "schemas": {"Page": {"type": "object", "properties": {
                    "totalCount": {"type": "integer"}, "offset": {"type": "integer"},
                    "results": {"type": "array", "items": {}}, "_links": {"type": "object"}}}}},
            "paths": {
                "/api/oauth2/token": {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"properties": {"grant_type": {}}}}}}}},
                "/api/items": {"get": {"parameters": [{"name": "Offset", "in": "query"}, {"name": "Limit", "in": "query"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}}
            }
        });
        let (p, notes) = infer(&doc, "a", "d");
        assert_eq!(p.auth.kind, AuthKind::Password);
        assert_eq!(p.auth.token_path.as_deref(), Some("/api/oauth2/token"));
        let paging = p.paging.unwrap();
        assert_eq!(
            (paging.offset.as_str(), paging.limit.as_str()),
            ("Offset", "Limit")
        );
        assert_eq!(paging.total_field.as_deref(), Some("totalCount"));
        assert_eq!(paging.offset_field.as_deref(), Some("offset"));
        assert_eq!(paging.next_link.as_deref(), Some("/_links/next/href"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn oauth2_password_flow_names_the_token_path() {
        let doc = json!({"components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {"password": {"tokenUrl": "https://h/api/token"}}}}}});
        let (p, _) = infer(&doc, "a", "d");
        assert_eq!(p.auth.token_path.as_deref(), Some("/api/token"));
        let (p, _) = infer(&json!({}), "a", "d");
        assert_eq!(p.auth.kind, AuthKind::None);
        assert!(p.paging.is_none());
    }
}
