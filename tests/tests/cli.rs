//! The `veeam` program end to end, against the generated mock servers: the binary is run
//! as an admin runs it (arguments, environment, stdout, stderr, exit code), and the mock
//! says what reached the server.

use std::process::Output;

use serde_json::Value;
use vb365::types::{RestRestorePoint, RestRestoreSession, RestRestoreSessionState};
use vb365_mock::Mock;

mod support;

/// Runs `veeam` with `args`, logged in to `url` as the mock's user, with a configuration
/// file of its own.
async fn veeam(url: &str, args: &[&str]) -> Output {
    veeam_with(url, args, &[]).await
}

async fn veeam_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let config = temp_path("config.yaml");
    let mut all = vec![("VEEAM_URL", url)];
    all.extend_from_slice(env);
    run(args, &config, &all).await
}

/// Runs `veeam` with `args`, the configuration file `config`, the mock's user and password,
/// and `env`; stdin is not a terminal.
async fn run(args: &[&str], config: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_veeam-all"));
    command
        .args(args)
        .env("VEEAM_USER", veeam_mock::USERNAME)
        .env("VEEAM_PASSWORD", veeam_mock::PASSWORD)
        .env("VEEAM_CONFIG", config)
        .env_remove("VEEAM_URL")
        .env_remove("VEEAM_PROFILE")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().expect("veeam runs"))
        .await
        .unwrap()
}

/// A path in the temporary folder no other test uses.
fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "veeam-cli-test-{}-{}-{name}",
        std::process::id(),
        fastrand_suffix()
    ))
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// The final body a `--wait` printed (`--output json`), after checking the exit code and
/// the closing line on stderr.
fn waited(out: &Output, code: i32, says: &str) -> Value {
    assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A restore session in `state`, every other field unset.
fn session_in(id: uuid::Uuid, state: RestRestoreSessionState) -> RestRestoreSession {
    let mut s: RestRestoreSession =
        serde_json::from_value(serde_json::json!({"id": id, "type": "Vex"})).unwrap();
    s.state = Some(state);
    s
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_streams_every_item_of_every_page_as_ndjson() {
    let mock = Mock::start().await;
    mock.set_page_cap(Some(2));
    let organization = uuid::Uuid::new_v4();
    let points: Vec<RestRestorePoint> = (0..5)
        .map(|n| RestRestorePoint {
            id: Some(format!("point-{n}")),
            ..Default::default()
        })
        .collect();
    mock.restore_point_get_restore_points()
        .query("organizationId", organization)
        .returns(points);

    let out = veeam(
        &mock.uri(),
        &[
            "vb365",
            "restore-point",
            "list",
            "--all",
            "--organization-id",
            &organization.to_string(),
        ],
    )
    .await;

    assert!(out.status.success(), "{}", text(&out.stderr));
    let ids: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("each line is JSON")["id"].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "\"point-0\"",
            "\"point-1\"",
            "\"point-2\"",
            "\"point-3\"",
            "\"point-4\""
        ]
    );
    let calls = mock.restore_point_get_restore_points().received();
    assert_eq!(calls.count(), 3, "pages at offsets 0, 2 and 4");
    assert_eq!(calls.last_query("offset").as_deref(), Some("4"));
    assert_eq!(mock.sessions().logins, 1);

    // Field selection applies to each streamed item.
    let out = veeam(
        &mock.uri(),
        &[
            "vb365",
            "restore-point",
            "list",
            "--all",
            "--organization-id",
            &organization.to_string(),
            "--fields",
            "id",
        ],
    )
    .await;
    assert_eq!(
        text(&out.stdout).lines().next(),
        Some(r#"{"id":"point-0"}"#)
    );
}

/// `veeam ... --all | head -1`: the reader leaves early, the program stops quietly with 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_leaves_early_ends_the_stream_quietly() {
    use std::io::BufRead;
    let mock = Mock::start().await;
    mock.set_page_cap(Some(5));
    let points: Vec<RestRestorePoint> = (0..2000)
        .map(|n| RestRestorePoint {
            id: Some(format!("point-{n}")),
            ..Default::default()
        })
        .collect();
    mock.restore_point_get_restore_points().returns(points);
    let config = temp_path("config.yaml");
    let url = mock.uri();
    let status = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_veeam-all"))
            .args(["vb365", "restore-point", "list", "--all"])
            .env("VEEAM_URL", url)
            .env("VEEAM_USER", veeam_mock::USERNAME)
            .env("VEEAM_PASSWORD", veeam_mock::PASSWORD)
            .env("VEEAM_CONFIG", config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("point-0"), "{first}");
        // The reader is gone (dropped above); the program notices at its next write.
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
    assert!(status.stderr.is_empty(), "{}", text(&status.stderr));
    assert!(
        mock.restore_point_get_restore_points().received().count() < 400,
        "it stopped walking"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_exit_code_2_and_nothing_sent() {
    let mock = Mock::start().await;
    let session = uuid::Uuid::new_v4().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["vb365", "restore-point", "list", "--no-such-flag"],
            "--no-such-flag",
        ),
        (
            vec![
                "vb365",
                "restore-point",
                "list",
                "--organization-id",
                "not-a-uuid",
            ],
            "is not a UUID",
        ),
        (
            vec!["vb365", "restore-point", "list", "--limit", "ten"],
            "is not an integer",
        ),
        (vec!["vb365", "no-such-group", "list"], "no-such-group"),
        (
            vec!["vb365", "restore-session", "stop", "--restore-session-id"],
            "restore-session-id",
        ),
        (
            vec![
                "vb365",
                "organization",
                "explore",
                "--organization-id",
                &session,
                "--body",
                "{\"type\": ",
            ],
            "not valid JSON",
        ),
        (
            vec![
                "vb365",
                "organization",
                "explore",
                "--organization-id",
                &session,
                "--body",
                "@/no/such/file.json",
            ],
            "/no/such/file.json",
        ),
        (
            vec![
                "vb365",
                "restore-point",
                "list",
                "--all",
                "--output",
                "table",
            ],
            "--all streams NDJSON",
        ),
    ];
    for (args, says) in cases {
        let out = veeam(&mock.uri(), &args).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(mock.requests().is_empty(), "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_is_its_exit_code_and_message() {
    let mock = Mock::start().await;
    let id = uuid::Uuid::new_v4();
    mock.restore_session_get_by_restore_session_id()
        .path_param("restoreSessionId", id)
        .status(404)
        .returns(session_in(id, RestRestoreSessionState::Working));
    let out = veeam(
        &mock.uri(),
        &[
            "vb365",
            "restore-session",
            "get",
            "--restore-session-id",
            &id.to_string(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("404"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());

    // A wrong password: configuration and credentials, 3.
    mock.set_credentials(veeam_mock::USERNAME, "another");
    let out = veeam_with(
        &mock.uri(),
        &[
            "vb365",
            "restore-session",
            "get",
            "--restore-session-id",
            &id.to_string(),
        ],
        &[("VEEAM_PASSWORD", "Wr0ng-pw-5e1d")],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !text(stream).contains("Wr0ng-pw-5e1d"),
            "the password is never shown"
        );
    }
    mock.set_credentials(veeam_mock::USERNAME, veeam_mock::PASSWORD);

    // The server failing: 5, after the retries.
    mock.restore_session_get_by_restore_session_id()
        .path_param("restoreSessionId", id)
        .status(500)
        .returns(session_in(id, RestRestoreSessionState::Working));
    let get = [
        "vb365",
        "restore-session",
        "get",
        "--restore-session-id",
        &id.to_string(),
    ];
    let out = veeam(&mock.uri(), &get).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("500"), "{}", text(&out.stderr));

    // No server at all: 6, whether the login or the request is what fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = veeam(&nowhere, &get).await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_follows_the_restore_session_a_command_starts() {
    let mock = Mock::start().await;
    let organization = uuid::Uuid::new_v4();
    let session = uuid::Uuid::new_v4();
    let state = |s: RestRestoreSessionState| session_in(session, s);
    mock.organization_explore()
        .path_param("organizationId", organization)
        .returns(state(RestRestoreSessionState::Working));
    mock.restore_session_get_by_restore_session_id()
        .path_param("restoreSessionId", session)
        .polls(
            1,
            state(RestRestoreSessionState::Working),
            state(RestRestoreSessionState::Stopped),
        );

    let out = veeam(
        &mock.uri(),
        &[
            "vb365",
            "organization",
            "explore",
            "--organization-id",
            &organization.to_string(),
            "--set",
            "showDeleted=true",
            "--wait",
            "--output",
            "json",
        ],
    )
    .await;

    let last = waited(&out, 0, "restore session finished: Stopped");
    assert_eq!(last["state"], "Stopped");
    let body = mock.organization_explore().received().last_body();
    assert_eq!(
        body.unwrap().unwrap().show_deleted,
        Some(true),
        "--set built the body"
    );
    assert_eq!(
        mock.restore_session_get_by_restore_session_id()
            .received()
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_download_is_saved_whole_and_never_over_a_file_unasked() {
    let mock = Mock::start().await;
    let (session, mailbox) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4().to_string());
    let pst: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    mock.exchange_mailbox_export_mailbox_to_pst_action()
        .returns(pst.clone());
    let dir = std::env::temp_dir().join(format!("veeam-cli-download-{}", fastrand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mailbox.pst");
    let file_arg = file.to_string_lossy().into_owned();
    let args = [
        "vb365",
        "exchange-mailbox",
        "export-mailbox-to-pst",
        "--restore-session-id",
        &session.to_string(),
        "--mailbox-id",
        &mailbox,
        "--body",
        "{\"contentKeywords\": \"\"}",
        "--output-file",
        &file_arg,
    ];
    let out = veeam(&mock.uri(), &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&file).unwrap(), pst);

    // Again: the file is there, and stays as it is.
    std::fs::write(&file, b"mine").unwrap();
    let sent = mock.requests().len();
    let out = veeam(&mock.uri(), &args).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    assert_eq!(mock.requests().len(), sent, "nothing sent");

    // With --force, the file is replaced, whole.
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = veeam(&mock.uri(), &forced).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&file).unwrap(), pst);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["mailbox.pst"], "no temporary file left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_azure_restore_waits_for_its_job_session() {
    let mock = vbazure_mock::Mock::start().await;
    let point = uuid::Uuid::new_v4();
    let session = |status: &str| -> vbazure::types::JobSession {
        serde_json::from_value(serde_json::json!({"id": "session-1", "status": status})).unwrap()
    };
    mock.virtual_machine_restore_point_restore_vm()
        .path_param("restorePointId", point)
        .returns(session("Running"));
    mock.job_sessions_get_job_session_by_id()
        .path_param("sessionId", "session-1")
        .polls(1, session("Running"), session("Success"));
    let body = temp_path("restore.json");
    std::fs::write(&body, r#"{"reason": "test", "startVmAfterRestore": true}"#).unwrap();
    let body_arg = format!("@{}", body.display());
    let point = point.to_string();
    let restore = [
        "vbazure",
        "virtual-machine-restore-point",
        "restore-vm",
        "--restore-point-id",
        &point,
        "--body",
        &body_arg,
        "--wait",
        "--output",
        "json",
    ];

    let out = veeam(&mock.uri(), &restore).await;
    let last = waited(&out, 0, "job session finished: Success");
    assert_eq!(last["status"], "Success");
    let sent = mock
        .virtual_machine_restore_point_restore_vm()
        .received()
        .last_body()
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&sent).unwrap()["startVmAfterRestore"],
        true,
        "the body file was sent"
    );

    // A restore that ends in Error: its final state printed, and exit code 7.
    mock.job_sessions_get_job_session_by_id()
        .path_param("sessionId", "session-1")
        .returns(session("Error"));
    let out = veeam(&mock.uri(), &restore).await;
    let last = waited(&out, 7, "failed: Error");
    assert_eq!(last["status"], "Error");
    let _ = std::fs::remove_file(&body);
}

/// What the TLS server answers every request with: a token (login) that is also any
/// command's JSON answer.
const TOKEN: &str =
    r#"{"access_token":"T","refresh_token":"R","expires_in":3600,"token_type":"bearer"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn login_pins_a_self_signed_certificate_only_as_confirmed() {
    let server = support::tls::https_server(TOKEN).await;
    let url = format!("https://localhost:{}", server.port);
    let config = temp_path("config.yaml");
    let login = |trust: Option<String>| {
        let mut args = vec![
            "login".to_string(),
            "lab".into(),
            "--api".into(),
            "vbazure".into(),
            "--url".into(),
            url.clone(),
        ];
        if let Some(t) = trust {
            args.extend(["--trust".into(), t]);
        }
        args
    };

    // Not on a terminal and nothing given: the fingerprint shown, nothing pinned or sent.
    let args = login(None);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, &config, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&server.fingerprint),
        "{}",
        text(&out.stderr)
    );
    assert!(!config.exists(), "no profile saved");
    assert_eq!(server.served(), 0, "no request, so no password, was sent");

    // A fingerprint that is not the server's: refused, naming both.
    let wrong = "AB:".repeat(31) + "AB";
    let args = login(Some(wrong.clone()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, &config, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&wrong) && text(&out.stderr).contains(&server.fingerprint));
    assert_eq!(server.served(), 0);

    // The server's own, as another tool prints it: pinned and saved, without the password.
    let args = login(Some(server.fingerprint.replace(':', "").to_lowercase()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, &config, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(saved.contains(&server.fingerprint), "{saved}");
    assert!(!saved.contains(veeam_mock::PASSWORD), "{saved}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }

    // The profile's pin lets a command through...
    let command = [
        "vbazure",
        "job-sessions",
        "get",
        "--session-id",
        "s-1",
        "--output",
        "json",
    ];
    let out = run(&command, &config, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The profile's credentials never go to another server named with --url.
    let other = support::tls::https_server(TOKEN).await;
    let other_url = format!("https://localhost:{}", other.port);
    let mut elsewhere = vec!["--profile", "lab", "--url", &other_url];
    elsewhere.extend(command);
    let out = run(&elsewhere, &config, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not the profile's server"));
    assert_eq!(other.connections(), 0, "not even a connection");

    // The profile's server presenting another certificate (here: the profile moved to a
    // server with another one) is refused, naming both fingerprints.
    let saved = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, saved.replace(&url, &other_url)).unwrap();
    let out = run(&command, &config, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&server.fingerprint) && stderr.contains(&other.fingerprint),
        "{stderr}"
    );
    assert_eq!(other.served(), 0, "nothing sent to it");
    let _ = std::fs::remove_file(&config);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_discovers_the_version_and_later_commands_use_the_profile() {
    let mock = Mock::start().await;
    mock.service_instance_get()
        .returns(serde_json::from_value(serde_json::json!({"version": "8.1"})).unwrap());
    let config = temp_path("config.yaml");
    let url = mock.uri();
    // Asked for VB365 at all, the server says it serves v8.
    let out = run(
        &["login", "lab", "--api", "vb365-v6", "--url", &url],
        &config,
        &[],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("serves v8"),
        "{}",
        text(&out.stderr)
    );
    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(saved.contains("api: vb365\n"), "{saved}");
    assert!(!saved.contains(veeam_mock::PASSWORD), "{saved}");

    // The profile is the default: no URL needed; a command of another version is refused.
    let organization = uuid::Uuid::new_v4().to_string();
    mock.restore_point_get_restore_points().returns(vec![]);
    let list = [
        "restore-point",
        "list",
        "--organization-id",
        &organization,
        "--output",
        "json",
    ];
    let mut args = vec!["vb365"];
    args.extend(list);
    let out = run(&args, &config, &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["vb365-v7", "account", "get-credentials"], &config, &[]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("veeam vb365 "),
        "{}",
        text(&out.stderr)
    );

    // --verbose: the runtime's tracing on stderr (the login, the request), never the
    // password.
    mock.set_credentials(veeam_mock::USERNAME, "Pw-7f3a9c-unique");
    let mut args = vec!["--verbose", "vb365"];
    args.extend(list);
    let out = run(&args, &config, &[("VEEAM_PASSWORD", "Pw-7f3a9c-unique")]).await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("logging in"), "{stderr}");
    assert!(
        stderr.contains("restore_point_get_restore_points"),
        "{stderr}"
    );
    for stream in [&out.stdout, &out.stderr] {
        assert!(!text(stream).contains("Pw-7f3a9c-unique"), "{stderr}");
    }
    let _ = std::fs::remove_file(&config);
}

/// Completion scripts for each shell name the commands.
#[tokio::test(flavor = "multi_thread")]
async fn completions_for_every_shell() {
    let config = temp_path("config.yaml");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell], &config, &[]).await;
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains("restore-point"), "{shell}");
        assert!(script.contains("organization-id"), "{shell}");
    }
}

/// docs/cli/<api>.md is the command tree's own reference (`veeam docs <api>`). To write
/// them anew: `VEEAM_UPDATE_DOCS=1 cargo test -p tests --test cli docs_pages`.
#[test]
fn docs_pages_are_the_command_tree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let update = std::env::var_os("VEEAM_UPDATE_DOCS").is_some();
    for api in [
        &vb365::commands::API,
        &vb365_v6::commands::API,
        &vb365_v7::commands::API,
        &vbazure::commands::API,
    ] {
        let page = root.join("docs/cli").join(format!("{}.md", api.name));
        let fresh = veeam_command::markdown(api);
        if update {
            std::fs::create_dir_all(page.parent().unwrap()).unwrap();
            std::fs::write(&page, &fresh).unwrap();
        }
        let on_disk = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "{} is not `veeam docs {}`: run VEEAM_UPDATE_DOCS=1 cargo test -p tests --test cli docs_pages",
            page.display(),
            api.name
        );
    }
}

/// Every operation of every API is a command of the program, once.
#[test]
fn every_operation_is_a_command() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let apis = [
        &vb365::commands::API,
        &vb365_v6::commands::API,
        &vb365_v7::commands::API,
        &vbazure::commands::API,
    ];
    // clap's own checks of the whole tree: no two commands, flags or ids alike.
    veeam_command::command(&apis).debug_assert();
    let tree = veeam_command::command(&apis);
    for api in apis {
        let doc = codegen::load::assemble(
            &codegen::load::read_spec(&root.join("spec").join(api.name)).unwrap(),
        )
        .unwrap();
        let mut ids = std::collections::BTreeSet::new();
        codegen::openapi::each_operation(&doc.value, |_, _, op| {
            ids.insert(op["operationId"].as_str().unwrap().to_string());
        });
        assert_eq!(api.commands.len(), ids.len(), "{}", api.name);
        let sub = tree.find_subcommand(api.name).unwrap();
        let reachable: usize = sub
            .get_subcommands()
            .map(|g| g.get_subcommands().count())
            .sum();
        assert_eq!(reachable, ids.len(), "{}: commands in the tree", api.name);
    }
    // The generated program lists the same APIs as this test's copy of it.
    let main = std::fs::read_to_string(root.join("generated/veeam-cli/src/main.rs")).unwrap();
    for api in apis {
        assert!(
            main.contains(&format!("&{}::commands::API", api.name.replace('-', "_"))),
            "{}",
            api.name
        );
    }
}
