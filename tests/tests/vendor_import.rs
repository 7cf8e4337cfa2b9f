//! `cargo xtask import` on the vendor's real revisions, from committed facts-only copies of
//! their documents (`tests/vendor-facts/`, written by `cargo xtask vendor-facts`: paths,
//! components and security without prose or extensions).
//!
//! - VB365 v8 -> the earlier v8 revision -> v8 again gives back `spec/vb365`'s facts and
//!   every `vendor:` comment; the only words lost are those of places the earlier revision
//!   lacks.
//! - `spec/vb365-v6` with the v7 document imported says what `spec/vb365-v7` says, except
//!   at the places the import reports as conflicts (v6 edits the v7 document changed), the
//!   v6 edits it keeps where the vendor changed nothing (each under its `vendor:` comment),
//!   and the places `spec/vb365-v7` itself edits with a `vendor:` comment.

use std::path::PathBuf;

use codegen::load::{self, SpecFile};
use codegen::vendor::{self, merge::Step};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec(api: &str) -> Vec<SpecFile> {
    load::read_spec(&root().join("spec").join(api)).unwrap()
}

fn facts(name: &str) -> Vec<SpecFile> {
    load::read_spec(
        &root()
            .join("tests/vendor-facts")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

/// `ours` with the change `base` -> `new` imported, and the conflicts' pointers.
fn import(ours: &[SpecFile], base: &str, new: &str) -> (Vec<SpecFile>, Vec<String>) {
    let merge = vendor::merge_plan(ours, &facts(base), &facts(new)).unwrap();
    let steps: Vec<Step> = merge.steps.into_iter().map(|p| p.step).collect();
    let conflicts = steps
        .iter()
        .filter(|s| matches!(s, Step::Conflict { .. }))
        .map(|s| codegen::error::pointer(s.path()))
        .collect();
    let written = vendor::apply::apply(&merge.files, &steps).unwrap_or_else(|e| panic!("{e}"));
    codegen::prepare(&written.files)
        .unwrap_or_else(|e| panic!("the imported spec does not pass the generator's checks: {e}"));
    (written.files, conflicts)
}

fn doc(files: &[SpecFile]) -> Value {
    load::assemble(files).unwrap().value
}

/// Every `description` in a document, by pointer.
fn descriptions(v: &Value, at: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (k.as_str(), child) {
                    ("description", Value::String(s)) => out.push((here, s.clone())),
                    _ => descriptions(child, here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                descriptions(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn vendor_comments(files: &[SpecFile]) -> usize {
    files
        .iter()
        .map(|f| {
            f.text
                .lines()
                .filter(|l| l.trim_start().starts_with("# vendor:"))
                .count()
        })
        .sum()
}

#[test]
fn v8_to_the_earlier_revision_and_back_gives_the_spec_back_but_for_the_words_of_what_it_lacks() {
    let ours = spec("vb365");
    let (earlier, _) = import(&ours, "vb365_v8", "vb365_v8_2026-02");
    let (back, _) = import(&earlier, "vb365_v8_2026-02", "vb365_v8");
    assert_eq!(
        vendor::compare::differences(&doc(&back), &doc(&ours)),
        [],
        "facts after the round trip"
    );
    assert_eq!(vendor_comments(&back), vendor_comments(&ours));
    let (mut before, mut after) = (Vec::new(), Vec::new());
    descriptions(&doc(&ours), String::new(), &mut before);
    descriptions(&doc(&back), String::new(), &mut after);
    let earlier_doc = doc(&facts("vb365_v8_2026-02"));
    let lost: Vec<&String> = before
        .iter()
        .filter(|d| !after.contains(d))
        .map(|(at, _)| at)
        .collect();
    assert!(!lost.is_empty(), "the earlier revision lacks some places");
    for at in &lost {
        // The description's place (its parent) or a place above it is not in the earlier
        // revision.
        let parent = &at[..at.rfind('/').unwrap()];
        let segments: Vec<&str> = parent.split('/').collect();
        let missing =
            (2..=segments.len()).any(|n| earlier_doc.pointer(&segments[..n].join("/")).is_none());
        assert!(
            missing,
            "{at}: lost its words, but the earlier revision has the place"
        );
    }
}

#[test]
fn v6_with_the_v7_document_imported_says_what_the_v7_spec_says() {
    let (imported, conflicts) = import(&spec("vb365-v6"), "vb365_v6", "vb365_v7");
    // Against the v7 document: every difference left is one our `vendor:` comments explain.
    let findings = vendor::check(&imported, &facts("vb365_v7")).unwrap();
    let left: Vec<_> = findings
        .iter()
        .filter(|f| f.explained_by.is_none())
        .map(|f| (&f.pointer, &f.what))
        .collect();
    assert_eq!(left, []);
    // The v6 edits the import kept (where the vendor did not change the place).
    let v6_edits: Vec<&String> = findings.iter().map(|f| &f.pointer).collect();
    // Against spec/vb365-v7: only at a conflict the import reported, or at a place the v7
    // spec edits deliberately.
    let v7 = spec("vb365-v7");
    let v7_edits: Vec<String> = vendor::check(&v7, &facts("vb365_v7"))
        .unwrap()
        .into_iter()
        .filter(|f| f.explained_by.is_some())
        .map(|f| f.pointer)
        .collect();
    assert!(!conflicts.is_empty());
    let unaccounted: Vec<String> = vendor::compare::differences(&doc(&imported), &doc(&v7))
        .into_iter()
        .map(|d| (codegen::error::pointer(&d.path), d.what))
        .filter(|(at, _)| {
            !(conflicts.iter().any(|c| at.starts_with(c.as_str()))
                || v7_edits.iter().any(|e| e == at)
                || v6_edits.iter().any(|e| *e == at))
        })
        .map(|(at, what)| format!("{at}: {what}"))
        .collect();
    assert_eq!(unaccounted, Vec::<String>::new());
}
