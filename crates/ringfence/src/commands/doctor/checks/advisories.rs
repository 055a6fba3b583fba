//! `advisories`: the advisory data is recent, since stale data misses the attacks of the day.

use ringfence_store::AdvisoryStatus;
use time::OffsetDateTime;

use super::{Check, FRESH, STALE, Status, ago, count, parse_time};

pub fn advisories(status: &AdvisoryStatus, snapshot: usize, now: OffsetDateTime) -> Check {
    let fix = "ringfence db import <OSV export> (a folder, an all.zip or a .json record), daily";
    let newest = status
        .newest_modified
        .as_deref()
        .and_then(parse_time)
        .map(|t| (t, "newest advisory record modified"))
        .or_else(|| status.last_import.as_ref().map(|i| (i.0, "last import")));
    let Some((at, what)) = newest.filter(|_| status.total > 0) else {
        return Check::new(
            "advisories",
            Status::Fail,
            format!(
                "no advisory records imported: only the built-in snapshot of {snapshot} famous malicious releases"
            ),
        )
        .fix(fix);
    };
    let age = now - at;
    let status_of = if age < FRESH {
        Status::Pass
    } else if age <= STALE {
        Status::Warn
    } else {
        Status::Fail
    };
    let check = Check::new(
        "advisories",
        status_of,
        format!(
            "{what} {} ago ({})",
            ago(age),
            count(status.total as usize, "record", "records")
        ),
    );
    if status_of == Status::Pass {
        check
    } else {
        check.fix(fix)
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::super::test_support::{NOW, rfc3339};
    use super::*;

    fn advisory_status(newest: Option<OffsetDateTime>, total: u64) -> AdvisoryStatus {
        AdvisoryStatus {
            per_ecosystem: Vec::new(),
            total,
            withdrawn: 0,
            newest_modified: newest.map(rfc3339),
            last_import: None,
        }
    }

    #[test]
    fn advisory_data_is_fresh_for_a_week_stale_after_a_month() {
        let at = |days: i64| {
            advisories(
                &advisory_status(Some(NOW - Duration::days(days)), 5),
                29,
                NOW,
            )
        };
        assert_eq!(at(0).status, Status::Pass);
        assert_eq!(at(6).status, Status::Pass);
        assert!(at(6).fix.is_none());
        assert_eq!(at(8).status, Status::Warn);
        assert_eq!(at(30).status, Status::Warn);
        assert_eq!(at(31).status, Status::Fail);
        assert!(at(31).summary.contains("31 d ago"), "{}", at(31).summary);

        let empty = advisories(&advisory_status(None, 0), 29, NOW);
        assert_eq!(empty.status, Status::Fail);
        assert!(empty.summary.contains("built-in snapshot of 29"));
        assert!(empty.fix.unwrap().starts_with("ringfence db import"));
    }

    #[test]
    fn without_modified_dates_the_last_import_dates_the_data() {
        let mut status = advisory_status(None, 3);
        status.last_import = Some((NOW - Duration::days(10), "osv.zip".into(), 3));
        let check = advisories(&status, 29, NOW);
        assert_eq!(check.status, Status::Warn);
        assert!(
            check.summary.starts_with("last import 10 d ago"),
            "{}",
            check.summary
        );
    }
}
