//! The README and the user guide (docs/guide, an mdBook) say what is true:
//! every ```toml block is a config unhunch accepts (a whole one; or, marked
//! `# excerpt` on its first line, a part that is merged into the embedded
//! default first; or, marked `# broken`, one it must refuse); every
//! `unhunch …` command in a ```sh, ```console or ```bat block, or alone in
//! inline code, parses with the real command-line definition; every
//! relative link, image and `#anchor` resolves; every chapter is in
//! SUMMARY.md; every config key is in the guide's reference; the README
//! fits in 200 lines. `{{#include …}}` lines are read as mdBook reads them.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use unhunch::config::{DEFAULT_TOML, parse};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const GUIDE: &str = "docs/guide/src";
/// Links to this repository's files on GitHub are checked like relative ones.
const REPO_URL: &str = "https://github.com/unhunch/unhunch/";

/// A markdown file, its `{{#include}}` lines replaced by what they name.
struct Doc {
    /// Relative to the repository, for messages.
    name: String,
    path: PathBuf,
    text: String,
}

fn rel(path: &Path) -> String {
    path.strip_prefix(ROOT)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// README.md and every markdown file of the guide, in a stable order.
fn docs() -> Vec<Doc> {
    let mut paths = vec![Path::new(ROOT).join("README.md")];
    let mut dirs = vec![Path::new(ROOT).join(GUIDE)];
    let mut found = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    paths.extend(found);
    paths
        .into_iter()
        .map(|path| Doc {
            name: rel(&path),
            text: read_expanded(&path),
            path,
        })
        .collect()
}

/// A file's text with each `{{#include PATH}}` replaced by that file's
/// (relative to the file, as mdBook resolves it). A missing one panics.
fn read_expanded(path: &Path) -> String {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", rel(path)));
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match include_target(line) {
            Some(target) => {
                let file = path.parent().unwrap().join(target);
                assert!(
                    file.is_file(),
                    "{}: {{{{#include {target}}}}} names no file",
                    rel(path)
                );
                let inner = read_expanded(&file);
                out.push_str(&inner);
                if !inner.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

fn include_target(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("{{#include ")?;
    Some(rest.strip_suffix("}}")?.trim())
}

/// A fenced code block: its language, its text (the fence's indentation
/// taken off), and the line of its first line.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

/// The fenced blocks of a text, and the lines outside them (1-based
/// number, text).
fn split(text: &str) -> (Vec<Block>, Vec<(usize, &str)>) {
    let mut blocks = Vec::new();
    let mut prose = Vec::new();
    let mut open: Option<(usize, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None if trimmed.starts_with("```") => {
                let lang = trimmed.trim_start_matches('`').trim();
                let lang = lang.split([' ', ',']).next().unwrap_or("").to_string();
                open = Some((
                    indent,
                    Block {
                        lang,
                        text: String::new(),
                        line: i + 2,
                    },
                ));
            }
            None => prose.push((i + 1, line)),
            Some((_, block)) if trimmed.trim_end() == "```" => blocks.push(block),
            Some((indent, mut block)) => {
                let cut = line.len() - line.trim_start().len();
                block.text.push_str(&line[cut.min(indent)..]);
                block.text.push('\n');
                open = Some((indent, block));
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    (blocks, prose)
}

// ---------------------------------------------------------------- configs

/// An excerpt merged into the default: `[general]` and `[sleep]` keys
/// replace the default's, a `[[reminder]]` or `[[routine]]` replaces the
/// default's of the same id (or is added).
fn merged_with_default(excerpt: &toml::Table) -> String {
    let mut base: toml::Table = toml::from_str(DEFAULT_TOML).unwrap();
    for (key, value) in excerpt {
        match value {
            toml::Value::Array(items) => {
                let list = base
                    .entry(key.clone())
                    .or_insert_with(|| toml::Value::Array(Vec::new()))
                    .as_array_mut()
                    .unwrap();
                for item in items {
                    let id = item.get("id");
                    match list.iter().position(|x| id.is_some() && x.get("id") == id) {
                        Some(i) => list[i] = item.clone(),
                        None => list.push(item.clone()),
                    }
                }
            }
            toml::Value::Table(table) => {
                let into = base
                    .entry(key.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let into = into.as_table_mut().unwrap();
                for (k, v) in table {
                    into.insert(k.clone(), v.clone());
                }
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
    toml::to_string(&base).unwrap()
}

fn errors_of(result: Result<impl Sized, Vec<unhunch::config::Diagnostic>>) -> Option<String> {
    result.err().map(|d| {
        d.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// What is wrong with one ```toml block, if anything.
fn check_config(block: &Block, at: &str) -> Option<String> {
    let first = block.text.lines().next().unwrap_or("").trim();
    match first {
        "# excerpt" => {
            let table: toml::Table = match toml::from_str(&block.text) {
                Ok(t) => t,
                Err(e) => return Some(format!("{at}: an excerpt that is not TOML: {e}")),
            };
            errors_of(parse(&merged_with_default(&table), "the default with it"))
                .map(|e| format!("{at}: an excerpt the default does not take: {e}"))
        }
        "# broken" => parse(&block.text, at)
            .is_ok()
            .then(|| format!("{at}: marked broken, but unhunch accepts it")),
        _ => errors_of(parse(&block.text, at))
            .map(|e| format!("{at}: not a valid config (mark a part of one `# excerpt`): {e}")),
    }
}

#[test]
fn config_blocks_parse() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in docs() {
        let (blocks, _) = split(&doc.text);
        for b in blocks.iter().filter(|b| b.lang == "toml") {
            checked += 1;
            let at = format!("{}:{}", doc.name, b.line);
            problems.extend(check_config(b, &at));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The default, the full example, routines, the first edits, a broken one.
    assert!(checked >= 8, "only {checked} toml blocks found");
}

#[test]
fn excerpts_and_broken_blocks_are_checked_for_what_they_say() {
    let block = |text: &str| Block {
        lang: "toml".into(),
        text: text.into(),
        line: 1,
    };
    assert!(
        check_config(
            &block("# excerpt\n[general]\nwork_hours = \"08:00-16:00\"\n"),
            "x"
        )
        .is_none()
    );
    // A misspelt key, a bad value, in an excerpt: both caught.
    assert!(
        check_config(
            &block("# excerpt\n[general]\nwork_hour = \"08:00-16:00\"\n"),
            "x"
        )
        .is_some()
    );
    assert!(
        check_config(
            &block("# excerpt\n[[reminder]]\nid = \"stand\"\nkind = \"stand\"\nevery = \"0m\"\n"),
            "x"
        )
        .is_some()
    );
    assert!(check_config(&block("[[reminder]]\nid = \"a\"\nkind = \"stand\"\n"), "x").is_some());
    assert!(
        check_config(
            &block("# broken\n[[reminder]]\nid = \"a\"\nkind = \"stand\"\nevery = \"1h\"\n"),
            "x"
        )
        .is_some()
    );
}

// --------------------------------------------------------------- commands

/// Words as a POSIX shell splits them (quotes, backslashes), with `&&`,
/// `||`, `;` and `|` as words of their own.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '\\') => {
                word.extend(chars.next());
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, ';') => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
                words.push(";".into());
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// A shell comment cut off: from a `#` that starts a word, outside quotes.
fn without_comment(line: &str, marker: &str) -> String {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if prev.is_whitespace() && line[i..].starts_with(marker) => {
                return line[..i].to_string();
            }
            None => {}
        }
        prev = c;
    }
    line.to_string()
}

/// What is wrong with the `unhunch` commands of one command line (and
/// scripts it names that do not exist); `n` counts the commands checked.
/// A command named in prose may stop short (`unhunch service`, `unhunch
/// trigger`): each word it has must still be right.
fn check_line(line: &str, at: &str, n: &mut usize, whole: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let words = shell_words(line);
    for command in words.split(|w| matches!(w.as_str(), "&&" | "||" | ";" | "|")) {
        // Redirections go, with their file.
        let mut argv: Vec<&str> = Vec::new();
        let mut skip = false;
        for w in command {
            if std::mem::take(&mut skip) {
                continue;
            }
            match w.as_str() {
                ">" | ">>" | "<" | "2>" => skip = true,
                w if w.starts_with('>') || w.starts_with("2>") || w.starts_with('<') => {}
                w => argv.push(w),
            }
        }
        // Variables set for the command.
        let start = argv
            .iter()
            .position(|w| {
                !w.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            })
            .unwrap_or(argv.len());
        let argv = &argv[start..];
        let Some(program) = argv.first() else {
            continue;
        };
        if *program == "unhunch" {
            *n += 1;
            if let Err(e) = <unhunch::cli::Cli as clap::Parser>::try_parse_from(argv) {
                use clap::error::ErrorKind;
                let short = matches!(
                    e.kind(),
                    ErrorKind::MissingRequiredArgument
                        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                );
                let fine = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
                if !fine && (whole || !short) {
                    let e = e.to_string();
                    let e = e.lines().next().unwrap_or("");
                    problems.push(format!("{at}: `{}`: {e}", argv.join(" ")));
                }
            }
        } else if (program.starts_with("scripts/") || program.starts_with("packaging/"))
            && !Path::new(ROOT).join(program).is_file()
        {
            problems.push(format!("{at}: `{program}` does not exist"));
        }
    }
    problems
}

/// The command lines of a block: every line of a shell block but its
/// comments; in a console block, the lines after `$ ` (the rest is output).
fn command_lines(block: &Block) -> Vec<(usize, String)> {
    let (comment, console) = match block.lang.as_str() {
        "sh" | "bash" | "shell" => ("#", false),
        "console" => ("#", true),
        "bat" | "cmd" => ("::", false),
        _ => return Vec::new(),
    };
    block
        .text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            let line = match (console, line.strip_prefix("$ ")) {
                (true, Some(command)) => command,
                (true, None) => return None,
                (false, command) => command.unwrap_or(line),
            };
            let line = without_comment(line, comment);
            let line = line.trim();
            (!line.is_empty() && !line.starts_with(comment))
                .then(|| (block.line + i, line.to_string()))
        })
        .collect()
}

/// Inline code spans of a line outside code blocks.
fn code_spans(line: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(fence) {
            Some(end) => {
                spans.push(after[..end].trim());
                rest = &after[end + ticks..];
            }
            None => break,
        }
    }
    spans
}

#[test]
fn commands_parse_with_the_real_cli() {
    let mut problems = Vec::new();
    let mut n = 0;
    for doc in docs() {
        let (blocks, prose) = split(&doc.text);
        for b in &blocks {
            for (line, command) in command_lines(b) {
                let at = format!("{}:{line}", doc.name);
                problems.extend(check_line(&command, &at, &mut n, true));
            }
        }
        // In prose, a span that is a command: not a synopsis with
        // alternatives, optional parts, or placeholders (`ID`, `COMMAND`).
        for (line, text) in prose {
            for span in code_spans(text) {
                let first = shell_words(span)
                    .into_iter()
                    .find(|w| !w.contains('='))
                    .unwrap_or_default();
                let placeholder = span
                    .split_whitespace()
                    .any(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
                if first == "unhunch"
                    && !placeholder
                    && !span.contains(['|', '[', ']', '<', '>', '…'])
                {
                    let at = format!("{}:{line}", doc.name);
                    problems.extend(check_line(span, &at, &mut n, false));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(n >= 80, "only {n} unhunch commands found");
}

#[test]
fn the_command_reader_reads_what_a_shell_would() {
    assert_eq!(
        shell_words(r#"UNHUNCH_LOG=debug unhunch plan --from "2026-11-25 09:00";x"#),
        [
            "UNHUNCH_LOG=debug",
            "unhunch",
            "plan",
            "--from",
            "2026-11-25 09:00",
            ";",
            "x"
        ]
    );
    assert_eq!(
        without_comment("unhunch pause 1h   # an hour, 'quoted'", "#"),
        "unhunch pause 1h   "
    );
    assert_eq!(
        without_comment("printf '{\"v\":1} # not a comment'", "#"),
        "printf '{\"v\":1} # not a comment'"
    );
    let mut n = 0;
    assert!(check_line("unhunch trigger stand && unhunch done", "x", &mut n, true).is_empty());
    assert!(check_line("unhunch completions fish > f.fish", "x", &mut n, true).is_empty());
    assert_eq!(n, 3);
    // A flag that does not exist, a command that does not, a missing script.
    assert_eq!(
        check_line("unhunch stats --weeks 2", "x", &mut n, true).len(),
        1
    );
    assert_eq!(check_line("unhunch sleep", "x", &mut n, true).len(), 1);
    assert_eq!(
        check_line("scripts/no-such-script", "x", &mut n, true).len(),
        1
    );
    // Named in prose, a command may stop short; typed, it may not.
    assert!(check_line("unhunch service", "x", &mut n, false).is_empty());
    assert_eq!(check_line("unhunch service", "x", &mut n, true).len(), 1);
    assert_eq!(
        check_line("unhunch service start", "x", &mut n, false).len(),
        1
    );
}

// ------------------------------------------------------------------ links

/// The anchor GitHub and mdBook give a heading: lower case, letters,
/// digits, `-` and `_` kept, each space a `-`, the rest dropped.
fn slug(heading: &str) -> String {
    // A link in a heading counts by its text.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(i) = rest.find("](") {
        text.push_str(&rest[..i]);
        rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
    }
    text.push_str(rest);
    text.trim()
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_lowercase().next()?),
            c if c.is_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown text: its headings' slugs, a repeated one
/// with `-1`, `-2` …
fn anchors(text: &str) -> BTreeSet<String> {
    let (_, prose) = split(text);
    let mut out = BTreeSet::new();
    for (_, line) in prose {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(line[hashes..].trim().trim_end_matches('#'));
        let mut s = base.clone();
        let mut i = 0;
        while out.contains(&s) {
            i += 1;
            s = format!("{base}-{i}");
        }
        out.insert(s);
    }
    out
}

/// The link targets of a line: `[text](target)`, `![alt](target)`,
/// `[ref]: target`, `src="…"` and `href="…"`; code spans left out.
fn link_targets(line: &str) -> Vec<String> {
    let mut text = line.to_string();
    for span in code_spans(line) {
        text = text.replacen(&format!("`{span}`"), "", 1);
    }
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find(')').unwrap_or(after.len());
        out.push(
            after[..end]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
        );
        rest = &after[end..];
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('[')
        && let Some(i) = trimmed.find("]: ")
    {
        out.push(trimmed[i + 3..].trim().to_string());
    }
    for attr in ["src=\"", "href=\""] {
        let mut rest = text.as_str();
        while let Some(i) = rest.find(attr) {
            let after = &rest[i + attr.len()..];
            let end = after.find('"').unwrap_or(after.len());
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

/// `a/b/../c` as `a/c`, without asking the file system.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// What is wrong with one link from `doc`, if anything.
fn check_link(doc: &Doc, target: &str, at: &str) -> Option<String> {
    let root = Path::new(ROOT);
    let (file, anchor) = match target.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (target, None),
    };
    let path = if let Some(in_repo) = file.strip_prefix(REPO_URL) {
        // blob/main/PATH or tree/main/PATH
        let path = in_repo.splitn(3, '/').nth(2).unwrap_or("");
        root.join(path)
    } else if file.contains("://") || file.starts_with("mailto:") {
        return None;
    } else if file.is_empty() {
        doc.path.clone()
    } else {
        normal(&doc.path.parent().unwrap().join(file))
    };
    if !path.exists() {
        return Some(format!("{at}: {target}: {} does not exist", rel(&path)));
    }
    // The book holds only what is under its src/: a link from a chapter to
    // anything else is broken there.
    let guide = root.join(GUIDE);
    if doc.path.starts_with(&guide) && !file.contains("://") && !path.starts_with(&guide) {
        return Some(format!(
            "{at}: {target} is outside the book: link to {REPO_URL}blob/main/{} instead",
            rel(&path)
        ));
    }
    let anchor = anchor?;
    if path.extension().is_none_or(|e| e != "md") {
        return Some(format!(
            "{at}: {target}: an anchor into a file that is not markdown"
        ));
    }
    let text = if path == doc.path {
        doc.text.clone()
    } else {
        read_expanded(&path)
    };
    (!anchors(&text).contains(anchor)).then(|| {
        format!(
            "{at}: {target}: no heading of {} has the anchor #{anchor}",
            rel(&path)
        )
    })
}

#[test]
fn links_and_anchors_resolve() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in docs() {
        let (_, prose) = split(&doc.text);
        for (line, text) in prose {
            for target in link_targets(text) {
                checked += 1;
                let at = format!("{}:{line}", doc.name);
                problems.extend(check_link(&doc, &target, &at));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 60, "only {checked} links found");
}

#[test]
fn anchors_are_made_as_github_and_mdbook_make_them() {
    assert_eq!(slug("`[[routine]]` and its steps"), "routine-and-its-steps");
    assert_eq!(
        slug("Presence: away, locked, do-not-disturb, fullscreen, calls"),
        "presence-away-locked-do-not-disturb-fullscreen-calls"
    );
    assert_eq!(slug("What CI checks, and how"), "what-ci-checks-and-how");
    assert_eq!(
        anchors("# A\n## A\n```\n# not a heading\n```\n### B?\n"),
        ["a", "a-1", "b"].map(String::from).into()
    );
}

#[test]
fn every_chapter_is_in_the_summary() {
    let guide = Path::new(ROOT).join(GUIDE);
    let summary = std::fs::read_to_string(guide.join("SUMMARY.md")).unwrap();
    let listed: BTreeSet<PathBuf> = summary
        .lines()
        .flat_map(link_targets)
        .map(|t| normal(&guide.join(t)))
        .collect();
    let missing: Vec<String> = docs()
        .iter()
        .filter(|d| d.path.starts_with(&guide) && !d.path.ends_with("SUMMARY.md"))
        .filter(|d| !listed.contains(&d.path))
        .map(|d| d.name.clone())
        .collect();
    assert!(missing.is_empty(), "not in SUMMARY.md: {missing:?}");
}

// --------------------------------------------------------- the reference

/// The keys a table takes, as the parser lists them when it meets one it
/// does not know.
fn keys_of(config_with_unknown_key: &str) -> Vec<String> {
    let errors = parse(config_with_unknown_key, "keys").err().unwrap();
    let message = &errors[0].message;
    let expected = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("{message}"))
        .1;
    expected
        .split('"')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

#[test]
fn every_config_key_is_in_the_reference() {
    let reference =
        std::fs::read_to_string(Path::new(ROOT).join(GUIDE).join("schedule.md")).unwrap();
    let tables = keys_of("zz_unknown = 1\n");
    assert!(tables.len() >= 4, "{tables:?}");
    let mut missing = Vec::new();
    for table in &tables {
        if !reference.contains(&format!("`[{table}]`"))
            && !reference.contains(&format!("`[[{table}]]`"))
        {
            missing.push(format!("[{table}]"));
        }
    }
    let reminder = "[[reminder]]\nid = \"a\"\nkind = \"stand\"\nevery = \"1h\"\n";
    let routine = "[[routine]]\nid = \"r\"\ntitle = \"R\"\n";
    for (table, src) in [
        ("general", "[general]\nzz_unknown = 1\n".to_string()),
        ("sleep", "[sleep]\nzz_unknown = 1\n".to_string()),
        ("calendar", "[calendar]\nzz_unknown = 1\n".to_string()),
        ("sync", "[sync]\nzz_unknown = 1\n".to_string()),
        ("reminder", format!("{reminder}zz_unknown = 1\n")),
        (
            "routine",
            format!("{routine}steps = [{{ text = \"x\", seconds = 1 }}]\nzz_unknown = 1\n"),
        ),
        (
            "step",
            format!("{routine}steps = [{{ text = \"x\", seconds = 1, zz_unknown = 1 }}]\n"),
        ),
    ] {
        let keys = keys_of(&src);
        assert!(keys.len() >= 2, "{table}: {keys:?}");
        for key in keys {
            if !reference.contains(&format!("| `{key}` |")) {
                missing.push(format!("{table}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/guide/src/schedule.md has no row for {missing:?}"
    );
}

#[test]
fn the_readme_fits_in_200_lines() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 200,
        "README.md has {lines} lines: move some into the guide"
    );
}
