//! What unhunch ships, as data: each kind's words (title, body, tips) and
//! the guided routines, in `config/builtin.toml`, embedded. The routines are
//! read by the same code that reads a person's `[[routine]]`, so a built-in
//! routine and a user's are the same thing; a user's with a built-in's id
//! replaces it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;

use super::file::RoutineFile;
use crate::core::Kind;
use crate::core::routine::Routine;

/// The file, as it is in the source tree.
const BUILTIN_TOML: &str = include_str!("../../config/builtin.toml");

/// A kind's words.
#[derive(Debug)]
pub struct Words {
    pub title: String,
    pub body: String,
    pub tips: Vec<String>,
}

/// Everything shipped, read once.
#[derive(Debug)]
pub struct Builtin {
    words: BTreeMap<&'static str, Words>,
    routines: Vec<Routine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinFile {
    kind: BTreeMap<String, WordsFile>,
    #[serde(rename = "routine")]
    routines: Vec<Spanned<RoutineFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    title: String,
    body: String,
    tips: Vec<String>,
}

impl Builtin {
    /// Reads `text` as the built-in file: every problem, with its line.
    fn read(text: &str) -> Result<Builtin, Vec<String>> {
        let file: BuiltinFile = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        let mut words = BTreeMap::new();
        for (name, w) in file.kind {
            match Kind::parse(&name) {
                Some(k) => {
                    words.insert(
                        k.as_str(),
                        Words {
                            title: w.title,
                            body: w.body,
                            tips: w.tips,
                        },
                    );
                }
                None => problems.push(format!("[kind.{name}]: no such kind")),
            }
        }
        let (routines, errors) = super::routines::read_routines(Vec::new(), &file.routines, text);
        problems.extend(errors.into_iter().map(|p| {
            let (line, col) = p
                .span
                .map_or((0, 0), |s| super::report::line_col(text, s.start));
            format!("{line}:{col}: {}", p.message)
        }));
        if problems.is_empty() {
            Ok(Builtin { words, routines })
        } else {
            Err(problems)
        }
    }

    /// The shipped data. Its test reads the same file, so it cannot fail
    /// in a build whose tests passed.
    pub fn get() -> &'static Builtin {
        static BUILTIN: OnceLock<Builtin> = OnceLock::new();
        BUILTIN.get_or_init(|| match Builtin::read(BUILTIN_TOML) {
            Ok(b) => b,
            Err(problems) => panic!("config/builtin.toml: {}", problems.join("; ")),
        })
    }

    /// A kind's words (`custom` has none: its reminders bring their own).
    pub fn words(&self, kind: Kind) -> Option<&Words> {
        self.words.get(kind.as_str())
    }

    /// The routines, each kind's first being its default.
    pub fn routines(&self) -> &[Routine] {
        &self.routines
    }

    /// A kind's default routine: its first.
    pub fn default_routine(&self, kind: Kind) -> Option<&Routine> {
        self.routines.iter().find(|r| r.kind == Some(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_reads_without_a_problem() {
        if let Err(p) = Builtin::read(BUILTIN_TOML) {
            panic!("config/builtin.toml: {p:#?}");
        }
    }

    #[test]
    fn every_kind_but_custom_has_three_to_five_tips_and_one_to_three_short_routines() {
        let b = Builtin::get();
        for kind in Kind::ALL {
            let n = b.routines().iter().filter(|r| r.kind == Some(kind)).count();
            if kind == Kind::Custom {
                assert!(b.words(kind).is_none());
                assert_eq!(n, 0);
                continue;
            }
            let w = b.words(kind).unwrap_or_else(|| panic!("{kind}: no words"));
            assert!(!w.title.is_empty() && !w.body.is_empty(), "{kind}");
            assert!(
                (3..=5).contains(&w.tips.len()),
                "{kind}: {} tips",
                w.tips.len()
            );
            assert!((1..=3).contains(&n), "{kind}: {n} routines");
        }
        for r in b.routines() {
            let secs = r.length().as_secs();
            assert!((60..=300).contains(&secs), "{}: {secs} s", r.id);
            assert_eq!(r.cues().len() as u64, r.cue_count());
        }
    }

    #[test]
    fn a_broken_file_says_where() {
        let bad = "[kind.stand]\ntitle = \"T\"\nbody = \"B\"\ntips = []\n\n[[routine]]\nid = \"r\"\ntitle = \"\"\nsteps = [{ text = \"x\", seconds = 1 }]\n";
        let p = Builtin::read(bad).unwrap_err();
        assert!(
            p.iter()
                .any(|p| p.starts_with("8:") && p.contains("title is empty")),
            "{p:?}"
        );
        let p = Builtin::read("routine = []\n[kind.sit]\ntitle = \"T\"\nbody = \"B\"\ntips = []\n")
            .unwrap_err();
        assert_eq!(p, ["[kind.sit]: no such kind"]);
    }
}
