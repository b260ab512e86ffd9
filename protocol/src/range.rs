//! HTTP byte ranges as the clip routes serve them: one `bytes=` range against a resource of
//! known length. Pure parsing of a header clients control; fuzzed (`fuzz/`, target `range`).

/// A `Range` header that cannot be served (answered with 416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// Parses a single `bytes=` range against a resource of `len` bytes (`None`: serve it all).
pub fn parse_range(header: Option<&str>, len: u64) -> Result<Option<std::ops::Range<u64>>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // multiple ranges: the whole resource is a valid answer
    }
    let (start, end) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (start, end) = (start.trim(), end.trim());
    let range = match (start.is_empty(), end.is_empty()) {
        (true, true) => return Err(Unsatisfiable),
        (true, false) => {
            let n: u64 = end.parse().map_err(|_| Unsatisfiable)?;
            len.saturating_sub(n)..len
        }
        (false, _) => {
            let s: u64 = start.parse().map_err(|_| Unsatisfiable)?;
            let e: u64 = if end.is_empty() {
                len.saturating_sub(1)
            } else {
                end.parse().map_err(|_| Unsatisfiable)?
            };
            if e < s {
                return Err(Unsatisfiable);
            }
            s..e.min(len.saturating_sub(1)) + 1
        }
    };
    if range.start >= len || range.is_empty() {
        return Err(Unsatisfiable);
    }
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-9"), 100), Ok(Some(0..10)));
        assert_eq!(parse_range(Some("bytes=90-"), 100), Ok(Some(90..100)));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Ok(Some(90..100)));
        assert_eq!(parse_range(Some("bytes=50-500"), 100), Ok(Some(50..100)));
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), Ok(None));
        assert_eq!(parse_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=5-2"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=x-2"), 100), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=-"), 100), Err(Unsatisfiable));
    }
}
