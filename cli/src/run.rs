//! Running one command: the session, the call, and what to do with the answer.

use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

use clap::ArgMatches;
use futures::StreamExt;
use serde_json::{Map, Value};
use veeam_runtime::commands::{self, Api, Call, Command};
use veeam_runtime::{ClientBuilder, Session, WaitOptions};

use crate::exit::{self, Failure};
use crate::output::{self, Format};
use crate::{config, tree};

pub async fn dispatch(apis: &[&'static Api], m: &ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = m.subcommand() else {
        return Err(Failure::usage("no command: see veeam --help"));
    };
    match name {
        "login" => crate::login::run(apis, sub, m).await,
        "completions" => {
            let shell = sub.get_one::<String>("shell").map(String::as_str);
            let shell = match shell {
                Some("bash") => clap_complete::Shell::Bash,
                Some("zsh") => clap_complete::Shell::Zsh,
                Some("fish") => clap_complete::Shell::Fish,
                Some("elvish") => clap_complete::Shell::Elvish,
                _ => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(
                shell,
                &mut tree::command(apis),
                "veeam",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        "docs" => {
            let wanted = sub.get_one::<String>("api").map(String::as_str);
            let api = apis
                .iter()
                .find(|a| Some(a.name) == wanted)
                .ok_or_else(|| Failure::usage("no such API"))?;
            let mut out = std::io::stdout().lock();
            out.write_all(tree::markdown(api).as_bytes())?;
            Ok(out.flush()?)
        }
        api_name => {
            let api = *apis
                .iter()
                .find(|a| a.name == api_name)
                .ok_or_else(|| Failure::usage(format!("no API {api_name}")))?;
            let (group, g) = sub
                .subcommand()
                .ok_or_else(|| Failure::usage("no group given"))?;
            let (name, c) = g
                .subcommand()
                .ok_or_else(|| Failure::usage("no command given"))?;
            let command = api
                .commands
                .iter()
                .find(|x| x.group == group && x.name == name)
                .ok_or_else(|| Failure::usage(format!("no command {group} {name}")))?;
            operation(api, command, m, c).await
        }
    }
}

/// The parameters and body of a command as given, checked (nothing is sent yet).
fn call(command: &'static Command, c: &ArgMatches) -> Result<Call, Failure> {
    let mut values = Vec::new();
    for p in command.params {
        if let Some(given) = c.get_many::<String>(&tree::param_id(p)) {
            values.push((p, given.cloned().collect()));
        }
    }
    let body = match command.body {
        Some(_) => body(c)?,
        None => None,
    };
    Ok(Call { values, body })
}

/// `--body` (JSON, `@file` or `-` for stdin) with each `--set field=value` applied.
fn body(c: &ArgMatches) -> Result<Option<Value>, Failure> {
    let mut body = match c.get_one::<String>("body").map(String::as_str) {
        None => None,
        Some(given) => {
            let (text, from) = if given == "-" {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                (text, "stdin".to_string())
            } else if let Some(file) = given.strip_prefix('@') {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| Failure::usage(format!("--body @{file}: {e}")))?;
                (text, file.to_string())
            } else {
                (given.to_string(), "--body".to_string())
            };
            Some(serde_json::from_str::<Value>(&text).map_err(|e| {
                Failure::usage(format!("{from} is not valid JSON: {e}; nothing was sent"))
            })?)
        }
    };
    for assignment in c.get_many::<String>("set").into_iter().flatten() {
        let (field, value) = assignment
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--set {assignment:?}: expected FIELD=VALUE")))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        let mut at = body.get_or_insert_with(|| Value::Object(Map::new()));
        let parts: Vec<&str> = field.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Value::Object(map) = at else {
                return Err(Failure::usage(format!(
                    "--set {field}: {} is not an object in the body",
                    parts[..i].join(".")
                )));
            };
            if i + 1 == parts.len() {
                map.insert(part.to_string(), value.clone());
                break;
            }
            at = map
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    Ok(body)
}

/// The profile a command of `api` uses: the one `--profile` names (which must speak `api`);
/// else, without `--url`, the default profile if it speaks `api`, or else the one profile
/// that does. With `--url` and no `--profile`, none: the flags say it all.
fn profile_for(api: &Api, m: &ArgMatches) -> Result<Option<config::Profile>, Failure> {
    let config = config::read()?;
    let wrong_api = |name: &str, p: &config::Profile| {
        Failure::config(format!(
            "profile {name} is a server of {}: use `veeam {} ...`, or another profile",
            p.api, p.api
        ))
    };
    if let Some(name) = m.get_one::<String>("profile") {
        let p = config.profiles.get(name).cloned().ok_or_else(|| {
            let path = config::path()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            Failure::config(format!("no profile {name} in {path} (see veeam login)"))
        })?;
        if p.api != api.name {
            return Err(wrong_api(name, &p));
        }
        return Ok(Some(p));
    }
    if m.get_one::<String>("url").is_some() {
        return Ok(None);
    }
    if let Some(p) = config.default.as_ref().and_then(|d| config.profiles.get(d)) {
        if p.api == api.name {
            return Ok(Some(p.clone()));
        }
    }
    let speaking: Vec<(&String, &config::Profile)> = config
        .profiles
        .iter()
        .filter(|(_, p)| p.api == api.name)
        .collect();
    match speaking[..] {
        [] => match config
            .default
            .as_ref()
            .and_then(|d| Some((d, config.profiles.get(d)?)))
        {
            Some((name, p)) => Err(wrong_api(name, p)),
            None => Ok(None),
        },
        [(_, p)] => Ok(Some(p.clone())),
        _ => {
            let names: Vec<&str> = speaking.iter().map(|(n, _)| n.as_str()).collect();
            Err(Failure::config(format!(
                "profiles {} all speak {}: name one with --profile",
                names.join(", "),
                api.name
            )))
        }
    }
}

/// The session for `api`: the server, user and pin of its profile ([`profile_for`]), each
/// overridden by its flag.
fn session(api: &'static Api, m: &ArgMatches) -> Result<Session, Failure> {
    let profile = profile_for(api, m)?;
    if let (Some(p), Some(url)) = (&profile, m.get_one::<String>("url")) {
        // The profile's user, password and pin belong to its server: never to another.
        if url.trim_end_matches('/') != p.url.trim_end_matches('/') {
            return Err(Failure::config(format!(
                "--url {url} is not the profile's server ({}): leave one of them out",
                p.url
            )));
        }
    }
    let url = m
        .get_one::<String>("url")
        .cloned()
        .or_else(|| profile.as_ref().map(|p| p.url.clone()))
        .ok_or_else(|| Failure::config("no server: give --url, or a profile (see veeam login)"))?;
    let user = m
        .get_one::<String>("user")
        .cloned()
        .or_else(|| profile.as_ref().map(|p| p.user.clone()));
    let pin = m
        .get_one::<String>("pin")
        .cloned()
        .or_else(|| profile.as_ref().and_then(|p| p.pin.clone()));
    let mut builder = ClientBuilder::<()>::new(url);
    if let Some(pin) = pin {
        builder = builder.pin_certificate_sha256(&pin)?;
    }
    if api.profile.token_path.is_some() {
        let user = user.ok_or_else(|| Failure::config("no user: give --user, or a profile"))?;
        let password = config::password(&user, profile.as_ref())?;
        builder = builder.password(user, password);
    } else if let Ok(token) = std::env::var("VEEAM_TOKEN") {
        builder = builder.bearer_token(token);
    }
    Ok(builder.build_session(api.profile)?)
}

async fn operation(
    api: &'static Api,
    command: &'static Command,
    m: &ArgMatches,
    c: &ArgMatches,
) -> Result<(), Failure> {
    let call = call(command, c)?;
    let fields: Vec<String> = m
        .get_many::<String>("fields")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let given = m.get_one::<String>("output").map(String::as_str);
    let all = flag(c, "all");
    if all && given.is_some_and(|f| f != "ndjson") {
        return Err(Failure::usage(
            "--all streams NDJSON: leave --output out, or give --output ndjson",
        ));
    }
    let output_file = c
        .try_get_one::<String>("output-file")
        .ok()
        .flatten()
        .cloned();
    if let Some(path) = &output_file {
        if std::path::Path::new(path).exists() && !flag(c, "force") {
            return Err(Failure::usage(format!(
                "{path} exists: give --force to replace it (nothing was sent)"
            )));
        }
    }
    // Every check passed: now the server.
    let session = session(api, m)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if all {
        let mut items = Box::pin(commands::walk(&session, api, command, call)?);
        while let Some(item) = items.next().await {
            output::line(&mut out, &output::select(item?, &fields))?;
        }
        return Ok(());
    }
    let response = commands::send(&session, api, command, &call).await?;
    if let Some(path) = output_file {
        return download(command, response, &path, flag(c, "force")).await;
    }
    let body = veeam_runtime::ops::read_body(command.operation, response).await?;
    if body.is_empty() {
        return Ok(());
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
        // Not JSON (text, a file the spec did not call one): the bytes as they came.
        out.write_all(&body)?;
        out.flush()?;
        return Ok(());
    };
    let mut failed = None;
    if let (Some(wait), true) = (command.wait, flag(c, "wait")) {
        let (last, failure) = follow(&session, api, wait, value, c).await?;
        (value, failed) = (last, failure);
    } else if command.paging.is_some() {
        eprintln!("note: one page of the list; --all walks every page");
    }
    let format = Format::chosen(given, std::io::stdout().is_terminal());
    let items = command.paging.and(api.profile.paging).map(|p| p.items);
    let printed = output::print(&mut out, value, format, &fields, items).and_then(|()| {
        out.flush()?;
        Ok(())
    });
    // The final state is printed either way; a failure of the work is the exit code even
    // when the reader has gone.
    match (failed, printed) {
        (Some(failure), _) => Err(failure),
        (None, printed) => printed,
    }
}

/// `--wait`: follows the work `started` names until it ends; its last state, and the
/// failure to exit with when it failed. What started is said on stderr first, so that its
/// id is not lost if the wait is (a poll refused, the deadline, Ctrl-C).
async fn follow(
    session: &Session,
    api: &'static Api,
    wait: commands::Wait,
    started: Value,
    c: &ArgMatches,
) -> Result<(Value, Option<Failure>), Failure> {
    let Some(id) = started
        .pointer(wait.id)
        .filter(|v| v.is_string() || v.is_number())
    else {
        println!("{started}");
        return Err(Failure::new(
            exit::OTHER,
            format!(
                "the answer (above) names no {} at {} to wait on",
                wait.what, wait.id
            ),
        ));
    };
    eprintln!(
        "{} {} started; waiting (Ctrl-C stops the waiting, not the work)",
        wait.what,
        id.as_str().map_or_else(|| id.to_string(), str::to_string)
    );
    let mut options = WaitOptions::default();
    if let Some(s) = c.get_one::<u64>("wait-timeout") {
        options = options.with_deadline(Duration::from_secs(*s));
    }
    let progress = indicatif::ProgressBar::new_spinner();
    progress.enable_steady_tick(Duration::from_millis(200));
    let clock = std::time::Instant::now();
    let last = commands::wait(session, api, &wait, &started, &options, |state| {
        progress.set_message(format!(
            "{}: {state} ({}s)",
            wait.what,
            clock.elapsed().as_secs()
        ));
    })
    .await;
    progress.finish_and_clear();
    let last = last?;
    let state = last
        .pointer(wait.state)
        .and_then(Value::as_str)
        .unwrap_or("?");
    eprintln!("{} finished: {state}", wait.what);
    let failure = wait.failure(&last).map(|outcome| {
        Failure::new(
            exit::WORK_FAILED,
            format!("the {} finished, and failed: {outcome}", wait.what),
        )
    });
    Ok((last, failure))
}

/// A flag of the command, `false` where the command does not have it (`--all` of a command
/// that does not page).
fn flag(c: &ArgMatches, id: &str) -> bool {
    c.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// Saves a download with a progress bar: to a temporary file beside `path`, given the name
/// once complete (an interrupted download leaves no partial file under the name); an
/// existing file is replaced only with `force`.
async fn download(
    command: &'static Command,
    response: reqwest::Response,
    path: &str,
    force: bool,
) -> Result<(), Failure> {
    let length = response.content_length();
    let bar = match length {
        Some(n) => indicatif::ProgressBar::new(n).with_style(
            indicatif::ProgressStyle::with_template(
                "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let counted = bar.clone();
    let body = veeam_runtime::ops::stream_body(response);
    let stream = body.into_inner().inspect(move |chunk| {
        if let Ok(bytes) = chunk {
            counted.inc(bytes.len() as u64);
        }
    });
    let body = veeam_runtime::ByteStream::new(Box::pin(stream));
    // Without --force, a file that appears at the path meanwhile is not replaced either.
    let saved = if force {
        veeam_runtime::download::save_to(body, path).await
    } else {
        veeam_runtime::download::save_new(body, path).await
    };
    let written = saved.map_err(|e| e.in_operation(command.operation.id))?;
    bar.finish_and_clear();
    eprintln!("saved {written} bytes to {path}");
    Ok(())
}
