//! Recognising binary files from their first bytes: native executables and libraries (which the
//! `native-code` alert reports) and anything else that is not text.

/// A native executable or library format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeFormat {
    Elf,
    /// Windows PE (`MZ` header whose `e_lfanew` points at `PE\0\0`).
    Pe,
    MachO,
    /// Universal (fat) Mach-O; told apart from Java class files (same magic) by the arch count.
    MachOUniversal,
}

impl NativeFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            NativeFormat::Elf => "ELF",
            NativeFormat::Pe => "Windows PE",
            NativeFormat::MachO => "Mach-O",
            NativeFormat::MachOUniversal => "universal Mach-O",
        }
    }
}

/// The native format of a file, from its head (the first few KiB are enough).
pub fn native_format(head: &[u8]) -> Option<NativeFormat> {
    if head.starts_with(b"\x7fELF") {
        return Some(NativeFormat::Elf);
    }
    if head.starts_with(b"MZ") && head.len() >= 0x40 {
        let at = u32::from_le_bytes([head[0x3c], head[0x3d], head[0x3e], head[0x3f]]) as usize;
        if head.get(at..at.saturating_add(4)) == Some(b"PE\0\0".as_slice()) {
            return Some(NativeFormat::Pe);
        }
    }
    let magic = head.get(..4)?;
    match magic {
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => {
            Some(NativeFormat::MachO)
        }
        [0xca, 0xfe, 0xba, 0xbe] => {
            // Java class files share the magic; there the next field is a version >= 45.
            let count = head
                .get(4..8)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))?;
            (1..=30)
                .contains(&count)
                .then_some(NativeFormat::MachOUniversal)
        }
        _ => None,
    }
}

/// True for files that are not text: a native format, WebAssembly, or a NUL byte in the head.
pub fn looks_binary(head: &[u8]) -> bool {
    native_format(head).is_some() || head.starts_with(b"\0asm") || head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_native_formats_and_not_text() {
        assert_eq!(
            native_format(b"\x7fELF\x02\x01\x01"),
            Some(NativeFormat::Elf)
        );
        let mut pe = vec![0u8; 0x90];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        assert_eq!(native_format(&pe), Some(NativeFormat::Pe));
        assert_eq!(native_format(b"MZ is a fine way to start a README"), None);
        assert_eq!(
            native_format(&[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]),
            Some(NativeFormat::MachO)
        );
        assert_eq!(
            native_format(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            Some(NativeFormat::MachOUniversal)
        );
        // A Java class file (major version 52) is not Mach-O.
        assert_eq!(native_format(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), None);
        assert!(looks_binary(b"\0asm\x01\0\0\0"));
        assert!(!looks_binary("module.exports = 'héllo';".as_bytes()));
    }
}
