//! The command tree, built from the APIs' tables: `veeam <api> <group> <command>`.

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, Command};
use veeam_runtime::commands::{self, Api, Kind, Param};

/// The command line's own flags on every command; a parameter whose name is one of these, or
/// one of its command's own flags ([`own_flags`]), gets `--param-<name>` instead.
pub const GLOBAL: &[&str] = &[
    "profile", "url", "user", "pin", "output", "fields", "verbose", "help", "version",
];

/// The flags a command has beside its parameters: `--body` and `--set` with a body, `--all`
/// when it pages, `--wait` when it starts work, `--output-file` and `--force` for a download.
pub fn own_flags(c: &commands::Command) -> Vec<&'static str> {
    let mut own = Vec::new();
    if c.body.is_some() {
        own.extend(["body", "set"]);
    }
    if c.paging.is_some() {
        own.push("all");
    }
    if c.wait.is_some() {
        own.extend(["wait", "wait-timeout"]);
    }
    if c.operation.download {
        own.extend(["output-file", "force"]);
    }
    own
}

/// The argument id of a parameter (never shared with the command line's own flags).
pub fn param_id(p: &Param) -> String {
    format!("param:{}:{:?}", p.name, p.location)
}

/// The flag of a parameter of `c`.
pub fn param_flag(p: &Param, c: &commands::Command) -> String {
    if GLOBAL.contains(&p.flag) || own_flags(c).contains(&p.flag) {
        format!("param-{}", p.flag)
    } else {
        p.flag.to_string()
    }
}

/// The whole command line.
pub fn command(apis: &[&'static Api]) -> Command {
    let mut root = Command::new("veeam")
        .about("Every operation of the Veeam Backup REST APIs, typed, paged and waited on")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help("Servers and users come from a profile (`veeam login`), or from --url and --user (VEEAM_URL, VEEAM_USER). The password comes from VEEAM_PASSWORD, the OS keyring (`login --keyring`) or a prompt, never from a flag or the configuration file; an API without a password login takes VEEAM_TOKEN.\nExit codes: 0 success, 2 usage, 3 configuration or credentials, 4 refused (HTTP 4xx), 5 server failure (5xx), 6 unreachable or timed out, 7 the work --wait followed failed, 130 interrupted, 1 anything else.")
        .arg(
            Arg::new("profile")
                .long("profile")
                .global(true)
                .env("VEEAM_PROFILE")
                .help("The saved server profile to use (see `veeam login`)"),
        )
        .arg(
            Arg::new("url")
                .long("url")
                .global(true)
                .env("VEEAM_URL")
                .help("The server, e.g. https://vbo.example.com:4443 (instead of a profile's)"),
        )
        .arg(
            Arg::new("user")
                .long("user")
                .global(true)
                .env("VEEAM_USER")
                .help("The user to log in as (instead of a profile's)"),
        )
        .arg(
            Arg::new("pin")
                .long("pin")
                .global(true)
                .help("Trust exactly the certificate with this SHA-256 fingerprint (instead of a profile's)"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_parser(["json", "ndjson", "table", "yaml"])
                .help("How to print answers [default: table on a terminal, json otherwise]"),
        )
        .arg(
            Arg::new("fields")
                .long("fields")
                .global(true)
                .value_delimiter(',')
                .help("Only these fields of each item (dotted for nested: id,organization.name)"),
        )
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Show the runtime's tracing (requests, retries, logins, pages) on stderr"),
        )
        .subcommand(crate::login::command(apis))
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(["bash", "zsh", "fish", "powershell", "elvish"]),
                ),
        )
        .subcommand(
            Command::new("docs")
                .about("Print the Markdown reference of an API's commands")
                .hide(true)
                .arg(
                    Arg::new("api")
                        .required(true)
                        .value_parser(apis.iter().map(|a| a.name).collect::<Vec<_>>()),
                ),
        );
    for api in apis {
        root = root.subcommand(api_command(api));
    }
    root
}

fn api_command(api: &'static Api) -> Command {
    let mut command = Command::new(api.name)
        .about(format!("{} {}", api.title, api.version))
        .subcommand_required(true)
        .arg_required_else_help(true);
    let mut groups: Vec<&str> = api.commands.iter().map(|c| c.group).collect();
    groups.dedup();
    for group in groups {
        let mut sub = Command::new(group)
            .subcommand_required(true)
            .arg_required_else_help(true);
        for c in api.commands.iter().filter(|c| c.group == group) {
            sub = sub.subcommand(operation_command(c));
        }
        command = command.subcommand(sub);
    }
    command
}

fn operation_command(c: &'static commands::Command) -> Command {
    let mut command = Command::new(c.name).about(c.summary).long_about(format!(
        "{}\n\n{} {}",
        c.description, c.method, c.operation.path
    ));
    for p in c.params {
        let mut help = p.help.to_string();
        if !matches!(p.kind, Kind::String | Kind::Enum(_)) {
            help.push_str(&format!(" ({})", p.kind.describe()));
        }
        let mut arg = Arg::new(param_id(p))
            .long(param_flag(p, c))
            .help(help)
            .required(p.required)
            .value_name(p.name)
            .action(if p.list {
                ArgAction::Append
            } else {
                ArgAction::Set
            });
        arg = match p.kind {
            Kind::Enum(values) => {
                arg.value_parser(PossibleValuesParser::new(values.iter().copied()))
            }
            kind => arg.value_parser(ValueParser::new(move |s: &str| {
                kind.check(s).map(|()| s.to_string())
            })),
        };
        command = command.arg(arg);
    }
    if let Some(body) = c.body {
        let mut arg = Arg::new("body")
            .long("body")
            .value_name("JSON|@FILE|-")
            .help(format!(
                "The request body ({}): JSON text, @file.json, or - for stdin",
                body.schema
            ));
        if body.required {
            arg = arg.required_unless_present("set");
        }
        command = command
            .arg(arg)
            .arg(
                Arg::new("set")
                    .long("set")
                    .action(ArgAction::Append)
                    .value_name("FIELD=VALUE")
                    .help("Set one field of the body (dotted for nested; the value is JSON, or else a string)"),
            );
    }
    if c.paging.is_some() {
        command = command.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Every item of every page, streamed as NDJSON (one page in memory)"),
        );
    }
    if c.wait.is_some() {
        command = command
            .arg(
                Arg::new("wait")
                    .long("wait")
                    .action(ArgAction::SetTrue)
                    .help(
                        "Wait until the work this starts has finished, and print its final state",
                    ),
            )
            .arg(
                Arg::new("wait-timeout")
                    .long("wait-timeout")
                    .value_name("SECONDS")
                    .value_parser(clap::value_parser!(u64))
                    .help("Give up waiting after this long [default: 6 hours]"),
            );
    }
    if c.operation.download {
        command = command
            .arg(
                Arg::new("output-file")
                    .long("output-file")
                    .required(true)
                    .value_name("PATH")
                    .help(
                        "Where to save the file (written beside it first, renamed once complete)",
                    ),
            )
            .arg(
                Arg::new("force")
                    .long("force")
                    .action(ArgAction::SetTrue)
                    .help("Replace the file at --output-file if there is one"),
            );
    }
    command
}

/// The Markdown reference of an API's commands (`veeam docs <api>`).
pub fn markdown(api: &Api) -> String {
    let mut out = format!(
        "<!-- Generated from the command tree (`veeam docs {name}`); do not edit. -->\n# `veeam {name}`: {title} {version}\n\n{n} commands. Every command takes the global flags of `veeam --help` (profile, output, fields).\n",
        name = api.name,
        title = api.title,
        version = api.version,
        n = api.commands.len()
    );
    let mut group = "";
    for c in api.commands {
        if c.group != group {
            group = c.group;
            out.push_str(&format!("\n## {group}\n"));
        }
        out.push_str(&format!(
            "\n### `veeam {} {} {}`\n\n{}\n\n`{} {}`\n",
            api.name, c.group, c.name, c.summary, c.method, c.operation.path
        ));
        let mut flags: Vec<String> = c
            .params
            .iter()
            .map(|p| {
                format!(
                    "- `--{}`{}: {} ({})",
                    param_flag(p, c),
                    if p.required { " (required)" } else { "" },
                    p.help.lines().next().unwrap_or(""),
                    p.kind.describe()
                )
            })
            .collect();
        if let Some(b) = c.body {
            flags.push(format!(
                "- `--body`{}: the request body, {} (JSON, `@file.json`, or `-` for stdin)",
                if b.required {
                    " (required, or `--set`)"
                } else {
                    ""
                },
                b.schema
            ));
            flags.push("- `--set FIELD=VALUE`: one field of the body (dotted for nested)".into());
        }
        if c.paging.is_some() {
            flags.push("- `--all`: every item, as NDJSON".into());
        }
        if let Some(w) = c.wait {
            flags.push(format!(
                "- `--wait`: until the {} has finished (`--wait-timeout SECONDS`)",
                w.what
            ));
        }
        if c.operation.download {
            flags.push("- `--output-file` (required): where to save the file; `--force` replaces one there".into());
        }
        if !flags.is_empty() {
            out.push('\n');
            out.push_str(&flags.join("\n"));
            out.push('\n');
        }
    }
    out
}
