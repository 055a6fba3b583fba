//! Response metrics: how fast an incident was detected, contained, eradicated and recovered
//! from, and the median and p90 of each over many incidents.
//!
//! Every metric is measured from the record alone, in whole seconds:
//!
//! - **time to detect**: from `detectable_since` (the publish time of the bad release or of
//!   its advisory, whichever is earliest) until the incident was opened (identification
//!   entered). Unknown when no publish time was recorded. Clamped to 0 when the incident was
//!   opened before the recorded publish time (clock skew, a late advisory timestamp).
//! - **time to contain**: from the opening until eradication was entered. Containment is
//!   achieved when every affected version is blocked, and that is the gate into eradication.
//! - **time to eradicate**: from the opening until recovery was entered (no project resolves
//!   an affected version, and the eradication tasks are done).
//! - **time to recover**: from the opening until lessons-learned was entered (the recovery
//!   tasks are done).
//!
//! A metric is `None` until the incident reaches the stage that ends it. Containment,
//! eradication and recovery are all measured from the opening, not from the previous stage,
//! so they read as "how long until" and can be compared across incidents directly.

use serde::Serialize;
use time::OffsetDateTime;

use crate::model::{Incident, IncidentId, IncidentType, Severity, Stage, Timestamp};

/// One of the four response metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    TimeToDetect,
    TimeToContain,
    TimeToEradicate,
    TimeToRecover,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::TimeToDetect,
        Metric::TimeToContain,
        Metric::TimeToEradicate,
        Metric::TimeToRecover,
    ];

    /// `time to detect`, for tables and reports.
    pub fn label(self) -> &'static str {
        match self {
            Metric::TimeToDetect => "time to detect",
            Metric::TimeToContain => "time to contain",
            Metric::TimeToEradicate => "time to eradicate",
            Metric::TimeToRecover => "time to recover",
        }
    }

    /// What the metric measures, in one line (the module documentation in short).
    pub fn definition(self) -> &'static str {
        match self {
            Metric::TimeToDetect => "publish time of the bad release or advisory → opened",
            Metric::TimeToContain => "opened → eradication entered (every version blocked)",
            Metric::TimeToEradicate => "opened → recovery entered (no project exposed)",
            Metric::TimeToRecover => "opened → lessons-learned entered",
        }
    }
}

/// The metrics of one incident, with enough of the incident to print it on its own
/// (`ringfence metrics --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentMetrics {
    pub id: IncidentId,
    pub title: String,
    pub severity: Option<Severity>,
    #[serde(rename = "type")]
    pub kind: IncidentType,
    pub stage: Stage,
    pub opened_at: Timestamp,
    pub detectable_since: Option<Timestamp>,
    pub time_to_detect_secs: Option<i64>,
    pub time_to_contain_secs: Option<i64>,
    pub time_to_eradicate_secs: Option<i64>,
    pub time_to_recover_secs: Option<i64>,
}

impl IncidentMetrics {
    pub fn of(incident: &Incident) -> IncidentMetrics {
        let opened = incident.opened_at();
        let since_opening = |stage: Stage| {
            incident
                .stage_entered
                .get(&stage)
                .map(|t| seconds_between(opened, t.0))
        };
        IncidentMetrics {
            id: incident.id,
            title: incident.title.clone(),
            severity: incident.severity,
            kind: incident.kind,
            stage: incident.stage,
            opened_at: Timestamp(opened),
            detectable_since: incident.detectable_since,
            time_to_detect_secs: incident
                .detectable_since
                .map(|since| seconds_between(since.0, opened)),
            time_to_contain_secs: since_opening(Stage::Eradication),
            time_to_eradicate_secs: since_opening(Stage::Recovery),
            time_to_recover_secs: since_opening(Stage::LessonsLearned),
        }
    }

    pub fn get(&self, metric: Metric) -> Option<i64> {
        match metric {
            Metric::TimeToDetect => self.time_to_detect_secs,
            Metric::TimeToContain => self.time_to_contain_secs,
            Metric::TimeToEradicate => self.time_to_eradicate_secs,
            Metric::TimeToRecover => self.time_to_recover_secs,
        }
    }
}

/// Whole seconds from `from` to `to`, never negative.
fn seconds_between(from: OffsetDateTime, to: OffsetDateTime) -> i64 {
    (to - from).whole_seconds().max(0)
}

/// One metric over many incidents. Incidents that have not reached the metric's end are left
/// out, so `count` can be smaller than the number of incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricSummary {
    pub count: usize,
    /// For an even count, the mean of the two middle values, rounded down to the second.
    pub median_secs: Option<i64>,
    /// Nearest rank: the smallest value that at least 90% of the values do not exceed.
    pub p90_secs: Option<i64>,
}

impl MetricSummary {
    pub fn of(values: impl IntoIterator<Item = i64>) -> MetricSummary {
        let mut values: Vec<i64> = values.into_iter().collect();
        values.sort_unstable();
        let n = values.len();
        if n == 0 {
            return MetricSummary {
                count: 0,
                median_secs: None,
                p90_secs: None,
            };
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            // i128 so that two large values cannot overflow when added.
            let sum = i128::from(values[n / 2 - 1]) + i128::from(values[n / 2]);
            sum.div_euclid(2) as i64
        };
        // Nearest rank: ceil(0.9 * n), 1-based.
        let rank = (9 * n).div_ceil(10);
        MetricSummary {
            count: n,
            median_secs: Some(median),
            p90_secs: Some(values[rank - 1]),
        }
    }
}

/// The four metrics over a set of incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub incidents: usize,
    pub time_to_detect: MetricSummary,
    pub time_to_contain: MetricSummary,
    pub time_to_eradicate: MetricSummary,
    pub time_to_recover: MetricSummary,
}

impl Aggregate {
    pub fn over(metrics: &[IncidentMetrics]) -> Aggregate {
        let summary = |m: Metric| MetricSummary::of(metrics.iter().filter_map(|i| i.get(m)));
        Aggregate {
            incidents: metrics.len(),
            time_to_detect: summary(Metric::TimeToDetect),
            time_to_contain: summary(Metric::TimeToContain),
            time_to_eradicate: summary(Metric::TimeToEradicate),
            time_to_recover: summary(Metric::TimeToRecover),
        }
    }

    pub fn get(&self, metric: Metric) -> &MetricSummary {
        match metric {
            Metric::TimeToDetect => &self.time_to_detect,
            Metric::TimeToContain => &self.time_to_contain,
            Metric::TimeToEradicate => &self.time_to_eradicate,
            Metric::TimeToRecover => &self.time_to_recover,
        }
    }
}

/// A duration for people: the two largest units, the second left out when it is zero
/// (`3d 4h`, `2h 5m`, `4m 10s`, `45s`, `1d`).
pub fn human(secs: i64) -> String {
    if secs < 0 {
        return format!("-{}", human(secs.saturating_neg()));
    }
    const UNITS: [(i64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let i = UNITS
        .iter()
        .position(|(size, _)| secs >= *size)
        .unwrap_or(3);
    let (size, unit) = UNITS[i];
    let rest = secs % size;
    match UNITS.get(i + 1) {
        Some((next, next_unit)) if rest / next > 0 => {
            format!("{}{unit} {}{next_unit}", secs / size, rest / next)
        }
        _ => format!("{}{unit}", secs / size),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::event::{Change, Event};
    use crate::model::{IncidentId, IncidentType};

    fn opened(at: OffsetDateTime) -> Event {
        Event::new(
            at,
            "ringfence",
            Change::Opened {
                title: "debug compromised".into(),
                kind: IncidentType::MaliciousDependency,
                severity: Some(Severity::Sev1),
                source: "scan --record".into(),
            },
        )
    }

    fn affected(at: OffsetDateTime, since: Option<OffsetDateTime>) -> Event {
        Event::new(
            at,
            "ringfence",
            Change::PackageAffected {
                ecosystem: "npm".into(),
                name: "debug".into(),
                version: "4.4.2".into(),
                source: "MAL-2025-1".into(),
                detectable_since: since.map(Timestamp),
                campaign: vec![],
            },
        )
    }

    fn advance(at: OffsetDateTime, from: Stage, to: Stage) -> Event {
        Event::new(
            at,
            "alice",
            Change::StageAdvanced {
                from,
                to,
                forced: None,
            },
        )
    }

    fn replay(events: &[Event]) -> Incident {
        Incident::replay(IncidentId(3), events).expect("a valid timeline")
    }

    #[test]
    fn a_finished_incident_has_every_metric_in_seconds() {
        let incident = replay(&[
            opened(datetime!(2026-11-28 10:00 +01:00)),
            // Two versions: the earlier publish time wins.
            affected(
                datetime!(2026-11-28 10:05 +01:00),
                Some(datetime!(2026-11-28 07:00 UTC)),
            ),
            affected(
                datetime!(2026-11-28 10:06 +01:00),
                Some(datetime!(2026-11-28 06:30 UTC)),
            ),
            advance(
                datetime!(2026-11-28 10:30 +01:00),
                Stage::Identification,
                Stage::Containment,
            ),
            advance(
                datetime!(2026-11-28 11:15 +01:00),
                Stage::Containment,
                Stage::Eradication,
            ),
            advance(
                datetime!(2026-11-29 10:00 +01:00),
                Stage::Eradication,
                Stage::Recovery,
            ),
            advance(
                datetime!(2026-12-01 13:00 +01:00),
                Stage::Recovery,
                Stage::LessonsLearned,
            ),
        ]);
        let m = IncidentMetrics::of(&incident);
        // Opened 09:00 UTC; detectable since 06:30 UTC.
        assert_eq!(m.time_to_detect_secs, Some(2 * 3600 + 30 * 60));
        assert_eq!(m.time_to_contain_secs, Some(3600 + 15 * 60));
        assert_eq!(m.time_to_eradicate_secs, Some(24 * 3600));
        assert_eq!(m.time_to_recover_secs, Some(3 * 86_400 + 3 * 3600));
        assert_eq!(m.id, IncidentId(3));
        assert_eq!(m.stage, Stage::LessonsLearned);
        assert_eq!(m.opened_at.rfc3339(), "2026-11-28T10:00:00+01:00");

        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["id"], "INC-3");
        assert_eq!(json["type"], "malicious-dependency");
        assert_eq!(json["time_to_detect_secs"], 9000);
    }

    #[test]
    fn the_registry_publish_time_of_the_release_starts_time_to_detect() {
        // Opened at 10:00; the advisory came out at 07:00.
        let with_release_at = |release: OffsetDateTime| {
            replay(&[
                opened(datetime!(2026-11-28 10:00 UTC)),
                affected(
                    datetime!(2026-11-28 10:01 UTC),
                    Some(datetime!(2026-11-28 07:00 UTC)),
                ),
                Event::new(
                    datetime!(2026-11-28 10:02 UTC),
                    "ringfence",
                    Change::ReleasePublished {
                        ecosystem: "npm".into(),
                        name: "debug".into(),
                        version: "4.4.2".into(),
                        published: Timestamp(release),
                    },
                ),
            ])
        };
        // The release itself came out at 05:00: detection could have started there.
        let incident = with_release_at(datetime!(2026-11-28 05:00 UTC));
        let detect = |i: &Incident| IncidentMetrics::of(i).time_to_detect_secs;
        assert_eq!(detect(&incident), Some(5 * 3600));
        assert_eq!(
            incident.packages[0].published["4.4.2"],
            Timestamp(datetime!(2026-11-28 05:00 UTC))
        );
        // A publish time later than the advisory (a re-publish) does not move it forward.
        let incident = with_release_at(datetime!(2026-11-28 08:00 UTC));
        assert_eq!(detect(&incident), Some(3 * 3600));
    }

    #[test]
    fn unknown_and_unreached_metrics_are_none() {
        let incident = replay(&[
            opened(datetime!(2026-11-28 10:00 UTC)),
            affected(datetime!(2026-11-28 10:01 UTC), None),
            advance(
                datetime!(2026-11-28 10:30 UTC),
                Stage::Identification,
                Stage::Containment,
            ),
        ]);
        let m = IncidentMetrics::of(&incident);
        assert_eq!(m.time_to_detect_secs, None);
        assert_eq!(m.time_to_contain_secs, None);
        assert_eq!(m.time_to_eradicate_secs, None);
        assert_eq!(m.time_to_recover_secs, None);
    }

    #[test]
    fn a_publish_time_after_the_opening_counts_as_zero() {
        let incident = replay(&[
            opened(datetime!(2026-11-28 10:00 UTC)),
            affected(
                datetime!(2026-11-28 10:01 UTC),
                Some(datetime!(2026-11-28 10:20 UTC)),
            ),
        ]);
        assert_eq!(IncidentMetrics::of(&incident).time_to_detect_secs, Some(0));
    }

    #[test]
    fn median_and_p90_follow_their_definitions() {
        let odd = MetricSummary::of([50, 10, 30]);
        assert_eq!(
            (odd.count, odd.median_secs, odd.p90_secs),
            (3, Some(30), Some(50))
        );

        // Even: mean of 20 and 30; 10 values: p90 is the 9th.
        let even = MetricSummary::of((1..=10).map(|i| i * 10).rev());
        assert_eq!(even.median_secs, Some(55));
        assert_eq!(even.p90_secs, Some(90));
        // Rounded down to the second.
        assert_eq!(MetricSummary::of([1, 2]).median_secs, Some(1));
        // 11 values: rank ceil(9.9) = 10.
        assert_eq!(MetricSummary::of(1..=11).p90_secs, Some(10));
        assert_eq!(MetricSummary::of([7]).p90_secs, Some(7));
        assert_eq!(
            MetricSummary::of([i64::MAX, i64::MAX]).median_secs,
            Some(i64::MAX)
        );

        let none = MetricSummary::of([]);
        assert_eq!(
            (none.count, none.median_secs, none.p90_secs),
            (0, None, None)
        );
    }

    #[test]
    fn the_aggregate_leaves_out_incidents_that_have_not_reached_a_metric() {
        let contained_after = |mins: i64| {
            let at = datetime!(2026-11-28 10:00 UTC);
            IncidentMetrics::of(&replay(&[
                opened(at),
                affected(at, Some(at - time::Duration::minutes(mins))),
                advance(at, Stage::Identification, Stage::Containment),
                advance(
                    at + time::Duration::minutes(mins),
                    Stage::Containment,
                    Stage::Eradication,
                ),
            ]))
        };
        let open = IncidentMetrics::of(&replay(&[opened(datetime!(2026-11-28 10:00 UTC))]));
        let all = [
            contained_after(10),
            open,
            contained_after(30),
            contained_after(20),
        ];
        let agg = Aggregate::over(&all);
        assert_eq!(agg.incidents, 4);
        assert_eq!(agg.time_to_contain.count, 3);
        assert_eq!(agg.time_to_contain.median_secs, Some(20 * 60));
        assert_eq!(agg.time_to_contain.p90_secs, Some(30 * 60));
        assert_eq!(agg.get(Metric::TimeToDetect).count, 3);
        assert_eq!(agg.time_to_recover.count, 0);
        assert_eq!(agg.time_to_recover.median_secs, None);
    }

    #[test]
    fn durations_read_as_the_two_largest_units() {
        assert_eq!(human(45), "45s");
        assert_eq!(human(0), "0s");
        assert_eq!(human(250), "4m 10s");
        assert_eq!(human(2 * 3600 + 5 * 60 + 7), "2h 5m");
        assert_eq!(human(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
        assert_eq!(human(86_400 + 30), "1d");
        assert_eq!(human(3600), "1h");
        assert_eq!(human(-90), "-1m 30s");
        assert_eq!(human(i64::MIN), format!("-{}", human(i64::MAX)));
    }
}
