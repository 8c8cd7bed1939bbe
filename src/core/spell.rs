//! "Did you mean …?": the known word nearest a misspelt one.

/// The candidate nearest `word`, if one is near enough to be what was
/// meant: at most one edit (a letter added, left out, changed or two
/// swapped) per three letters, and at least one.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let most = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn near_words_are_found_and_far_ones_not() {
        let keys = ["id", "kind", "every", "at", "during", "days", "snooze"];
        assert_eq!(nearest("evry", keys), Some("every"));
        assert_eq!(nearest("dyas", keys), Some("days"));
        assert_eq!(nearest("snoze", keys), Some("snooze"));
        assert_eq!(nearest("colour", keys), None);
        assert_eq!(nearest("stnd", ["stand", "neck"]), Some("stand"));
        assert_eq!(nearest("x", ["stand", "neck"]), None);
    }
}
