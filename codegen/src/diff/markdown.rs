//! The Markdown report: the summary first (never cut), then the detail worst first, each
//! block collapsible, cut to a [`Budget`] when one is given; and the one-row summary.

use std::collections::BTreeMap;

use heck::ToSnakeCase;

use super::budget::{allot, Block, Budget, Shown};
use super::model::{Change, Class, Diff, OperationDiff, SchemaDiff};

fn change_line(c: &Change) -> String {
    format!(
        "- **{}**{}: {}\n",
        c.class.label(),
        if c.at.is_empty() {
            String::new()
        } else {
            format!(" `{}`", c.at)
        },
        c.reason
    )
}

/// (breaking code, breaking wire, safe) among `changes`.
fn tally<'a>(changes: impl Iterator<Item = &'a Change>) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for c in changes {
        match c.class {
            Class::BreakingCode => t.0 += 1,
            Class::BreakingWire => t.1 += 1,
            Class::Safe => t.2 += 1,
        }
    }
    t
}

/// Names, at most `max` of them, then how many more.
fn some_names(names: &[String], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(max);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// [`Diff::reach`]: the operations reaching each changed schema.
type Reach<'a> = BTreeMap<&'a str, Vec<&'a OperationDiff>>;

fn reach_of<'r, 'a>(reach: &'r Reach<'a>, name: &str) -> &'r [&'a OperationDiff] {
    reach.get(name).map_or(&[], Vec::as_slice)
}

/// One resource group's changes: the operations' own, by operation.
struct GroupReport<'a> {
    name: &'a str,
    operations: Vec<&'a OperationDiff>,
    tally: (usize, usize, usize),
}

fn groups(diff: &Diff) -> Vec<GroupReport<'_>> {
    let mut by: BTreeMap<&str, Vec<&OperationDiff>> = BTreeMap::new();
    for op in &diff.operations {
        by.entry(op.group.as_str()).or_default().push(op);
    }
    let mut out: Vec<GroupReport> = by
        .into_iter()
        .map(|(name, operations)| {
            let tally = tally(
                operations
                    .iter()
                    .flat_map(|o| o.changes.iter().filter(|c| c.via.is_none())),
            );
            GroupReport {
                name,
                operations,
                tally,
            }
        })
        .collect();
    // Worst first: most changes breaking code, then breaking the wire, then most changes.
    out.sort_by(|a, b| {
        (b.tally.0, b.tally.1, b.tally.2, a.name).cmp(&(a.tally.0, a.tally.1, a.tally.2, b.name))
    });
    out
}

/// The first screen: counts, the bump, the groups worst first, the crate effect in numbers.
fn markdown_summary(
    diff: &Diff,
    old: &str,
    new: &str,
    groups: &[GroupReport],
    reach: &Reach,
) -> String {
    let mut s = format!("# API diff: `{old}` → `{new}`\n\n");
    if diff.is_empty() {
        s.push_str("No change.\n");
        return s;
    }
    let ops: Vec<String> = diff
        .operation_counts()
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    s.push_str(&format!("Operations: {}.\n\n", ops.join(", ")));
    s.push_str(&format!("**Semver bump: {}.**\n\n", diff.semver().label()));
    s.push_str("| class | changes |\n| --- | ---: |\n");
    for (class, n) in diff.counts() {
        s.push_str(&format!("| {} | {n} |\n", class.label()));
    }
    s.push_str("\nEach change is counted once: a change inside a shared schema once, however many operations reach it.\n");
    let e = &diff.crate_effect;
    s.push_str(&format!(
        "\nEffect on the generated crate: methods {} added, {} removed, {} changed; types {} added, {} removed, {} changed.\n",
        e.methods_added.len(),
        e.methods_removed.len(),
        e.methods_changed.len(),
        e.types_added.len(),
        e.types_removed.len(),
        e.types_changed.len()
    ));
    let breaking: Vec<&GroupReport> = groups
        .iter()
        .filter(|g| g.tally.0 + g.tally.1 > 0)
        .collect();
    if !breaking.is_empty() {
        s.push_str("\n## Breaking changes by resource group\n\n| resource group | breaking (client code) | breaking (wire) | safe | operations |\n| --- | ---: | ---: | ---: | ---: |\n");
        const ROWS: usize = 15;
        for g in breaking.iter().take(ROWS) {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                g.name,
                g.tally.0,
                g.tally.1,
                g.tally.2,
                g.operations.len()
            ));
        }
        if breaking.len() > ROWS {
            s.push_str(&format!(
                "| … {} more groups | | | | |\n",
                breaking.len() - ROWS
            ));
        }
    }
    let mut shared: Vec<(&SchemaDiff, usize, (usize, usize, usize))> = diff
        .schemas
        .iter()
        .map(|sd| {
            (
                sd,
                reach_of(reach, &sd.name).len(),
                tally(sd.changes.iter()),
            )
        })
        .filter(|(_, reach, t)| *reach > 1 && t.0 + t.1 > 0)
        .collect();
    shared.sort_by(|a, b| (b.1, b.2 .0, a.0.name.as_str()).cmp(&(a.1, a.2 .0, b.0.name.as_str())));
    if !shared.is_empty() {
        s.push_str("\nBreaking changes in shared schemas, by the operations they reach: ");
        let items: Vec<String> = shared
            .iter()
            .take(8)
            .map(|(sd, reach, _)| format!("`{}` ({reach})", sd.name))
            .collect();
        s.push_str(&items.join(", "));
        if shared.len() > 8 {
            s.push_str(&format!(" and {} more", shared.len() - 8));
        }
        s.push_str(".\n");
    }
    s
}

fn markdown_group(g: &GroupReport) -> String {
    let (code, wire, safe) = g.tally;
    let mut s = format!(
        "\n<details><summary><b>{}</b>: {} operations; {code} breaking (client code), {wire} breaking (wire), {safe} safe</summary>\n",
        g.name,
        g.operations.len()
    );
    for op in &g.operations {
        s.push_str(&format!(
            "\n#### `{} {}` (`{}`)\n\n",
            op.method, op.path, op.operation_id
        ));
        for c in op.changes.iter().filter(|c| c.via.is_none()) {
            s.push_str(&change_line(c));
        }
        let mut via: Vec<String> = op.changes.iter().filter_map(|c| c.via.clone()).collect();
        via.sort();
        via.dedup();
        if !via.is_empty() {
            s.push_str(&format!(
                "- changed shared schemas it reaches: {}\n",
                some_names(&via, 10)
            ));
        }
    }
    s.push_str("\n</details>\n");
    s
}

fn markdown_schema(reach: &Reach, sd: &SchemaDiff) -> String {
    let (code, wire, safe) = tally(sd.changes.iter());
    let reach: Vec<String> = reach_of(reach, &sd.name)
        .iter()
        .map(|o| o.operation_id.to_snake_case())
        .collect();
    let mut s = format!(
        "\n<details><summary><code>{}</code>: {code} breaking (client code), {wire} breaking (wire), {safe} safe; reaches {} operations</summary>\n\n",
        sd.name,
        reach.len()
    );
    if !reach.is_empty() {
        s.push_str(&format!("Reached by: {}.\n\n", some_names(&reach, 20)));
    }
    for c in &sd.changes {
        s.push_str(&change_line(c));
    }
    s.push_str("\n</details>\n");
    s
}

fn markdown_effect(diff: &Diff) -> String {
    let mut s = String::from("\n## Effect on the generated crate\n\n");
    let e = &diff.crate_effect;
    for (what, list) in [
        ("Client methods added", &e.methods_added),
        ("Client methods removed", &e.methods_removed),
        ("Client methods changed", &e.methods_changed),
        ("types added", &e.types_added),
        ("types removed", &e.types_removed),
        ("types changed", &e.types_changed),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|n| format!("`{n}`")).collect();
            s.push_str(&format!(
                "- {what} ({}): {}\n",
                list.len(),
                names.join(", ")
            ));
        }
    }
    s
}

/// The Markdown report: the summary (never cut), then the details, worst first: each
/// resource group's operations, each changed schema once with the operations it reaches,
/// and the crate effect by name, each in a collapsible block. With a `budget`, blocks that
/// do not fit are left out and the report says how many and where the full one is.
pub fn render_markdown(diff: &Diff, old: &str, new: &str, budget: Option<&Budget>) -> String {
    let groups = groups(diff);
    let reach = diff.reach();
    let mut s = markdown_summary(diff, old, new, &groups, &reach);
    if diff.is_empty() {
        return s;
    }
    let mut schemas: Vec<&SchemaDiff> = diff.schemas.iter().collect();
    schemas.sort_by_cached_key(|sd| {
        let t = tally(sd.changes.iter());
        (
            std::cmp::Reverse(t.0),
            std::cmp::Reverse(t.1),
            std::cmp::Reverse(reach_of(&reach, &sd.name).len()),
            sd.name.to_lowercase(),
        )
    });
    let mut sections = vec![Section {
        heading: "\n## Operations by resource group\n",
        blocks_are: "resource groups",
        blocks: groups.iter().map(group_block).collect(),
    }];
    if !schemas.is_empty() {
        sections.push(Section {
            heading: "\n## Schemas\n",
            blocks_are: "schemas",
            blocks: schemas.iter().map(|sd| schema_block(&reach, sd)).collect(),
        });
    }
    sections.push(Section {
        heading: "",
        blocks_are: "",
        blocks: vec![Block {
            full: markdown_effect(diff),
            line: "\nThe crate effect by name is in the full report.\n".to_string(),
        }],
    });
    let headings: usize = sections.iter().map(|sc| sc.heading.len() + 1).sum();
    let room = budget.map_or(usize::MAX, |b| b.room(s.len() + headings));
    let blocks: Vec<&Block> = sections.iter().flat_map(|sc| &sc.blocks).collect();
    let mut shown = allot(&blocks, room).into_iter();
    let mut left_out = Vec::new();
    for section in &sections {
        let mine: Vec<(&Block, Shown)> = section.blocks.iter().zip(shown.by_ref()).collect();
        let count = |how: Shown| mine.iter().filter(|(_, s)| *s == how).count();
        let (whole, brief, hidden) = (count(Shown::Whole), count(Shown::Line), count(Shown::Not));
        if whole + brief > 0 {
            s.push_str(section.heading);
            let mut after_block = true;
            for (block, how) in &mine {
                match how {
                    Shown::Whole => {
                        s.push_str(&block.full);
                        after_block = true;
                    }
                    Shown::Line => {
                        if after_block {
                            s.push('\n');
                        }
                        s.push_str(&block.line);
                        after_block = false;
                    }
                    Shown::Not => {}
                }
            }
        }
        if brief + hidden > 0 {
            left_out.push(match section.blocks_are {
                "" => "the crate effect by name is not shown".to_string(),
                what => format!(
                    "{what}: {whole} of {} in full, {brief} in one line, {hidden} left out",
                    mine.len()
                ),
            });
        }
    }
    if let (Some(b), false) = (budget, left_out.is_empty()) {
        s.push_str(&format!(
            "\n---\n**This report was cut to fit {} characters**: {}. The full report: {}.\n",
            b.max_bytes,
            left_out.join("; "),
            b.full_report
        ));
    }
    s
}

/// A part of the detail: a heading and its blocks.
struct Section {
    /// Written before its first block shown.
    heading: &'static str,
    /// What its blocks are, in the note on what was cut; empty for the crate effect, one
    /// block with a sentence of its own.
    blocks_are: &'static str,
    blocks: Vec<Block>,
}

/// A resource group's block: its operations in full; in one line, what breaks.
fn group_block(g: &GroupReport) -> Block {
    let (code, wire, safe) = g.tally;
    let ids: Vec<String> = g
        .operations
        .iter()
        .map(|o| o.operation_id.to_snake_case())
        .collect();
    Block {
        full: markdown_group(g),
        line: if code + wire == 0 {
            String::new()
        } else {
            format!(
                "- **{}**: {code} breaking (client code), {wire} breaking (wire), {safe} safe in {} operations ({})\n",
                g.name,
                ids.len(),
                some_names(&ids, 2)
            )
        },
    }
}

/// A changed schema's block: its changes in full; in one line, what breaks.
fn schema_block(reach: &Reach, sd: &SchemaDiff) -> Block {
    let (code, wire, safe) = tally(sd.changes.iter());
    Block {
        full: markdown_schema(reach, sd),
        line: if code + wire == 0 {
            String::new()
        } else {
            format!(
                "- `{}`: {code} breaking (client code), {wire} breaking (wire), {safe} safe; reaches {} operations\n",
                sd.name,
                reach_of(reach, &sd.name).len()
            )
        },
    }
}

/// [`Format::Summary`](super::render::Format::Summary): one Markdown table row of counts.
pub(super) fn summary_row(diff: &Diff, old: &str, new: &str) -> String {
    let ops: Vec<String> = diff
        .operation_counts()
        .iter()
        .map(|(_, n)| n.to_string())
        .collect();
    let classes: Vec<String> = diff.counts().values().map(usize::to_string).collect();
    format!(
        "| `{old}` → `{new}` | {} | {} |\n",
        ops.join(" | "),
        classes.join(" | ")
    )
}
