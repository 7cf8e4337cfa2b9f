//! What the pipeline is asked to make: the crate's name and description, and how it is wired
//! to `veeam-runtime`.

/// How to name and describe the emitted crate.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// Crate name, e.g. `vb365`.
    pub name: String,
    /// One line saying what API the crate talks to.
    pub description: String,
    /// The command that regenerates the crate, written into every file header.
    pub command: String,
    /// A crate of its own outside any workspace (`generate --spec`): its manifest gets an
    /// empty `[workspace]` table so it builds wherever it is written.
    pub standalone: bool,
    /// Wire the crate to `veeam-runtime` (login, retries, paging, errors); `None` for
    /// progenitor's plain output.
    pub runtime: Option<RuntimeOptions>,
}

/// How a crate is wired to the runtime: the API's profile and where the runtime is.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Cargo dependency spec of `veeam-runtime`, e.g. `{ path = "../../runtime" }`.
    pub dependency: String,
    /// Login, paging and the crate's name (`spec/<api>/profile.yaml`, or inferred).
    pub profile: crate::profile::Profile,
    /// Hand-written API-specific helpers appended to the crate (e.g. wait helpers): the text
    /// of the profile's extension file.
    pub extension: Option<String>,
    /// The API's own part of the crate's guide (Markdown): the text of the profile's guide
    /// files.
    pub guide: Option<String>,
    /// One Cargo feature per resource group (tag); see [`crate::features`].
    pub features: bool,
    /// The crate's release notes (`spec/<api>/CHANGELOG.md`, written by `cargo xtask
    /// release`), shipped as the crate's `CHANGELOG.md`. A crate whose version has an entry
    /// in it has been released, and its guide shows the registry's dependency line.
    pub changelog: Option<String>,
}
