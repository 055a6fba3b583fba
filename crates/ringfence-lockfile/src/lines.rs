/// Maps byte offsets to 1-based line numbers, for formats whose parser does not report
/// positions: find the entry's key in the text, then ask for its line.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    pub fn line_of_offset(&self, offset: usize) -> u32 {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`.
pub fn find_line(text: &str, index: &LineIndex, needle: &str) -> Option<u32> {
    text.find(needle).map(|offset| index.line_of_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines() {
        let text = "a\nbc\n\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_of_offset(0), 1);
        assert_eq!(idx.line_of_offset(2), 2);
        assert_eq!(idx.line_of_offset(3), 2);
        assert_eq!(idx.line_of_offset(5), 3);
        assert_eq!(idx.line_of_offset(6), 4);
        assert_eq!(find_line(text, &idx, "d"), Some(4));
    }
}
