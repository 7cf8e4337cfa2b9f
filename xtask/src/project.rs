//! What every command needs of the workspace: where it is, cargo run in it, files written
//! into it. The lowest module of xtask: it imports none of the others.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// The cargo that runs xtask: `$CARGO`, else `cargo` on the PATH.
pub fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// [`cargo_program`], to be run in the workspace root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(cargo_program());
    cmd.current_dir(root());
    cmd
}

/// Writes `files` (paths relative to `dir`) under `dir`, creating folders; a file that
/// already holds its text is not touched.
pub fn write_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Runs git in `dir`: its output, or an error with git's own message.
pub fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("running git")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git printed non-UTF-8")
}

/// The commit checked out in `dir` (empty outside a git checkout): what picks the samples
/// CI checks.
pub fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).unwrap_or_default()
}

/// Running under CI (`CI=true`), where the slowest checks are sampled.
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The API of the workspace at `root` named by `name`: its folder under spec/ or its crate's
/// name; an error listing the folders otherwise.
pub fn workspace_api(root: &Path, name: &str) -> Result<codegen::WorkspaceApi> {
    let apis = codegen::workspace_apis(root)?;
    let folders: Vec<String> = apis.iter().map(|a| a.folder.clone()).collect();
    match apis
        .into_iter()
        .find(|a| a.folder == name || a.name() == name)
    {
        Some(api) => Ok(api),
        None => bail!("no API {name:?} under spec/: one of {}", folders.join(", ")),
    }
}
