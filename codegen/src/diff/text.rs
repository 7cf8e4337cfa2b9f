//! The plain-text report: one line per change.

use super::model::{Change, Diff};

pub(super) fn render_text(diff: &Diff, old: &str, new: &str) -> String {
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
            s.push_str(&change_line(&format!("{} {}", op.method, op.path), c));
        }
    }
    for sd in &diff.schemas {
        for c in &sd.changes {
            s.push_str(&change_line(&format!("schema {}", sd.name), c));
        }
    }
    s
}

/// `GET /jobs [breaking (wire)] response 200: ...`: where, the class, and the change.
fn change_line(subject: &str, c: &Change) -> String {
    let at = if c.at.is_empty() {
        String::new()
    } else {
        format!("{}: ", c.at)
    };
    format!("{subject} [{}] {at}{}\n", c.class.label(), c.reason)
}
