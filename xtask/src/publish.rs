//! `cargo xtask publish`: the workspace's crates to crates.io, in dependency order (cargo's
//! workspace publishing), or `--dry-run` of the same. What the release workflow runs on a tag,
//! and (`--dry-run --all`) what `cargo xtask test` runs.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::{flags, project};

/// The hand-written crates that are published, in dependency order. Each is released with a
/// tag of its own (`veeam-runtime-v0.2.0`); a generated crate's tag publishes its mock too.
pub const HAND_WRITTEN: &[(&str, &str)] = &[
    ("veeam-profile", "profile"),
    ("veeam-runtime", "runtime"),
    ("veeam-mock", "mock"),
    ("veeam-command", "cli"),
];

/// A release unit: the packages one tag publishes, with the version the tag names.
#[derive(Debug, PartialEq, Eq)]
pub struct Unit {
    pub packages: Vec<String>,
    pub version: String,
}

/// The packages a tag `<crate>-v<version>` publishes, after checking their manifests carry
/// that version (a tag for a version the manifest does not hold would publish something
/// else).
pub fn unit_of_tag(root: &std::path::Path, tag: &str) -> Result<Unit> {
    let Some((name, version)) = tag.rsplit_once("-v") else {
        bail!("tag {tag:?} is not `<crate>-v<version>`");
    };
    if codegen::profile::parse_version(version).is_none() {
        bail!("tag {tag:?}: {version:?} is not a version (`major.minor.patch`)");
    }
    if let Some((package, dir)) = HAND_WRITTEN.iter().find(|(p, _)| *p == name) {
        let have = codegen::manifest_version(root, dir)?;
        if have != version {
            bail!("tag {tag:?}, but {dir}/Cargo.toml says {package} {have}");
        }
        return Ok(Unit {
            packages: vec![package.to_string()],
            version: version.into(),
        });
    }
    let apis = codegen::workspace_apis(root)?;
    let Some(api) = apis.iter().find(|a| a.name() == name) else {
        let mut known: Vec<&str> = HAND_WRITTEN.iter().map(|(p, _)| *p).collect();
        known.extend(apis.iter().map(|a| a.name()));
        bail!(
            "tag {tag:?} names no published crate; these are: {}",
            known.join(", ")
        );
    };
    let have = &api.profile.krate.version;
    if have != version {
        bail!(
            "tag {tag:?}, but spec/{}/profile.yaml says {name} {have} (run `cargo xtask release --api {}`)",
            api.folder,
            api.folder
        );
    }
    Ok(Unit {
        packages: vec![name.to_string(), format!("{name}-mock")],
        version: version.into(),
    })
}

impl flags::Publish {
    pub fn run(self) -> Result<ExitCode> {
        let root = project::root();
        let mut cargo = project::cargo();
        cargo.args(["publish", "--locked"]);
        if self.dry_run {
            // What is checked is the working tree, committed or not.
            cargo.args(["--dry-run", "--allow-dirty"]);
            forget_extracted_packages()?;
        }
        match (&self.tag, self.all) {
            (Some(tag), false) => {
                let unit = unit_of_tag(&root, tag)?;
                println!("{tag}: publishing {}", unit.packages.join(", "));
                for p in &unit.packages {
                    cargo.args(["-p", p]);
                }
            }
            (None, true) => {
                if !self.dry_run {
                    bail!("--all only with --dry-run: a release publishes the crates of one tag");
                }
                cargo.arg("--workspace");
                if sampled() {
                    cargo.arg("--no-verify");
                }
            }
            _ => bail!("give --tag TAG, or --all --dry-run"),
        }
        let status = cargo.status().context("running cargo publish")?;
        if !status.success() {
            return Ok(ExitCode::FAILURE);
        }
        if self.all && sampled() {
            return verify_sample(&root);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Removes the sources cargo extracted from earlier dry runs' packages of this workspace.
///
/// A dry run verifies each package against the others as packaged, through a registry of
/// its own under `target/package`; cargo extracts those `.crate`s into
/// `$CARGO_HOME/registry/src/-<hash of that registry's path>/<name>-<version>` and reuses an
/// extraction that is there already. The versions of unreleased crates do not move, so on
/// a machine that ran a dry run before, a package was verified against the sources of that
/// earlier run (a new runtime module "missing" to the crate that uses it). Only those
/// local registries' folders (their names start with `-`) and only this workspace's
/// packages are removed; crates.io's are not touched.
fn forget_extracted_packages() -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return Ok(());
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return Ok(());
    };
    let root = project::root();
    let mut ours: Vec<String> = HAND_WRITTEN.iter().map(|(p, _)| p.to_string()).collect();
    for api in codegen::workspace_apis(&root)? {
        ours.push(api.name().to_string());
        ours.push(format!("{}-mock", api.name()));
    }
    ours.push(codegen::cli::FOLDER.to_string());
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for extracted in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = extracted.file_name().to_string_lossy().into_owned();
            let package = name.rsplit_once('-').map_or(name.as_str(), |(p, _)| p);
            if ours.iter().any(|o| o == package) {
                std::fs::remove_dir_all(extracted.path())
                    .with_context(|| format!("removing {}", extracted.path().display()))?;
            }
        }
    }
    Ok(())
}

/// CI (`CI=true`) builds a sample of the packages: building every `.crate` as a user's
/// machine does took 3m50s of a local `cargo xtask test` (the tests build the same sources).
fn sampled() -> bool {
    project::ci()
}

/// Under CI, after `--dry-run --all --no-verify` packaged every crate and checked its
/// manifest: one API's packages, and the hand-written ones they need, built from their
/// `.crate` files. A different API each commit (the commit's hash picks it); `--tag` builds
/// a tag's.
fn verify_sample(root: &std::path::Path) -> Result<ExitCode> {
    let apis = codegen::workspace_apis(root)?;
    if apis.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let pick = project::head(root).bytes().map(usize::from).sum::<usize>() % apis.len();
    let api = &apis[pick];
    println!(
        "building the packages of {} and what they depend on from their .crate files (API {} of {}, picked by this commit)",
        api.name(),
        pick + 1,
        apis.len()
    );
    let mut cargo = project::cargo();
    cargo.args(["publish", "--locked", "--dry-run", "--allow-dirty"]);
    for (p, _) in HAND_WRITTEN {
        cargo.args(["-p", p]);
    }
    cargo.args(["-p", api.name(), "-p", &format!("{}-mock", api.name())]);
    let status = cargo.status().context("running cargo publish")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use crate::flags::tests::{scripts, workflow, xtask_lines};
    use crate::flags::{Cli, Command, Publish};
    use clap::Parser;

    #[test]
    fn the_release_workflow_publishes_a_tag_with_the_registry_secret() {
        let release = workflow("release.yml");
        let tags = release["on"]["push"]["tags"].as_array().unwrap();
        assert_eq!(
            tags,
            &[serde_json::json!("*-v[0-9]*")],
            "tags name crate and version"
        );
        let step = release["jobs"]["publish"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["run"].is_string())
            .unwrap();
        assert_eq!(
            step["env"]["CARGO_REGISTRY_TOKEN"],
            "${{ secrets.CARGO_REGISTRY_TOKEN }}"
        );
        let lines: Vec<Vec<String>> = scripts(&release, "publish")
            .iter()
            .flat_map(|s| xtask_lines(s))
            .collect();
        let parsed: Vec<Publish> = lines
            .iter()
            .map(|args| {
                match Cli::try_parse_from(std::iter::once("xtask".to_string()).chain(args.clone()))
                    .unwrap_or_else(|e| panic!("`cargo xtask {}`: {e}", args.join(" ")))
                    .command
                {
                    Command::Publish(p) => p,
                    _ => panic!("only publishing expected: {args:?}"),
                }
            })
            .collect();
        // A dry run of the tag's crates first, then the upload.
        assert_eq!(parsed.len(), 2, "{lines:?}");
        assert!(parsed[0].dry_run && !parsed[1].dry_run);
        assert!(parsed
            .iter()
            .all(|p| p.tag.as_deref() == Some("vb365-v0.1.0") && !p.all));
        // A tag of this workspace's vb365 names the crate and its mock.
        let version = codegen::workspace_apis(&crate::project::root())
            .unwrap()
            .into_iter()
            .find(|a| a.name() == "vb365")
            .unwrap()
            .profile
            .krate
            .version;
        let unit =
            super::unit_of_tag(&crate::project::root(), &format!("vb365-v{version}")).unwrap();
        assert_eq!(unit.packages, ["vb365", "vb365-mock"]);
        for p in super::HAND_WRITTEN {
            let v = codegen::manifest_version(&crate::project::root(), p.1).unwrap();
            let unit =
                super::unit_of_tag(&crate::project::root(), &format!("{}-v{v}", p.0)).unwrap();
            assert_eq!(unit.packages, [p.0]);
        }
    }
}
