//! Semantic diff of two API documents, for reviewing spec changes: what changed for the
//! wire and for users of the generated crate, each change classified.
//!
//! Both sides are compared after assembly and normalization, so formatting, key order and
//! file layout never show. Operations are matched by method and path, with the API version
//! prefix (`/v7`, `/v8`) removed and letter case folded, because the vendor bumps the prefix
//! and changes the case of path segments between versions while servers match paths
//! case-insensitively ([`PathRule`]). Schema changes are followed through `$ref`s, so a
//! change deep inside a shared schema is listed under every operation it reaches, once, with
//! the path to it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use heck::ToSnakeCase;
use serde::Serialize;
use serde_json::Value;

use crate::openapi::{is_json_media_type, status_class, METHODS};

/// How paths of the two sides are matched.
#[derive(Debug, Clone)]
pub struct PathRule {
    /// A leading part of every path that carries the API version and is dropped before
    /// matching (default `^/v[0-9]+`).
    pub version_prefix: regex::Regex,
    /// Fold letter case before matching (default true: VB365 matches paths case-insensitively).
    pub fold_case: bool,
}

impl Default for PathRule {
    fn default() -> Self {
        PathRule {
            version_prefix: regex::Regex::new("^/v[0-9]+").expect("valid default"),
            fold_case: true,
        }
    }
}

impl PathRule {
    /// The key two operations are matched by: `GET /restorepoints/{}`. Parameter names are
    /// erased too: renaming `{id}` to `{jobId}` is not a move.
    pub fn key(&self, method: &str, path: &str) -> String {
        let path = self.version_prefix.replace(path, "");
        let mut out = String::new();
        let mut in_param = false;
        for c in path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push_str("{}");
                }
                '}' => in_param = false,
                _ if in_param => {}
                _ if self.fold_case => out.extend(c.to_lowercase()),
                _ => out.push(c),
            }
        }
        format!("{} {}", method.to_uppercase(), out)
    }
}

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

fn change(
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

struct Op<'a> {
    method: &'a str,
    path: &'a str,
    id: &'a str,
    value: &'a Value,
}

impl Op<'_> {
    fn group(&self) -> String {
        self.value
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("(untagged)")
            .to_string()
    }
}

fn operations<'a>(doc: &'a Value, rule: &PathRule) -> BTreeMap<String, Op<'a>> {
    let mut out = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
                    out.insert(
                        rule.key(method, path),
                        Op {
                            method,
                            path,
                            id,
                            value: op,
                        },
                    );
                }
            }
        }
    }
    out
}

/// Compares two assembled, normalized documents.
pub fn diff(old: &Value, new: &Value, rule: &PathRule) -> Diff {
    let old_ops = operations(old, rule);
    let new_ops = operations(new, rule);
    let mut result = Vec::new();
    let mut effect = CrateEffect::default();

    let removed: Vec<&String> = old_ops
        .keys()
        .filter(|k| !new_ops.contains_key(*k))
        .collect();
    let added: Vec<&String> = new_ops
        .keys()
        .filter(|k| !old_ops.contains_key(*k))
        .collect();
    // A removed and an added operation with the same operationId is one that moved.
    let added_ids: BTreeMap<&str, &String> = added.iter().map(|k| (new_ops[*k].id, *k)).collect();
    let mut moved_to: BTreeSet<&String> = BTreeSet::new();

    for key in &removed {
        let o = &old_ops[*key];
        if let Some(new_key) = added_ids.get(o.id) {
            let n = &new_ops[*new_key];
            moved_to.insert(new_key);
            let mut changes = vec![change(
                "operation_moved",
                false,
                true,
                "",
                format!("now {} {} (was {} {}); the method keeps its name, old clients call the old path", n.method.to_uppercase(), n.path, o.method.to_uppercase(), o.path),
            )];
            compare_operation(old, o, new, n, &mut changes);
            effect.methods_changed.push(o.id.to_snake_case());
            result.push(OperationDiff {
                method: n.method.to_uppercase(),
                path: n.path.to_string(),
                operation_id: n.id.to_string(),
                group: n.group(),
                changes,
            });
            continue;
        }
        effect.methods_removed.push(o.id.to_snake_case());
        result.push(OperationDiff {
            method: o.method.to_uppercase(),
            path: o.path.to_string(),
            operation_id: o.id.to_string(),
            group: o.group(),
            changes: vec![change(
                "operation_removed",
                true,
                true,
                "",
                format!(
                    "method `{}` is gone, and the server no longer answers this path",
                    o.id.to_snake_case()
                ),
            )],
        });
    }
    for key in added.iter().filter(|k| !moved_to.contains(*k)) {
        let n = &new_ops[*key];
        effect.methods_added.push(n.id.to_snake_case());
        result.push(OperationDiff {
            method: n.method.to_uppercase(),
            path: n.path.to_string(),
            operation_id: n.id.to_string(),
            group: n.group(),
            changes: vec![change(
                "operation_added",
                false,
                false,
                "",
                format!("new method `{}`", n.id.to_snake_case()),
            )],
        });
    }
    for (key, o) in &old_ops {
        let Some(n) = new_ops.get(key) else { continue };
        let mut changes = Vec::new();
        if o.id != n.id {
            changes.push(change(
                "operation_renamed",
                true,
                false,
                "",
                format!(
                    "operationId {} → {}: method `{}` is now `{}`; the request is unchanged",
                    o.id,
                    n.id,
                    o.id.to_snake_case(),
                    n.id.to_snake_case()
                ),
            ));
        }
        compare_operation(old, o, new, n, &mut changes);
        if !changes.is_empty() {
            if changes.iter().any(|c| c.class == Class::BreakingCode) || o.id != n.id {
                effect.methods_changed.push(n.id.to_snake_case());
            }
            result.push(OperationDiff {
                method: n.method.to_uppercase(),
                path: n.path.to_string(),
                operation_id: n.id.to_string(),
                group: n.group(),
                changes,
            });
        }
    }
    result.sort_by(|a, b| {
        (a.path.to_lowercase(), &a.method).cmp(&(b.path.to_lowercase(), &b.method))
    });

    let schemas = compare_schemas(old, new, &mut effect);
    for list in [
        &mut effect.methods_added,
        &mut effect.methods_removed,
        &mut effect.methods_changed,
        &mut effect.types_added,
        &mut effect.types_removed,
        &mut effect.types_changed,
    ] {
        list.sort();
        list.dedup();
    }
    Diff {
        operations: result,
        schemas,
        crate_effect: effect,
    }
}

/// Which way a schema travels: requests are written by clients, responses read by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

fn compare_operation(old: &Value, o: &Op, new: &Value, n: &Op, out: &mut Vec<Change>) {
    compare_parameters(old, o, new, n, out);
    // Request body.
    let ob = o.value.get("requestBody").map(|b| resolve(old, b));
    let nb = n.value.get("requestBody").map(|b| resolve(new, b));
    match (ob, nb) {
        (None, Some(_)) => out.push(change(
            "request_body_added",
            true,
            true,
            "request body",
            "the operation now takes a body".into(),
        )),
        (Some(_), None) => out.push(change(
            "request_body_removed",
            true,
            false,
            "request body",
            "the operation no longer takes a body: `.body()` is gone".into(),
        )),
        (Some(ob), Some(nb)) => {
            compare_content(old, ob, new, nb, "request body", Direction::Request, out);
        }
        (None, None) => {}
    }
    // Responses.
    let empty = serde_json::Map::new();
    let or = o
        .value
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let nr = n
        .value
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let success = |r: &serde_json::Map<String, Value>| -> Vec<String> {
        r.keys()
            .filter(|c| status_class(c) == Some(2))
            .cloned()
            .collect()
    };
    let (os, ns) = (success(or), success(nr));
    if os != ns {
        let obody = os.first().and_then(|c| body_schema(old, &or[c]));
        let nbody = ns.first().and_then(|c| body_schema(new, &nr[c]));
        let type_changes = obody.is_some() != nbody.is_some();
        out.push(change(
            "success_status_changed",
            type_changes,
            true,
            "responses",
            format!(
                "success status {} → {}{}; old clients treat the new status as unexpected",
                os.join("/"),
                ns.join("/"),
                if type_changes {
                    ", and the method's return type changes"
                } else {
                    ""
                }
            ),
        ));
        // Compare the bodies of the old and new success responses with each other.
        if let (Some(oc), Some(nc)) = (os.first(), ns.first()) {
            let at = format!("response {nc}");
            compare_content(
                old,
                resolve(old, &or[oc]),
                new,
                resolve(new, &nr[nc]),
                &at,
                Direction::Response,
                out,
            );
        }
    }
    for (code, ov) in or {
        let at = format!("response {code}");
        match nr.get(code) {
            Some(nv) => compare_content(
                old,
                resolve(old, ov),
                new,
                resolve(new, nv),
                &at,
                Direction::Response,
                out,
            ),
            None if os.contains(code) && os != ns => {}
            None => out.push(change(
                "response_removed",
                false,
                false,
                &at,
                format!("response {code} is no longer declared"),
            )),
        }
    }
    for code in nr.keys().filter(|c| !or.contains_key(*c)) {
        if ns.contains(code) && os != ns {
            continue;
        }
        out.push(change(
            "response_added",
            false,
            false,
            &format!("response {code}"),
            format!("response {code} is now declared"),
        ));
    }
}

fn body_schema<'a>(doc: &'a Value, response: &'a Value) -> Option<&'a Value> {
    resolve(doc, response)
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.get("schema"))
}

fn compare_content(
    old: &Value,
    ob: &Value,
    new: &Value,
    nb: &Value,
    at: &str,
    dir: Direction,
    out: &mut Vec<Change>,
) {
    let keys = |b: &Value| -> Vec<String> {
        b.get("content")
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (ok, nk) = (keys(ob), keys(nb));
    if ok != nk {
        let kind_changed =
            ok.iter().any(|k| is_json_media_type(k)) != nk.iter().any(|k| is_json_media_type(k));
        out.push(change(
            "media_type_changed",
            kind_changed,
            true,
            at,
            format!("media type {} → {}", show_list(&ok), show_list(&nk)),
        ));
    }
    let schema = |b: &Value| {
        b.get("content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
            .cloned()
    };
    if let (Some(os), Some(ns)) = (schema(ob), schema(nb)) {
        let mut cx = Cx {
            old,
            new,
            dir,
            follow_refs: true,
            seen: HashSet::new(),
            via: None,
            out,
        };
        cx.schema(&os, &ns, at);
    }
}

fn show_list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

fn compare_parameters(old: &Value, o: &Op, new: &Value, n: &Op, out: &mut Vec<Change>) {
    let params = |doc: &Value, op: &Op| -> BTreeMap<(String, String), Value> {
        let text =
            |p: &Value, key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        // An operation's own parameter replaces its path item's of the same name and place.
        crate::openapi::operation_parameters(doc, op.path, op.value)
            .into_iter()
            .map(|p| ((text(p, "in"), text(p, "name")), p.clone()))
            .collect()
    };
    let (op_, np) = (params(old, o), params(new, n));
    let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
    for ((location, name), p) in &np {
        if location == "path" {
            continue;
        }
        let at = format!("{location} parameter {name}");
        match op_.get(&(location.clone(), name.clone())) {
            None if required(p) => out.push(change(
                "parameter_added",
                true,
                true,
                &at,
                "new required parameter: existing calls do not set it".into(),
            )),
            None => out.push(change(
                "parameter_added",
                false,
                false,
                &at,
                "new optional parameter".into(),
            )),
            Some(oldp) => {
                if !required(oldp) && required(p) {
                    out.push(change(
                        "parameter_now_required",
                        true,
                        true,
                        &at,
                        "optional → required: calls that do not set it fail".into(),
                    ));
                } else if required(oldp) && !required(p) {
                    out.push(change(
                        "parameter_now_optional",
                        false,
                        false,
                        &at,
                        "required → optional".into(),
                    ));
                }
                if let (Some(os), Some(ns)) = (oldp.get("schema"), p.get("schema")) {
                    let mut cx = Cx {
                        old,
                        new,
                        dir: Direction::Request,
                        follow_refs: true,
                        seen: HashSet::new(),
                        via: None,
                        out,
                    };
                    cx.schema(os, ns, &at);
                }
            }
        }
    }
    for (location, name) in op_.keys() {
        if location != "path" && !np.contains_key(&(location.clone(), name.clone())) {
            out.push(change(
                "parameter_removed",
                true,
                false,
                &format!("{location} parameter {name}"),
                format!(
                    "parameter removed: the builder's `.{}()` is gone",
                    name.to_snake_case()
                ),
            ));
        }
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    crate::openapi::resolve(doc, v)
}

fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r))
}

/// Walks two schemas side by side.
struct Cx<'a, 'o> {
    old: &'a Value,
    new: &'a Value,
    dir: Direction,
    /// Follow `$ref`s into the referenced schemas (operations) or stop at them (schemas).
    follow_refs: bool,
    /// (old ref, new ref) pairs already compared in this walk: each shared schema once, and
    /// recursive schemas end.
    seen: HashSet<(String, String)>,
    /// The component schema the walk is inside (the last `$ref` followed to the same name on
    /// both sides): recorded on each change as [`Change::via`].
    via: Option<String>,
    out: &'o mut Vec<Change>,
}

impl Cx<'_, '_> {
    fn push(&mut self, kind: &'static str, code: bool, wire: bool, at: &str, reason: String) {
        let mut c = change(kind, code, wire, at, reason);
        c.via = self.via.clone();
        self.out.push(c);
    }

    /// Compares `o` and `n` at `at`; inside a followed `$ref` to the same schema on both
    /// sides, the changes found are recorded as being in that schema.
    fn schema(&mut self, o: &Value, n: &Value, at: &str) {
        let inside = match (ref_name(o), ref_name(n)) {
            (Some(a), Some(b)) if a == b && self.follow_refs => Some(a.to_string()),
            _ => None,
        };
        if inside.is_none() {
            return self.schema_here(o, n, at);
        }
        let outer = std::mem::replace(&mut self.via, inside);
        self.schema_here(o, n, at);
        self.via = outer;
    }

    fn schema_here(&mut self, o: &Value, n: &Value, at: &str) {
        let (oref, nref) = (ref_name(o), ref_name(n));
        if let (Some(a), Some(b)) = (oref, nref) {
            if a != b {
                self.push(
                    "ref_changed",
                    true,
                    false,
                    at,
                    format!(
                        "type {} → {}",
                        crate::names::type_name(a),
                        crate::names::type_name(b)
                    ),
                );
            }
            if !self.follow_refs || !self.seen.insert((a.to_string(), b.to_string())) {
                return;
            }
        } else if !self.follow_refs && (oref.is_some() || nref.is_some()) {
            self.push(
                "ref_changed",
                true,
                false,
                at,
                format!(
                    "{} → {}",
                    oref.unwrap_or("inline schema"),
                    nref.unwrap_or("inline schema")
                ),
            );
            return;
        }
        let o = resolve(self.old, o);
        let n = resolve(self.new, n);
        let (ot, nt) = (
            o.get("type").and_then(Value::as_str),
            n.get("type").and_then(Value::as_str),
        );
        if ot != nt {
            if ot == Some("array") && nt == Some("object") && self.envelope_of(o, n) {
                self.push("became_paged", true, true, at, "a bare array became a page envelope: read `.results` (and page with offset/limit)".into());
                return;
            }
            if ot == Some("object") && nt == Some("array") && self.envelope_of(n, o) {
                self.push(
                    "became_bare_array",
                    true,
                    true,
                    at,
                    "a page envelope became a bare array".into(),
                );
                return;
            }
            self.push(
                "type_changed",
                true,
                true,
                at,
                format!("type {} → {}", ot.unwrap_or("any"), nt.unwrap_or("any")),
            );
            return;
        }
        let (of, nf) = (
            o.get("format").and_then(Value::as_str),
            n.get("format").and_then(Value::as_str),
        );
        if of != nf {
            self.push(
                "format_changed",
                true,
                true,
                at,
                format!(
                    "format {} → {}: the Rust type may change",
                    of.unwrap_or("none"),
                    nf.unwrap_or("none")
                ),
            );
        }
        let nullable = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
        if nullable(o) != nullable(n) {
            let now = nullable(n);
            let wire = now && self.dir == Direction::Response;
            self.push(
                "nullability_changed",
                true,
                wire,
                at,
                if now {
                    format!(
                        "now nullable{}",
                        if wire {
                            ": old clients fail on null"
                        } else {
                            ""
                        }
                    )
                } else {
                    "no longer nullable".into()
                },
            );
        }
        self.enums(o, n, at);
        self.properties(o, n, at);
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.schema(oi, ni, &format!("{at}[]"));
        }
        if let (Some(oa), Some(na)) = (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            if oa.is_object() && na.is_object() {
                self.schema(oa, na, &format!("{at}{{}}"));
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let (Some(Value::Array(oa)), Some(Value::Array(na))) = (o.get(key), n.get(key)) {
                for (i, (a, b)) in oa.iter().zip(na).enumerate() {
                    self.schema(a, b, &format!("{at} › {key}[{i}]"));
                }
            }
        }
    }

    /// Is `envelope` an object whose `results` array holds what `array` held?
    fn envelope_of(&self, array: &Value, envelope: &Value) -> bool {
        let results = envelope
            .pointer("/properties/results")
            .map(|r| resolve(self.new, r));
        match (array.get("items"), results.and_then(|r| r.get("items"))) {
            (Some(a), Some(b)) => ref_name(a) == ref_name(b) || a == b,
            _ => false,
        }
    }

    fn enums(&mut self, o: &Value, n: &Value, at: &str) {
        let values = |s: &Value| -> BTreeSet<String> {
            s.get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()
        };
        let (ov, nv) = (values(o), values(n));
        if ov.is_empty() && nv.is_empty() {
            return;
        }
        let added: Vec<_> = nv.difference(&ov).cloned().collect();
        let removed: Vec<_> = ov.difference(&nv).cloned().collect();
        if !added.is_empty() {
            let response = self.dir == Direction::Response;
            self.push(
                "enum_value_added",
                false,
                response,
                at,
                format!(
                    "enum value{} {} added{}",
                    if added.len() > 1 { "s" } else { "" },
                    added.join(", "),
                    if response {
                        ": old clients fail to decode responses carrying it"
                    } else {
                        ""
                    }
                ),
            );
        }
        if !removed.is_empty() {
            let request = self.dir == Direction::Request;
            self.push(
                "enum_value_removed",
                true,
                request,
                at,
                format!(
                    "enum value{} {} removed: the variant is gone{}",
                    if removed.len() > 1 { "s" } else { "" },
                    removed.join(", "),
                    if request {
                        ", and the server rejects it"
                    } else {
                        ""
                    }
                ),
            );
        }
    }

    fn properties(&mut self, o: &Value, n: &Value, at: &str) {
        let empty = serde_json::Map::new();
        let op = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let np = n
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required = |s: &Value| -> BTreeSet<String> {
            s.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let (or, nr) = (required(o), required(n));
        let response = self.dir == Direction::Response;
        for (name, ns) in np {
            let here = join(at, name);
            match op.get(name) {
                None => {
                    let req = nr.contains(name);
                    let breaks = req && !response;
                    self.push(
                        "property_added",
                        breaks,
                        breaks,
                        &here,
                        if breaks {
                            "new required property: old clients do not send it".into()
                        } else {
                            format!("new {} property", if req { "required" } else { "optional" })
                        },
                    );
                }
                Some(os) => {
                    match (or.contains(name), nr.contains(name)) {
                        (false, true) => self.push(
                            "property_now_required",
                            true,
                            !response,
                            &here,
                            format!(
                                "optional → required: the field's type loses its Option{}",
                                if response {
                                    ""
                                } else {
                                    "; old clients may omit it"
                                }
                            ),
                        ),
                        (true, false) => self.push(
                            "property_now_optional",
                            true,
                            response,
                            &here,
                            format!(
                                "required → optional: the field becomes an Option{}",
                                if response {
                                    "; old clients fail when it is absent"
                                } else {
                                    ""
                                }
                            ),
                        ),
                        _ => {}
                    }
                    self.schema(os, ns, &here);
                }
            }
        }
        for name in op.keys().filter(|k| !np.contains_key(*k)) {
            let wire = response && or.contains(name);
            self.push(
                "property_removed",
                true,
                wire,
                &join(at, name),
                format!(
                    "property removed: the field is gone{}",
                    if wire { "; old clients require it" } else { "" }
                ),
            );
        }
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at} › {name}")
    }
}

fn compare_schemas(old: &Value, new: &Value, effect: &mut CrateEffect) -> Vec<SchemaDiff> {
    let empty = serde_json::Map::new();
    let os = old
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let ns = new
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = Vec::new();
    let uses = schema_uses(new);
    for (name, n) in ns {
        let changes = match os.get(name) {
            None => {
                effect.types_added.push(crate::names::type_name(name));
                vec![change(
                    "schema_added",
                    false,
                    false,
                    "",
                    format!("new type `{}`", crate::names::type_name(name)),
                )]
            }
            Some(o) => {
                // A schema alone has no direction: judge it as its new users use it, and as
                // the stricter of the two where requests and responses both use it.
                let (in_request, in_response) = (uses.0.contains(name), uses.1.contains(name));
                let judge = |dir: Direction| {
                    let mut found = Vec::new();
                    let mut cx = Cx {
                        old,
                        new,
                        dir,
                        follow_refs: false,
                        seen: HashSet::new(),
                        via: None,
                        out: &mut found,
                    };
                    cx.schema(o, n, "");
                    found
                };
                let changes = match (in_request, in_response) {
                    (true, false) => judge(Direction::Request),
                    (true, true) => {
                        let as_response = judge(Direction::Response);
                        judge(Direction::Request)
                            .into_iter()
                            .zip(as_response)
                            .map(|(a, b)| {
                                if (a.class, !a.breaks_wire) <= (b.class, !b.breaks_wire) {
                                    a
                                } else {
                                    b
                                }
                            })
                            .collect()
                    }
                    _ => judge(Direction::Response),
                };
                if !changes.is_empty() {
                    effect.types_changed.push(crate::names::type_name(name));
                }
                changes
            }
        };
        if !changes.is_empty() {
            out.push(SchemaDiff {
                name: name.clone(),
                changes,
            });
        }
    }
    for name in os.keys().filter(|k| !ns.contains_key(*k)) {
        effect.types_removed.push(crate::names::type_name(name));
        out.push(SchemaDiff {
            name: name.clone(),
            changes: vec![change(
                "schema_removed",
                true,
                false,
                "",
                format!("type `{}` is gone", crate::names::type_name(name)),
            )],
        });
    }
    out.sort_by_key(|s| s.name.to_lowercase());
    out
}

/// Names of the component schemas reachable from requests (bodies and parameters) and from
/// responses.
fn schema_uses(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    fn refs(v: &Value, acc: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(name) = ref_name(v) {
                    acc.push(name.to_string());
                }
                m.values().for_each(|c| refs(c, acc));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, acc)),
            _ => {}
        }
    }
    let closure = |mut todo: Vec<String>| {
        let mut seen = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if seen.insert(name.clone()) {
                if let Some(schema) = doc.pointer(&format!(
                    "/components/schemas/{}",
                    crate::error::escape_segment(&name)
                )) {
                    refs(schema, &mut todo);
                }
            }
        }
        seen
    };
    let (mut request, mut response) = (Vec::new(), Vec::new());
    crate::openapi::each_operation(doc, |_, _, op| {
        for key in ["parameters", "requestBody"] {
            if let Some(v) = op.get(key) {
                refs(v, &mut request);
            }
        }
        if let Some(v) = op.get("responses") {
            refs(v, &mut response);
        }
    });
    (closure(request), closure(response))
}

/// Output formats of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Text,
    /// One Markdown table row: the operations added, removed, renamed and moved, and the
    /// changes per class (the README's migration table is made of these).
    Summary,
}

/// Renders the report. `old` and `new` name the two sides in the title.
pub fn render(diff: &Diff, old: &str, new: &str, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(diff).unwrap_or_default() + "\n",
        Format::Markdown => render_markdown(diff, old, new, None),
        Format::Text => render_text(diff, old, new),
        Format::Summary => {
            let ops: Vec<String> = diff
                .operation_counts()
                .iter()
                .map(|(_, n)| n.to_string())
                .collect();
            let classes: Vec<String> = diff.counts().values().map(usize::to_string).collect();
            format!(
                "| `{old}` → `{new}` | {} | {} |\n",
                ops.join(" | "),
                classes.join(" | ")
            )
        }
    }
}

/// A size limit for the Markdown report (a pull-request comment holds 65,536 characters).
#[derive(Debug, Clone)]
pub struct Budget {
    /// The report's largest size in bytes (bytes are never fewer than characters).
    pub max_bytes: usize,
    /// Where the complete report is, said when detail is cut: e.g. "`cargo xtask diff ...
    /// --out FILE`".
    pub full_report: String,
}

/// The default budget: under GitHub's 65,536-character comment limit, with room to spare.
pub const DEFAULT_MAX_BYTES: usize = 60_000;

fn change_line(c: &Change) -> String {
    format!(
        "- **{}**{}: {}\n",
        c.class.label(),
        if c.at.is_empty() {
            String::new()
        } else {
            format!(" `{}`", c.at)
        },
        c.reason
    )
}

/// (breaking code, breaking wire, safe) among `changes`.
fn tally<'a>(changes: impl Iterator<Item = &'a Change>) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for c in changes {
        match c.class {
            Class::BreakingCode => t.0 += 1,
            Class::BreakingWire => t.1 += 1,
            Class::Safe => t.2 += 1,
        }
    }
    t
}

/// Names, at most `max` of them, then how many more.
fn some_names(names: &[String], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(max);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// [`Diff::reach`]: the operations reaching each changed schema.
type Reach<'a> = BTreeMap<&'a str, Vec<&'a OperationDiff>>;

fn reach_of<'r, 'a>(reach: &'r Reach<'a>, name: &str) -> &'r [&'a OperationDiff] {
    reach.get(name).map_or(&[], Vec::as_slice)
}

/// One resource group's changes: the operations' own, by operation.
struct GroupReport<'a> {
    name: &'a str,
    operations: Vec<&'a OperationDiff>,
    tally: (usize, usize, usize),
}

fn groups(diff: &Diff) -> Vec<GroupReport<'_>> {
    let mut by: BTreeMap<&str, Vec<&OperationDiff>> = BTreeMap::new();
    for op in &diff.operations {
        by.entry(op.group.as_str()).or_default().push(op);
    }
    let mut out: Vec<GroupReport> = by
        .into_iter()
        .map(|(name, operations)| {
            let tally = tally(
                operations
                    .iter()
                    .flat_map(|o| o.changes.iter().filter(|c| c.via.is_none())),
            );
            GroupReport {
                name,
                operations,
                tally,
            }
        })
        .collect();
    // Worst first: most changes breaking code, then breaking the wire, then most changes.
    out.sort_by(|a, b| {
        (b.tally.0, b.tally.1, b.tally.2, a.name).cmp(&(a.tally.0, a.tally.1, a.tally.2, b.name))
    });
    out
}

/// The first screen: counts, the bump, the groups worst first, the crate effect in numbers.
fn markdown_summary(
    diff: &Diff,
    old: &str,
    new: &str,
    groups: &[GroupReport],
    reach: &Reach,
) -> String {
    let mut s = format!("# API diff: `{old}` → `{new}`\n\n");
    if diff.is_empty() {
        s.push_str("No change.\n");
        return s;
    }
    let ops: Vec<String> = diff
        .operation_counts()
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    s.push_str(&format!("Operations: {}.\n\n", ops.join(", ")));
    s.push_str(&format!("**Semver bump: {}.**\n\n", diff.semver().label()));
    s.push_str("| class | changes |\n| --- | ---: |\n");
    for (class, n) in diff.counts() {
        s.push_str(&format!("| {} | {n} |\n", class.label()));
    }
    s.push_str("\nEach change is counted once: a change inside a shared schema once, however many operations reach it.\n");
    let e = &diff.crate_effect;
    s.push_str(&format!(
        "\nEffect on the generated crate: methods {} added, {} removed, {} changed; types {} added, {} removed, {} changed.\n",
        e.methods_added.len(),
        e.methods_removed.len(),
        e.methods_changed.len(),
        e.types_added.len(),
        e.types_removed.len(),
        e.types_changed.len()
    ));
    let breaking: Vec<&GroupReport> = groups
        .iter()
        .filter(|g| g.tally.0 + g.tally.1 > 0)
        .collect();
    if !breaking.is_empty() {
        s.push_str("\n## Breaking changes by resource group\n\n| resource group | breaking (client code) | breaking (wire) | safe | operations |\n| --- | ---: | ---: | ---: | ---: |\n");
        const ROWS: usize = 15;
        for g in breaking.iter().take(ROWS) {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                g.name,
                g.tally.0,
                g.tally.1,
                g.tally.2,
                g.operations.len()
            ));
        }
        if breaking.len() > ROWS {
            s.push_str(&format!(
                "| … {} more groups | | | | |\n",
                breaking.len() - ROWS
            ));
        }
    }
    let mut shared: Vec<(&SchemaDiff, usize, (usize, usize, usize))> = diff
        .schemas
        .iter()
        .map(|sd| {
            (
                sd,
                reach_of(reach, &sd.name).len(),
                tally(sd.changes.iter()),
            )
        })
        .filter(|(_, reach, t)| *reach > 1 && t.0 + t.1 > 0)
        .collect();
    shared.sort_by(|a, b| (b.1, b.2 .0, a.0.name.as_str()).cmp(&(a.1, a.2 .0, b.0.name.as_str())));
    if !shared.is_empty() {
        s.push_str("\nBreaking changes in shared schemas, by the operations they reach: ");
        let items: Vec<String> = shared
            .iter()
            .take(8)
            .map(|(sd, reach, _)| format!("`{}` ({reach})", sd.name))
            .collect();
        s.push_str(&items.join(", "));
        if shared.len() > 8 {
            s.push_str(&format!(" and {} more", shared.len() - 8));
        }
        s.push_str(".\n");
    }
    s
}

fn markdown_group(g: &GroupReport) -> String {
    let (code, wire, safe) = g.tally;
    let mut s = format!(
        "\n<details><summary><b>{}</b>: {} operations; {code} breaking (client code), {wire} breaking (wire), {safe} safe</summary>\n",
        g.name,
        g.operations.len()
    );
    for op in &g.operations {
        s.push_str(&format!(
            "\n#### `{} {}` (`{}`)\n\n",
            op.method, op.path, op.operation_id
        ));
        for c in op.changes.iter().filter(|c| c.via.is_none()) {
            s.push_str(&change_line(c));
        }
        let mut via: Vec<String> = op.changes.iter().filter_map(|c| c.via.clone()).collect();
        via.sort();
        via.dedup();
        if !via.is_empty() {
            s.push_str(&format!(
                "- changed shared schemas it reaches: {}\n",
                some_names(&via, 10)
            ));
        }
    }
    s.push_str("\n</details>\n");
    s
}

fn markdown_schema(reach: &Reach, sd: &SchemaDiff) -> String {
    let (code, wire, safe) = tally(sd.changes.iter());
    let reach: Vec<String> = reach_of(reach, &sd.name)
        .iter()
        .map(|o| o.operation_id.to_snake_case())
        .collect();
    let mut s = format!(
        "\n<details><summary><code>{}</code>: {code} breaking (client code), {wire} breaking (wire), {safe} safe; reaches {} operations</summary>\n\n",
        sd.name,
        reach.len()
    );
    if !reach.is_empty() {
        s.push_str(&format!("Reached by: {}.\n\n", some_names(&reach, 20)));
    }
    for c in &sd.changes {
        s.push_str(&change_line(c));
    }
    s.push_str("\n</details>\n");
    s
}

fn markdown_effect(diff: &Diff) -> String {
    let mut s = String::from("\n## Effect on the generated crate\n\n");
    let e = &diff.crate_effect;
    for (what, list) in [
        ("Client methods added", &e.methods_added),
        ("Client methods removed", &e.methods_removed),
        ("Client methods changed", &e.methods_changed),
        ("types added", &e.types_added),
        ("types removed", &e.types_removed),
        ("types changed", &e.types_changed),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
            s.push_str(&format!(
                "- {what} ({}): {}\n",
                list.len(),
                names.join(", ")
            ));
        }
    }
    s
}

/// The Markdown report: the summary (never cut), then the details, worst first: each
/// resource group's operations, each changed schema once with the operations it reaches,
/// and the crate effect by name, each in a collapsible block. With a `budget`, blocks that
/// do not fit are left out and the report says how many and where the full one is.
pub fn render_markdown(diff: &Diff, old: &str, new: &str, budget: Option<&Budget>) -> String {
    let groups = groups(diff);
    let reach = diff.reach();
    let mut s = markdown_summary(diff, old, new, &groups, &reach);
    if diff.is_empty() {
        return s;
    }
    let mut schemas: Vec<&SchemaDiff> = diff.schemas.iter().collect();
    schemas.sort_by_cached_key(|sd| {
        let t = tally(sd.changes.iter());
        (
            std::cmp::Reverse(t.0),
            std::cmp::Reverse(t.1),
            std::cmp::Reverse(reach_of(&reach, &sd.name).len()),
            sd.name.to_lowercase(),
        )
    });
    // Sections, each a heading and its blocks: each block in full, and in one line for when
    // the full one does not fit.
    let mut sections: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    sections.push((
        "\n## Operations by resource group\n",
        groups
            .iter()
            .map(|g| {
                let (code, wire, safe) = g.tally;
                let ids: Vec<String> = g.operations.iter().map(|o| o.operation_id.to_snake_case()).collect();
                (
                    markdown_group(g),
                    if code + wire == 0 { String::new() } else { format!(
                        "- **{}**: {code} breaking (client code), {wire} breaking (wire), {safe} safe in {} operations ({})\n",
                        g.name,
                        ids.len(),
                        some_names(&ids, 2)
                    ) },
                )
            })
            .collect(),
    ));
    if !schemas.is_empty() {
        sections.push((
            "\n## Schemas\n",
            schemas
                .iter()
                .map(|sd| {
                    let (code, wire, safe) = tally(sd.changes.iter());
                    (
                        markdown_schema(&reach, sd),
                        if code + wire == 0 { String::new() } else { format!(
                            "- `{}`: {code} breaking (client code), {wire} breaking (wire), {safe} safe; reaches {} operations\n",
                            sd.name,
                            reach_of(&reach, &sd.name).len()
                        ) },
                    )
                })
                .collect(),
        ));
    }
    let effect = markdown_effect(diff);
    sections.push((
        "",
        vec![(
            effect,
            "\nThe crate effect by name is in the full report.\n".to_string(),
        )],
    ));
    // Every block is first given its one-line form (dropped from the end while they do not
    // all fit), then blocks are given in full, in order, while that fits: what is shown is
    // the worst of what there is, and as much of the rest as the budget holds in one line.
    let headings: usize = sections.iter().map(|(h, _)| h.len() + 1).sum();
    let room = budget.map_or(usize::MAX, |b| {
        b.max_bytes
            .saturating_sub(s.len() + headings + 400 + b.full_report.len())
    });
    let items: Vec<(usize, &String, &String)> = sections
        .iter()
        .enumerate()
        .flat_map(|(i, (_, blocks))| blocks.iter().map(move |(full, line)| (i, full, line)))
        .collect();
    // An empty line: the block is not worth one when space is short (nothing breaking).
    let mut shown: Vec<bool> = items.iter().map(|(_, _, line)| !line.is_empty()).collect();
    let mut whole = vec![false; items.len()];
    let mut used: usize = items
        .iter()
        .filter(|(_, _, line)| !line.is_empty())
        .map(|(_, _, line)| line.len() + 1)
        .sum();
    for at in (0..items.len()).rev() {
        if used <= room {
            break;
        }
        if shown[at] {
            shown[at] = false;
            used -= items[at].2.len() + 1;
        }
    }
    for (at, (_, full, line)) in items.iter().enumerate() {
        let had = if shown[at] { line.len() + 1 } else { 0 };
        let more = (full.len() + 1).saturating_sub(had);
        if used + more > room {
            break;
        }
        whole[at] = true;
        shown[at] = true;
        used += more;
    }
    let mut left_out = Vec::new();
    for (i, (heading, _)) in sections.iter().enumerate() {
        let mine: Vec<usize> = (0..items.len()).filter(|at| items[*at].0 == i).collect();
        let name = heading.trim().trim_start_matches("## ");
        let brief = mine.iter().filter(|at| shown[**at] && !whole[**at]).count();
        let hidden = mine.iter().filter(|at| !shown[**at]).count();
        if mine.iter().any(|at| shown[*at]) {
            s.push_str(heading);
            let mut after_block = true;
            for at in &mine {
                if whole[*at] {
                    s.push_str(items[*at].1);
                    after_block = true;
                } else if shown[*at] {
                    if after_block {
                        s.push('\n');
                    }
                    s.push_str(items[*at].2);
                    after_block = false;
                }
            }
        }
        if brief + hidden > 0 {
            left_out.push(match name {
                "" => "the crate effect by name is not shown".to_string(),
                _ => format!(
                    "{}: {} of {} in full, {brief} in one line, {hidden} left out",
                    if name == "Schemas" {
                        "schemas"
                    } else {
                        "resource groups"
                    },
                    mine.len() - brief - hidden,
                    mine.len()
                ),
            });
        }
    }
    if let (Some(b), false) = (budget, left_out.is_empty()) {
        s.push_str(&format!(
            "\n---\n**This report was cut to fit {} characters**: {}. The full report: {}.\n",
            b.max_bytes,
            left_out.join("; "),
            b.full_report
        ));
    }
    s
}

fn render_text(diff: &Diff, old: &str, new: &str) -> String {
    let mut s = format!("API diff: {old} -> {new}\n");
    if diff.is_empty() {
        s.push_str("no change\n");
        return s;
    }
    let counts: Vec<String> = diff
        .counts()
        .iter()
        .map(|(c, n)| format!("{}: {n}", c.label()))
        .collect();
    s.push_str(&format!("{}\n", counts.join(", ")));
    for op in &diff.operations {
        for c in &op.changes {
            s.push_str(&format!(
                "{} {} [{}] {}{}\n",
                op.method,
                op.path,
                c.class.label(),
                if c.at.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", c.at)
                },
                c.reason
            ));
        }
    }
    for sd in &diff.schemas {
        for c in &sd.changes {
            s.push_str(&format!(
                "schema {} [{}] {}{}\n",
                sd.name,
                c.class.label(),
                if c.at.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", c.at)
                },
                c.reason
            ));
        }
    }
    s
}
