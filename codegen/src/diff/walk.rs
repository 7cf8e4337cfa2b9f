//! Two schemas walked side by side, following `$ref`s or stopping at them.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::model::{change, Change};

/// Which way a schema travels: requests are written by clients, responses read by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Request,
    Response,
}

pub(super) fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    crate::openapi::resolve(doc, v)
}

pub(super) fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or(r))
}

/// Walks two schemas side by side.
pub(super) struct Cx<'a, 'o> {
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

impl<'a, 'o> Cx<'a, 'o> {
    /// A walk of `old`'s schemas against `new`'s, its changes pushed to `out`.
    pub fn new(
        old: &'a Value,
        new: &'a Value,
        dir: Direction,
        follow_refs: bool,
        out: &'o mut Vec<Change>,
    ) -> Self {
        Cx {
            old,
            new,
            dir,
            follow_refs,
            seen: HashSet::new(),
            via: None,
            out,
        }
    }
    fn push(&mut self, kind: &'static str, code: bool, wire: bool, at: &str, reason: String) {
        let mut c = change(kind, code, wire, at, reason);
        c.via = self.via.clone();
        self.out.push(c);
    }

    /// Compares `o` and `n` at `at`; inside a followed `$ref` to the same schema on both
    /// sides, the changes found are recorded as being in that schema.
    pub fn schema(&mut self, o: &Value, n: &Value, at: &str) {
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
                    "{} added{}",
                    enum_values(&added),
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
                    "{} removed: the variant is gone{}",
                    enum_values(&removed),
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

/// `enum value A` or `enum values A, B`.
fn enum_values(values: &[String]) -> String {
    let s = if values.len() > 1 { "s" } else { "" };
    format!("enum value{s} {}", values.join(", "))
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at} › {name}")
    }
}
