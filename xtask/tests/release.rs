//! `cargo xtask release` in a repository made here: a crate released at a tag, then its spec
//! gains an operation (a minor bump, the operation named in the changelog), loses one
//! (breaking), moves to an incompatible runtime (breaking, named), or changes nothing (no
//! release). Each release is committed and tagged as `--tag` does it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT_DOC: &str =
    "openapi: 3.0.1\ninfo: {title: Demo Backup REST API, version: v1}\npaths: {}\n";

const WIDGETS: &str = "\
paths:
  /v1/widgets:
    get:
      operationId: Widget_List
      tags: [Widget]
      description: Lists the widgets.
      responses:
        '200':
          description: The widgets.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Widget'}}
  /v1/widgets/{id}:
    delete:
      operationId: Widget_Delete
      tags: [Widget]
      description: Deletes a widget.
      parameters:
        - {name: id, in: path, required: true, description: The widget., schema: {type: string}}
      responses:
        '204': {description: Deleted.}
components:
  schemas:
    Widget:
      type: object
      description: A widget.
      properties:
        id: {type: string, description: Its id.}
";

/// An operation to add to `WIDGETS` (under `paths:`).
const WIDGET_CREATE: &str = "  /v1/widgets/create:
    post:
      operationId: Widget_Create
      tags: [Widget]
      description: Creates a widget.
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Widget'}
      responses:
        '201': {description: Created.}
";

const PROFILE: &str = "\
# The demo API.
crate:
  name: demo
  description: Demo Backup REST API v1 client
  version: 0.1.0
auth:
  kind: none
";

fn run(root: &Path, program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "Release Test")
        .env("GIT_AUTHOR_EMAIL", "release@example.invalid")
        .env("GIT_COMMITTER_NAME", "Release Test")
        .env("GIT_COMMITTER_EMAIL", "release@example.invalid")
        .output()
        .unwrap();
    out
}

fn git(root: &Path, args: &[&str]) -> String {
    let out = run(root, "git", args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `cargo xtask release --api demo` in `root`, dated; (success, stdout + stderr).
fn release(root: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec![
        "release",
        "--api",
        "demo",
        "--date",
        "2026-12-02",
        "--root",
        root.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = run(root, env!("CARGO_BIN_EXE_xtask"), &args);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn set_runtime_version(root: &Path, version: &str) {
    for dir in ["runtime", "mock"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(
            root.join(dir).join("Cargo.toml"),
            format!("[package]\nname = \"veeam-{dir}\"\nversion = \"{version}\"\n"),
        )
        .unwrap();
    }
}

fn scratch_repository(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("xtask-release-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let spec = root.join("spec/demo");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::write(spec.join("openapi.yaml"), ROOT_DOC).unwrap();
    std::fs::write(spec.join("widgets.yaml"), WIDGETS).unwrap();
    std::fs::write(spec.join("profile.yaml"), PROFILE).unwrap();
    set_runtime_version(&root, "0.1.0");
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "."]);
    git(&root, &["commit", "-q", "-m", "the demo API"]);
    root
}

#[test]
fn a_release_follows_what_changed_since_the_last_tag() {
    let root = scratch_repository("follows");

    // The first release: the profile's version, tagged.
    let (ok, out) = release(&root, &["--tag"]);
    assert!(ok, "{out}");
    assert!(
        git(&root, &["tag", "--list"]).contains("demo-v0.1.0"),
        "{out}"
    );
    let changelog = read(&root, "spec/demo/CHANGELOG.md");
    assert!(
        changelog.contains("## 0.1.0 (2026-12-02)")
            && changelog.contains("Speaks the Demo Backup REST API v1. The first release."),
        "{changelog}"
    );
    // Released: the crate's guide shows the registry's line, and ships the changelog.
    assert_eq!(read(&root, "generated/demo/CHANGELOG.md"), changelog);

    // Nothing changed: no release.
    let (ok, out) = release(&root, &[]);
    assert!(
        !ok && out.contains("nothing changed in demo since demo-v0.1.0"),
        "{out}"
    );

    // The spec gains an operation: a minor bump naming it.
    let with_create = WIDGETS.replacen(
        "  /v1/widgets/{id}:\n",
        &format!("{WIDGET_CREATE}  /v1/widgets/{{id}}:\n"),
        1,
    );
    std::fs::write(root.join("spec/demo/widgets.yaml"), &with_create).unwrap();
    git(&root, &["commit", "-q", "-am", "Widget_Create"]);
    let (ok, out) = release(&root, &["--dry-run"]);
    assert!(ok && out.contains("demo 0.2.0"), "{out}");
    assert_eq!(
        read(&root, "spec/demo/profile.yaml"),
        PROFILE,
        "--dry-run writes nothing"
    );
    let (ok, out) = release(&root, &["--tag"]);
    assert!(ok, "{out}");
    let changelog = read(&root, "spec/demo/CHANGELOG.md");
    let entry = &changelog
        [changelog.find("## 0.2.0").expect("the new entry")..changelog.find("## 0.1.0").unwrap()];
    println!("{entry}");
    assert!(
        entry.contains("Since `demo-v0.1.0`: additions (the minor number).")
            && entry.contains("- Added `Widget_Create` (`POST /v1/widgets/create`, group `Widget`): new method `widget_create`")
            && !entry.contains("Breaking"),
        "{entry}"
    );
    assert!(
        changelog.find("## 0.2.0") < changelog.find("## 0.1.0"),
        "newest first"
    );
    // The profile keeps its comments; crate, mock and guide move together.
    let profile = read(&root, "spec/demo/profile.yaml");
    assert_eq!(profile, PROFILE.replace("version: 0.1.0", "version: 0.2.0"));
    assert!(read(&root, "generated/demo/Cargo.toml").contains("\nversion = \"0.2.0\"\n"));
    let mock = read(&root, "generated/demo-mock/Cargo.toml");
    assert!(
        mock.contains("\nversion = \"0.2.0\"\n")
            && mock.contains("demo = { path = \"../demo\", version = \"=0.2.0\" }"),
        "{mock}"
    );
    assert!(read(&root, "generated/demo/README.md").contains("demo = { version = \"0.2.0\""));
    assert!(git(&root, &["tag", "--list"]).contains("demo-v0.2.0"));
    assert!(
        git(&root, &["status", "--porcelain"]).trim().is_empty(),
        "--tag commits everything it wrote"
    );

    // An operation goes: breaking, which before 1.0 moves the minor number.
    std::fs::write(root.join("spec/demo/widgets.yaml"), WIDGETS.replace(
        "    delete:\n      operationId: Widget_Delete\n      tags: [Widget]\n      description: Deletes a widget.\n      parameters:\n        - {name: id, in: path, required: true, description: The widget., schema: {type: string}}\n      responses:\n        '204': {description: Deleted.}\n",
        "    get:\n      operationId: Widget_Get\n      tags: [Widget]\n      description: One widget.\n      parameters:\n        - {name: id, in: path, required: true, description: The widget., schema: {type: string}}\n      responses:\n        '200': {description: The widget.}\n",
    ).replacen("  /v1/widgets/{id}:\n", &format!("{WIDGET_CREATE}  /v1/widgets/{{id}}:\n"), 1)).unwrap();
    git(&root, &["commit", "-q", "-am", "Widget_Delete goes"]);
    let (ok, out) = release(&root, &["--tag"]);
    assert!(ok && out.contains("demo 0.3.0"), "{out}");
    assert!(
        out.contains("breaking (before 1.0: the minor number)")
            && out
                .contains("- Removed `Widget_Delete` (`DELETE /v1/widgets/{id}`, group `Widget`)")
            && out.contains("- Added `Widget_Get`"),
        "{out}"
    );

    // The runtime moves to an incompatible version, the spec does not change: breaking.
    set_runtime_version(&root, "0.2.0");
    git(
        &root,
        &["commit", "-q", "-am", "runtime: a new session API"],
    );
    let (ok, out) = release(&root, &["--tag"]);
    assert!(ok && out.contains("demo 0.4.0"), "{out}");
    assert!(
        out.contains("### Runtime")
            && out.contains("`veeam-runtime` 0.1.0 → 0.2.0 (an incompatible version")
            && out.contains("runtime: a new session API"),
        "{out}"
    );
    assert!(read(&root, "generated/demo/Cargo.toml")
        .contains("veeam-runtime = { path = \"../../runtime\", version = \"0.2.0\" }"));

    // A release written but not yet tagged is not written twice.
    let (ok, out) = release(&root, &["--bump", "patch"]);
    assert!(ok && out.contains("demo 0.4.1"), "{out}");
    let (ok, out) = release(&root, &["--bump", "patch"]);
    assert!(
        !ok && out.contains("already has the entry of demo 0.4.1")
            && out.contains("tag demo-v0.4.1"),
        "{out}"
    );
    git(&root, &["checkout", "-q", "--", "."]);
    git(&root, &["clean", "-qfd"]);

    // --tag releases only what is committed.
    std::fs::write(root.join("notes.txt"), "draft").unwrap();
    let (ok, out) = release(&root, &["--tag", "--bump", "patch"]);
    assert!(
        !ok && out.contains("commit or stash first") && out.contains("notes.txt"),
        "{out}"
    );
    std::fs::remove_file(root.join("notes.txt")).unwrap();

    // --bump raises what the diff found.
    std::fs::write(
        root.join("spec/demo/widgets.yaml"),
        read(&root, "spec/demo/widgets.yaml").replace("Lists the widgets.", "Lists every widget."),
    )
    .unwrap();
    git(&root, &["commit", "-q", "-am", "prose"]);
    let (ok, out) = release(&root, &["--dry-run"]);
    assert!(
        ok && out.contains("demo 0.4.1"),
        "a change of prose is a patch: {out}"
    );
    let (ok, out) = release(&root, &["--dry-run", "--bump", "major"]);
    assert!(ok && out.contains("demo 0.5.0"), "{out}");

    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_tag_that_does_not_match_the_manifest_publishes_nothing() {
    let root = scratch_repository("publish");
    let out = run(
        &root,
        env!("CARGO_BIN_EXE_xtask"),
        &["publish", "--tag", "demo-v9.9.9", "--dry-run"],
    );
    // xtask's own workspace is the one it publishes from: the tag names no crate there.
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && text.contains("demo-v9.9.9"),
        "{text}"
    );
    let out = run(
        &root,
        env!("CARGO_BIN_EXE_xtask"),
        &["publish", "--tag", "vb365-v99.0.0", "--dry-run"],
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && text.contains("spec/vb365/profile.yaml says vb365 0.1.0"),
        "{text}"
    );
    let out = run(
        &root,
        env!("CARGO_BIN_EXE_xtask"),
        &["publish", "--tag", "vb365-0.1.0"],
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && text.contains("is not `<crate>-v<version>`"),
        "{text}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}
