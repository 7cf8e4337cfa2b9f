//! No import circle in the hand-written crates: the module graph of each crate (a file is a
//! node; `a` -> `b` when `a` names an item of `b` through `crate::`, `super::` or `self::`, in
//! a `use` or in code) has no cycle. A circle means a helper lives in the module that needs it
//! most instead of below everything that uses it; this test names the files and the paths that
//! tie them, so the fix is to move that helper down.
//!
//! Parents declare their children (`mod x;`), which is not an edge; a parent's `pub use
//! child::X` is. So a child must not reach back into its parent: shared items go in a sibling
//! module both import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The crates whose modules are checked: (name, source root).
const CRATES: &[(&str, &str)] = &[
    ("codegen", "codegen/src/lib.rs"),
    ("veeam-runtime", "runtime/src/lib.rs"),
    ("veeam-profile", "profile/src/lib.rs"),
    ("veeam-mock", "mock/src/lib.rs"),
    ("xtask", "xtask/src/main.rs"),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A crate's module files: module path (`["normalize", "media"]`) -> file.
fn modules(root_file: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut todo = vec![(Vec::<String>::new(), root_file.to_path_buf())];
    while let Some((path, file)) = todo.pop() {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // Children of `lib.rs`, `main.rs` and `mod.rs` are beside them; of `x.rs`, in `x/`.
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        for item in &parsed.items {
            let syn::Item::Mod(m) = item else { continue };
            if m.content.is_some() {
                continue;
            }
            let name = m.ident.to_string();
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(&name).join("mod.rs");
            let child = if flat.is_file() { flat } else { nested };
            assert!(child.is_file(), "module {name} of {}", file.display());
            let mut p = path.clone();
            p.push(name);
            todo.push((p, child));
        }
        out.insert(path, file);
    }
    out
}

/// Every `crate::`/`super::`/`self::` path a file names, as absolute module paths, with the
/// text it was written as.
struct Paths<'m> {
    /// The module the visitor is in (inline `mod tests` pushes onto the file's path).
    at: Vec<String>,
    /// The crate's module files: a path may start with a child module's name (`b::helper`).
    modules: &'m BTreeMap<Vec<String>, PathBuf>,
    found: Vec<(Vec<String>, String)>,
}

impl Paths<'_> {
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let mut out = match segments.first()?.as_str() {
            "crate" => Vec::new(),
            "self" => self.at.clone(),
            "super" => {
                let mut base = self.at.clone();
                let mut rest = segments;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            first => {
                let mut child = self.at.clone();
                child.push(first.to_string());
                if !self.modules.contains_key(&child) {
                    return None;
                }
                let mut out = self.at.clone();
                out.extend(segments.iter().cloned());
                return Some(out);
            }
        };
        out.extend(segments[1..].iter().cloned());
        Some(out)
    }

    fn record(&mut self, segments: Vec<String>) {
        if let Some(abs) = self.absolute(&segments) {
            self.found.push((abs, segments.join("::")));
        }
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.at.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.at.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut found = Vec::new();
        use_paths(&u.tree, &mut Vec::new(), &mut found);
        for segments in found {
            self.record(segments);
        }
    }

    /// `pub(crate)` and `pub(super)` name modules, but import nothing.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.record(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
}

/// file -> file -> the paths that make the edge.
type Graph = BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>>;

fn graph(root_file: &Path) -> Graph {
    let modules = modules(root_file);
    let mut g: Graph = BTreeMap::new();
    for (path, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let parsed = syn::parse_file(&text).unwrap();
        let mut visitor = Paths {
            at: path.clone(),
            modules: &modules,
            found: Vec::new(),
        };
        visitor.visit_file(&parsed);
        let edges = g.entry(file.clone()).or_default();
        for (abs, written) in visitor.found {
            // The longest module prefix of the path is the file that defines the item.
            let target = (0..=abs.len())
                .rev()
                .find_map(|n| modules.get(&abs[..n]))
                .unwrap();
            if target != file {
                edges.entry(target.clone()).or_default().insert(written);
            }
        }
    }
    g
}

/// The cycles of `g`, each as the files in order (one per strongly connected component).
fn cycles(g: &Graph) -> Vec<Vec<PathBuf>> {
    let nodes: Vec<&PathBuf> = g.keys().collect();
    let mut out = Vec::new();
    let mut seen_in_cycle = BTreeSet::new();
    for start in &nodes {
        if seen_in_cycle.contains(*start) {
            continue;
        }
        // A path from `start` back to itself, breadth first.
        let mut parent: BTreeMap<&PathBuf, &PathBuf> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([*start]);
        let mut found = None;
        while let Some(n) = queue.pop_front() {
            for next in g.get(n).into_iter().flat_map(|e| e.keys()) {
                if next == *start {
                    found = Some(n);
                    break;
                }
                if !parent.contains_key(next) {
                    parent.insert(next, n);
                    queue.push_back(next);
                }
            }
            if found.is_some() {
                break;
            }
        }
        if let Some(mut last) = found {
            let mut cycle = vec![last.clone()];
            while last != *start {
                last = parent[last];
                cycle.push(last.clone());
            }
            cycle.reverse();
            seen_in_cycle.extend(cycle.iter().cloned());
            out.push(cycle);
        }
    }
    out
}

fn describe(g: &Graph, cycle: &[PathBuf], root: &Path) -> String {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut lines = Vec::new();
    for (i, a) in cycle.iter().enumerate() {
        let b = &cycle[(i + 1) % cycle.len()];
        let names: Vec<&String> = g[a][b].iter().collect();
        lines.push(format!("  {} -> {}: {names:?}", rel(a), rel(b)));
    }
    lines.join("\n")
}

#[test]
fn no_crate_has_an_import_circle() {
    let root = workspace();
    let mut report = Vec::new();
    for (name, lib) in CRATES {
        let g = graph(&root.join(lib));
        assert!(g.len() > 1, "{name}: no modules found");
        for cycle in cycles(&g) {
            report.push(format!("{name}:\n{}", describe(&g, &cycle, &root)));
        }
    }
    assert!(
        report.is_empty(),
        "import circles (move what ties them below both):\n{}",
        report.join("\n")
    );
}

#[test]
fn a_circle_is_found_and_named() {
    // A crate made here: `a` uses `b`, `b` uses `a` through `super`, `c` only uses `a`.
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod c;\n").unwrap();
    std::fs::write(
        dir.join("a/mod.rs"),
        "mod b;\npub use b::helper;\npub struct Shared;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a/b.rs"),
        "pub fn helper() -> super::Shared { super::Shared }\n",
    )
    .unwrap();
    std::fs::write(dir.join("c.rs"), "use crate::a::Shared;\n").unwrap();
    let g = graph(&dir.join("lib.rs"));
    let found = cycles(&g);
    assert_eq!(found.len(), 1, "{found:?}");
    let text = describe(&g, &found[0], &dir);
    assert!(
        text.contains("a/mod.rs -> a/b.rs: [\"b::helper\"]")
            && text.contains("a/b.rs -> a/mod.rs: [\"super::Shared\"]"),
        "{text}"
    );
    // Moving `Shared` into a sibling both import breaks it.
    std::fs::write(
        dir.join("a/mod.rs"),
        "mod b;\nmod shared;\npub use b::helper;\npub use shared::Shared;\n",
    )
    .unwrap();
    std::fs::write(dir.join("a/shared.rs"), "pub struct Shared;\n").unwrap();
    std::fs::write(
        dir.join("a/b.rs"),
        "pub fn helper() -> super::shared::Shared { super::shared::Shared }\n",
    )
    .unwrap();
    assert!(cycles(&graph(&dir.join("lib.rs"))).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
