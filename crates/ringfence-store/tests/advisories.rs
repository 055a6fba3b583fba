//! The advisory database on both backends: import, lookup, re-import rules, atomicity, status.

#[macro_use]
mod common;

use common::{TestDb, advisory, ids, keys};
use ringfence_store::{AdvisoryRow, ImportSummary};

on_both_backends!(
    import_then_query,
    reimport_newer_replaces_older_is_skipped,
    same_modified_different_content_updates,
    withdrawn_records_never_match,
    failed_import_leaves_nothing_written,
    status_counts_and_freshness,
    repeated_id_in_one_import,
    ten_thousand_keys,
    concurrent_imports_both_land,
);

fn summary(inserted: u64, updated: u64, unchanged: u64, skipped_older: u64) -> ImportSummary {
    ImportSummary {
        inserted,
        updated,
        unchanged,
        skipped_older,
    }
}

async fn import_then_query(db: &TestDb) {
    let s = &db.store;
    let rows = vec![
        advisory("GHSA-aaaa", "2024-03-01T00:00:00Z", &[("npm", "left-pad")]),
        advisory(
            "MAL-2024-1",
            "2024-03-02T00:00:00Z",
            &[("npm", "evil"), ("npm", "evil-too"), ("PyPI", "evil")],
        ),
        advisory(
            "RUSTSEC-2024-1",
            "2024-03-03T00:00:00Z",
            &[("crates.io", "evil")],
        ),
    ];
    let got = s
        .import_advisories("fixture.zip", rows.clone())
        .await
        .unwrap();
    assert_eq!(got, summary(3, 0, 0, 0));

    // One record affecting two requested keys comes back once; JSON comes back unchanged.
    let hits = s
        .advisories_for(&keys(&[
            ("npm", "evil"),
            ("npm", "evil-too"),
            ("npm", "left-pad"),
        ]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["GHSA-aaaa", "MAL-2024-1"]);
    assert_eq!(hits[0], rows[0].json);

    // Ecosystem is part of the key; names match exactly (callers normalise).
    let hits = s
        .advisories_for(&keys(&[("crates.io", "evil")]))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["RUSTSEC-2024-1"]);
    let hits = s
        .advisories_for(&keys(&[("npm", "Left-Pad"), ("Go", "evil")]))
        .await
        .unwrap();
    assert!(hits.is_empty(), "{hits:?}");
    assert!(s.advisories_for(&[]).await.unwrap().is_empty());
    // Hostile keys neither error nor match.
    let hits = s
        .advisories_for(&keys(&[
            ("npm", "evil\0"),
            ("npm", "'); DROP TABLE advisories; --"),
        ]))
        .await
        .unwrap();
    assert!(hits.is_empty());
    assert_eq!(s.advisory_status().await.unwrap().total, 3);
}

async fn reimport_newer_replaces_older_is_skipped(db: &TestDb) {
    let s = &db.store;
    let v1 = advisory("GHSA-1", "2024-01-01T00:00:00Z", &[("npm", "old-name")]);
    let other = advisory("GHSA-2", "2024-01-01T00:00:00Z", &[("npm", "two")]);
    s.import_advisories("a", vec![v1.clone(), other.clone()])
        .await
        .unwrap();

    // Newer: replaces the record and its keys. Identical: unchanged.
    let v2 = advisory("GHSA-1", "2024-02-01T00:00:00Z", &[("npm", "new-name")]);
    let got = s
        .import_advisories("b", vec![v2.clone(), other.clone()])
        .await
        .unwrap();
    assert_eq!(got, summary(0, 1, 1, 0));
    assert!(
        s.advisories_for(&keys(&[("npm", "old-name")]))
            .await
            .unwrap()
            .is_empty()
    );
    let hits = s
        .advisories_for(&keys(&[("npm", "new-name")]))
        .await
        .unwrap();
    assert_eq!(hits, [v2.json.as_str()]);

    // Older (even written with another offset and precision): skipped, newer one stays.
    let mut v0 = advisory(
        "GHSA-1",
        "2024-02-01T00:59:59.999+01:00",
        &[("npm", "old-name")],
    );
    v0.json = r#"{"id":"GHSA-1","old":true}"#.into();
    let got = s.import_advisories("c", vec![v0]).await.unwrap();
    assert_eq!(got, summary(0, 0, 0, 1));
    let hits = s
        .advisories_for(&keys(&[("npm", "new-name")]))
        .await
        .unwrap();
    assert_eq!(hits, [v2.json.as_str()]);
    assert!(
        s.advisories_for(&keys(&[("npm", "old-name")]))
            .await
            .unwrap()
            .is_empty()
    );

    // A record without `modified` does not replace one that has it.
    let mut undated = v1.clone();
    undated.modified = None;
    let got = s.import_advisories("d", vec![undated]).await.unwrap();
    assert_eq!(got, summary(0, 0, 0, 1));
}

async fn same_modified_different_content_updates(db: &TestDb) {
    let s = &db.store;
    let a = advisory("OSV-1", "2024-01-01T00:00:00Z", &[("PyPI", "requests")]);
    s.import_advisories("a", vec![a.clone()]).await.unwrap();
    let mut fixed = a.clone();
    fixed.json = r#"{"id":"OSV-1","fixed":true}"#.into();
    fixed.malware = true;
    let got = s.import_advisories("b", vec![fixed.clone()]).await.unwrap();
    assert_eq!(got, summary(0, 1, 0, 0));
    let hits = s
        .advisories_for(&keys(&[("PyPI", "requests")]))
        .await
        .unwrap();
    assert_eq!(hits, [fixed.json]);
    let status = s.advisory_status().await.unwrap();
    assert_eq!(status.per_ecosystem, [("PyPI".to_string(), 1, 1)]);
}

async fn withdrawn_records_never_match(db: &TestDb) {
    let s = &db.store;
    let mut gone = advisory("GHSA-gone", "2024-01-01T00:00:00Z", &[("npm", "pkg")]);
    gone.withdrawn = true;
    let live = advisory("GHSA-live", "2024-01-01T00:00:00Z", &[("npm", "pkg")]);
    let later = advisory("GHSA-later", "2024-01-01T00:00:00Z", &[("npm", "pkg")]);
    s.import_advisories("a", vec![gone, live, later.clone()])
        .await
        .unwrap();
    let hits = s.advisories_for(&keys(&[("npm", "pkg")])).await.unwrap();
    assert_eq!(ids(&hits), ["GHSA-later", "GHSA-live"]);

    // Withdrawing a stored record (newer `modified`) takes it out of results.
    let mut withdrawn = later;
    withdrawn.modified = Some("2024-06-01T00:00:00Z".into());
    withdrawn.withdrawn = true;
    let got = s.import_advisories("b", vec![withdrawn]).await.unwrap();
    assert_eq!(got, summary(0, 1, 0, 0));
    let hits = s.advisories_for(&keys(&[("npm", "pkg")])).await.unwrap();
    assert_eq!(ids(&hits), ["GHSA-live"]);
    let status = s.advisory_status().await.unwrap();
    assert_eq!((status.total, status.withdrawn), (1, 2));
    assert_eq!(status.per_ecosystem, [("npm".to_string(), 1, 0)]);
}

async fn failed_import_leaves_nothing_written(db: &TestDb) {
    let s = &db.store;
    let first = advisory("GHSA-keep", "2024-01-01T00:00:00Z", &[("npm", "keep")]);
    s.import_advisories("good", vec![first.clone()])
        .await
        .unwrap();
    let before = s.advisory_status().await.unwrap();

    // Several full batches are written inside the transaction before the bad row is met,
    // including an update of the stored record; none of it may survive.
    let mut rows: Vec<AdvisoryRow> = (0..4500)
        .map(|i| {
            advisory(
                &format!("GHSA-new-{i}"),
                "2024-02-01T00:00:00Z",
                &[("npm", "new")],
            )
        })
        .collect();
    rows.insert(
        10,
        advisory("GHSA-keep", "2024-09-09T00:00:00Z", &[("npm", "moved")]),
    );
    let mut bad = advisory("GHSA-bad", "2024-02-01T00:00:00Z", &[("npm", "bad")]);
    bad.modified = Some("2024-13-45T99:00:00Z".into());
    rows.push(bad);
    rows.push(advisory(
        "GHSA-after",
        "2024-02-01T00:00:00Z",
        &[("npm", "after")],
    ));

    let err = s
        .import_advisories("broken", rows)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("GHSA-bad") && err.contains("4501"), "{err}");
    assert!(err.contains("rolled back"), "{err}");

    let after = s.advisory_status().await.unwrap();
    assert_eq!(after, before);
    assert!(
        s.advisories_for(&keys(&[("npm", "new"), ("npm", "moved")]))
            .await
            .unwrap()
            .is_empty()
    );
    let hits = s.advisories_for(&keys(&[("npm", "keep")])).await.unwrap();
    assert_eq!(hits, [first.json]);

    // Rows the schema would refuse are caught first, with a message saying why.
    let empty = advisory("", "2024-02-01T00:00:00Z", &[("npm", "x")]);
    let err = s
        .import_advisories("broken", vec![empty])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("id is empty"), "{err}");

    // The store is still usable after the rollback.
    let got = s
        .import_advisories(
            "good",
            vec![advisory("GHSA-2", "2024-01-01T00:00:00Z", &[("npm", "b")])],
        )
        .await
        .unwrap();
    assert_eq!(got, summary(1, 0, 0, 0));
}

async fn status_counts_and_freshness(db: &TestDb) {
    let s = &db.store;
    let empty = s.advisory_status().await.unwrap();
    assert_eq!(empty.total, 0);
    assert!(empty.per_ecosystem.is_empty() && empty.newest_modified.is_none());
    assert!(empty.last_import.is_none());

    let started = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let rows = vec![
        advisory(
            "MAL-1",
            "2024-04-30T23:00:00Z",
            &[("npm", "a"), ("PyPI", "a")],
        ),
        advisory(
            "MAL-2",
            "2024-01-01T00:00:00Z",
            &[("npm", "b"), ("npm", "c")],
        ),
        // Later as text, earlier as an instant.
        advisory("GHSA-3", "2024-05-01T00:00:00+02:00", &[("npm", "a")]),
        advisory("GHSA-4", "2023-01-01T00:00:00Z", &[("crates.io", "d")]),
        advisory("GHSA-5", "2023-01-01T00:00:00Z", &[]),
    ];
    s.import_advisories("osv-all.zip", rows).await.unwrap();
    s.import_advisories(
        "osv-npm.zip",
        vec![advisory(
            "MAL-1",
            "2024-04-30T23:00:00Z",
            &[("npm", "a"), ("PyPI", "a")],
        )],
    )
    .await
    .unwrap();

    let status = s.advisory_status().await.unwrap();
    assert_eq!(
        status.per_ecosystem,
        [
            ("PyPI".to_string(), 1, 1),
            ("crates.io".to_string(), 1, 0),
            ("npm".to_string(), 3, 2),
        ]
    );
    assert_eq!(status.total, 5);
    assert_eq!(status.withdrawn, 0);
    assert_eq!(
        status.newest_modified.as_deref(),
        Some("2024-04-30T23:00:00Z")
    );
    let (at, source, count) = status.last_import.expect("an import was recorded");
    assert_eq!((source.as_str(), count), ("osv-npm.zip", 1));
    assert!(
        at >= started && at <= time::OffsetDateTime::now_utc(),
        "{at}"
    );
}

async fn repeated_id_in_one_import(db: &TestDb) {
    let s = &db.store;
    let rows = vec![
        advisory("GHSA-r", "2024-01-01T00:00:00Z", &[("npm", "one")]),
        advisory(
            "GHSA-r",
            "2024-03-01T00:00:00Z",
            &[("npm", "three"), ("npm", "three")],
        ),
        advisory("GHSA-r", "2024-02-01T00:00:00Z", &[("npm", "two")]),
    ];
    let got = s.import_advisories("dup", rows).await.unwrap();
    assert_eq!(got, summary(1, 1, 0, 1));
    let hits = s
        .advisories_for(&keys(&[("npm", "one"), ("npm", "two"), ("npm", "three")]))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].contains("2024-03-01"), "{hits:?}");
}

async fn ten_thousand_keys(db: &TestDb) {
    let s = &db.store;
    let rows: Vec<AdvisoryRow> = (0..3000)
        .map(|i| {
            let name = format!("pkg-{i}");
            advisory(
                &format!("GHSA-{i:05}"),
                "2024-01-01T00:00:00Z",
                &[("npm", &name)],
            )
        })
        .collect();
    s.import_advisories("many", rows).await.unwrap();
    // Every third stored package among 12,000 keys, most of which match nothing.
    let wanted: Vec<(String, String)> = (0..12_000)
        .map(|i| {
            let name = if i % 4 == 0 {
                format!("pkg-{}", i / 4)
            } else {
                format!("absent-{i}")
            };
            ("npm".to_string(), name)
        })
        .collect();
    let hits = s.advisories_for(&wanted).await.unwrap();
    assert_eq!(hits.len(), 3000);
    let got = ids(&hits);
    assert_eq!(got.first().map(String::as_str), Some("GHSA-00000"));
    assert_eq!(got.last().map(String::as_str), Some("GHSA-02999"));
}

async fn concurrent_imports_both_land(db: &TestDb) {
    let s = &db.store;
    let batch = |prefix: &str| -> Vec<AdvisoryRow> {
        (0..1200)
            .map(|i| {
                advisory(
                    &format!("{prefix}-{i}"),
                    "2024-01-01T00:00:00Z",
                    &[("npm", "shared")],
                )
            })
            .collect()
    };
    let (a, b) = tokio::join!(
        s.import_advisories("a", batch("A")),
        s.import_advisories("b", batch("B"))
    );
    assert_eq!(a.unwrap(), summary(1200, 0, 0, 0));
    assert_eq!(b.unwrap(), summary(1200, 0, 0, 0));
    let hits = s.advisories_for(&keys(&[("npm", "shared")])).await.unwrap();
    assert_eq!(hits.len(), 2400);
}
