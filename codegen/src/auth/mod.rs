//! The auth kinds: how a client of an API authenticates.
//!
//! A kind is one module here implementing [`Kind`] (profile.yaml's `auth` section when its
//! `kind` names it, and how a document without a profile shows it) and [`Auth`] (its checks,
//! the login's half of the runtime's profile, what the guide and the mock say), listed once
//! in [`KINDS`]. Its runtime half is `veeam_runtime::auth` for the built-in kinds, or a
//! module of the runtime implementing `veeam_runtime::auth::Authorize` with a builder method
//! that sets it ([`veeam_runtime::auth::Credentials::Custom`]). Nothing else in the generator
//! names a kind.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod bearer;
pub mod kind;
pub mod none;
pub mod password;

pub use kind::{Auth, Kind, STANDARD_GRANTS};

/// Every auth kind, in the order a document without a profile is tried against them (the
/// last, `none`, always matches).
pub static KINDS: &[&dyn Kind] = &[&password::Password, &bearer::Bearer, &none::NoAuth];

/// profile.yaml's `auth`: `kind`, and that kind's settings beside it.
#[derive(Clone)]
pub struct AuthSection(Arc<dyn Auth>);

impl AuthSection {
    pub fn new(auth: Arc<dyn Auth>) -> AuthSection {
        AuthSection(auth)
    }

    /// The first kind a document without a profile shows.
    pub fn infer(doc: &Value, notes: &mut Vec<String>) -> AuthSection {
        let found = KINDS.iter().find_map(|k| k.infer(doc, notes));
        AuthSection(found.unwrap_or_else(|| Arc::new(none::NoneAuth {})))
    }

    /// The kind's check: (pointer in the profile, message).
    pub fn check(&self) -> Result<(), (String, String)> {
        self.0
            .check()
            .map_err(|(at, message)| (format!("/auth{at}"), message))
    }

    /// Fills in what the document says (see [`Auth::resolve`]).
    pub fn resolve(&mut self, doc: &Value) -> Result<(), (String, String)> {
        if let Some(resolved) = self.0.resolve(doc)? {
            self.0 = resolved;
        }
        Ok(())
    }

    /// The settings of type `T` (`password::PasswordAuth`), when the kind holds them.
    pub fn settings<T: 'static>(&self) -> Option<&T> {
        self.0.settings().downcast_ref()
    }
}

impl std::ops::Deref for AuthSection {
    type Target = dyn Auth;
    fn deref(&self) -> &(dyn Auth + 'static) {
        &*self.0
    }
}

impl fmt::Debug for AuthSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.kind(), self.0.section())
    }
}

impl PartialEq for AuthSection {
    fn eq(&self, other: &AuthSection) -> bool {
        (self.0.kind(), self.0.section()) == (other.0.kind(), other.0.section())
    }
}

impl Eq for AuthSection {}

impl Serialize for AuthSection {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut section = serde_json::Map::new();
        section.insert("kind".into(), self.0.kind().into());
        if let Value::Object(rest) = self.0.section() {
            section.extend(rest);
        }
        section.serialize(s)
    }
}

impl<'de> Deserialize<'de> for AuthSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AuthSection, D::Error> {
        use serde::de::Error;
        let mut section = serde_json::Map::deserialize(d)?;
        let names = || {
            KINDS
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let name = match section.remove("kind") {
            Some(Value::String(name)) => name,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "auth: `kind` is {other}, not one of {}",
                    names()
                )))
            }
            None => {
                return Err(D::Error::custom(format!(
                    "auth: missing field `kind` (one of {})",
                    names()
                )))
            }
        };
        let kind = KINDS.iter().find(|k| k.name() == name).ok_or_else(|| {
            D::Error::custom(format!("auth: unknown kind `{name}`: one of {}", names()))
        })?;
        kind.read(Value::Object(section))
            .map(AuthSection)
            .map_err(|e| D::Error::custom(format!("auth ({name}): {e}")))
    }
}
