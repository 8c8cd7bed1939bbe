//! What reading a config finds, and the checks every table shares: a
//! [`Problem`] at a place in the file, the [`Report`] that collects them,
//! and the rules for ids and the texts a notification shows.

use std::ops::Range as Bytes;

use toml::Spanned;

/// A problem at a place in the file (`span: None`: about the whole file).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub span: Option<Bytes<usize>>,
    pub message: String,
}

#[derive(Default)]
pub(super) struct Report {
    pub(super) errors: Vec<Problem>,
    pub(super) warnings: Vec<Problem>,
}

impl Report {
    pub(super) fn error(&mut self, span: Bytes<usize>, message: impl Into<String>) {
        self.errors.push(Problem {
            span: Some(span),
            message: message.into(),
        });
    }
    pub(super) fn warn(&mut self, span: Bytes<usize>, message: impl Into<String>) {
        self.warnings.push(Problem {
            span: Some(span),
            message: message.into(),
        });
    }
    /// A warning about the file as a whole.
    pub(super) fn warn_file(&mut self, message: impl Into<String>) {
        self.warnings.push(Problem {
            span: None,
            message: message.into(),
        });
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(src.len());
    let before = src.get(..byte).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

const MAX_ID: usize = 32;

pub(super) fn check_id(r: &mut Report, id: &Spanned<String>) {
    let s = id.get_ref();
    if s.is_empty()
        || s.len() > MAX_ID
        || !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        r.error(
            id.span(),
            format!("invalid id \"{s}\": use 1 to {MAX_ID} characters from a-z, 0-9 and \"-\""),
        );
    }
}

/// The longest title, body and tip: what a notification can show, and
/// far below what would weigh on D-Bus or memory.
pub(super) const MAX_TITLE: usize = 100;
pub(super) const MAX_BODY: usize = 1000;
pub(super) const MAX_TIP: usize = 300;

/// A text shown on a notification: no control characters (a NUL gets the
/// daemon's bus connection dropped; line breaks only where lines can
/// break), and a length a notification can show.
pub(super) fn check_text(
    r: &mut Report,
    key: &str,
    span: Bytes<usize>,
    s: &str,
    max: usize,
    lines: bool,
) {
    let allowed = |c: char| lines && (c == '\n' || c == '\t');
    if let Some(c) = s.chars().find(|c| c.is_control() && !allowed(*c)) {
        r.error(
            span.clone(),
            format!(
                "{key} contains the control character U+{:04X}: remove it",
                u32::from(c)
            ),
        );
    }
    let n = s.chars().count();
    if n > max {
        r.error(span, format!("{key} is {n} characters long: at most {max}"));
    }
}
