//! An API's profile: what the generator needs to know about an API that its OpenAPI document
//! does not say (how to log in, how lists are paged, the crate's name, hand-written helpers).
//! It is data, `spec/<api>/profile.yaml` beside the document, so adding an API is adding a
//! folder; for a document without one, [`infer`] reads what it can from the document.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Location, Result};

pub mod vendor;

pub use crate::auth::AuthSection;
pub use crate::paging::Pagings;
pub use veeam_profile::{ApiProfile, Endpoint, PagingProfile};
pub use vendor::VendorDocument;

/// The profile's file name inside an API's folder (the loader does not take it as a spec
/// fragment).
pub const FILE_NAME: &str = "profile.yaml";

/// `spec/<api>/profile.yaml`. (Its unknown keys are refused by [`Pagings`], which takes
/// every key not named here: a paging convention's section, or a mistake.)
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Profile {
    /// The crate: its name and one line saying what it talks to.
    #[serde(rename = "crate")]
    pub krate: CrateInfo,
    /// How a client authenticates: `kind` (one of [`crate::auth::KINDS`]) and its settings.
    pub auth: AuthSection,
    /// How list operations are paged: a section per paging convention the API uses
    /// (`paging` for offset and limit, `cursor_paging` for page tokens; see
    /// [`crate::paging`]), none when it does not page.
    #[serde(flatten)]
    pub paging: Pagings,
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
    /// The vendor's published document the spec follows (its version, revision, file name
    /// and SHA-256), the base `cargo xtask vendor-check` compares the spec with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_document: Option<VendorDocument>,
    /// What the command line needs beyond the document: the versions discovery asks for,
    /// and the work `--wait` follows (see [`crate::commands::CommandsSection`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<crate::commands::CommandsSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrateInfo {
    pub name: String,
    pub description: String,
    /// The crate's version; `cargo xtask release` moves it (and the mock crate's with it).
    #[serde(default = "first_version")]
    pub version: String,
    /// Up to five crates.io keywords (the registry's limit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// The version of a crate never released.
pub const FIRST_VERSION: &str = "0.1.0";

fn first_version() -> String {
    FIRST_VERSION.to_string()
}

/// `major.minor.patch`, each a number without leading zeros (no pre-release or build part:
/// the release command only ever writes these).
pub fn parse_version(v: &str) -> Option<[u64; 3]> {
    let mut parts = v.split('.');
    let mut out = [0; 3];
    for slot in &mut out {
        let p = parts.next()?;
        if p.is_empty()
            || (p.len() > 1 && p.starts_with('0'))
            || !p.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        *slot = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
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
    fn check(&self) -> Result<(), (String, String)> {
        self.check_own()
            .map_err(|(key, message)| (key.to_string(), message))?;
        self.auth.check()?;
        self.paging.check()
    }

    fn check_own(&self) -> Result<(), (&'static str, String)> {
        if !is_crate_name(&self.krate.name) {
            return Err(("/crate/name", format!("{:?} is not a crate name: letters, digits, `_` and `-`, starting with a letter", self.krate.name)));
        }
        if parse_version(&self.krate.version).is_none() {
            return Err((
                "/crate/version",
                format!(
                    "{:?} is not a version: `major.minor.patch`, numbers only",
                    self.krate.version
                ),
            ));
        }
        if self.krate.keywords.len() > 5 {
            return Err((
                "/crate/keywords",
                format!(
                    "{} keywords: crates.io takes at most 5",
                    self.krate.keywords.len()
                ),
            ));
        }
        for k in &self.krate.keywords {
            let ok = k.len() <= 20
                && k.starts_with(|c: char| c.is_ascii_alphabetic())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(("/crate/keywords", format!("{k:?} is not a crates.io keyword: up to 20 ASCII letters, digits, `-` and `_`, starting with a letter")));
            }
        }
        if let Some(v) = &self.vendor_document {
            vendor::check(v)?;
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

    /// The profile as the runtime reads it (`FromParts::PROFILE` of the generated client):
    /// the auth kind's login, and the offset paging convention's settings (the mock server
    /// pages by them).
    pub fn api_profile(&self) -> ApiProfile {
        ApiProfile {
            paging: self.paging.settings::<PagingProfile>().copied(),
            ..self.auth.api_profile()
        }
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
    let auth = AuthSection::infer(doc, &mut notes);
    let paging = Pagings::infer(doc, &mut notes);
    let profile = Profile {
        krate: CrateInfo {
            name: name.to_string(),
            description: description.to_string(),
            version: first_version(),
            keywords: Vec::new(),
        },
        auth,
        paging,
        extension: Vec::new(),
        guide: Vec::new(),
        minimal_features: Vec::new(),
        reference_url: None,
        vendor_document: None,
        commands: None,
    };
    (profile, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token_path(p: &Profile) -> Option<&str> {
        p.auth
            .settings::<crate::auth::password::PasswordAuth>()?
            .token_path
            .as_deref()
    }

    #[test]
    fn a_profile_reads_and_unknown_keys_are_errors() {
        let text = "crate: {name: vb365, description: d}\nauth:\n  kind: password\n  token_path: /v8/token\n  login_extra: {disable_antiforgery_token: 'true'}\npaging: {offset: offset, limit: limit, set_id: setId}\n";
        let p = Profile::parse(Path::new("p.yaml"), text).unwrap();
        assert_eq!(token_path(&p), Some("/v8/token"));
        assert_eq!(
            p.paging.settings::<PagingProfile>().unwrap().items,
            "results"
        );
        assert_eq!(
            p.paging.settings::<PagingProfile>().unwrap().default_limit,
            500
        );
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
    fn the_vendor_document_of_record_reads_and_a_bad_digest_is_an_error() {
        let base = "crate: {name: a, description: d}\nauth: {kind: none}\n";
        let sha = "0".repeat(64);
        let text = format!("{base}vendor_document: {{version: v8, revision: '8.4', file: a.json, sha256: '{sha}'}}\n");
        let p = Profile::parse(Path::new("p.yaml"), &text).unwrap();
        let doc = p.vendor_document.unwrap();
        assert_eq!((doc.version.as_str(), doc.file.as_str()), ("v8", "a.json"));
        assert_eq!(doc.revision.as_deref(), Some("8.4"));
        let short = format!("{base}vendor_document: {{version: v8, file: a.json, sha256: abc}}\n");
        let e = Profile::parse(Path::new("p.yaml"), &short)
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.yaml#/vendor_document/sha256"), "{e}");
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
        assert_eq!(p.auth.kind(), "password");
        assert_eq!(token_path(&p), Some("/api/oauth2/token"));
        let paging = p.paging.settings::<PagingProfile>().unwrap();
        assert_eq!(
            (paging.offset_param, paging.limit_param),
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
        assert_eq!(token_path(&p), Some("/api/token"));
        let (p, _) = infer(&json!({}), "a", "d");
        assert_eq!(p.auth.kind(), "none");
        assert!(p.paging.is_empty());
    }

    const PAGING_BASE: &str = "crate: {name: a, description: d}\nauth: {kind: none}\n";

    fn error_of(text: &str) -> String {
        Profile::parse(Path::new("p.yaml"), text)
            .unwrap_err()
            .to_string()
    }

    fn paging_error(extra: &str) -> String {
        Profile::parse(Path::new("p.yaml"), &format!("{PAGING_BASE}{extra}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn each_convention_reads_its_section_and_writes_it_back() {
        let text = format!(
            "{PAGING_BASE}paging: {{offset: skip, limit: take, items: data}}\n\
             cursor_paging: {{token_param: page_token, limit_param: limit, items: items, next_field: next_page}}\n"
        );
        let p = Profile::parse(Path::new("p.yaml"), &text).unwrap();
        let keys: Vec<&str> = p.paging.iter().map(|c| c.key()).collect();
        assert_eq!(keys, ["paging", "cursor_paging"]);
        let offset = p.paging.settings::<veeam_profile::PagingProfile>().unwrap();
        assert_eq!((offset.offset_param, offset.items), ("skip", "data"));
        let again = Profile::parse(Path::new("p.yaml"), &p.to_yaml()).unwrap();
        assert_eq!(again, p, "{}", p.to_yaml());
    }

    #[test]
    fn an_unknown_key_a_bad_value_and_a_failed_check_are_errors_naming_them() {
        let e =
            error_of("crate: {name: a, description: d}\nauth: {kind: bearer, token_path: /t}\n");
        assert!(e.contains("bearer") && e.contains("`token_path`"), "{e}");
        let e = error_of("crate: {name: a, description: d}\nauth: {kind: sso}\n");
        assert!(
            e.contains("`sso`") && e.contains("password, bearer, none"),
            "{e}"
        );
        let e = paging_error("pagign: {offset: o, limit: l}\n");
        assert!(
            e.contains("p.yaml") && e.contains("`pagign`") && e.contains("cursor_paging"),
            "{e}"
        );
        let e = paging_error("paging: {offset: o, limit: l, default_limit: many}\n");
        assert!(e.contains("paging") && e.contains("default_limit"), "{e}");
        let e = paging_error("cursor_paging: {token_param: t, limit_param: l, items: i}\n");
        assert!(
            e.contains("cursor_paging") && e.contains("next_field"),
            "{e}"
        );
        let e = paging_error("paging: {offset: o, limit: o}\n");
        assert!(e.contains("p.yaml#/paging/limit"), "{e}");
        let e = paging_error(
            "cursor_paging: {token_param: t, limit_param: l, items: ' ', next_field: n}\n",
        );
        assert!(e.contains("p.yaml#/cursor_paging/items"), "{e}");
    }
}
