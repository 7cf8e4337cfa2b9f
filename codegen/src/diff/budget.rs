//! The size budget of the Markdown report: which blocks of detail are shown in full, which
//! in one line and which are left out, so the report fits.

/// A size limit for the Markdown report (a pull-request comment holds 65,536 characters).
#[derive(Debug, Clone)]
pub struct Budget {
    /// The report's largest size in bytes (bytes are never fewer than characters).
    pub max_bytes: usize,
    /// Where the complete report is, said when detail is cut: e.g. "`cargo xtask diff ...
    /// --out FILE`".
    pub full_report: String,
}

/// The default budget: under GitHub's 65,536-character comment limit, with room to spare.
pub const DEFAULT_MAX_BYTES: usize = 60_000;

/// Room kept for the note saying what was cut (beside the place of the full report).
const NOTE: usize = 400;

impl Budget {
    /// The bytes left for blocks of detail once `spent` bytes are written, keeping room for
    /// the note on what was cut.
    pub(super) fn room(&self, spent: usize) -> usize {
        self.max_bytes
            .saturating_sub(spent + NOTE + self.full_report.len())
    }
}

/// One block of detail: in full, and in one line for when the full one does not fit (empty:
/// not worth a line when space is short, e.g. nothing in it breaks).
pub(super) struct Block {
    pub full: String,
    pub line: String,
}

/// How a block is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shown {
    Whole,
    Line,
    Not,
}

/// How each of `blocks` (in order, worst first) is shown in `room` bytes, each followed by a
/// newline. Every block is first given its one-line form (dropped from the end while they do
/// not all fit), then blocks are given in full, in order, while that fits: what is shown is
/// the worst of what there is, and as much of the rest as the budget holds in one line.
pub(super) fn allot(blocks: &[&Block], room: usize) -> Vec<Shown> {
    let cost = |text: &str| text.len() + 1;
    let mut shown: Vec<Shown> = blocks
        .iter()
        .map(|b| match b.line.is_empty() {
            true => Shown::Not,
            false => Shown::Line,
        })
        .collect();
    let mut used: usize = blocks
        .iter()
        .filter(|b| !b.line.is_empty())
        .map(|b| cost(&b.line))
        .sum();
    for at in (0..blocks.len()).rev() {
        if used <= room {
            break;
        }
        if shown[at] == Shown::Line {
            shown[at] = Shown::Not;
            used -= cost(&blocks[at].line);
        }
    }
    for (at, block) in blocks.iter().enumerate() {
        let had = match shown[at] {
            Shown::Line => cost(&block.line),
            _ => 0,
        };
        let more = cost(&block.full).saturating_sub(had);
        if used + more > room {
            break;
        }
        shown[at] = Shown::Whole;
        used += more;
    }
    shown
}
