//! Aligned plain-text tables for terminal output.

/// Renders rows with each column padded to its widest cell; the last column
/// is not padded. Widths count characters, not bytes.
pub fn render(rows: &[Vec<String>], indent: usize) -> String {
    render_aligned(rows, indent, &[])
}

/// A cell as the terminal may show it: a control character (an escape
/// sequence from a history written by anything else) becomes U+FFFD.
fn printable(cell: &str) -> String {
    cell.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Like [`render`], with the columns listed in `right` aligned right (numbers).
pub fn render_aligned(rows: &[Vec<String>], indent: usize, right: &[usize]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| printable(c)).collect())
        .collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = " ".repeat(indent);
        for (i, cell) in row.iter().enumerate() {
            let last = i + 1 == row.len();
            if right.contains(&i) {
                line.push_str(&format!("{cell:>w$}", w = widths[i]));
            } else if last {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}", w = widths[i]));
            }
            if !last {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_never_reach_the_terminal() {
        let rows = vec![vec!["a\u{1b}[31mred".to_string(), "b\u{7}".into()]];
        assert_eq!(super::render(&rows, 0), "a\u{FFFD}[31mred  b\u{FFFD}\n");
    }
}
