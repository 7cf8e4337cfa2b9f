//! Where each key of a curated YAML file stands, and which keys carry a `vendor:` comment.
//!
//! The YAML parser drops comments, so this reads the text itself. It follows the block style
//! every file under `spec/` is written in: one key (`key:`, `key: value`, `'/quoted': …`) or
//! one sequence item (`- …`) per line, nesting by indentation, flow values (`[a, b]`,
//! `{a: b}`) on one line.
//!
//! A comment on a line of its own belongs to the block it stands in: the nearest key (or
//! sequence item) above it that is less indented, as the spec's comments are written, first
//! thing inside the schema, parameter or media type they are about. A comment at the end of
//! a line belongs to that line's key. A comment above every key (a file's header) belongs to
//! nothing.

/// A key (or sequence item) of a file: its path from the document's root (sequence items by
/// index, as in a JSON pointer), its line (1-based), and the text of its `vendor:` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub path: Vec<String>,
    pub line: usize,
    pub vendor: Option<String>,
}

/// Every key and sequence item of `text`, in order.
pub fn nodes(text: &str) -> Vec<Node> {
    // (indentation, path segment, is a sequence item, index in `out`)
    let mut stack: Vec<(usize, String, bool, usize)> = Vec::new();
    // The node the comment block being read belongs to, while it is a `vendor:` one.
    let mut noting: Option<usize> = None;
    let mut out: Vec<Node> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        if let Some(comment) = trimmed.strip_prefix('#') {
            if let Some(note) = vendor_note(comment) {
                noting = stack.iter().rev().find(|e| e.0 < indent).map(|e| e.3);
                if let Some(i) = noting {
                    add_note(&mut out[i], &note);
                }
            } else if let Some(i) = noting {
                // A continuation line of the same comment.
                add_note(&mut out[i], comment.trim());
            }
            continue;
        }
        noting = None;
        let (content, trailing) = split_comment(trimmed);
        let vendor = trailing.and_then(vendor_note);
        let (item, rest, rest_indent) = match content.strip_prefix('-') {
            Some(after) if after.is_empty() || after.starts_with(' ') => {
                let after_trim = after.trim_start();
                let rest_indent = indent + 1 + (after.len() - after_trim.len());
                (true, after_trim, rest_indent)
            }
            _ => (false, content, indent),
        };
        if item {
            stack.retain(|e| e.0 <= indent);
            let index = match stack.last() {
                Some((i, seg, true, _)) if *i == indent => {
                    let next = seg.parse::<usize>().map_or(0, |v| v + 1);
                    stack.pop();
                    next
                }
                _ => 0,
            };
            push(
                &mut stack,
                &mut out,
                (indent, index.to_string(), true),
                line,
                vendor,
            );
            if let Some(key) = key_of(rest) {
                push(&mut stack, &mut out, (rest_indent, key, false), line, None);
            }
        } else if let Some(key) = key_of(rest) {
            stack.retain(|e| e.0 < indent);
            push(&mut stack, &mut out, (indent, key, false), line, vendor);
        }
    }
    out
}

fn push(
    stack: &mut Vec<(usize, String, bool, usize)>,
    out: &mut Vec<Node>,
    (indent, segment, item): (usize, String, bool),
    line: usize,
    vendor: Option<String>,
) {
    stack.push((indent, segment, item, out.len()));
    out.push(Node {
        path: stack.iter().map(|e| e.1.clone()).collect(),
        line,
        vendor,
    });
}

fn add_note(node: &mut Node, text: &str) {
    match &mut node.vendor {
        Some(v) => {
            v.push(' ');
            v.push_str(text);
        }
        None => node.vendor = Some(text.to_string()),
    }
}

/// The note of a comment (the text after `#`) that starts with `vendor:`.
fn vendor_note(comment: &str) -> Option<String> {
    let c = comment.trim();
    c.starts_with("vendor:").then(|| c.to_string())
}

/// A line's content and its trailing comment (after a `#` that is outside quotes and follows
/// a space).
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            // `\"` inside a double-quoted scalar does not end it.
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => {
                return (line[..i].trim_end(), Some(&line[i + 1..]));
            }
            None => {}
        }
        prev = c;
    }
    (line, None)
}

/// The key of `key: …` or `key:` (unquoted when quoted); `None` for a plain value.
fn key_of(content: &str) -> Option<String> {
    let (key, rest) = if let Some(q) = content.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let end = content[1..].find(q)? + 1;
        let key = content[1..end].to_string();
        let key = if q == '\'' {
            key.replace("''", "'")
        } else {
            key
        };
        (key, &content[end + 1..])
    } else {
        if content.starts_with('{') || content.starts_with('[') {
            return None;
        }
        let colon = content
            .find(": ")
            .or_else(|| content.ends_with(':').then(|| content.len() - 1))?;
        (content[..colon].to_string(), &content[colon..])
    };
    (rest == ":" || rest.starts_with(": ")).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(nodes: &'a [Node], path: &[&str]) -> &'a Node {
        nodes
            .iter()
            .find(|n| n.path == path)
            .unwrap_or_else(|| panic!("{path:?} not in {nodes:#?}"))
    }

    #[test]
    fn a_vendor_comment_belongs_to_the_block_it_stands_in_or_to_its_lines_key() {
        let text = "\
# vendor: a file header belongs to no key
paths:
  '/v1/a':
    get:
      parameters:
        - name: x
          # vendor: the first line
          # and the second of one note
          in: query
        - name: y  # vendor: trailing
          in: header
      responses:
        '200':
          description: \"OK # not a comment\"
          x-note: \"a \\\" # still not\"  # vendor: after an escaped quote
";
        let nodes = nodes(text);
        assert!(nodes
            .iter()
            .all(|n| n.path != ["paths"] || n.vendor.is_none()));
        let x = find(&nodes, &["paths", "/v1/a", "get", "parameters", "0"]);
        assert_eq!(
            (x.line, x.vendor.as_deref()),
            (6, Some("vendor: the first line and the second of one note"))
        );
        let x_in = find(&nodes, &["paths", "/v1/a", "get", "parameters", "0", "in"]);
        assert_eq!((x_in.line, x_in.vendor.as_deref()), (9, None));
        let y = find(&nodes, &["paths", "/v1/a", "get", "parameters", "1"]);
        assert_eq!(
            (y.line, y.vendor.as_deref()),
            (10, Some("vendor: trailing"))
        );
        assert_eq!(
            find(&nodes, &["paths", "/v1/a", "get", "parameters", "1", "in"]).line,
            11
        );
        let ok = find(
            &nodes,
            &["paths", "/v1/a", "get", "responses", "200", "description"],
        );
        assert_eq!((ok.line, ok.vendor.as_deref()), (14, None));
        let note = find(
            &nodes,
            &["paths", "/v1/a", "get", "responses", "200", "x-note"],
        );
        assert_eq!(
            note.vendor.as_deref(),
            Some("vendor: after an escaped quote")
        );
    }

    #[test]
    fn a_sequence_at_its_keys_indentation_nests_under_it() {
        let text = "required:\n- a\n- b\ntype: object\n";
        let nodes = nodes(text);
        assert_eq!(find(&nodes, &["required", "1"]).line, 3);
        assert_eq!(find(&nodes, &["type"]).line, 4);
    }
}
