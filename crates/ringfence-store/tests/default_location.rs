//! The default database lives under the user's data directory. Alone in its own test binary
//! because it changes the environment, which no other thread may read meanwhile.

use ringfence_store::{Backend, Store};

#[tokio::test]
async fn default_location_is_created_under_the_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    // SAFETY: this binary has a single test and spawns no threads before this point.
    unsafe {
        std::env::set_var("XDG_DATA_HOME", &data);
        std::env::set_var("HOME", home.path());
    }
    let path = Store::default_location().unwrap();
    assert_eq!(path, data.join("ringfence").join("ringfence.db"));
    assert!(data.join("ringfence").is_dir());
    assert!(!path.exists(), "only the directory is created up front");

    let store = Store::open_path(&path).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert_eq!(store.location(), path.display().to_string());
    store.close().await;
    assert!(path.is_file());
}
