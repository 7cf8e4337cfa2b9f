//! The `[package]` table of a generated crate, and the files a published package carries
//! beside its code. The workspace's crates are publishable: their metadata comes from the
//! profile and from the constants here, so a new API folder needs no extra step.

/// Where the project lives: every published crate's `repository`, and the `git` of the
/// dependency line a crate's guide shows before its first release. The workspace's
/// `Cargo.toml` says the same (`tests/tests/release.rs` holds the two together).
pub const REPOSITORY: &str = "https://github.com/veeam-rest/veeam-rest-rs";

/// The license texts every package carries (`license = "MIT OR Apache-2.0"`).
pub const LICENSE_FILES: [(&str, &str); 2] = [
    ("LICENSE-MIT", include_str!("../../LICENSE-MIT")),
    ("LICENSE-APACHE", include_str!("../../LICENSE-APACHE")),
];

/// crates.io categories of a client crate and of its mock.
pub const CLIENT_CATEGORIES: &[&str] = &["api-bindings", "web-programming::http-client"];
pub const MOCK_CATEGORIES: &[&str] = &["development-tools::testing", "api-bindings"];

/// Keywords of a crate whose profile names none.
pub const DEFAULT_KEYWORDS: &[&str] = &["veeam", "backup", "rest", "client"];

/// What the `[package]` table says.
#[derive(Debug, Clone)]
pub struct Package<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub description: &'a str,
    /// Publishable, with the repository's metadata; `false` for a crate made on its own
    /// (`generate --spec`), which is no crate of this project.
    pub publish: bool,
    /// The profile's keywords ([`DEFAULT_KEYWORDS`] when empty).
    pub keywords: &'a [String],
    pub categories: &'a [&'a str],
    /// The API the crate speaks and its version, as `[package.metadata.veeam]`.
    pub api: Option<(&'a str, &'a str)>,
}

impl Package<'_> {
    /// The `[package]` table (and the API metadata), ending with a blank line.
    pub fn table(&self) -> String {
        let mut out = format!(
            "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\nrust-version = \"{}\"\ndescription = \"{}\"\nlicense = \"MIT OR Apache-2.0\"\n",
            self.name,
            self.version,
            crate::RUST_VERSION,
            self.description.replace('"', "'"),
        );
        if self.publish {
            let keywords: Vec<String> = if self.keywords.is_empty() {
                DEFAULT_KEYWORDS
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect()
            } else {
                self.keywords.iter().map(|k| format!("\"{k}\"")).collect()
            };
            let categories: Vec<String> =
                self.categories.iter().map(|c| format!("\"{c}\"")).collect();
            out.push_str(&format!(
                "repository = \"{REPOSITORY}\"\ndocumentation = \"https://docs.rs/{}\"\nreadme = \"README.md\"\nkeywords = [{}]\ncategories = [{}]\n",
                self.name,
                keywords.join(", "),
                categories.join(", "),
            ));
        } else {
            out.push_str("publish = false\n");
        }
        if let Some((api, version)) = self.api {
            out.push_str(&format!(
                "\n# The API this crate speaks.\n[package.metadata.veeam]\napi = \"{}\"\napi-version = \"{}\"\n",
                api.replace('"', "'"),
                version.replace('"', "'"),
            ));
        }
        out.push('\n');
        out
    }
}

/// Whether `version` has been released: the crate's changelog has its entry (a heading
/// `## <version>`, as `cargo xtask release` writes it).
pub fn is_released(changelog: Option<&str>, version: &str) -> bool {
    let heading = format!("## {version}");
    changelog.is_some_and(|text| {
        text.lines()
            .any(|l| l == heading || l.starts_with(&format!("{heading} ")))
    })
}
