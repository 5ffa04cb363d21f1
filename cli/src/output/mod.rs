//! What the client prints. Every event becomes one [`Report`]: with `--json` it is written as
//! one JSON object on one stdout line (JSON escapes every control character); otherwise as
//! readable lines with the local time, every text from the server escaped.

mod escape;
mod human;
mod report;

use std::io::Write;

use anyhow::Context;

pub use escape::escape;
pub use report::{AttachmentEntry, Direction, PresenceKind, Report, RoomEntry};

/// Where reports go.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints one report and flushes, so a script sees it at once. The online count, which
    /// a large server pushes every few seconds, is for scripts only: in the terminal it would
    /// be a line every few seconds (`/users` says it).
    pub fn print(&self, report: &Report) -> anyhow::Result<()> {
        if !self.json && matches!(report, Report::Online { .. }) {
            return Ok(());
        }
        let text = if self.json {
            serde_json::to_string(report).context("cannot encode an event as JSON")?
        } else {
            human::render(report)
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}").and_then(|()| stdout.flush()).context("cannot write to stdout")
    }
}
