//! Opening stores: every location form, reopening (migrations are idempotent), and the
//! errors for locations that cannot work.

#[macro_use]
mod common;

use common::{TestDb, advisory, keys, pg_url, unique_schema, with_search_path};
use ringfence_store::{Backend, Store};
use sqlx::Connection;

on_both_backends!(reopen_keeps_data_and_schema);

async fn reopen_keeps_data_and_schema(db: &TestDb) {
    let row = advisory("GHSA-r", "2024-01-01T00:00:00Z", &[("npm", "r")]);
    db.store
        .import_advisories("first", vec![row.clone()])
        .await
        .unwrap();
    db.store.close().await;
    for _ in 0..2 {
        let again = db.reopen().await;
        let hits = again.advisories_for(&keys(&[("npm", "r")])).await.unwrap();
        assert_eq!(hits, [row.json.as_str()]);
        let status = again.advisory_status().await.unwrap();
        assert_eq!(status.last_import.map(|i| i.1).as_deref(), Some("first"));
        again.close().await;
    }
}

/// Several processes starting on a database file that does not exist yet (two CI jobs at
/// once): every one of them opens it, and the schema is created once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_opens_of_a_new_file_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db").display().to_string();
        let opens: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                tokio::spawn(async move { Store::open(&path).await })
            })
            .collect();
        for open in opens {
            let store = open
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            store.close().await;
        }
        let store = Store::open(&path).await.unwrap();
        assert!(store.incidents(true).await.unwrap().is_empty());
        store.close().await;
    }
}

#[tokio::test]
async fn sqlite_location_forms() {
    let dir = tempfile::tempdir().unwrap();
    let abs = |name: &str| dir.path().join(name).display().to_string();
    let forms = [
        format!("sqlite://{}", abs("a.db")),
        format!("sqlite:{}", abs("b.db")),
        abs("c.db"),
    ];
    for (form, file) in forms.iter().zip(["a.db", "b.db", "c.db"]) {
        let store = Store::open(form)
            .await
            .unwrap_or_else(|e| panic!("{form}: {e}"));
        assert_eq!(store.backend(), Backend::Sqlite);
        store
            .import_advisories(
                "t",
                vec![advisory("A", "2024-01-01T00:00:00Z", &[("npm", "a")])],
            )
            .await
            .unwrap();
        store.close().await;
        let path = dir.path().join(file);
        assert!(path.is_file(), "{form} did not create {}", path.display());
        // WAL mode is a property of the file: a plain connection sees it.
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal", "{form}");
        let tables: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('advisories', 'advisory_packages', 'imports')",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(tables, 3);
    }

    let memory = Store::open("sqlite::memory:").await.unwrap();
    memory
        .import_advisories(
            "t",
            vec![advisory("A", "2024-01-01T00:00:00Z", &[("npm", "a")])],
        )
        .await
        .unwrap();
    assert_eq!(
        memory
            .advisories_for(&keys(&[("npm", "a")]))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn postgres_location_forms() {
    let Some(base) = pg_url() else { return };
    let schema = unique_schema();
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let other_scheme = match base.split_once("://") {
        Some(("postgres", rest)) => format!("postgresql://{rest}"),
        Some(("postgresql", rest)) => format!("postgres://{rest}"),
        _ => panic!("DATABASE_URL should start with postgres:// or postgresql://"),
    };
    let mut outcome = Ok(());
    for url in [
        with_search_path(&base, &schema),
        with_search_path(&other_scheme, &schema),
    ] {
        match Store::open(&url).await {
            Ok(store) => {
                assert_eq!(store.backend(), Backend::Postgres);
                store.close().await;
            }
            Err(e) => {
                outcome = Err(format!("{url}: {e}"));
                break;
            }
        }
    }
    // The tables went into the test schema, and only there.
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 \
         AND table_name IN ('advisories', 'advisory_packages', 'imports', '_sqlx_migrations')",
    )
    .bind(&schema)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&mut admin)
        .await
        .unwrap();
    outcome.unwrap();
    assert_eq!(tables, 4);
}

fn assert_open_error(result: Result<Store, ringfence_store::StoreError>, needles: &[&str]) {
    let err = match result {
        Ok(store) => panic!("opened {} but should not have", store.location()),
        Err(e) => e.to_string(),
    };
    for needle in needles {
        assert!(err.contains(needle), "{err:?} should mention {needle:?}");
    }
}

#[tokio::test]
async fn bad_locations_name_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/x.db");
    let missing = missing.display().to_string();
    assert_open_error(Store::open(&missing).await, &[&missing, "no/such/dir"]);

    let file = dir.path().join("plain.txt");
    std::fs::write(&file, "not a directory").unwrap();
    let under_file = format!("sqlite:{}/x.db", file.display());
    assert_open_error(
        Store::open(&under_file).await,
        &["plain.txt/x.db", "not a directory"],
    );

    let as_dir = dir.path().display().to_string();
    assert_open_error(Store::open(&as_dir).await, &[&as_dir, "is a directory"]);

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![b'x'; 8192]).unwrap();
    let garbage = garbage.display().to_string();
    assert_open_error(Store::open(&garbage).await, &[&garbage, "not a database"]);

    // Root ignores permission bits, so use a file system nobody can create files in.
    assert_open_error(
        Store::open("/proc/ringfence-test.db").await,
        &["/proc/ringfence-test.db"],
    );

    assert_open_error(
        Store::open("mysql://root@127.0.0.1/x").await,
        &["mysql://root@127.0.0.1/x", "unsupported scheme"],
    );
    assert_open_error(Store::open("").await, &["empty"]);

    // Nothing listens on port 1; the password must not appear in the message.
    let refused = Store::open("postgres://rf:hunter2@127.0.0.1:1/test").await;
    assert_open_error(refused, &["postgres://rf:***@127.0.0.1:1/test"]);
    let refused = Store::open("postgres://rf:hunter2@127.0.0.1:1/test")
        .await
        .unwrap_err();
    assert!(!refused.to_string().contains("hunter2"), "{refused}");
    assert_open_error(
        Store::open("postgresql://127.0.0.1:5432/test?sslmode=bogus").await,
        &["postgresql://127.0.0.1:5432/test?sslmode=bogus"],
    );
}

#[tokio::test]
async fn postgres_bad_database_names_the_location() {
    let Some(base) = pg_url() else { return };
    // Same server, a database that does not exist.
    let Some((server, _)) = base.rsplit_once('/') else {
        panic!("DATABASE_URL has no database")
    };
    let url = format!("{server}/ringfence_no_such_db");
    assert_open_error(
        Store::open(&url).await,
        &["ringfence_no_such_db", "does not exist"],
    );
    // A search_path naming a schema that does not exist: migrations cannot create tables.
    let url = with_search_path(&base, "ringfence_no_such_schema");
    assert_open_error(
        Store::open(&url).await,
        &["ringfence_no_such_schema", "migrations"],
    );
}
