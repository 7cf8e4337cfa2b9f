//! How the operations of the two sides are paired: by method and path, with the version
//! prefix dropped and letter case folded.

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
