//! Reading honest packages: tarballs and folders, in memory, paths relative to the package root.

mod support;

use ringfence_inspect::archive::{Limits, ProblemKind, read_folder, read_path, read_tarball};
use support::{RawTar, benign_tarballs, gzip, tgz};

#[test]
fn a_tarball_is_read_with_the_top_folder_stripped() {
    let bytes = tgz(&[
        ("package.json", b"{\"name\":\"x\"}"),
        ("lib/index.js", b"module.exports = 1;\n"),
    ]);
    let contents = read_tarball(&bytes, &Limits::default());
    assert!(contents.problems.is_empty(), "{:?}", contents.problems);
    let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["package.json", "lib/index.js"]);
    let index = contents.file("lib/index.js").unwrap();
    assert!(index.is_complete() && !index.binary);
    assert_eq!(index.mode, 0o644);
    assert_eq!(contents.unpacked_bytes, 12 + 20);
    let sha = contents.tarball_sha256.as_deref().unwrap();
    assert_eq!(sha.len(), 64);
    let expected: [u8; 32] = sha2::Digest::finalize(sha2::Digest::chain_update(
        <sha2::Sha256 as sha2::Digest>::new(),
        b"module.exports = 1;\n",
    ))
    .into();
    assert_eq!(index.sha256(), expected);
    let tarball: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&bytes).into();
    assert_eq!(
        sha,
        tarball
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
}

#[test]
fn any_single_top_folder_is_stripped_like_npm_does() {
    let mut tar = RawTar::new();
    tar.file("node/package.json", b"{}").file("node/a.js", b"1");
    let contents = read_tarball(&gzip(&tar.finish()), &Limits::default());
    assert!(contents.file("package.json").is_some());
    assert!(contents.file("a.js").is_some());
}

#[test]
fn binaries_are_kept_as_head_size_and_hash() {
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(300_000, 7);
    let bytes = tgz(&[("package.json", b"{}"), ("bin/tool", &elf)]);
    let limits = Limits::default();
    let contents = read_tarball(&bytes, &limits);
    let tool = contents.file("bin/tool").unwrap();
    assert!(tool.binary);
    assert!(!tool.is_complete());
    assert_eq!(tool.size, 300_000);
    assert_eq!(tool.bytes.len(), limits.binary_head_bytes);
    let direct = {
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(&elf).into();
        digest
    };
    assert_eq!(tool.sha256(), direct);
    assert!(
        contents.problems.is_empty(),
        "a binary over the head size is not a problem"
    );
}

#[test]
fn corrupt_and_truncated_tarballs_are_problems_not_panics() {
    let bytes = tgz(&[("package.json", b"{}"), ("index.js", &[b'a'; 5000])]);
    for cut in [0, 10, 100, bytes.len() / 2, bytes.len() - 9] {
        let contents = read_tarball(&bytes[..cut], &Limits::default());
        assert!(
            contents
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Corrupt)
                || contents.files.len() < 2,
            "cut at {cut}"
        );
    }
    let garbage = read_tarball(
        b"this is not a tarball at all, just text that goes on for a while",
        &Limits::default(),
    );
    assert!(garbage.files.is_empty());
    assert!(garbage.has_blocking_problems() || garbage.problems.is_empty());
}

#[test]
fn every_hard_negative_reads_without_problems() {
    for (name, bytes) in benign_tarballs() {
        let contents = read_tarball(&bytes, &Limits::default());
        assert!(
            contents.problems.is_empty(),
            "{name}: {:?}",
            contents.problems
        );
        assert!(contents.file("package.json").is_some(), "{name}");
    }
}

#[test]
fn a_folder_is_read_sorted_without_following_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("lib/deep")).unwrap();
    std::fs::write(root.join("package.json"), b"{\"name\":\"x\"}").unwrap();
    std::fs::write(root.join("lib/b.js"), b"b").unwrap();
    std::fs::write(root.join("lib/a.js"), b"a").unwrap();
    std::fs::write(root.join("lib/deep/c.js"), b"c").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", root.join("lib/escape")).unwrap();
    let contents = read_folder(root, &Limits::default()).unwrap();
    let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["lib/a.js", "lib/b.js", "lib/deep/c.js", "package.json"]
    );
    assert_eq!(contents.tarball_sha256, None);
    #[cfg(unix)]
    {
        assert_eq!(contents.problems.len(), 1);
        assert_eq!(contents.problems[0].kind, ProblemKind::Symlink);
        assert_eq!(contents.problems[0].path, "lib/escape");
    }
    // `read_path` picks folder or tarball by what it is given.
    assert_eq!(read_path(root, &Limits::default()).unwrap().files.len(), 4);
    let tgz_path = root.join("p.tgz");
    std::fs::write(&tgz_path, tgz(&[("package.json", b"{}")])).unwrap();
    assert_eq!(
        read_path(&tgz_path, &Limits::default())
            .unwrap()
            .files
            .len(),
        1
    );
    assert!(read_path(&root.join("missing"), &Limits::default()).is_err());
}

#[test]
fn folder_limits_apply_too() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..30 {
        std::fs::write(dir.path().join(format!("f{i}.js")), b"x").unwrap();
    }
    let limits = Limits {
        max_files: 10,
        ..Limits::default()
    };
    let contents = read_folder(dir.path(), &limits).unwrap();
    assert_eq!(contents.files.len(), 10);
    assert!(contents.has_blocking_problems());
}
