//! The command line's names for an API's operations: `<group> <command>`, the group being the
//! operation's resource group (its feature) and the command read off its operation id the way
//! an admin would say it (`RestorePoint_GetRestorePoints`, paged: `restore-point list`).
//!
//! Groundwork for the CLI (issue 27): the names only, decided here once so the command tree,
//! its docs and its tests agree.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToSnakeCase};
use serde_json::Value;

use crate::facts::OperationFacts;

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
    for verb in VERBS {
        let Some(rest) = full.strip_prefix(verb) else {
            continue;
        };
        let rest = rest.trim_start_matches('-');
        let only_the_noun = rest.is_empty()
            || rest == "by-id"
            || rest == group
            || rest == format!("{group}-by-id")
            || rest == format!("{group}s")
            || rest == format!("{group}es");
        if only_the_noun {
            return verb.to_string();
        }
    }
    full.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verb_and_the_groups_noun_is_the_verb_and_a_paged_get_is_list() {
        assert_eq!(
            short_name("get-restore-points", "restore-point", "get", true),
            "list"
        );
        assert_eq!(
            short_name("get-restore-point", "restore-point", "get", false),
            "get"
        );
        assert_eq!(short_name("get-by-id", "organization", "get", false), "get");
        assert_eq!(
            short_name("remove", "organization", "delete", false),
            "remove"
        );
        assert_eq!(
            short_name("explore", "organization", "post", false),
            "explore"
        );
        assert_eq!(
            short_name("get-storage-space-usage", "organization", "get", false),
            "get-storage-space-usage"
        );
    }
}
