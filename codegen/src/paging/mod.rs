//! The paging conventions: how an API's list operations hand out their items page by page.
//!
//! A convention is one module here implementing [`Convention`] (its profile.yaml section,
//! read, checked and inferred) and [`Paging`] (which operations page by it, the constants and
//! the `stream()` it writes), listed once in [`CONVENTIONS`]; its settings type is in
//! `veeam-profile`, and its walk is one module of `veeam-runtime`, which the `stream()` it
//! writes calls. Nothing else in the generator names a convention: the profile, the facts,
//! the glue and the mock ask the conventions the profile sets up ([`Pagings`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod convention;
pub mod cursor;
pub mod offset;

pub use convention::{stream_fn, Constant, Convention, Operation, Paging, Plan, StreamAt};

/// Every paging convention, in the order profile.yaml's sections are read and written.
pub static CONVENTIONS: &[&dyn Convention] = &[&offset::Offset, &cursor::Cursor];

/// The conventions an API's profile sets up, in [`CONVENTIONS`] order. In profile.yaml,
/// each is a top-level section named by its key; a top-level key that is neither one of the
/// profile's own nor a convention's is an error.
#[derive(Clone, Default)]
pub struct Pagings(Vec<Arc<dyn Paging>>);

impl Pagings {
    /// Each convention's section among `sections` (profile.yaml's keys the profile does not
    /// take itself): an unknown key is an error naming it.
    pub fn read(mut sections: BTreeMap<String, Value>) -> Result<Pagings, String> {
        if let Some(unknown) = sections
            .keys()
            .find(|k| !CONVENTIONS.iter().any(|c| c.key() == k.as_str()))
        {
            let known: Vec<&str> = CONVENTIONS.iter().map(|c| c.key()).collect();
            return Err(format!(
                "unknown field `{unknown}`: not a key of a profile, nor a paging convention's ({})",
                known.join(", ")
            ));
        }
        let mut out = Vec::new();
        for c in CONVENTIONS {
            if let Some(section) = sections.remove(c.key()) {
                out.push(c.read(section).map_err(|e| format!("{}: {e}", c.key()))?);
            }
        }
        Ok(Pagings(out))
    }

    /// The conventions a document without a profile shows.
    pub fn infer(doc: &Value, notes: &mut Vec<String>) -> Pagings {
        Pagings(
            CONVENTIONS
                .iter()
                .filter_map(|c| c.infer(doc, notes))
                .collect(),
        )
    }

    /// Each convention's check: (pointer in the profile, message).
    pub fn check(&self) -> Result<(), (String, String)> {
        for p in &self.0 {
            p.check()
                .map_err(|(at, message)| (format!("/{}{at}", p.key()), message))?;
        }
        Ok(())
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn Paging> {
        self.0.iter().map(|p| &**p)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The convention of `key`.
    pub fn get(&self, key: &str) -> Option<&dyn Paging> {
        self.iter().find(|p| p.key() == key)
    }

    /// The settings of type `T` (`veeam_profile::PagingProfile`), when a convention holds them.
    pub fn settings<T: 'static>(&self) -> Option<&T> {
        self.iter().find_map(|p| p.settings().downcast_ref::<T>())
    }

    /// How `op` pages: by the first convention that takes it.
    pub fn plan(&self, op: &Operation) -> Option<Plan> {
        self.iter().find_map(|p| p.plan(op))
    }

    /// Every convention's crate-root constants.
    pub fn constants(&self) -> Result<Vec<Constant>, String> {
        let mut out = Vec::new();
        for p in self.iter() {
            out.extend(p.constants()?);
        }
        Ok(out)
    }
}

impl fmt::Debug for Pagings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|p| (p.key(), p.section())))
            .finish()
    }
}

impl PartialEq for Pagings {
    fn eq(&self, other: &Pagings) -> bool {
        let sections = |p: &Pagings| -> Vec<(&'static str, Value)> {
            p.iter().map(|p| (p.key(), p.section())).collect()
        };
        sections(self) == sections(other)
    }
}

impl Eq for Pagings {}

impl Serialize for Pagings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter().map(|p| (p.key(), p.section())))
    }
}

impl<'de> Deserialize<'de> for Pagings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pagings, D::Error> {
        Pagings::read(BTreeMap::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
