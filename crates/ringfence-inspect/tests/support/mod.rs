//! Builds test packages in memory: tarballs (including ones no honest tool would write) and
//! the password-protected malware zips read without extracting anything.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::PathBuf;

use flate2::Compression;
use flate2::write::GzEncoder;

/// A plain tar stream written header by header, so tests can write names and entry types that
/// `tar::Builder` refuses (`..`, absolute paths, links, devices, invalid UTF-8).
#[derive(Default)]
pub struct RawTar {
    pub bytes: Vec<u8>,
}

impl RawTar {
    pub fn new() -> RawTar {
        RawTar::default()
    }

    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut RawTar {
        self.entry(name.as_bytes(), tar::EntryType::Regular, data, b"")
    }

    pub fn entry(
        &mut self,
        name: &[u8],
        kind: tar::EntryType,
        data: &[u8],
        link: &[u8],
    ) -> &mut RawTar {
        let mut header = tar::Header::new_gnu();
        if name.len() > 100 {
            // GNU long name: an `L` entry holding the name, then the real header.
            let mut long = tar::Header::new_gnu();
            long.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
            long.set_entry_type(tar::EntryType::GNULongName);
            long.set_size(name.len() as u64 + 1);
            long.set_mode(0o644);
            long.set_cksum();
            self.bytes.extend_from_slice(long.as_bytes());
            let mut body = name.to_vec();
            body.push(0);
            self.pad(&body);
            header.as_old_mut().name[..100].copy_from_slice(&name[..100]);
        } else {
            header.as_old_mut().name[..name.len()].copy_from_slice(name);
        }
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        self.bytes.extend_from_slice(header.as_bytes());
        self.pad(data);
        self
    }

    fn pad(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
        let rest = data.len() % 512;
        if rest != 0 {
            self.bytes.extend(std::iter::repeat_n(0u8, 512 - rest));
        }
    }

    /// The tar with its two end-of-archive blocks.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.bytes);
        out.extend(std::iter::repeat_n(0u8, 1024));
        out
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    gzip_level(bytes, Compression::fast())
}

pub fn gzip_level(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// A `.tgz` with the given files under `package/`.
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = RawTar::new();
    for (path, data) in files {
        tar.file(&format!("package/{path}"), data);
    }
    gzip(&tar.finish())
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Every `.tgz` in a password-protected zip, decrypted in memory: (name, bytes), sorted.
pub fn malware_zip(file: &str) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(data_dir().join(file)).expect("test data zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index_decrypt(i, b"infected")
            .expect("the password is `infected`");
        if !entry.name().ends_with(".tgz") {
            continue;
        }
        let name = entry.name().rsplit('/').next().unwrap_or("").to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("decrypting");
        out.push((name, data));
    }
    out.sort();
    out
}

/// The hard negatives: (file name, bytes).
pub fn benign_tarballs() -> Vec<(String, Vec<u8>)> {
    let dir = data_dir().join("benign-npm");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tests/data/benign-npm")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(&p).expect("reading a tarball"),
            )
        })
        .collect();
    out.sort();
    out
}
