//! The command line's names for an API's operations: `<group> <command>`, the group being the
//! operation's resource group (its feature) and the command read off its operation id the way
//! an admin would say it (`RestorePoint_GetRestorePoints`, paged: `restore-point list`).
//!
//! [`table`] writes them, with each operation's parameters, body, paging and waits, as the
//! crate's `commands` module: the data the command line (`veeam`) is built from
//! (`veeam_runtime::commands`).

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::quote;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::facts::OperationFacts;
use crate::openapi::{operation_parameters, resolve, schema_ref, success_json_schema};
use crate::paging::Pagings;

/// profile.yaml's `commands`: what the command line needs that the document does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandsSection {
    /// The API versions a server may serve, newest first, and the path that tells (with
    /// `{version}`): `login` asks which one a server speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<Discovery>,
    /// Work that `--wait` follows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<WaitSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    pub versions: Vec<String>,
    pub probe: String,
}

/// One kind of work: the answers that start it, how to read its state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaitSection {
    /// What it is, for people (`restore session`).
    pub what: String,
    /// The success body schemas that name such work, each with the JSON pointer of its id
    /// (`{RESTRestoreSession: /id, RESTAsyncRestoreResponse: /sessionId}`).
    pub started_by: BTreeMap<String, String>,
    /// The operation id that reads the work by its id (its one path parameter).
    pub poll: String,
    /// Where the polled body holds the state, and the states that are final and running.
    pub state: String,
    pub finished: Vec<String>,
    pub running: Vec<String>,
    /// Where the finished work says how it went (`/result`), when not in its state, and the
    /// values that mean it failed: `--wait` then exits with its own code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
}

/// One operation as a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The resource group (kebab case): the first word after the API's.
    pub group: String,
    /// The command inside the group (kebab case).
    pub name: String,
    /// The operation id as the client's method names it (snake case).
    pub operation: String,
}

/// Verbs that, followed by only the group's own noun (or `by-id`), say all there is to say.
const VERBS: &[&str] = &[
    "get", "add", "create", "update", "remove", "delete", "set", "export", "start", "stop",
];

/// Every operation of `doc` as a command, by group then name; `facts` says which are paged.
pub fn commands(doc: &Value, facts: &BTreeMap<String, OperationFacts>) -> Vec<Command> {
    // (group, operation, its names from shortest to surest)
    let mut found: Vec<(String, String, Vec<String>)> = Vec::new();
    crate::openapi::each_operation(doc, |_, method, op| {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return;
        };
        let operation = id.to_snake_case();
        let Some(f) = facts.get(&operation) else {
            return;
        };
        // `Prefix_Rest`: the prefix is usually the group; where it is not (two kinds of
        // restore point in one group), its words beyond the group's stay in the name.
        let (prefix, rest) = match id.split_once('_') {
            Some((prefix, rest)) if !rest.is_empty() => (prefix.to_kebab_case(), rest),
            _ => (f.group.clone(), id),
        };
        let own = if prefix == f.group {
            String::new()
        } else {
            let beyond = prefix.strip_prefix(&format!("{}-", f.group));
            format!("{}-", beyond.unwrap_or(&prefix))
        };
        let rest = rest.to_kebab_case();
        // VB365 ends the ids of operations that start work with `Action`; a command says so
        // without the word.
        let full = format!("{own}{}", without_action(&rest));
        let short = if own.is_empty() {
            short_name(&full, &f.group, method, f.paging.is_some())
        } else {
            full.clone()
        };
        let names = vec![
            short,
            full,
            format!("{own}{rest}"),
            format!("{own}{rest}-{}", method.to_lowercase()),
            operation.to_kebab_case(),
        ];
        found.push((f.group.clone(), operation, names));
    });
    // Each operation takes its shortest name no other operation of its group would share; a
    // shared one sends every operation holding it to its next name, until none is shared.
    // The last, the operation id, is unique.
    let mut level = vec![0usize; found.len()];
    loop {
        let mut count: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for ((group, _, names), &l) in found.iter().zip(&level) {
            *count.entry((group, &names[l])).or_default() += 1;
        }
        let shared: Vec<usize> = found
            .iter()
            .zip(&level)
            .enumerate()
            .filter(|(_, ((group, _, names), &l))| {
                count[&(group.as_str(), names[l].as_str())] > 1 && l + 1 < names.len()
            })
            .map(|(i, _)| i)
            .collect();
        if shared.is_empty() {
            break;
        }
        for i in shared {
            level[i] += 1;
        }
    }
    let mut out: Vec<Command> = found
        .into_iter()
        .zip(level)
        .map(|((group, operation, mut names), l)| Command {
            group,
            name: names.swap_remove(l),
            operation,
        })
        .collect();
    out.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    out
}

/// `stop-action` -> `stop`, `restore-item-action-to` -> `restore-item-to`.
fn without_action(name: &str) -> String {
    let words: Vec<&str> = name.split('-').filter(|w| *w != "action").collect();
    if words.is_empty() {
        name.to_string()
    } else {
        words.join("-")
    }
}

/// `get-restore-points` of a paged operation: `list`; `get-restore-point`, `get-by-id`:
/// `get`; otherwise the full name.
fn short_name(full: &str, group: &str, method: &str, paged: bool) -> String {
    if paged && method == "get" && (full == "get" || full.starts_with("get-")) {
        return "list".to_string();
    }
    // Not paged, but the group's noun in the plural: a list all the same.
    if method == "get" && (full == format!("get-{group}s") || full == format!("get-{group}es")) {
        return "list".to_string();
    }
    for verb in VERBS {
        let Some(rest) = full.strip_prefix(verb) else {
            continue;
        };
        let rest = rest.trim_start_matches('-');
        // The group's noun as the id says it: as the group, plural, or singular (a group
        // `job-sessions` gets `get-job-session-by-id`), with `by-id` after or `by-` and `-id`
        // around it (`get-by-restore-session-id`).
        let singular = group.strip_suffix('s').unwrap_or(group);
        let nouns = [
            group.to_string(),
            singular.to_string(),
            format!("{group}s"),
            format!("{group}es"),
        ];
        let only_the_noun = rest.is_empty()
            || rest == "by-id"
            || nouns.iter().any(|noun| {
                rest == noun || rest == format!("{noun}-by-id") || rest == format!("by-{noun}-id")
            });
        if only_the_noun {
            return verb.to_string();
        }
    }
    full.to_string()
}

/// What the table needs of the crate beyond the document.
pub struct TableInput<'a> {
    pub krate: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub pagings: &'a Pagings,
    pub section: Option<&'a CommandsSection>,
}

/// The crate's `commands` module (`src/commands.rs` below its header): its `API`, every
/// command of `commands` with its parameters, body, paging and wait. An error (a pointer
/// into profile.yaml, a message) when the profile's `commands` section names what the
/// document does not have.
pub fn table(
    doc: &Value,
    facts: &BTreeMap<String, OperationFacts>,
    commands: &[Command],
    input: &TableInput,
) -> Result<TokenStream, (String, String)> {
    let ops = operations(doc);
    let waits = wait_table(doc, &ops, input.section)?;
    let mut entries = Vec::new();
    for command in commands {
        let (Some(f), Some((_, op))) = (facts.get(&command.operation), ops.get(&command.operation))
        else {
            continue;
        };
        let flags = flag_names(doc, &f.path, op);
        if let Some(twice) = flags
            .iter()
            .find(|f| flags.iter().filter(|g| g == f).count() > 1)
        {
            return Err((
                format!("/paths/{}", f.path.replace('~', "~0").replace('/', "~1")),
                format!(
                    "{} has two parameters that are both --{twice} on the command line",
                    command.operation
                ),
            ));
        }
        entries.push(entry(doc, command, f, op, input.pagings, &waits));
    }
    let (krate, title, version) = (input.krate, input.title, input.version);
    let discovery = match input.section.and_then(|s| s.discovery.as_ref()) {
        Some(d) => {
            let (versions, probe) = (&d.versions, &d.probe);
            quote!(::std::option::Option::Some((&[#(#versions),*], #probe)))
        }
        None => quote!(::std::option::Option::None),
    };
    Ok(quote! {
        //! Every operation as a command of the command line (`veeam`): the data
        //! `veeam_runtime::commands` sends. Needs the crate feature `commands`.
        use ::veeam_runtime::commands::{Api, Body, Command, Kind, Location, Param, Wait};
        use ::veeam_runtime::ops::Operation;

        /// This API as the command line sees it.
        pub static API: Api = Api {
            name: #krate,
            title: #title,
            version: #version,
            profile: <super::Client as ::veeam_runtime::FromParts>::PROFILE,
            discovery: #discovery,
            commands: COMMANDS,
        };

        /// Every operation, by group then name.
        pub static COMMANDS: &[Command] = &[#(#entries),*];
    })
}

/// One command's entry.
fn entry(
    doc: &Value,
    command: &Command,
    f: &OperationFacts,
    op: &Value,
    pagings: &Pagings,
    waits: &BTreeMap<String, TokenStream>,
) -> TokenStream {
    let (group, name, id, path) = (&command.group, &command.name, &f.id, &f.path);
    let method = f.method.to_uppercase();
    let (download, anonymous) = (f.download, f.anonymous);
    let description = op
        .get("description")
        .or_else(|| op.get("summary"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let summary = first_sentence(description);
    let params = operation_parameters(doc, path, op)
        .into_iter()
        .filter_map(|p| param(doc, p));
    let body = match op.get("requestBody").map(|b| resolve(doc, b)) {
        Some(body) => {
            let required = body.get("required").and_then(Value::as_bool) == Some(true);
            let content = body.get("content").and_then(Value::as_object);
            let form = content.is_some_and(|c| {
                c.keys().any(|k| k == "application/x-www-form-urlencoded")
                    && !c.keys().any(|k| crate::openapi::is_json_media_type(k))
            });
            let schema = content
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .map(|s| schema_ref(s).map_or_else(|| "a JSON value".to_string(), str::to_string))
                .unwrap_or_default();
            quote!(::std::option::Option::Some(Body { required: #required, form: #form, schema: #schema }))
        }
        None => quote!(::std::option::Option::None),
    };
    let paging = f
        .paging
        .as_ref()
        .and_then(|plan| pagings.get(plan.key)?.command_walk(plan))
        .unwrap_or_else(|| quote!(::std::option::Option::None));
    let wait = success_json_schema(op)
        .and_then(schema_ref)
        .and_then(|s| waits.get(s))
        .map_or_else(
            || quote!(::std::option::Option::None),
            |w| quote!(::std::option::Option::Some(#w)),
        );
    quote! {
        Command {
            group: #group,
            name: #name,
            summary: #summary,
            description: #description,
            method: #method,
            operation: Operation { id: #id, path: #path, download: #download, anonymous: #anonymous },
            params: &[#(#params),*],
            body: #body,
            paging: #paging,
            wait: #wait,
        }
    }
}

/// A parameter's entry; `None` for a cookie parameter (the command line has no cookies).
fn param(doc: &Value, p: &Value) -> Option<TokenStream> {
    let name = p.get("name").and_then(Value::as_str)?;
    let location = match p.get("in").and_then(Value::as_str)? {
        "path" => quote!(Location::Path),
        "query" => quote!(Location::Query),
        "header" => quote!(Location::Header),
        _ => return None,
    };
    let flag = name.to_kebab_case();
    let required = p.get("required").and_then(Value::as_bool) == Some(true);
    let help = p
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let schema = p
        .get("schema")
        .map(|s| resolve(doc, s))
        .unwrap_or(&Value::Null);
    let (list, item) = match schema.get("type").and_then(Value::as_str) {
        Some("array") => (
            true,
            schema
                .get("items")
                .map(|i| resolve(doc, i))
                .unwrap_or(&Value::Null),
        ),
        _ => (false, schema),
    };
    let kind = kind(item);
    Some(quote! {
        Param { name: #name, flag: #flag, location: #location, kind: #kind, required: #required, list: #list, help: #help }
    })
}

/// The kind of a value of `schema`.
fn kind(schema: &Value) -> TokenStream {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        if !values.is_empty() {
            return quote!(Kind::Enum(&[#(#values),*]));
        }
    }
    let format = schema.get("format").and_then(Value::as_str);
    match (schema.get("type").and_then(Value::as_str), format) {
        (Some("integer"), _) => quote!(Kind::Integer),
        (Some("number"), _) => quote!(Kind::Number),
        (Some("boolean"), _) => quote!(Kind::Boolean),
        (Some("string"), Some("uuid")) => quote!(Kind::Uuid),
        (Some("string"), Some("date-time")) => quote!(Kind::DateTime),
        (Some("string"), Some("date")) => quote!(Kind::Date),
        _ => quote!(Kind::String),
    }
}

/// Every operation by its snake-case id: its path and itself.
fn operations(doc: &Value) -> BTreeMap<String, (String, Value)> {
    let mut ops = BTreeMap::new();
    crate::openapi::each_operation(doc, |path, _, op| {
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            ops.insert(id.to_snake_case(), (path.to_string(), op.clone()));
        }
    });
    ops
}

/// The command-line flags of an operation's parameters (cookies aside), as [`param`] names
/// them.
fn flag_names(doc: &Value, path: &str, op: &Value) -> Vec<String> {
    operation_parameters(doc, path, op)
        .into_iter()
        .filter(|p| {
            matches!(
                p.get("in").and_then(Value::as_str),
                Some("path" | "query" | "header")
            )
        })
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .map(|n| n.to_kebab_case())
        .collect()
}

/// The enum values of the schema the JSON pointer `at` reaches in the success body of `op`,
/// when it has them (properties followed, references resolved).
fn values_at<'a>(doc: &'a Value, op: &'a Value, at: &str) -> Option<Vec<&'a str>> {
    let mut schema = resolve(doc, success_json_schema(op)?);
    for part in at.split('/').skip(1) {
        schema = resolve(doc, schema.get("properties")?.get(part)?);
    }
    let values = schema.get("enum")?.as_array()?;
    Some(values.iter().filter_map(Value::as_str).collect())
}

/// The waits of the profile, by the schema that starts each: checked against the document.
fn wait_table(
    doc: &Value,
    ops: &BTreeMap<String, (String, Value)>,
    section: Option<&CommandsSection>,
) -> Result<BTreeMap<String, TokenStream>, (String, String)> {
    let mut out = BTreeMap::new();
    for (i, w) in section.map_or(&[][..], |s| &s.waits[..]).iter().enumerate() {
        let at = |key: &str| format!("/commands/waits/{i}/{key}");
        let poll = ops.get(&w.poll.to_snake_case()).ok_or_else(|| {
            (
                at("poll"),
                format!("no operation {} in the document", w.poll),
            )
        })?;
        let (poll_path, poll) = (&poll.0, &poll.1);
        let path_params = operation_parameters(doc, poll_path, poll)
            .into_iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .count();
        if path_params != 1 {
            return Err((
                at("poll"),
                format!(
                    "{} takes {path_params} path parameters; a poll takes one, the id",
                    w.poll
                ),
            ));
        }
        for (key, pointer) in [("state", &w.state)]
            .into_iter()
            .chain(w.outcome.iter().map(|p| ("outcome", p)))
            .chain(w.started_by.values().map(|p| ("started_by", p)))
        {
            if !pointer.starts_with('/') {
                return Err((
                    at(key),
                    format!("{pointer:?} is not a JSON pointer (`/id`)"),
                ));
            }
        }
        if w.finished.is_empty() {
            return Err((
                at("finished"),
                "no final state: the wait would never end".into(),
            ));
        }
        if w.outcome.is_none() {
            if let Some(f) = w.failed.iter().find(|f| !w.finished.contains(f)) {
                return Err((
                    at("failed"),
                    format!("{f} is not a final state (finished): the wait would never see it"),
                ));
            }
        }
        // The states named are the ones the poll's answer can hold, where its schema lists them.
        let outcome_at = w.outcome.as_ref().unwrap_or(&w.state);
        for (key, at_pointer, names) in [
            ("finished", &w.state, &w.finished),
            ("running", &w.state, &w.running),
            ("failed", outcome_at, &w.failed),
        ] {
            let Some(known) = values_at(doc, poll, at_pointer) else {
                continue;
            };
            if let Some(unknown) = names.iter().find(|n| !known.contains(&n.as_str())) {
                return Err((
                    at(key),
                    format!(
                        "{unknown} is not a value of {at_pointer} in {}'s answer ({})",
                        w.poll,
                        known.join(", ")
                    ),
                ));
            }
        }
        let (what, poll, state) = (&w.what, w.poll.to_snake_case(), &w.state);
        let (finished, running, failed) = (&w.finished, &w.running, &w.failed);
        let outcome = w.outcome.as_ref().unwrap_or(&w.state);
        for (schema, id) in &w.started_by {
            if doc
                .pointer(&crate::error::pointer(["components", "schemas", schema]))
                .is_none()
            {
                return Err((
                    format!("{}/{schema}", at("started_by")),
                    format!("no schema {schema} in the document"),
                ));
            }
            if out.contains_key(schema) {
                return Err((
                    format!("{}/{schema}", at("started_by")),
                    format!("{schema} starts two kinds of work: one wait per schema"),
                ));
            }
            out.insert(
                schema.clone(),
                quote!(Wait { what: #what, id: #id, poll: #poll, state: #state, finished: &[#(#finished),*], running: &[#(#running),*], outcome: #outcome, failed: &[#(#failed),*] }),
            );
        }
    }
    Ok(out)
}

/// The first sentence of a description (up to its first `. `), or its first line.
fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(end) => line[..=end].to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verb_and_the_groups_noun_is_the_verb_and_a_paged_get_is_list() {
        // (operation id after the group, group, method, paged) -> command
        let cases = [
            ("get-restore-points", "restore-point", "get", true, "list"),
            ("get-restore-point", "restore-point", "get", false, "get"),
            ("get-by-id", "organization", "get", false, "get"),
            ("get-accounts", "account", "get", false, "list"),
            (
                "get-by-restore-session-id",
                "restore-session",
                "get",
                false,
                "get",
            ),
            ("get-job-session-by-id", "job-sessions", "get", false, "get"),
            ("remove", "organization", "delete", false, "remove"),
            ("explore", "organization", "post", false, "explore"),
            (
                "get-storage-space-usage",
                "organization",
                "get",
                false,
                "get-storage-space-usage",
            ),
        ];
        for (full, group, method, paged, name) in cases {
            assert_eq!(
                short_name(full, group, method, paged),
                name,
                "{full} in {group}"
            );
        }
    }

    /// A profile's waits that name what the document does not have are errors naming the
    /// key, never a table that cannot wait.
    #[test]
    fn waits_are_checked_against_the_document() {
        let doc = serde_json::json!({
            "paths": {"/sessions/{id}": {"get": {
                "operationId": "Session_Get",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Session"}
                }}}}
            }}},
            "components": {"schemas": {
                "Session": {"type": "object", "properties": {"state": {"$ref": "#/components/schemas/State"}}},
                "State": {"type": "string", "enum": ["Done", "Busy", "Broken"]}
            }}
        });
        let ops = operations(&doc);
        let wait = |poll: &str, schema: &str, state: &str, failed: &[&str]| CommandsSection {
            discovery: None,
            waits: vec![WaitSection {
                what: "session".into(),
                started_by: BTreeMap::from([(schema.to_string(), "/id".to_string())]),
                poll: poll.into(),
                state: state.into(),
                finished: vec!["Done".into()],
                running: vec!["Busy".into()],
                outcome: None,
                failed: failed.iter().map(|f| f.to_string()).collect(),
            }],
        };
        let ok = wait("Session_Get", "Session", "/state", &[]);
        assert_eq!(wait_table(&doc, &ops, Some(&ok)).unwrap().len(), 1);
        // A state the answer's schema does not list, and one schema for two kinds of work.
        let mut typo = ok.clone();
        typo.waits[0].running = vec!["Bussy".into()];
        let (at, message) = wait_table(&doc, &ops, Some(&typo)).unwrap_err();
        assert_eq!(at, "/commands/waits/0/running");
        assert!(
            message.contains("Bussy is not a value of /state"),
            "{message}"
        );
        let mut twice = ok.clone();
        twice.waits.push(ok.waits[0].clone());
        let (at, message) = wait_table(&doc, &ops, Some(&twice)).unwrap_err();
        assert_eq!(at, "/commands/waits/1/started_by/Session");
        assert!(message.contains("two kinds of work"), "{message}");
        for (section, at, says) in [
            (
                wait("Session_Gone", "Session", "/state", &[]),
                "/commands/waits/0/poll",
                "no operation",
            ),
            (
                wait("Session_Get", "Nothing", "/state", &[]),
                "/commands/waits/0/started_by/Nothing",
                "no schema",
            ),
            (
                wait("Session_Get", "Session", "state", &[]),
                "/commands/waits/0/state",
                "JSON pointer",
            ),
            (
                wait("Session_Get", "Session", "/state", &["Busy"]),
                "/commands/waits/0/failed",
                "not a final state",
            ),
            (
                wait("Session_Get", "Session", "/state", &["Brokn"]),
                "/commands/waits/0/failed",
                "not a final state",
            ),
        ] {
            let (pointer, message) = wait_table(&doc, &ops, Some(&section)).unwrap_err();
            assert_eq!(pointer, at);
            assert!(message.contains(says), "{message}");
        }
    }
}
