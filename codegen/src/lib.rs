//! Spec in, crate files out. One module per step, run in this order by [`generate`]:
//!
//! 1. [`load`]: read our split YAML folder (or any single JSON/YAML file) and assemble it;
//! 2. [`validate::document`]: reject what we cannot generate from, naming file and pointer;
//! 3. [`normalize`]: rewrite vendor quirks into shapes progenitor takes, and report them;
//! 4. [`validate::generatable`] and [`validate::typed`]: the checks progenitor would panic on;
//! 5. [`generate`]: progenitor, then prettyplease;
//! 6. [`emit`]: Cargo.toml, src/lib.rs and README.md of the crate.

pub mod auth;
pub mod cli;
pub mod code;
pub mod commands;
pub mod contract;
pub mod diff;
pub mod emit;
pub mod error;
pub mod facts;
pub mod features;
pub mod glue;
pub mod literal;
pub mod load;
pub mod manifest;
pub mod mock;
pub mod names;
pub mod normalize;
pub mod openapi;
pub mod options;
pub mod paging;
pub mod profile;
pub mod section;
pub mod syntax;
pub mod template;
mod tokens;
pub mod validate;
pub mod vendor;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

pub use error::{Error, Location, Result};
pub use glue::GlueReport;
pub use load::SpecFile;
pub use normalize::Report;
pub use options::{CrateOptions, RuntimeOptions};
pub use profile::Profile;

/// A generated crate: its files (relative paths) and what normalization changed.
#[derive(Debug)]
pub struct Output {
    pub files: BTreeMap<PathBuf, String>,
    /// The formatted client code alone (what `src/lib.rs` holds below its header).
    pub code: String,
    /// Module files, when the crate has them: name -> what `src/<name>.rs` holds below its
    /// header.
    pub modules: BTreeMap<String, String>,
    pub report: Report,
    /// What normalization degraded, one line each, naming file and pointer.
    pub warnings: Vec<String>,
    pub operations: usize,
    /// What wiring to `veeam-runtime` added, when the crate uses it.
    pub glue: Option<GlueReport>,
    /// The per-resource-group features, when the crate has them.
    pub features: Option<features::FeatureReport>,
    /// The companion mock crate's code (crates wired to `veeam-runtime`).
    pub mock: Option<mock::MockCode>,
    /// The API as its document names it (title, version) and what the crate has of it.
    pub api: emit::ApiFacts,
    /// Every operation as a command of the command line (`<group> <command>`).
    pub commands: Vec<commands::Command>,
}

/// Generates a crate from spec files (the root document first; see [`load::read_spec`]).
pub fn generate(files: &[SpecFile], options: &CrateOptions) -> Result<Output> {
    let mut doc = load::assemble(files)?;
    validate::document(&doc)?;
    let target = normalize::Target {
        runtime: options.runtime.is_some(),
        reference_url: options
            .runtime
            .as_ref()
            .and_then(|r| r.profile.reference_url.as_deref()),
    };
    let report = normalize::run(&mut doc.value, target);
    validate::generatable(&doc)?;
    let api = validate::typed(&doc)?;
    let resolved = with_grant_types(&doc, options)?;
    let options = &resolved;
    let profile = options.runtime.as_ref().map(|r| &r.profile);
    let no_paging = paging::Pagings::default();
    let facts = facts::operations(&doc.value, profile.map_or(&no_paging, |p| &p.paging));
    let groups = options.runtime.as_ref().filter(|r| r.features).map(|_| {
        facts
            .iter()
            .map(|(id, f)| (id.clone(), f.group.clone()))
            .collect()
    });
    let (mut code, glue, features) = code::client_code(
        &api,
        &doc,
        &options.name,
        options.runtime.as_ref(),
        groups.as_ref(),
        &facts,
    )?;
    let commands = commands::commands(&doc.value, &facts);
    if let Some(runtime) = options.runtime.as_ref().filter(|r| r.features) {
        // The command line's table: a module of its own behind the `commands` feature.
        let text = |p: &str| doc.value.pointer(p).and_then(Value::as_str).unwrap_or("");
        let input = commands::TableInput {
            krate: &options.name,
            title: text("/info/title"),
            version: text("/info/version"),
            pagings: &runtime.profile.paging,
            section: runtime.profile.commands.as_ref(),
        };
        let table =
            commands::table(&doc.value, &facts, &commands, &input).map_err(|(at, message)| {
                Error::Invalid {
                    at: error::Location {
                        file: std::path::PathBuf::from(profile::FILE_NAME),
                        pointer: at,
                    },
                    message,
                }
            })?;
        let file = syn::parse2::<syn::File>(table)
            .map_err(|e| Error::invalid(doc.locate("/paths"), format!("the command table: {e}")))?;
        code.modules
            .insert("commands".to_string(), prettyplease::unparse(&file));
        code.lib.push_str("/// Every operation as data for the command line (`veeam`).\n#[cfg(feature = \"commands\")]\npub mod commands;\n");
    }
    let operations = validate::operation_count(&doc.value);
    let text = |p: &str| {
        doc.value
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let op_facts = facts;
    let facts = emit::ApiFacts {
        title: text("/info/title"),
        version: text("/info/version"),
        operations,
        streams: glue.as_ref().map_or(0, |g| g.streams),
        downloads: glue.as_ref().map_or(0, |g| g.downloads),
    };
    let mock = options.runtime.as_ref().map(|r| {
        mock::code(
            &options.name,
            &facts.title,
            &*r.profile.auth,
            &doc.value,
            &op_facts,
            &code,
        )
    });
    let warnings = report
        .degraded
        .values()
        .flatten()
        .map(|(at, what)| format!("warning: {}: {what}", doc.locate(at)))
        .collect();
    Ok(Output {
        files: emit::crate_files(options, &facts, &code, features.as_ref()),
        features,
        code: code.lib,
        modules: code.modules,
        report,
        warnings,
        operations,
        glue,
        mock,
        api: facts,
        commands,
    })
}

/// The options with what the document says of the login filled in (the grant types, as the
/// API spells them: see [`auth::Auth::resolve`]), so the runtime sends the API's own words.
fn with_grant_types(doc: &load::Document, options: &CrateOptions) -> Result<CrateOptions> {
    let mut options = options.clone();
    if let Some(runtime) = &mut options.runtime {
        runtime
            .profile
            .auth
            .resolve(&doc.value)
            .map_err(|(at, message)| Error::invalid(doc.locate(&at), message))?;
    }
    Ok(options)
}

/// Runtime options for a document that comes without a profile: one inferred from it (see
/// [`profile::infer`]), with the notes saying what was inferred. `dependency`: the Cargo spec
/// of `veeam-runtime` the crate gets.
pub fn inferred_runtime(
    files: &[SpecFile],
    name: &str,
    description: &str,
    dependency: &str,
    features: bool,
) -> Result<(RuntimeOptions, Vec<String>)> {
    let (doc, _) = prepare(files)?;
    let (profile, notes) = profile::infer(&doc.value, name, description);
    let options = RuntimeOptions {
        dependency: dependency.to_string(),
        profile,
        extension: None,
        guide: None,
        features,
        changelog: None,
    };
    Ok((options, notes))
}

/// Assembles, validates and normalizes: the document as generation (and diff) sees it.
pub fn prepare(files: &[SpecFile]) -> Result<(load::Document, Report)> {
    let mut doc = load::assemble(files)?;
    validate::document(&doc)?;
    let report = normalize::all(&mut doc.value);
    Ok((doc, report))
}

/// A crate this workspace generates and commits: `spec/<folder>/` (the document and its
/// `profile.yaml`) in, `generated/<folder>/` out. Every folder under `spec/` with a profile is
/// one; no Rust code names an API.
#[derive(Debug, Clone)]
pub struct WorkspaceApi {
    /// The folder's name under `spec/` and `generated/`.
    pub folder: String,
    pub profile: Profile,
}

/// The command that regenerates the workspace's own crates; named in their file headers.
pub const WORKSPACE_COMMAND: &str = "cargo xtask generate";

/// The oldest Rust the generated crates build with: the workspace's `rust-version`, written
/// into every generated manifest (a crate made with `generate --spec` stands alone).
/// `tests/tests/honest_api.rs` holds the two, and the lockfile, to it.
pub const RUST_VERSION: &str = "1.89";

/// Every API of the workspace under `root`: the folders of `root/spec` holding a
/// `profile.yaml`, sorted by name.
pub fn workspace_apis(root: &std::path::Path) -> Result<Vec<WorkspaceApi>> {
    let spec = root.join("spec");
    let entries = std::fs::read_dir(&spec).map_err(|source| Error::Read {
        file: spec.clone(),
        source,
    })?;
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(profile::FILE_NAME).is_file())
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|dir| {
            let folder = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = PathBuf::from("spec").join(&folder);
            let text = std::fs::read_to_string(dir.join(profile::FILE_NAME)).map_err(|source| {
                Error::Read {
                    file: rel.join(profile::FILE_NAME),
                    source,
                }
            })?;
            let profile = Profile::parse(&rel.join(profile::FILE_NAME), &text)?;
            Ok(WorkspaceApi { folder, profile })
        })
        .collect()
}

impl WorkspaceApi {
    pub fn name(&self) -> &str {
        &self.profile.krate.name
    }

    pub fn spec_dir(&self, root: &std::path::Path) -> PathBuf {
        root.join("spec").join(&self.folder)
    }

    pub fn crate_dir(&self, root: &std::path::Path) -> PathBuf {
        root.join("generated").join(&self.folder)
    }

    /// The folder of the API's mock crate under `generated/`: `<folder>-mock`.
    pub fn mock_folder(&self) -> String {
        format!("{}-mock", self.folder)
    }

    /// Every crate generation writes for this API, as (folder under `generated/`, files):
    /// the client, then its mock. `root`: the workspace, whose `mock/` version the mock
    /// crate depends on.
    pub fn crates(
        &self,
        root: &std::path::Path,
        output: &Output,
    ) -> Result<Vec<(String, BTreeMap<PathBuf, String>)>> {
        let mut crates = vec![(self.folder.clone(), output.files.clone())];
        if let Some(code) = &output.mock {
            let mock_version = manifest_version(root, "mock")?;
            crates.push((
                self.mock_folder(),
                mock::crate_files(
                    self.name(),
                    &self.profile.krate.version,
                    WORKSPACE_COMMAND,
                    // The stubs are typed by this very version of the client.
                    &format!(
                        "{{ path = \"../{}\", version = \"={}\" }}",
                        self.folder, self.profile.krate.version
                    ),
                    &format!(
                        "{{ path = \"../../mock\", version = \"{}\" }}",
                        mock_version
                    ),
                    code,
                ),
            ));
        }
        Ok(crates)
    }

    /// Generates this API's crate from the spec under `root` (the workspace root). Files are
    /// named relative to `root` in errors, so messages read the same on every machine.
    pub fn generate(&self, root: &std::path::Path) -> Result<Output> {
        let mut files = load::read_spec(&self.spec_dir(root))?;
        for f in &mut files {
            if let Ok(rel) = f.path.strip_prefix(root) {
                f.path = rel.to_path_buf();
            }
        }
        let extension = self.profile.read_extensions(&self.spec_dir(root))?;
        let guide = self.profile.read_guide(&self.spec_dir(root))?;
        let changelog = self.read_changelog(root)?;
        let runtime_version = manifest_version(root, "runtime")?;
        generate(
            &files,
            &CrateOptions {
                name: self.profile.krate.name.clone(),
                description: self.profile.krate.description.clone(),
                command: WORKSPACE_COMMAND.to_string(),
                standalone: false,
                runtime: Some(RuntimeOptions {
                    // generated/<name>/ -> runtime/, at the version it has now or a compatible
                    // later one.
                    dependency: format!(
                        "{{ path = \"../../runtime\", version = \"{runtime_version}\" }}"
                    ),
                    profile: self.profile.clone(),
                    extension,
                    guide,
                    features: true,
                    changelog,
                }),
            },
        )
        .map_err(|e| match e {
            // The profile's own errors name the API's profile.yaml.
            Error::Invalid { mut at, message }
                if at.file == std::path::Path::new(profile::FILE_NAME) =>
            {
                at.file = PathBuf::from("spec")
                    .join(&self.folder)
                    .join(profile::FILE_NAME);
                Error::Invalid { at, message }
            }
            other => other,
        })
    }
}

/// The file of an API's release notes in its folder, written by `cargo xtask release`.
pub const CHANGELOG: &str = "CHANGELOG.md";

impl WorkspaceApi {
    /// `spec/<api>/CHANGELOG.md`, if the crate has one.
    pub fn read_changelog(&self, root: &std::path::Path) -> Result<Option<String>> {
        let file = self.spec_dir(root).join(CHANGELOG);
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Read { file, source }),
        }
    }
}

/// The `version` of the package in `root/<dir>/Cargo.toml` (a hand-written crate of the
/// workspace: its first `version = "..."` line, in its `[package]` table).
pub fn manifest_version(root: &std::path::Path, dir: &str) -> Result<String> {
    let file = root.join(dir).join("Cargo.toml");
    let text = std::fs::read_to_string(&file).map_err(|source| Error::Read {
        file: file.clone(),
        source,
    })?;
    if let Some(v) = package_version(&text) {
        return Ok(v);
    }
    Err(Error::Invalid {
        at: error::Location {
            file: PathBuf::from(dir).join("Cargo.toml"),
            pointer: "/package/version".into(),
        },
        message: "no `version = \"...\"` in its [package] table".into(),
    })
}

/// The version in a manifest's `[package]` table (its `version = "..."` line).
pub fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(v) = line
                .strip_prefix("version")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(|r| r.trim().trim_matches('"'))
            {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// Compares generated files with what is on disk under `dir`: the files that differ (with
/// their fresh contents; `None` on disk when missing). Files on disk that generation would not
/// write are listed as stale.
pub fn compare_with_disk(dir: &std::path::Path, files: &BTreeMap<PathBuf, String>) -> Drift {
    let mut drift = Drift::default();
    for (rel, fresh) in files {
        let on_disk = std::fs::read_to_string(dir.join(rel)).ok();
        if on_disk.as_deref() != Some(fresh.as_str()) {
            drift.changed.push((rel.clone(), on_disk, fresh.clone()));
        }
    }
    drift.stale = list_files(dir)
        .into_iter()
        .filter(|rel| !files.contains_key(rel))
        .collect();
    drift
}

/// The difference between generated files and the disk.
#[derive(Debug, Default)]
pub struct Drift {
    /// (path, on disk, fresh)
    pub changed: Vec<(PathBuf, Option<String>, String)>,
    /// On disk but not generated.
    pub stale: Vec<PathBuf>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }
}

/// Files under `dir` (relative), skipping build output.
fn list_files(dir: &std::path::Path) -> Vec<PathBuf> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name() == "target" {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
