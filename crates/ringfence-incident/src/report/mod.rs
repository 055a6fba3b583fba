//! The post-incident report, in Markdown or as one self-contained HTML file.
//!
//! Everything in it comes from the record: the incident, its timeline and the blocklist the
//! caller passes in. Rendering is deterministic (same input, byte-identical output) because
//! the report's SHA-256 is stored as evidence: the time of generation is an input, never read
//! from the clock, and nothing is iterated in an unspecified order.

mod build;
mod doc;
pub mod html;
mod inventory;
pub mod markdown;
mod nist;
mod stages;

use std::fmt;
use std::str::FromStr;

use crate::model::{Incident, ParseError, Timestamp};
use crate::timeline::EventRecord;

/// The report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    Markdown,
    Html,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 2] = [ReportFormat::Markdown, ReportFormat::Html];

    /// `markdown` or `html`: what the `report-generated` event records.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
        }
    }

    /// The media type, for serving the report.
    pub fn media_type(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "text/markdown; charset=utf-8",
            ReportFormat::Html => "text/html; charset=utf-8",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportFormat {
    type Err = ParseError;
    /// Accepts `md`, `markdown` and `html`, in any case.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(ReportFormat::Markdown),
            "html" => Ok(ReportFormat::Html),
            _ => Err(ParseError {
                what: "report format",
                value: s.to_string(),
                expected: "md, markdown, html".into(),
            }),
        }
    }
}

/// What the report needs beyond the incident and its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportContext {
    pub generated_at: Timestamp,
    pub generated_by: String,
    /// Entries currently on the blocklist, as `ecosystem:name@version` (`npm:debug@4.4.2`).
    pub blocked: Vec<String>,
}

/// Renders the report of `incident` from its `timeline` (the stored records, in `seq` order).
pub fn render(
    incident: &Incident,
    timeline: &[EventRecord],
    ctx: &ReportContext,
    format: ReportFormat,
) -> String {
    let doc = build::build(incident, timeline, ctx);
    match format {
        ReportFormat::Markdown => markdown::render(&doc),
        ReportFormat::Html => html::render(&doc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_in_the_spellings_people_type() {
        assert_eq!("md".parse::<ReportFormat>(), Ok(ReportFormat::Markdown));
        assert_eq!(
            "Markdown".parse::<ReportFormat>(),
            Ok(ReportFormat::Markdown)
        );
        assert_eq!(" HTML ".parse::<ReportFormat>(), Ok(ReportFormat::Html));
        let err = "pdf".parse::<ReportFormat>().unwrap_err().to_string();
        assert!(err.contains("md, markdown, html"), "{err}");
        assert_eq!(ReportFormat::Markdown.extension(), "md");
        assert_eq!(ReportFormat::Html.as_str(), "html");
        for f in ReportFormat::ALL {
            assert_eq!(f.as_str().parse::<ReportFormat>(), Ok(f));
        }
    }
}
