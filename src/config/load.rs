//! Reading a config file into the model, with every problem reported as
//! `file:line:col: message` and the line it is on.

use std::fmt;
use std::path::{Path, PathBuf};

use super::file::ConfigFile;
use super::resolve::{Problem, line_col, resolve};
use crate::core::Config;

/// The embedded default schedule, also what `config init` writes.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// What the embedded default is called in messages.
pub const EMBEDDED: &str = "<embedded default>";

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column; `None` for the file as a whole.
    pub at: Option<(usize, usize)>,
    pub message: String,
    /// The source line the problem is on.
    pub line_text: Option<String>,
}

impl Diagnostic {
    fn new(file: &str, src: &str, p: Problem) -> Diagnostic {
        let at = p.span.map(|span| line_col(src, span.start));
        let line_text = at
            .and_then(|(l, _)| src.lines().nth(l - 1))
            .map(str::to_string);
        // toml quotes names with backticks; the rest of our messages use quotes.
        let message = p.message.trim().replace('`', "\"");
        Diagnostic {
            file: file.to_string(),
            at,
            message,
            line_text,
        }
    }

    /// The message with the offending line and a caret under the column;
    /// a line wider than the terminal (`$COLUMNS`, else 100) is cut to the
    /// part around the column.
    pub fn render(&self) -> String {
        let mut s = self.to_string();
        if let (Some((line, col)), Some(text)) = (self.at, &self.line_text) {
            let gutter = line.to_string().len();
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<usize>().ok())
                .unwrap_or(100)
                .saturating_sub(gutter + 4)
                .max(20);
            let (text, col) = excerpt(text, col, width);
            s.push_str(&format!(
                "\n {:gutter$} |\n {line} | {text}\n {:gutter$} | {:>col$}",
                "", "", "^"
            ));
        }
        s
    }
}

/// At most `width` characters of `text` around the 1-based column `col`,
/// with "…" where it was cut, and the column within the excerpt.
fn excerpt(text: &str, col: usize, width: usize) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return (text.to_string(), col);
    }
    let at = col.saturating_sub(1).min(chars.len() - 1);
    let width = width.max(3);
    // Cut on both sides, or only at the end, or only at the start.
    let both = width - 2;
    let (start, end) = match at.checked_sub(both / 2) {
        None | Some(0) => (0, width - 1),
        Some(s) if s + both >= chars.len() => (chars.len() - (width - 1), chars.len()),
        Some(s) => (s, s + both),
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    (out, at - start + 1 + usize::from(start > 0))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The largest config file read: a schedule is a few KiB.
const MAX_SIZE: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {}: it is {what}, not a regular file", path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("cannot read {}: it is larger than {} KiB", path.display(), MAX_SIZE / 1024)]
    TooLarge { path: PathBuf },
    #[error(
        "the config file {} does not exist: create it with `unhunch config init`, or name another",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error(
        "the config file {} is a link to {}, which does not exist",
        path.display(),
        target.display()
    )]
    DanglingLink { path: PathBuf, target: PathBuf },
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render_all(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A valid configuration and where it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<Diagnostic>,
    /// `None`: the embedded default.
    pub path: Option<PathBuf>,
}

/// The most mistakes reported from one file.
const MAX_ERRORS: usize = 50;

/// Parses and validates config text; `file` names it in messages. Every
/// mistake is reported, not only the first: a value the parser refuses is
/// blanked out (its line, so positions stay) and the rest read again, until
/// a mistake cannot be set aside that way (a table header, a value over
/// several lines). What blanking a line could itself cause (a field now
/// missing in that table, a check that names the blanked key) is not
/// reported. Mistakes come in the file's order.
pub fn parse(src: &str, file: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut text = src.to_string();
    let mut errors: Vec<Diagnostic> = Vec::new();
    // The lines blanked: their table (by its header's offset) and key.
    let mut blanked: Vec<(usize, String)> = Vec::new();
    let diag = |p: Problem| Diagnostic::new(file, src, p);
    while errors.len() < MAX_ERRORS {
        let parsed: ConfigFile = match toml::from_str(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                // A syntax error without a span is at the start of the file.
                let span = e.span().unwrap_or(0..0);
                let message = suggest_field(e.message());
                let table = table_of(&text, span.start);
                if message.starts_with("missing field") && blanked.iter().any(|(t, _)| *t == table)
                {
                    break;
                }
                errors.push(diag(Problem {
                    span: Some(span.clone()),
                    message,
                }));
                match value_line(&text, span) {
                    Some((line, key)) => {
                        // A misspelt key may be the field a check then
                        // misses: nothing more is said of its table.
                        let key = if message_unknown_field(&errors) {
                            String::new()
                        } else {
                            key
                        };
                        blanked.push((table_of(&text, line.start), key));
                        text.replace_range(line.clone(), &" ".repeat(line.len()));
                        continue;
                    }
                    None => break,
                }
            }
        };
        match resolve(&parsed, &text) {
            Ok((config, warnings)) if errors.is_empty() => {
                return Ok((config, warnings.into_iter().map(diag).collect()));
            }
            Ok(_) => {}
            Err(found) => errors.extend(
                found
                    .into_iter()
                    .filter(|p| {
                        let table = p.span.as_ref().map_or(0, |s| table_of(&text, s.start));
                        !blanked
                            .iter()
                            .any(|(t, key)| *t == table && p.message.contains(key.as_str()))
                    })
                    .map(diag),
            ),
        }
        break;
    }
    errors.sort_by_key(|d| d.at);
    Err(errors)
}

/// serde's "unknown field `evry`, expected one of `id`, `kind`, …" (every
/// key of the table) as "unknown field `evry`: did you mean `every`?" when
/// one is near, and the same for a value ("unknown variant `hihg`"); other
/// messages as they are.
fn suggest_field(message: &str) -> String {
    let suggested = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|start| {
            let (field, rest) = message.strip_prefix(start)?.split_once('`')?;
            let known = rest.split_once("expected one of ")?.1;
            let near =
                crate::core::spell::nearest(field, known.split(", ").map(|k| k.trim_matches('`')))?;
            Some(format!("{start}{field}`: did you mean `{near}`?"))
        });
    suggested.unwrap_or_else(|| message.to_string())
}

/// Whether the last mistake found is an unknown (often misspelt) key.
fn message_unknown_field(errors: &[Diagnostic]) -> bool {
    errors
        .last()
        .is_some_and(|d| d.message.starts_with("unknown field"))
}

/// The byte range and key of the `key = value` line that holds `span`, if
/// the span lies on one such line (not a table header, not a value over
/// lines).
fn value_line(
    text: &str,
    span: std::ops::Range<usize>,
) -> Option<(std::ops::Range<usize>, String)> {
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['))?;
    let brackets = line.matches('[').count() == line.matches(']').count()
        && line.matches('{').count() == line.matches('}').count();
    (span.end <= end && brackets).then_some((start..end, key))
}

/// The offset of the table header (`[x]`, `[[x]]`) that `pos` is under; 0
/// for the top of the file.
fn table_of(text: &str, pos: usize) -> usize {
    let mut table = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > pos {
            break;
        }
        if line.trim_start().starts_with('[') {
            table = offset;
        }
        offset += line.len();
    }
    table
}

/// Reads a config file: a regular file of at most [`MAX_SIZE`] bytes. It is
/// opened non-blocking and checked on the open descriptor, so a FIFO or a
/// device (even one renamed over the file in between) is an error at once,
/// never a read that waits or does not end.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match crate::platform::open_to_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(match std::fs::read_link(path) {
                Ok(target) => LoadError::DanglingLink {
                    path: path.to_path_buf(),
                    target,
                },
                Err(_) => LoadError::Missing {
                    path: path.to_path_buf(),
                },
            });
        }
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
            what: crate::platform::file_kind(meta.file_type()),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    match String::from_utf8(bytes) {
        // A byte-order mark is not part of the text: without it, columns
        // on the first line are right.
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(e) => Err(not_utf8(path, e.as_bytes(), e.utf8_error().valid_up_to())),
    }
}

/// Where a file stops being UTF-8, as a diagnostic with line and column.
fn not_utf8(path: &Path, bytes: &[u8], valid: usize) -> LoadError {
    let before = String::from_utf8_lossy(&bytes[..valid]);
    let (line, col) = super::resolve::line_col(&before, before.len());
    let line_text = String::from_utf8_lossy(bytes)
        .lines()
        .nth(line - 1)
        .map(str::to_string);
    LoadError::Invalid(vec![Diagnostic {
        file: path.display().to_string(),
        at: Some((line, col)),
        message: format!(
            "byte 0x{:02X} is not UTF-8 text: save the file as UTF-8",
            bytes[valid]
        ),
        line_text,
    }])
}

/// Loads the file at `path`, which must exist.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    from_source(path, &read_source(path)?)
}

/// The config in `src`, read from `path`.
pub fn from_source(path: &Path, src: &str) -> Result<Loaded, LoadError> {
    let (config, warnings) = parse(src, &path.display().to_string()).map_err(LoadError::Invalid)?;
    Ok(Loaded {
        config,
        warnings,
        path: Some(path.to_path_buf()),
    })
}

/// The embedded default configuration.
pub fn embedded() -> Loaded {
    match parse(DEFAULT_TOML, EMBEDDED) {
        Ok((config, warnings)) => Loaded {
            config,
            warnings,
            path: None,
        },
        // A test checks the embedded default; reaching this is a build defect.
        Err(e) => panic!("the embedded default config is invalid: {}", render_all(&e)),
    }
}

/// Loads the config at `path`. With nothing at all there, the default
/// location (`given` false) means the embedded default, while a path given
/// by `--config` or `$UNHUNCH_CONFIG` is an error. A link to nothing is an
/// error either way.
pub fn load_or_default(path: &Path, given: bool) -> Result<Loaded, LoadError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !given => Ok(embedded()),
        _ => load(path),
    }
}

impl LoadError {
    /// Nothing at the path: a config file removed while the daemon runs.
    pub fn is_missing(&self) -> bool {
        matches!(self, LoadError::Missing { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        assert_eq!(excerpt("short", 3, 20), ("short".to_string(), 3));
        let line = format!("title = \"{}\"", "x".repeat(1_000_000));
        let (text, col) = excerpt(&line, 9, 40);
        assert_eq!(text.chars().count(), 40);
        assert!(
            text.starts_with("title = \"x") && text.ends_with('…'),
            "{text}"
        );
        assert_eq!(text.chars().nth(col - 1), Some('"'));
        let (text, col) = excerpt(&line, 500_000, 40);
        assert!(text.starts_with('…') && text.ends_with('…'));
        assert_eq!(text.chars().count(), 40);
        assert_eq!(text.chars().nth(col - 1), Some('x'));
        let end = line.chars().count();
        let (text, col) = excerpt(&line, end, 40);
        assert!(text.starts_with('…') && text.ends_with("x\""), "{text}");
        assert_eq!(text.chars().nth(col - 1), Some('"'));
    }
}
