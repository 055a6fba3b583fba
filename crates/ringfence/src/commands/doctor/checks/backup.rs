//! `backup`: the database was backed up this week, so the incident records survive its loss.

use ringfence_store::BackupRecord;
use time::OffsetDateTime;

use super::{Check, FRESH, Status, ago, parse_time};

pub fn backup(last: Option<&BackupRecord>, sqlite: bool, now: OffsetDateTime) -> Check {
    let fix = if sqlite {
        "ringfence backup FILE (e.g. ~/backups/ringfence-$(date +%F).db), daily from cron"
    } else {
        "pg_dump --format=custom DATABASE > FILE && ringfence backup --record FILE, daily from cron"
    };
    let Some(record) = last else {
        return Check::new("backup", Status::Fail, "no backup of the database recorded").fix(fix);
    };
    let Some(taken) = parse_time(&record.taken_at) else {
        return Check::new(
            "backup",
            Status::Fail,
            format!(
                "the last backup's date `{}` cannot be read",
                record.taken_at
            ),
        )
        .fix(fix);
    };
    let age = now - taken;
    let summary = format!("last backup {} ago: {}", ago(age), record.path);
    if age < FRESH {
        Check::new("backup", Status::Pass, summary)
    } else {
        Check::new("backup", Status::Fail, summary).fix(fix)
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::super::test_support::{NOW, rfc3339};
    use super::*;

    #[test]
    fn a_backup_older_than_a_week_fails_with_the_command_for_the_backend() {
        let record = |age: Duration| BackupRecord {
            taken_at: rfc3339(NOW - age),
            path: "/backups/rf.db".into(),
            bytes: 10,
            sha256: "00".into(),
        };
        let fresh = backup(Some(&record(Duration::hours(20))), true, NOW);
        assert_eq!(fresh.status, Status::Pass);
        assert_eq!(fresh.summary, "last backup 20 h ago: /backups/rf.db");
        let old = backup(Some(&record(Duration::days(8))), true, NOW);
        assert_eq!(old.status, Status::Fail);
        assert!(old.fix.unwrap().starts_with("ringfence backup FILE"));
        let none = backup(None, false, NOW);
        assert_eq!(none.status, Status::Fail);
        assert!(none.fix.unwrap().contains("pg_dump"));
    }
}
