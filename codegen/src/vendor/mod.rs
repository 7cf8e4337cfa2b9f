//! Does the curated spec still say what the vendor says? `cargo xtask vendor-check`: the facts
//! of our split spec compared with a vendor document ([`compare`]), each difference placed in
//! our files and, where a `vendor:` comment stands on its place or on a key above it
//! ([`comments`]), counted as a deliberate, explained edit.
//!
//! The rule (docs/curating-a-spec.md, "Checking the spec against the vendor"): a `vendor:`
//! comment explains every difference at the key it belongs to and below it. On a line of its
//! own it belongs to the block it stands in (the nearest less indented key above it); at the
//! end of a line, to that line's key. Comments on `paths`, `components` and
//! `components/<kind>` explain nothing: one would hide a whole file.

pub mod apply;
pub mod comments;
pub mod compare;
pub mod merge;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{pointer, Result};
use crate::load::{self, SpecFile};
use crate::profile::VendorDocument;

pub use compare::Difference;

/// One difference of facts, where it is in our files, and what explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// JSON pointer of the place (ours where we have it, else the vendor's).
    pub pointer: String,
    /// The file and line of the place in our spec, or of the nearest key above it we have;
    /// `None` when we have nothing of it below `paths` or a component kind.
    pub place: Option<(PathBuf, usize)>,
    pub what: String,
    /// The `vendor:` comment that accounts for it: file, line, text.
    pub explained_by: Option<(PathBuf, usize, String)>,
}

/// Every difference of facts between the curated spec (`ours`, its split files, root first)
/// and a vendor document (`vendor`: its file, or files), explained or not, in pointer order.
pub fn check(ours: &[SpecFile], vendor: &[SpecFile]) -> Result<Vec<Finding>> {
    let ours_doc = load::assemble(ours)?;
    let vendor_doc = load::assemble(vendor)?;
    let index = Index::new(ours);
    Ok(compare::differences(&ours_doc.value, &vendor_doc.value)
        .into_iter()
        .map(|d| index.finding(d))
        .collect())
}

/// One step of a merge plan and where it lands in our files: the file and line of the place,
/// or of the nearest key above it we have (`None` below `paths` or a component kind).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub step: merge::Step,
    pub place: Option<(PathBuf, usize)>,
}

/// A merge plan: our files after the paths the vendor moved are renamed in them (the
/// files [`apply::apply`] writes the steps into), the moves, and the steps.
#[derive(Debug)]
pub struct Merge {
    pub files: Vec<SpecFile>,
    /// (old path, new path) for each path whose operations all moved to one new path.
    pub moves: Vec<(String, String)>,
    pub steps: Vec<Planned>,
}

/// The three-way merge of the vendor's change (`base` -> `new`, each its file or files) into
/// the curated spec (`ours`, its split files, root first), as a plan: [`merge::plan`], after
/// [`merge::moves`] are carried into our files, so that an operation whose path changed
/// (a new version's prefix) keeps our words and edits.
pub fn merge_plan(ours: &[SpecFile], base: &[SpecFile], new: &[SpecFile]) -> Result<Merge> {
    let mut base_doc = load::assemble(base)?.value;
    let new_doc = load::assemble(new)?.value;
    let moves = merge::moves(&base_doc, &new_doc);
    let mut files = ours.to_vec();
    for (from, to) in &moves {
        merge::rename_path(&mut base_doc, from, to);
        for f in &mut files {
            f.text = apply::rename_path(&f.text, from, to);
        }
    }
    let ours_doc = load::assemble(&files)?;
    let index = Index::new(&files);
    let steps = merge::plan(&ours_doc.value, &base_doc, &new_doc);
    let steps = merge::keep_what_kept_places_use(steps, &ours_doc.value)
        .into_iter()
        .map(|step| Planned {
            place: index.place(step.path()),
            step,
        })
        .collect();
    Ok(Merge {
        files,
        moves,
        steps,
    })
}

/// SHA-256 of a file's bytes, as lowercase hex (the form of the profile's
/// `vendor_document.sha256` and of `sha256sum`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Is the file with this digest the profile's document of record?
pub fn is_document_of_record(record: &VendorDocument, sha256: &str) -> bool {
    record.sha256.eq_ignore_ascii_case(sha256)
}

/// Where every key of our files is, and its `vendor:` comment.
struct Index {
    nodes: HashMap<Vec<String>, (PathBuf, usize, Option<String>)>,
}

impl Index {
    fn new(files: &[SpecFile]) -> Index {
        let mut nodes = HashMap::new();
        for file in files {
            for node in comments::nodes(&file.text) {
                nodes
                    .entry(node.path)
                    .or_insert((file.path.clone(), node.line, node.vendor));
            }
        }
        Index { nodes }
    }

    /// The file and line of `path`, or of the nearest key above it we have.
    fn place(&self, path: &[String]) -> Option<(PathBuf, usize)> {
        (1..=path.len())
            .rev()
            .map(|end| &path[..end])
            .take_while(|prefix| !too_broad(prefix))
            .find_map(|prefix| self.nodes.get(prefix))
            .map(|(file, line, _)| (file.clone(), *line))
    }

    fn finding(&self, d: Difference) -> Finding {
        let mut place = None;
        let mut explained_by = None;
        for end in (1..=d.path.len()).rev() {
            let prefix = &d.path[..end];
            if too_broad(prefix) {
                break;
            }
            if let Some((file, line, vendor)) = self.nodes.get(prefix) {
                place.get_or_insert_with(|| (file.clone(), *line));
                if let Some(text) = vendor {
                    explained_by = Some((file.clone(), *line, text.clone()));
                    break;
                }
            }
        }
        Finding {
            pointer: pointer(&d.path),
            place,
            what: d.what,
            explained_by,
        }
    }
}

/// `paths`, `components` and `components/<kind>`: keys every file has, above any one place.
fn too_broad(path: &[String]) -> bool {
    match path {
        [one] => one == "paths" || one == "components",
        [first, _] => first == "components",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_hex_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
