//! `cargo xtask release --api NAME`: the next version of a generated crate, from what changed
//! since its last release tag: the semantic diff of its spec (codegen's), the runtime it
//! depends on, and its generated code. Writes the version into the profile, prepends a
//! `CHANGELOG.md` entry, regenerates the crate and its mock, and (`--tag`) commits and tags
//! `<crate>-v<version>`, which the release workflow publishes.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use codegen::diff::{Bump, Class, Diff, PathRule};

use crate::flags::{self, Level};
use crate::project::{self, git};

impl Level {
    fn label(self, version: [u64; 3]) -> &'static str {
        match (self, version[0]) {
            (Level::Major, 0) => "breaking (before 1.0: the minor number)",
            (Level::Major, _) => "breaking (the major number)",
            (Level::Minor, _) => "additions (the minor number)",
            (Level::Patch, _) => "fixes only (the patch number)",
        }
    }

    /// `version` bumped: before 1.0 a breaking change moves the minor number (Cargo reads
    /// 0.x and 0.y as incompatible), and so does an addition.
    fn apply(self, [major, minor, patch]: [u64; 3]) -> [u64; 3] {
        match (self, major) {
            (Level::Major, 0) | (Level::Minor, _) => [major, minor + 1, 0],
            (Level::Major, _) => [major + 1, 0, 0],
            (Level::Patch, _) => [major, minor, patch + 1],
        }
    }
}

fn show([a, b, c]: [u64; 3]) -> String {
    format!("{a}.{b}.{c}")
}

/// The crate's newest release tag reachable from HEAD, with its version.
fn last_release(root: &Path, name: &str) -> Result<Option<(String, [u64; 3])>> {
    let tags = git(
        root,
        &["tag", "--list", &format!("{name}-v*"), "--merged", "HEAD"],
    )?;
    Ok(tags
        .lines()
        .filter_map(|t| {
            let v = t.strip_prefix(name)?.strip_prefix("-v")?;
            Some((t.to_string(), codegen::profile::parse_version(v)?))
        })
        .max_by_key(|(_, v)| *v))
}

/// Whether two versions of a crate are incompatible for Cargo (a dependent must change its
/// requirement to take the new one).
fn incompatible(old: [u64; 3], new: [u64; 3]) -> bool {
    if old[0] == 0 && new[0] == 0 {
        old[1] != new[1]
    } else {
        old[0] != new[0]
    }
}

/// What changed in the runtime since `tag`: its version then and now, and its commits.
pub struct RuntimeChange {
    old: Option<String>,
    new: String,
    commits: Vec<String>,
}

impl RuntimeChange {
    fn read(root: &Path, tag: &str) -> Result<RuntimeChange> {
        let new = codegen::manifest_version(root, "runtime")?;
        let old = git(root, &["show", &format!("{tag}:runtime/Cargo.toml")])
            .ok()
            .and_then(|text| codegen::package_version(&text));
        let log = git(
            root,
            &[
                "log",
                "--format=%h %s",
                &format!("{tag}..HEAD"),
                "--",
                "runtime",
                "profile",
            ],
        )?;
        Ok(RuntimeChange {
            old,
            new,
            commits: log.lines().map(str::to_string).collect(),
        })
    }

    /// The runtime moved to a version the crate's users cannot mix with the old one.
    fn breaks(&self) -> bool {
        match (
            self.old
                .as_deref()
                .and_then(codegen::profile::parse_version),
            codegen::profile::parse_version(&self.new),
        ) {
            (Some(old), Some(new)) => incompatible(old, new),
            _ => false,
        }
    }
}

/// The level the spec's diff calls for.
fn spec_level(diff: &Diff) -> Option<Level> {
    match diff.semver() {
        Bump::Major => Some(Level::Major),
        Bump::Minor => Some(Level::Minor),
        Bump::None => None,
    }
}

/// The changelog entry: the diff's summary (operations added, removed, renamed, moved;
/// breaking changes by resource group) and what changed in the runtime.
fn entry(
    version: &str,
    date: &str,
    speaks: &str,
    since: Option<(&str, Level, [u64; 3])>,
    diff: Option<&Diff>,
    runtime: Option<&RuntimeChange>,
    generated_changed: bool,
) -> String {
    let mut out = format!("## {version} ({date})\n\n");
    match since {
        Some((tag, level, old)) => out.push_str(&format!(
            "Speaks the {speaks}. Since `{tag}`: {}.\n",
            level.label(old)
        )),
        None => out.push_str(&format!("Speaks the {speaks}. The first release.\n")),
    }
    if let Some(diff) = diff {
        let mut ops = Vec::new();
        for op in &diff.operations {
            for c in &op.changes {
                let what = match c.kind {
                    "operation_added" => "Added",
                    "operation_removed" => "Removed",
                    "operation_renamed" => "Renamed",
                    "operation_moved" => "Moved",
                    _ => continue,
                };
                ops.push(format!(
                    "- {what} `{}` (`{} {}`, group `{}`): {}\n",
                    op.operation_id,
                    op.method.to_uppercase(),
                    op.path,
                    op.group,
                    c.reason
                ));
            }
        }
        if !ops.is_empty() {
            out.push_str("\n### Operations\n\n");
            out.extend(ops);
        }
        // Breaking changes inside operations, by resource group; then inside types.
        let mut groups: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for op in &diff.operations {
            for c in op.changes.iter().filter(|c| c.class != Class::Safe) {
                if c.kind == "operation_removed" || c.kind == "operation_renamed" {
                    continue; // listed above
                }
                let at = if c.at.is_empty() {
                    String::new()
                } else {
                    format!(" › {}", c.at)
                };
                groups.entry(&op.group).or_default().push(format!(
                    "- `{}`{at}: {} ({})\n",
                    op.operation_id,
                    c.reason,
                    c.class.label()
                ));
            }
        }
        let types: Vec<String> = diff
            .schemas
            .iter()
            .flat_map(|s| {
                s.changes
                    .iter()
                    .filter(|c| c.class != Class::Safe)
                    .map(move |c| {
                        format!(
                            "- `{}` › {}: {} ({})\n",
                            s.name,
                            c.at,
                            c.reason,
                            c.class.label()
                        )
                    })
            })
            .collect();
        if !groups.is_empty() || !types.is_empty() {
            out.push_str("\n### Breaking changes\n");
            for (group, lines) in groups {
                out.push_str(&format!("\n#### {group}\n\n"));
                out.extend(lines);
            }
            if !types.is_empty() {
                out.push_str("\n#### Types\n\n");
                out.extend(types);
            }
        }
        let safe = diff.counts().get(&Class::Safe).copied().unwrap_or(0);
        let listed = diff
            .operations
            .iter()
            .flat_map(|o| &o.changes)
            .filter(|c| c.kind == "operation_added")
            .count();
        if safe > listed {
            out.push_str(&format!(
                "\n{} other compatible change{} (parameters, properties, enum values, documentation): `cargo xtask diff` between the tags lists them.\n",
                safe - listed,
                if safe - listed == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(rt) = runtime {
        let moved = rt.old.as_deref().filter(|o| *o != rt.new);
        if moved.is_some() || !rt.commits.is_empty() {
            out.push_str("\n### Runtime\n\n");
            if let Some(old) = moved {
                out.push_str(&format!(
                    "- `veeam-runtime` {old} → {}{}\n",
                    rt.new,
                    if rt.breaks() {
                        " (an incompatible version: this crate's release is breaking)"
                    } else {
                        ""
                    }
                ));
            }
            for c in &rt.commits {
                out.push_str(&format!("- {c}\n"));
            }
        }
    }
    if generated_changed {
        out.push_str("\nThe API's facts did not change; the crate's code did (its documentation, or the generator's output).\n");
    }
    out
}

/// `profile.yaml`'s text with the crate's version set (the line under `crate:`, added after
/// its `name` when missing). Comments and everything else stay as written.
fn set_profile_version(text: &str, version: &str) -> Result<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_crate = false;
    let mut replaced = false;
    // Where a missing version line goes: after the crate's `name:`, with its indent.
    let mut after_name: Option<(usize, String)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let pad = &line[..line.len() - trimmed.len()];
        if pad.is_empty() && !trimmed.is_empty() && !trimmed.starts_with('#') {
            in_crate = line.trim_end() == "crate:";
        } else if in_crate && trimmed.starts_with("version:") {
            out.push(format!("{pad}version: {version}"));
            replaced = true;
            continue;
        } else if in_crate && trimmed.starts_with("name:") {
            after_name = Some((out.len() + 1, pad.to_string()));
        }
        out.push(line.to_string());
    }
    if !replaced {
        let Some((at, pad)) = after_name else {
            bail!("profile.yaml: no `crate:` block with a `name:` line (a flow mapping `crate: {{..}}` is not edited)");
        };
        out.insert(at, format!("{pad}version: {version}"));
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// Whether the client crate generated now differs from the one committed at `tag` (the
/// committed crate of the working tree may be stale: what counts is what generation makes).
fn generated_changed(
    root: &Path,
    folder: &str,
    output: &codegen::Output,
    tag: &str,
) -> Result<bool> {
    let dir = format!("generated/{folder}/");
    let listed = git(root, &["ls-tree", "-r", "--name-only", tag, "--", &dir])?;
    let at_tag: std::collections::BTreeSet<&str> = listed
        .lines()
        .filter_map(|l| l.strip_prefix(&dir))
        .collect();
    let now: std::collections::BTreeSet<String> = output
        .files
        .keys()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    if at_tag.len() != now.len() || now.iter().any(|f| !at_tag.contains(f.as_str())) {
        return Ok(true);
    }
    for (rel, text) in &output.files {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if git(root, &["show", &format!("{tag}:{dir}{rel}")])? != *text {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The changelog with `entry` first (after its title).
fn prepend(changelog: Option<&str>, name: &str, entry: &str) -> String {
    let title = format!("# Changelog of `{name}`\n\nWritten by `cargo xtask release`: each entry is made from the semantic diff of the spec between release tags.\n\n");
    match changelog {
        None => format!("{title}{entry}"),
        Some(text) => match text.find("\n## ") {
            Some(i) => format!("{}\n{entry}\n{}", &text[..i + 1], &text[i + 1..]),
            None => format!("{}\n\n{entry}", text.trim_end()),
        },
    }
}

impl flags::Release {
    pub fn run(self) -> Result<ExitCode> {
        let root = self.root.clone().unwrap_or_else(project::root);
        let api = project::workspace_api(&root, &self.api)?;
        let name = api.name().to_string();
        // A tagged release is exactly what is committed: nothing else may ride along.
        if self.tag {
            let dirty = git(&root, &["status", "--porcelain"])?;
            if !dirty.trim().is_empty() {
                bail!(
                    "--tag releases what is committed; commit or stash first:\n{}",
                    dirty.trim_end()
                );
            }
        }
        let current = codegen::profile::parse_version(&api.profile.krate.version)
            .context("the profile's version")?;
        // The crate as the spec makes it now, at the version it has.
        let output = api.generate(&root)?;
        let speaks = format!("{} {}", output.api.title, output.api.version);
        let date = self
            .date
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());

        let (version, text) = match last_release(&root, &name)? {
            None => {
                // The first release is the version the profile holds.
                let text = entry(&show(current), &date, &speaks, None, None, None, false);
                (show(current), text)
            }
            Some((tag, old)) => {
                let (_, old_files) = crate::diff::side(&root, Some(&api.folder), Some(&tag))?;
                let (_, new_files) = crate::diff::side(&root, Some(&api.folder), None)?;
                let (old_doc, _) = codegen::prepare(&old_files)?;
                let (new_doc, _) = codegen::prepare(&new_files)?;
                let diff =
                    codegen::diff::diff(&old_doc.value, &new_doc.value, &PathRule::default());
                let runtime = RuntimeChange::read(&root, &tag)?;
                let generated_changed = generated_changed(&root, &api.folder, &output, &tag)?;
                let mut level = spec_level(&diff);
                if runtime.breaks() {
                    level = Some(Level::Major);
                } else if !runtime.commits.is_empty() || generated_changed {
                    level = level.max(Some(Level::Patch));
                }
                if generated_changed && diff.is_empty() {
                    println!("note: the crate's code changed since {tag} with no change to the API's facts (documentation, or the generator): a patch unless you say otherwise (--bump minor|major)");
                }
                let level = match (level, self.bump) {
                    (l, Some(b)) => l.max(Some(b)),
                    (l, None) => l,
                };
                let Some(level) = level else {
                    bail!("nothing changed in {name} since {tag}: no release (give --bump to release anyway)");
                };
                let new = level.apply(old);
                if old != current {
                    println!(
                        "note: the profile says {}, the tag {tag}; the new version follows the tag",
                        show(current)
                    );
                }
                let text = entry(
                    &show(new),
                    &date,
                    &speaks,
                    Some((&tag, level, old)),
                    Some(&diff),
                    Some(&runtime),
                    generated_changed && diff.is_empty(),
                );
                (show(new), text)
            }
        };
        // Run twice without `--tag`, the second run would write the entry again.
        let changelog = api.read_changelog(&root)?;
        if codegen::manifest::is_released(changelog.as_deref(), &version) {
            bail!("spec/{}/CHANGELOG.md already has the entry of {name} {version}: commit it and tag {name}-v{version}, or remove the entry to write it again", api.folder);
        }
        println!("{name} {version}\n\n{text}");
        if self.dry_run {
            println!("(--dry-run: nothing written)");
            return Ok(ExitCode::SUCCESS);
        }
        // The profile and the changelog, then the crate from them.
        let spec = api.spec_dir(&root);
        let profile_file = spec.join(codegen::profile::FILE_NAME);
        let profile_text = std::fs::read_to_string(&profile_file)
            .with_context(|| format!("reading {}", profile_file.display()))?;
        let updated = set_profile_version(&profile_text, &version)?;
        codegen::Profile::parse(&profile_file, &updated)
            .context("the profile with its new version does not read back")?;
        std::fs::write(&profile_file, updated)?;
        std::fs::write(
            spec.join(codegen::CHANGELOG),
            prepend(changelog.as_deref(), &name, &text),
        )?;
        // Read again: the profile now holds the new version.
        let api = project::workspace_api(&root, &name)?;
        let output = api.generate(&root)?;
        for (folder, files) in api.crates(&root, &output)? {
            let dir = root.join("generated").join(&folder);
            for stale in codegen::compare_with_disk(&dir, &files).stale {
                std::fs::remove_file(dir.join(stale))?;
            }
            project::write_files(&dir, &files)?;
        }
        let tag = format!("{name}-v{version}");
        if self.tag {
            let generated = format!("generated/{}", api.folder);
            let mock = format!("generated/{}", api.mock_folder());
            let spec = format!("spec/{}", api.folder);
            git(&root, &["add", "--", &spec, &generated, &mock])?;
            git(
                &root,
                &[
                    "commit",
                    "-q",
                    "-m",
                    &format!("Release {name} {version}\n\n{text}"),
                ],
            )?;
            git(
                &root,
                &["tag", "-a", &tag, "-m", &format!("{name} {version}")],
            )?;
            println!(
                "committed and tagged {tag}: push the tag to publish (`git push origin {tag}`)"
            );
        } else {
            println!("wrote spec/{}/profile.yaml, spec/{}/CHANGELOG.md and the crates: review, commit, then tag {tag} (or rerun with --tag)", api.folder, api.folder);
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_semver_and_cargo_before_1_0() {
        assert_eq!(Level::Minor.apply([0, 1, 3]), [0, 2, 0]);
        assert_eq!(Level::Major.apply([0, 1, 3]), [0, 2, 0]);
        assert_eq!(Level::Patch.apply([0, 1, 3]), [0, 1, 4]);
        assert_eq!(Level::Major.apply([1, 4, 2]), [2, 0, 0]);
        assert_eq!(Level::Minor.apply([1, 4, 2]), [1, 5, 0]);
        assert!(incompatible([0, 1, 0], [0, 2, 0]) && !incompatible([0, 1, 0], [0, 1, 9]));
        assert!(incompatible([1, 0, 0], [2, 0, 0]) && !incompatible([1, 0, 0], [1, 7, 0]));
    }

    #[test]
    fn the_profile_keeps_its_text_when_its_version_moves() {
        let with =
            "# comment\ncrate:\n  name: x  # the crate\n  version: 0.1.0\nauth: {kind: none}\n";
        assert_eq!(
            set_profile_version(with, "0.2.0").unwrap(),
            with.replace("0.1.0", "0.2.0")
        );
        let without = "crate:\n  name: x\n  description: d\nauth: {kind: none}\n";
        assert_eq!(
            set_profile_version(without, "0.2.0").unwrap(),
            "crate:\n  name: x\n  version: 0.2.0\n  description: d\nauth: {kind: none}\n"
        );
        let flow = "crate: {name: x, description: d}\nauth: {kind: none}\n";
        let e = set_profile_version(flow, "0.2.0").unwrap_err().to_string();
        assert!(e.contains("flow mapping"), "{e}");
    }

    #[test]
    fn entries_go_first_under_the_title() {
        let first = prepend(None, "x", "## 0.1.0 (d)\n\nfirst\n");
        assert!(first.starts_with("# Changelog of `x`"));
        let second = prepend(Some(&first), "x", "## 0.2.0 (d)\n\nsecond\n");
        let (a, b) = (
            second.find("## 0.2.0").unwrap(),
            second.find("## 0.1.0").unwrap(),
        );
        assert!(
            second.starts_with("# Changelog of `x`") && a < b,
            "{second}"
        );
        assert!(codegen::manifest::is_released(Some(&second), "0.1.0"));
        assert!(!codegen::manifest::is_released(Some(&second), "0.1.1"));
    }
}
