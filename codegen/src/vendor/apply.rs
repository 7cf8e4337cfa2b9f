//! A merge plan written into the curated spec's files, as text: each step replaces, inserts
//! or deletes the lines of one block, so every line it does not touch (our descriptions, our
//! `vendor:` comments, the order and quoting of the files) stays as it was. Conflicts are
//! left alone. New paths go to the file of their operations' tag (a new file for a new tag),
//! new schemas and other components to `shared.yaml` (the root file when there is none).
//! Values arrive already without prose ([`super::merge::without_prose`]).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::comments;
use super::merge::Step;
use crate::error::{pointer, Error, Location, Result};
use crate::load::SpecFile;

/// What writing a plan did: the files (changed or not, root first, new ones last).
#[derive(Debug)]
pub struct Written {
    pub files: Vec<SpecFile>,
    /// Files the plan created (a new tag's group).
    pub created: Vec<PathBuf>,
}

/// Writes `plan` into `ours` (a split spec, root first). Steps are applied one by one, each
/// on the text its predecessors left; a step whose place cannot be found is an error naming
/// it (nothing is half-written: the caller writes files only when every step applied).
pub fn apply(ours: &[SpecFile], plan: &[Step]) -> Result<Written> {
    let mut files: Vec<SpecFile> = ours.to_vec();
    let mut created = Vec::new();
    // Every step finds its place afresh by its path. Changes first, then additions (a new
    // list item goes last, so no index of ours moves), then removals, the highest index of
    // a list first, so that the indices of the ones still to remove stay true.
    for step in plan {
        if let Step::Set { path, value } = step {
            let (i, start, end) = locate(&files, path)?;
            let first = files[i].text.lines().nth(start).unwrap_or("").to_string();
            let replacement = entry_lines(&first, path, value);
            replace_lines(&mut files[i], start, end, &replacement);
        }
    }
    for step in plan {
        if let Step::Add { path, value } = step {
            add(&mut files, &mut created, path, value)?;
        }
    }
    let mut removals: Vec<&[String]> = plan
        .iter()
        .filter(|s| matches!(s, Step::Remove { .. }))
        .map(Step::path)
        .collect();
    removals.sort_by(|a, b| numeric_order(b, a));
    for path in removals {
        let (i, start, end) = locate(&files, path)?;
        replace_lines(&mut files[i], start, end, "");
        drop_empty_parent(&mut files[i], &path[..path.len() - 1]);
    }
    Ok(Written { files, created })
}

/// An error at `path` of the spec (named by its root file).
fn nowhere(files: &[SpecFile], path: &[String], message: &str) -> Error {
    Error::invalid(
        Location {
            file: files.first().map(|f| f.path.clone()).unwrap_or_default(),
            pointer: pointer(path),
        },
        message,
    )
}

/// Lines `start..end` of a file replaced by `text`'s.
fn replace_lines(file: &mut SpecFile, start: usize, end: usize, text: &str) {
    let lines: Vec<&str> = file.text.lines().collect();
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    out.extend(text.lines().map(str::to_string));
    out.extend(lines[end..].iter().map(|l| l.to_string()));
    file.text = join(&out);
}

/// Paths in order, list indices by number (`10` after `9`).
fn numeric_order(a: &[String], b: &[String]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<usize>(), y.parse::<usize>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn join(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// `text` with the key of `paths/from` renamed `to` (its indentation, and anything after the
/// colon, kept).
pub fn rename_path(text: &str, from: &str, to: &str) -> String {
    let target = ["paths".to_string(), from.to_string()];
    let Some(node) = comments::nodes(text).into_iter().find(|n| n.path == target) else {
        return text.to_string();
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let line = &lines[node.line - 1];
    let indent = line.len() - line.trim_start().len();
    let key_and_rest = &line[indent..];
    // The key ends at the colon after it (quoted or not).
    let rest = match key_and_rest.chars().next() {
        Some(q @ ('\'' | '"')) => key_and_rest[1..]
            .find(q)
            .map(|i| &key_and_rest[i + 2..])
            .unwrap_or(""),
        _ => key_and_rest
            .find(':')
            .map(|i| &key_and_rest[i..])
            .unwrap_or(""),
    };
    lines[node.line - 1] = format!(
        "{}{}{}",
        " ".repeat(indent),
        scalar(&Value::String(to.to_string())),
        rest
    );
    join(&lines)
}

/// The file, first line and end line (exclusive, 0-based) of the block at `path`.
fn locate(files: &[SpecFile], path: &[String]) -> Result<(usize, usize, usize)> {
    for (i, file) in files.iter().enumerate() {
        if let Some(node) = comments::nodes(&file.text)
            .into_iter()
            .find(|n| n.path == path)
        {
            let start = node.line - 1;
            return Ok((i, start, block_end(&file.text, start, path)));
        }
    }
    Err(nowhere(
        files,
        path,
        "the merge plan names this place, which no file of the spec has",
    ))
}

/// Indentation of a line, and whether its content starts a sequence item.
fn shape(line: &str) -> (usize, bool) {
    let trimmed = line.trim_start();
    (
        line.len() - trimmed.len(),
        trimmed == "-" || trimmed.starts_with("- "),
    )
}

/// Where the block that starts at `start` ends: the first later line that is not blank and
/// not more indented than the block's key (a `- ` item at the key's own indentation
/// continues a key's block: a sequence written flush with its key).
fn block_end(text: &str, start: usize, path: &[String]) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines[start];
    let is_item_node = path.last().is_some_and(|s| s.parse::<usize>().is_ok());
    // The column of the block's key: a sequence item's dash, or its key's.
    let key_col = if is_item_node {
        shape(first).0
    } else {
        key_column(first)
    };
    let holds_sequence = !is_item_node && first.trim_end().ends_with(':');
    let mut end = start + 1;
    while end < lines.len() {
        let line = lines[end];
        if line.trim().is_empty() {
            end += 1;
            continue;
        }
        let (indent, item) = shape(line);
        let inside = indent > key_col || (holds_sequence && item && indent == key_col);
        if !inside {
            break;
        }
        end += 1;
    }
    // Trailing blank lines belong to what follows.
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    end
}

/// The column of a line's key: after the dash of `- key: v`.
fn key_column(line: &str) -> usize {
    let (indent, is_item) = shape(line);
    if !is_item {
        return indent;
    }
    let after = &line.trim_start()[1..];
    indent + 1 + (after.len() - after.trim_start().len())
}

/// The lines that replace the block at `path` whose first line is `first`: the same key (or
/// `- `) at the same place, with the new value.
fn entry_lines(first: &str, path: &[String], value: &Value) -> String {
    let (indent, is_item) = shape(first);
    let last = path.last().map(String::as_str).unwrap_or("");
    let mut out = String::new();
    if last.parse::<usize>().is_ok() && is_item {
        item(indent, value, &mut out);
    } else {
        // `- key: v` when the key is the first of an item: keep the dash.
        let key_col = key_column(first);
        entry(&first[..key_col], key_col, last, value, &mut out);
    }
    out
}

/// `key: value` in the spec's block style, the first line starting with `prefix` and the
/// nested lines at `indent` + 2.
fn entry(prefix: &str, indent: usize, key: &str, value: &Value, out: &mut String) {
    let k = scalar(&Value::String(key.to_string()));
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push_str(&format!("{prefix}{k}:\n"));
            for (ck, cv) in m {
                entry(&" ".repeat(indent + 2), indent + 2, ck, cv, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{prefix}{k}:\n"));
            for v in a {
                item(indent + 2, v, out);
            }
        }
        _ => out.push_str(&format!("{prefix}{k}: {}\n", scalar(value))),
    }
}

/// `- value` at `indent`.
fn item(indent: usize, value: &Value, out: &mut String) {
    let dash = format!("{}- ", " ".repeat(indent));
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (n, (k, v)) in m.iter().enumerate() {
                let prefix = if n == 0 {
                    dash.clone()
                } else {
                    " ".repeat(indent + 2)
                };
                entry(&prefix, indent + 2, k, v, out);
            }
        }
        _ => out.push_str(&format!("{dash}{}\n", scalar(value))),
    }
}

/// A value on one line: YAML's own plain or quoted scalar, JSON (valid YAML flow) for a
/// list, a map or a string YAML would write on several lines.
fn scalar(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => v.to_string(),
        _ => {
            let yaml = serde_norway::to_string(v).unwrap_or_else(|_| v.to_string());
            let yaml = yaml.trim_end();
            if yaml.contains('\n') {
                v.to_string()
            } else {
                yaml.to_string()
            }
        }
    }
}

/// After a removal: a key left with no lines under it (`parameters:` whose last item went)
/// would read as `null`; it goes too, and so on upwards (a top-level key becomes `key: {}`).
fn drop_empty_parent(file: &mut SpecFile, parent: &[String]) {
    if parent.is_empty() {
        return;
    }
    let Some(node) = comments::nodes(&file.text)
        .into_iter()
        .find(|n| n.path == parent)
    else {
        return;
    };
    let start = node.line - 1;
    let lines: Vec<&str> = file.text.lines().collect();
    let end = block_end(&file.text, start, parent);
    let has_child = lines[start + 1..end]
        .iter()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if has_child || !lines[start].trim_end().ends_with(':') {
        return;
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    // A top-level key (`paths`, `components`) stays, empty: a file may hold only schemas.
    if parent.len() == 1 {
        out.push(format!("{} {{}}", lines[start].trim_end()));
    }
    out.extend(lines[end..].iter().map(|l| l.to_string()));
    file.text = join(&out);
    drop_empty_parent(file, &parent[..parent.len() - 1]);
}

/// Inserts `value` at `path` (whose parent the spec has, or which is a new path or
/// component).
fn add(
    files: &mut Vec<SpecFile>,
    created: &mut Vec<PathBuf>,
    path: &[String],
    value: &Value,
) -> Result<()> {
    let (parent, key) = path.split_at(path.len() - 1);
    let key = key[0].as_str();
    let i = match parent {
        [p] if p == "paths" => group_file(files, created, value),
        [c, _] if c == "components" => {
            let i = shared_file(files);
            ensure_key(&mut files[i], &["components".to_string()]);
            ensure_key(&mut files[i], parent);
            i
        }
        _ => located(files, parent).ok_or_else(|| {
            nowhere(
                files,
                path,
                "the merge plan adds this place, whose parent no file of the spec has",
            )
        })?,
    };
    if parent.len() == 1 {
        ensure_key(&mut files[i], parent);
    }
    insert_child(&mut files[i], parent, key, Some(value));
    Ok(())
}

/// The index of the first file holding the block at `path`.
fn located(files: &[SpecFile], path: &[String]) -> Option<usize> {
    files
        .iter()
        .position(|f| comments::nodes(&f.text).iter().any(|n| n.path == path))
}

/// The file `shared.yaml`, else the root.
fn shared_file(files: &[SpecFile]) -> usize {
    files
        .iter()
        .position(|f| f.path.file_name().is_some_and(|n| n == "shared.yaml"))
        .unwrap_or(0)
}

/// The file of a new path: the one holding operations of its first operation's tag, or a
/// new file named after the tag (`RestorePoint` -> `restore-point.yaml`) beside the root.
fn group_file(files: &mut Vec<SpecFile>, created: &mut Vec<PathBuf>, path_item: &Value) -> usize {
    let tag = path_item
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .find_map(|op| op.pointer("/tags/0").and_then(Value::as_str))
        .unwrap_or("Untagged")
        .to_string();
    let marker = format!("- {tag}");
    let holds = |f: &SpecFile| {
        f.text.lines().any(|l| l.trim() == marker)
            && comments::nodes(&f.text)
                .iter()
                .any(|n| n.path.len() == 1 && n.path[0] == "paths")
    };
    if let Some(i) = files.iter().skip(1).position(holds) {
        return i + 1;
    }
    let dir = files
        .first()
        .and_then(|f| f.path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = dir.join(format!("{}.yaml", kebab(&tag)));
    // The group's own file, by name, even when the import removed every path it had.
    if let Some(i) = files.iter().position(|f| f.path == path) {
        return i;
    }
    files.push(SpecFile {
        path: path.clone(),
        text: format!(
            "# Tag `{tag}`: operations, and the schemas only they use. Added by an import: \
             describe them.\npaths:\n"
        ),
    });
    created.push(path);
    files.len() - 1
}

/// `RestorePoint` -> `restore-point`, `EC2Resources` -> `ec2-resources`.
fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase())
                    && chars[i - 1].is_alphanumeric());
        if boundary && !out.ends_with('-') {
            out.push('-');
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out
}

/// Makes sure the file has a block key at `path` (a top-level one, or one under a key it
/// has), turning `key: {}` into `key:`.
fn ensure_key(file: &mut SpecFile, path: &[String]) {
    let nodes = comments::nodes(&file.text);
    if let Some(node) = nodes.iter().find(|n| n.path == path) {
        let mut lines: Vec<String> = file.text.lines().map(str::to_string).collect();
        let line = &mut lines[node.line - 1];
        if let Some(stripped) = line.trim_end().strip_suffix(" {}") {
            *line = stripped.to_string();
            file.text = join(&lines);
        }
        return;
    }
    let key = path.last().cloned().unwrap_or_default();
    if path.len() == 1 {
        if !file.text.ends_with('\n') && !file.text.is_empty() {
            file.text.push('\n');
        }
        file.text.push_str(&format!("{key}:\n"));
    } else {
        insert_child(file, &path[..path.len() - 1], &key, None);
    }
}

/// Appends `key: value` (or `- value` when `key` is `-`; `key:` alone, a block to fill, when
/// there is no value) as the last child of the block at `parent`, at the indentation of its
/// other children.
fn insert_child(file: &mut SpecFile, parent: &[String], key: &str, value: Option<&Value>) {
    let nodes = comments::nodes(&file.text);
    let lines: Vec<&str> = file.text.lines().collect();
    let Some(p) = nodes.iter().find(|n| n.path == parent) else {
        return;
    };
    let start = p.line - 1;
    let end = block_end(&file.text, start, parent);
    let parent_indent = if parent.last().is_some_and(|s| s.parse::<usize>().is_ok()) {
        key_column(lines[start]) - 2
    } else {
        key_column(lines[start])
    };
    let child = nodes.iter().find(|n| {
        n.path.len() == parent.len() + 1 && n.path[..parent.len()] == *parent && n.line > p.line
    });
    let indent = child.map_or(parent_indent + 2, |c| shape(lines[c.line - 1]).0);
    let mut text = String::new();
    match value {
        None => {
            text = format!(
                "{}{}:\n",
                " ".repeat(indent),
                scalar(&Value::String(key.into()))
            )
        }
        Some(v) if key == "-" => item(indent, v, &mut text),
        Some(v) => entry(&" ".repeat(indent), indent, key, v, &mut text),
    }
    replace_lines(file, end, end, &text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_file_names() {
        assert_eq!(kebab("RestorePoint"), "restore-point");
        assert_eq!(kebab("EC2Resources"), "ec2-resources");
        assert_eq!(
            kebab("OrganizationBackupAccounts"),
            "organization-backup-accounts"
        );
    }
}
