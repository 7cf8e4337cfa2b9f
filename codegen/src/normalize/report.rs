//! What normalization changed and what it degraded, pass by pass.

use std::collections::BTreeMap;

/// What normalization changed: for each pass, the pointers it touched; and what it could not
/// represent and degraded (to an untyped or raw value, or by dropping it), with a warning.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub changes: BTreeMap<&'static str, Vec<String>>,
    /// For each degrading pass: (pointer, what was lost).
    pub degraded: BTreeMap<&'static str, Vec<(String, String)>>,
}

impl Report {
    pub(crate) fn note(&mut self, pass: &'static str, at: String) {
        self.changes.entry(pass).or_default().push(at);
    }

    pub(crate) fn degrade(&mut self, pass: &'static str, at: String, what: String) {
        self.degraded.entry(pass).or_default().push((at, what));
    }

    /// One line per pass that changed anything: `split_default_response: 487`.
    pub fn summary(&self) -> String {
        let count = |m: Vec<(&&str, usize)>| -> String {
            let parts: Vec<String> = m.iter().map(|(pass, n)| format!("{pass}: {n}")).collect();
            parts.join(", ")
        };
        let mut line = if self.changes.is_empty() {
            "normalized: nothing".to_string()
        } else {
            format!(
                "normalized: {}",
                count(self.changes.iter().map(|(p, v)| (p, v.len())).collect())
            )
        };
        if !self.degraded.is_empty() {
            line.push_str(&format!(
                "; degraded: {}",
                count(self.degraded.iter().map(|(p, v)| (p, v.len())).collect())
            ));
        }
        line
    }
}

/// Runs one pass on `doc`: the document after it, and its report (for the passes' tests).
#[cfg(test)]
pub(crate) fn run_pass(
    pass: fn(&mut serde_json::Value, &mut Report),
    mut doc: serde_json::Value,
) -> (serde_json::Value, Report) {
    let mut report = Report::default();
    pass(&mut doc, &mut report);
    (doc, report)
}
