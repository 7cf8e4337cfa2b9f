//! Loading: read one OpenAPI file (JSON or YAML) or our split folder, and assemble it into one
//! JSON document, remembering which file each path and component came from so that later
//! errors can name it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{pointer, Error, Location, Result};

/// One input file: the name to report in errors, and its text.
#[derive(Debug, Clone)]
pub struct SpecFile {
    pub path: PathBuf,
    pub text: String,
}

/// The assembled document and where its parts came from.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    root: PathBuf,
    /// (pointer prefix, file) for every path item and component a fragment contributed.
    origins: Vec<(String, PathBuf)>,
}

impl Document {
    /// Wraps a value that came from a single file.
    pub fn single(file: impl Into<PathBuf>, value: Value) -> Self {
        Document {
            value,
            root: file.into(),
            origins: Vec::new(),
        }
    }

    /// The place of `pointer`: the file that contributed the longest matching prefix.
    pub fn locate(&self, pointer: &str) -> Location {
        let file = self
            .origins
            .iter()
            .filter(|(prefix, _)| {
                pointer == prefix
                    || (pointer.starts_with(prefix.as_str())
                        && pointer.as_bytes().get(prefix.len()) == Some(&b'/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, file)| file.clone())
            .unwrap_or_else(|| self.root.clone());
        Location {
            file,
            pointer: pointer.to_string(),
        }
    }

    pub fn root_file(&self) -> &Path {
        &self.root
    }
}

/// Names a folder's root file may have, in order of preference.
pub const ROOT_NAMES: [&str; 3] = ["openapi.yaml", "openapi.yml", "openapi.json"];

/// Reads a spec from disk: a single `.json`/`.yaml`/`.yml` file, or a folder holding a root
/// file (see [`ROOT_NAMES`]) and any number of fragments beside it (sorted by name, so the
/// result does not depend on directory order).
pub fn read_spec(path: &Path) -> Result<Vec<SpecFile>> {
    let read = |p: &Path| -> Result<SpecFile> {
        let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
            file: p.to_path_buf(),
            source,
        })?;
        Ok(SpecFile {
            path: p.to_path_buf(),
            text,
        })
    };
    if !path.is_dir() {
        return Ok(vec![read(path)?]);
    }
    let entries = std::fs::read_dir(path).map_err(|source| Error::Read {
        file: path.to_path_buf(),
        source,
    })?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            file: path.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_spec_file_name(&name) {
            names.push(name);
        }
    }
    let (root, rest) = root_first(names).ok_or_else(|| {
        Error::invalid(
            Location {
                file: path.to_path_buf(),
                pointer: String::new(),
            },
            format!(
                "no root file in this folder: add one of {}",
                ROOT_NAMES.join(", ")
            ),
        )
    })?;
    let mut files = vec![read(&path.join(root))?];
    for name in rest {
        files.push(read(&path.join(name))?);
    }
    Ok(files)
}

/// Orders a folder's spec file names (bare, or with a folder prefix) as [`assemble`] takes
/// them: the root file (see [`ROOT_NAMES`]) first, then the fragments sorted by name, so the
/// result never depends on directory order. `None` when there is no root file.
pub fn root_first(mut names: Vec<String>) -> Option<(String, Vec<String>)> {
    names.sort();
    let is_root = |n: &str, r: &str| n == r || n.ends_with(&format!("/{r}"));
    let pos = ROOT_NAMES
        .iter()
        .find_map(|r| names.iter().position(|n| is_root(n, r)))?;
    let root = names.remove(pos);
    Some((root, names))
}

/// Does this file name look like a spec file (`.yaml`, `.yml`, `.json`)?
/// The API's `profile.yaml` is not a spec file.
pub fn is_spec_file_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base != crate::profile::FILE_NAME
        && [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Parses one file into JSON, by its extension (`.json` is JSON, anything else YAML).
/// Parses every file, on two threads when there are several (a split spec is ~90 files; the
/// YAML parser is a fifth of generation's time before progenitor). In order.
fn parse_all(files: &[SpecFile]) -> Vec<Result<Value>> {
    if files.len() < 8 {
        return files.iter().map(parse).collect();
    }
    let (first, second) = files.split_at(files.len() / 2);
    std::thread::scope(|s| {
        let second = s.spawn(|| second.iter().map(parse).collect::<Vec<_>>());
        let mut values: Vec<_> = first.iter().map(parse).collect();
        values.extend(
            second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        values
    })
}

pub fn parse(file: &SpecFile) -> Result<Value> {
    let is_json = file.path.extension().is_some_and(|e| e == "json");
    if is_json {
        return serde_json::from_str(&file.text).map_err(|e| Error::Syntax {
            file: file.path.clone(),
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    let yaml: serde_norway::Value = serde_norway::from_str(&file.text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        Error::Syntax {
            file: file.path.clone(),
            format: "YAML",
            line,
            column,
            message: e.to_string(),
        }
    })?;
    yaml_to_json(yaml, &mut Vec::new()).map_err(|(ptr, message)| {
        Error::invalid(
            Location {
                file: file.path.clone(),
                pointer: ptr,
            },
            message,
        )
    })
}

/// YAML allows what JSON does not (integer keys such as an unquoted `200:`, tags, NaN);
/// convert keys to strings, drop tags, and reject what has no JSON form.
fn yaml_to_json(v: serde_norway::Value, at: &mut Vec<String>) -> Result<Value, (String, String)> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| (pointer(at.iter()), format!("number {f} has no JSON form")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                at.push(i.to_string());
                out.push(yaml_to_json(item, at)?);
                at.pop();
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err((
                            pointer(at.iter()),
                            format!("mapping key {other:?} is not a string: quote it"),
                        ))
                    }
                };
                at.push(key.clone());
                let value = yaml_to_json(v, at)?;
                at.pop();
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

/// Assembles parsed files: the first is the root document; each later one is a fragment that
/// may hold only `paths` and `components`, whose entries are added to the root's. The same
/// path or component defined twice is an error naming both files.
pub fn assemble(files: &[SpecFile]) -> Result<Document> {
    let (root_file, fragments) = files.split_first().ok_or_else(|| {
        Error::invalid(
            Location {
                file: PathBuf::from("<spec>"),
                pointer: String::new(),
            },
            "no spec files given",
        )
    })?;
    let mut root = parse(root_file)?;
    if !root.is_object() {
        return Err(Error::invalid(
            Location {
                file: root_file.path.clone(),
                pointer: String::new(),
            },
            "the document must be a mapping (an OpenAPI object)",
        ));
    }
    let mut doc = Document {
        value: Value::Null,
        root: root_file.path.clone(),
        origins: Vec::new(),
    };
    for (fragment, value) in fragments.iter().zip(parse_all(fragments)) {
        merge_fragment(&mut root, value?, &fragment.path, &mut doc)?;
    }
    doc.value = root;
    Ok(doc)
}

fn merge_fragment(
    root: &mut Value,
    fragment: Value,
    file: &Path,
    doc: &mut Document,
) -> Result<()> {
    let at = |ptr: String| Location {
        file: file.to_path_buf(),
        pointer: ptr,
    };
    let Value::Object(fragment) = fragment else {
        return Err(Error::invalid(
            at(String::new()),
            "a spec fragment must be a mapping with `paths` and/or `components`",
        ));
    };
    for (key, value) in fragment {
        // (segments under the top-level key) that name one mergeable entry
        let depth = match key.as_str() {
            "paths" => 1,
            "components" => 2,
            _ => {
                return Err(Error::invalid(
                    at(pointer([&key])),
                    format!(
                        "a fragment may only hold `paths` and `components`; move `{key}` to the root file {}",
                        doc.root.display()
                    ),
                ))
            }
        };
        let target = root
            .as_object_mut()
            .expect("root checked to be an object")
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        merge_entries(target, value, depth, &mut vec![key], file, doc)?;
    }
    Ok(())
}

fn merge_entries(
    target: &mut Value,
    value: Value,
    depth: usize,
    at: &mut Vec<String>,
    file: &Path,
    doc: &mut Document,
) -> Result<()> {
    let here = Location {
        file: file.to_path_buf(),
        pointer: pointer(at.iter()),
    };
    let (Value::Object(target), Value::Object(value)) = (target, value) else {
        return Err(Error::invalid(here, "expected a mapping"));
    };
    for (name, entry) in value {
        at.push(name.clone());
        if depth > 1 {
            let slot = target
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            merge_entries(slot, entry, depth - 1, at, file, doc)?;
        } else {
            let ptr = pointer(at.iter());
            if target.contains_key(&name) {
                let first = doc.locate(&ptr);
                return Err(Error::invalid(
                    Location {
                        file: file.to_path_buf(),
                        pointer: ptr,
                    },
                    format!("defined twice: also in {}; keep one", first.file.display()),
                ));
            }
            target.insert(name, entry);
            doc.origins.push((ptr, file.to_path_buf()));
        }
        at.pop();
    }
    Ok(())
}

/// Reads and assembles in one step.
pub fn load(path: &Path) -> Result<Document> {
    assemble(&read_spec(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SpecFile {
        SpecFile {
            path: PathBuf::from(name),
            text: text.to_string(),
        }
    }

    #[test]
    fn fragments_merge_and_remember_their_file() {
        let doc = assemble(&[
            file(
                "openapi.yaml",
                "openapi: 3.0.1\ninfo: {title: t, version: v}\npaths: {}\n",
            ),
            file(
                "a.yaml",
                "paths:\n  /a:\n    get: {}\ncomponents:\n  schemas:\n    A: {type: string}\n",
            ),
        ])
        .unwrap();
        assert!(doc.value.pointer("/paths/~1a/get").is_some());
        assert!(doc.value.pointer("/components/schemas/A").is_some());
        assert_eq!(doc.locate("/paths/~1a/get").file, PathBuf::from("a.yaml"));
        assert_eq!(doc.locate("/info").file, PathBuf::from("openapi.yaml"));
        // a prefix match must end at a segment boundary
        assert_eq!(
            doc.locate("/paths/~1ab").file,
            PathBuf::from("openapi.yaml")
        );
    }

    #[test]
    fn many_fragments_parse_in_order_and_the_first_bad_file_is_named() {
        let fragment = |i: usize| {
            file(
                &format!("f{i:02}.yaml"),
                &format!("paths:\n  /p{i}:\n    get: {{}}\n"),
            )
        };
        let mut files = vec![file("openapi.yaml", "openapi: 3.0.1\npaths: {}\n")];
        files.extend((0..12).map(fragment));
        let doc = assemble(&files).unwrap();
        for i in 0..12 {
            assert_eq!(
                doc.locate(&format!("/paths/~1p{i}/get")).file,
                PathBuf::from(format!("f{i:02}.yaml"))
            );
        }
        // Both halves of the files have a bad one: the earlier is reported, as when parsed in turn.
        files[3] = file("f02.yaml", "paths: [\n");
        files[11] = file("f10.yaml", "paths: {\n");
        let err = assemble(&files).unwrap_err().to_string();
        assert!(err.starts_with("f02.yaml:"), "{err}");
        files[3] = fragment(2);
        let err = assemble(&files).unwrap_err().to_string();
        assert!(err.starts_with("f10.yaml:"), "{err}");
    }

    #[test]
    fn root_file_comes_first_then_fragments_by_name() {
        let names = ["spec/b.yaml", "spec/openapi.yaml", "spec/a.yaml"]
            .map(String::from)
            .to_vec();
        let (root, rest) = root_first(names).unwrap();
        assert_eq!(root, "spec/openapi.yaml");
        assert_eq!(rest, ["spec/a.yaml", "spec/b.yaml"]);
        assert!(root_first(vec!["a.yaml".into()]).is_none());
    }

    #[test]
    fn unquoted_status_codes_become_string_keys() {
        let v = parse(&file("x.yaml", "responses:\n  200:\n    description: ok\n")).unwrap();
        assert!(v.pointer("/responses/200").is_some());
    }

    #[test]
    fn duplicate_schema_names_both_files() {
        let err = assemble(&[
            file("openapi.yaml", "openapi: 3.0.1\n"),
            file("a.yaml", "components:\n  schemas:\n    A: {}\n"),
            file("b.yaml", "components:\n  schemas:\n    A: {}\n"),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "b.yaml#/components/schemas/A: defined twice: also in a.yaml; keep one"
        );
    }
}
