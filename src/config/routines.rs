//! `[[routine]]` tables into routines: the built-in file's and a
//! person's are read by this same code.

use std::ops::Range as Bytes;

use jiff::SignedDuration;
use toml::Spanned;

use super::file::{Count, RoutineFile};
use super::report::{MAX_TIP, MAX_TITLE, Problem, Report, check_id, check_text, line_col};
use crate::core::routine::{Routine, Step};
use crate::core::time::humane;

/// The most a routine may take, and its parts.
const MAX_ROUTINE: SignedDuration = SignedDuration::from_mins(30);
const MAX_STEP_SECONDS: u32 = 600;
const MAX_REPEAT: u32 = 100;
const MAX_STEPS: usize = 100;

/// `[[routine]]` tables read after `base`, with the problems found: the
/// built-in file's (from an empty base) and the user's (after the built-in
/// ones) are read alike.
pub(super) fn read_routines(
    base: Vec<Routine>,
    files: &[Spanned<RoutineFile>],
    src: &str,
) -> (Vec<Routine>, Vec<Problem>) {
    let mut r = Report::default();
    let out = routines(&mut r, base, files, src);
    (out, r.errors)
}

/// The routines of `base`, then those of `files`: one with an id already
/// there replaces it.
pub(super) fn routines(
    r: &mut Report,
    base: Vec<Routine>,
    files: &[Spanned<RoutineFile>],
    src: &str,
) -> Vec<Routine> {
    let mut out = base;
    let mut seen: Vec<(String, Bytes<usize>)> = Vec::new();
    for spanned in files {
        let f = spanned.get_ref();
        check_id(r, &f.id);
        let id = f.id.get_ref().clone();
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
            let (line, _) = line_col(src, first.start);
            r.error(
                f.id.span(),
                format!("duplicate routine id \"{id}\" (first used on line {line})"),
            );
            continue;
        }
        seen.push((id.clone(), f.id.span()));
        let title = f.title.get_ref().trim();
        if title.is_empty() {
            r.error(f.title.span(), "title is empty: name the routine");
        }
        check_text(r, "title", f.title.span(), title, MAX_TITLE, false);
        let counted = |r: &mut Report, key: &str, v: &Option<Spanned<Count>>, max: u32| match v {
            None => 1,
            Some(v) if v.get_ref().0 <= max => v.get_ref().0,
            Some(v) => {
                r.error(v.span(), format!("{key} must be from 1 to {max}"));
                1
            }
        };
        let rounds = counted(r, "rounds", &f.rounds, MAX_REPEAT);
        let list = f.steps.get_ref();
        if list.is_empty() {
            r.error(
                f.steps.span(),
                "steps is empty: add at least one, e.g. { text = \"Roll your shoulders\", seconds = 10 }",
            );
        } else if list.len() > MAX_STEPS {
            r.error(
                f.steps.span(),
                format!("{} steps: at most {MAX_STEPS}", list.len()),
            );
        }
        let steps: Vec<Step> = list
            .iter()
            .map(|s| {
                let s = s.get_ref();
                let text = s.text.get_ref().trim();
                if text.is_empty() {
                    r.error(s.text.span(), "a step's text is empty: say what to do");
                }
                check_text(r, "a step's text", s.text.span(), text, MAX_TIP, false);
                let seconds = s.seconds.get_ref().0;
                if seconds > MAX_STEP_SECONDS {
                    r.error(
                        s.seconds.span(),
                        format!("seconds must be from 1 to {MAX_STEP_SECONDS}"),
                    );
                }
                Step {
                    text: text.to_string(),
                    seconds: seconds.clamp(1, MAX_STEP_SECONDS),
                    repeat: counted(r, "repeat", &s.repeat, MAX_REPEAT),
                }
            })
            .collect();
        let routine = Routine {
            id: id.clone(),
            title: title.to_string(),
            kind: f.kind.as_ref().map(|k| k.get_ref().0),
            steps,
            rounds,
        };
        if routine.length() > MAX_ROUTINE {
            r.error(
                spanned.span(),
                format!(
                    "routine \"{id}\" takes {}: at most {}",
                    humane(routine.length()),
                    humane(MAX_ROUTINE)
                ),
            );
        }
        match out.iter_mut().find(|b| b.id == id) {
            Some(builtin) => *builtin = routine,
            None => out.push(routine),
        }
    }
    out
}
