//! Ages like `36h`, `3d` or `2w`, as written for `min-release-age`. Minutes and months are not
//! offered: `m` would be ambiguous, and a cool-down is measured in hours to weeks.

use time::Duration;

/// Parses `<whole number><unit>` with unit `h` (hours), `d` (days) or `w` (weeks).
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "`{text}` is not an age: expected a whole number and h, d or w, like `36h`, `3d` or `2w`"
        )
    };
    let unit = t.chars().last().ok_or_else(bad)?;
    let digits = &t[..t.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let hours_per_unit = match unit {
        'h' => 1,
        'd' => 24,
        'w' => 24 * 7,
        _ => return Err(bad()),
    };
    // Past ten years a cool-down blocks everything; treat it as a typo.
    let hours = n
        .checked_mul(hours_per_unit)
        .filter(|h| *h <= 24 * 366 * 10)
        .ok_or_else(|| format!("`{text}` is longer than ten years"))?;
    Ok(Duration::hours(hours))
}

/// Writes an age back in the largest unit that divides it (`Duration::days(14)` → `2w`).
pub fn format_age(age: Duration) -> String {
    let hours = age.whole_hours();
    if hours != 0 && hours % (24 * 7) == 0 {
        format!("{}w", hours / (24 * 7))
    } else if hours != 0 && hours % 24 == 0 {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_hours_days_and_weeks() {
        assert_eq!(parse_age("36h"), Ok(Duration::hours(36)));
        assert_eq!(parse_age("3d"), Ok(Duration::days(3)));
        assert_eq!(parse_age(" 2w "), Ok(Duration::weeks(2)));
        assert_eq!(parse_age("0d"), Ok(Duration::ZERO));
    }

    #[test]
    fn other_spellings_are_rejected_with_the_accepted_form() {
        for bad in [
            "", "d", "3", "3m", "3 d", "-3d", "1.5d", "3days", "3D", "٣d",
        ] {
            let err = parse_age(bad).expect_err(bad);
            assert!(err.contains("36h"), "{bad}: {err}");
        }
        assert!(parse_age("99999w").unwrap_err().contains("ten years"));
    }

    #[test]
    fn ages_are_written_back_in_the_largest_unit() {
        assert_eq!(format_age(Duration::days(14)), "2w");
        assert_eq!(format_age(Duration::days(3)), "3d");
        assert_eq!(format_age(Duration::hours(36)), "36h");
        assert_eq!(format_age(Duration::ZERO), "0h");
    }
}
