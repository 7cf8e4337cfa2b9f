//! The report in each output format: the one list of formats, for every command line that
//! offers them.

use super::markdown::{render_markdown, summary_row};
use super::model::Diff;
use super::text::render_text;

/// Output formats of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Text,
    /// One Markdown table row: the operations added, removed, renamed and moved, and the
    /// changes per class (the README's migration table is made of these).
    Summary,
}

impl Format {
    /// Every format, the default (Markdown) first.
    pub const ALL: [Format; 4] = [
        Format::Markdown,
        Format::Json,
        Format::Text,
        Format::Summary,
    ];

    /// The format's name on a command line: `markdown`, `json`, `text`, `summary`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Text => "text",
            Format::Summary => "summary",
        }
    }

    /// One line saying what the format is, where its name does not say it.
    pub fn about(self) -> Option<&'static str> {
        match self {
            Format::Summary => Some("One Markdown table row of counts (operations added, removed, renamed, moved; changes per class)"),
            Format::Markdown | Format::Json | Format::Text => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("no diff format {s:?}: one of {}", names.join(", "))
            })
    }
}

/// Renders the report. `old` and `new` name the two sides in the title.
pub fn render(diff: &Diff, old: &str, new: &str, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(diff).unwrap_or_default() + "\n",
        Format::Markdown => render_markdown(diff, old, new, None),
        Format::Text => render_text(diff, old, new),
        Format::Summary => summary_row(diff, old, new),
    }
}
