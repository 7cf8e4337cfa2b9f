//! The report: operations and schemas with their changes, each change classified, and what
//! they mean for the generated crate.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a change affects people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Code written against the old generated crate no longer compiles or no longer works.
    BreakingCode,
    /// Clients built from the old spec fail against a server speaking the new one.
    BreakingWire,
    Safe,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::BreakingCode => "breaking (client code)",
            Class::BreakingWire => "breaking (wire)",
            Class::Safe => "safe",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// A stable name for the kind of change, e.g. `enum_value_added`.
    pub kind: &'static str,
    pub class: Class,
    /// Also breaks old clients on the wire (set even when `class` is `breaking_code`).
    pub breaks_wire: bool,
    /// Where, inside the operation or schema: `response 200 › results[] › state`.
    pub at: String,
    /// One line saying what changed and why it is classified so.
    pub reason: String,
    /// Under an operation: the component schema holding the changed node, when the change
    /// was found by following a `$ref` (the same change is in that schema's [`SchemaDiff`],
    /// and under every other operation that reaches it). `None`: the operation's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// Changes to one operation (matched by [`PathRule::key`]).
#[derive(Debug, Clone, Serialize)]
pub struct OperationDiff {
    pub method: String,
    pub path: String,
    pub operation_id: String,
    /// Its resource group: the first tag (of the new side, or the old for a removed one).
    pub group: String,
    pub changes: Vec<Change>,
}

/// Changes to one named schema (`components/schemas`), not followed into other schemas.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaDiff {
    pub name: String,
    pub changes: Vec<Change>,
}

/// The semver bump a diff calls for in the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Code written against the old crate may not compile or work (for a 0.x crate: the
    /// minor number).
    Major,
    /// Additions, or changes old code does not notice.
    Minor,
    None,
}

impl Bump {
    pub fn label(self) -> &'static str {
        match self {
            Bump::Major => "major (breaking; for a 0.x crate, bump the minor number)",
            Bump::Minor => "minor (additions only)",
            Bump::None => "none",
        }
    }
}

/// What changes for users of the generated crate.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrateEffect {
    pub methods_added: Vec<String>,
    pub methods_removed: Vec<String>,
    pub methods_changed: Vec<String>,
    pub types_added: Vec<String>,
    pub types_removed: Vec<String>,
    pub types_changed: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub operations: Vec<OperationDiff>,
    pub schemas: Vec<SchemaDiff>,
    pub crate_effect: CrateEffect,
}

impl Diff {
    pub fn all_changes(&self) -> impl Iterator<Item = &Change> {
        self.operations
            .iter()
            .flat_map(|o| &o.changes)
            .chain(self.schemas.iter().flat_map(|s| &s.changes))
    }

    pub fn is_empty(&self) -> bool {
        self.all_changes().next().is_none()
    }

    /// Number of changes per class, every class present (zero included). Each change once:
    /// an operation's own changes, and each schema's (a change inside a shared schema counts
    /// once, not once per operation reaching it).
    pub fn counts(&self) -> BTreeMap<Class, usize> {
        let mut counts: BTreeMap<Class, usize> =
            [Class::BreakingCode, Class::BreakingWire, Class::Safe]
                .into_iter()
                .map(|c| (c, 0))
                .collect();
        for c in self.distinct_changes() {
            *counts.entry(c.class).or_default() += 1;
        }
        counts
    }

    /// Every change once: operations' own changes, then schemas' (see [`Diff::counts`]).
    pub fn distinct_changes(&self) -> impl Iterator<Item = &Change> {
        self.operations
            .iter()
            .flat_map(|o| o.changes.iter().filter(|c| c.via.is_none()))
            .chain(self.schemas.iter().flat_map(|s| &s.changes))
    }

    /// The operations that reach a change inside schema `name`, by their changes' `via`.
    pub fn reached_by(&self, name: &str) -> Vec<&OperationDiff> {
        self.reach().remove(name).unwrap_or_default()
    }

    /// For every schema with changes some operation reaches: those operations, in order,
    /// each once. One pass over the operations, for the report's many lookups.
    pub fn reach(&self) -> BTreeMap<&str, Vec<&OperationDiff>> {
        let mut out: BTreeMap<&str, Vec<&OperationDiff>> = BTreeMap::new();
        for op in &self.operations {
            let mut names: Vec<&str> = op.changes.iter().filter_map(|c| c.via.as_deref()).collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                out.entry(name).or_default().push(op);
            }
        }
        out
    }

    /// The version bump the change calls for in the generated crate.
    pub fn semver(&self) -> Bump {
        let e = &self.crate_effect;
        if self.all_changes().any(|c| c.class == Class::BreakingCode)
            || !e.methods_removed.is_empty()
            || !e.types_removed.is_empty()
        {
            Bump::Major
        } else if !e.methods_added.is_empty()
            || !e.types_added.is_empty()
            || self.all_changes().next().is_some()
        {
            Bump::Minor
        } else {
            Bump::None
        }
    }

    pub fn has_breaking(&self) -> bool {
        self.all_changes().any(|c| c.class != Class::Safe)
    }

    /// Operations added, removed, renamed and moved, in that order.
    pub fn operation_counts(&self) -> [(&'static str, usize); 4] {
        let mut out = [("added", 0), ("removed", 0), ("renamed", 0), ("moved", 0)];
        for c in self.operations.iter().flat_map(|o| &o.changes) {
            if let Some(slot) = out
                .iter_mut()
                .find(|(k, _)| c.kind.strip_prefix("operation_") == Some(*k))
            {
                slot.1 += 1;
            }
        }
        out
    }
}

/// A change of `kind`, classed by the worst it breaks.
pub(super) fn change(
    kind: &'static str,
    breaks_code: bool,
    breaks_wire: bool,
    at: &str,
    reason: String,
) -> Change {
    let class = if breaks_code {
        Class::BreakingCode
    } else if breaks_wire {
        Class::BreakingWire
    } else {
        Class::Safe
    };
    Change {
        kind,
        class,
        breaks_wire,
        at: at.to_string(),
        reason,
        via: None,
    }
}
