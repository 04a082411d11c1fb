//! The export a client takes away: one `.zip` with the portal as JSON, the portal as an
//! Automerge document, and every file shared in it, so they leave with everything.
//!
//! Entries are stored, not compressed: the documents are small and most files (PDF, images,
//! office documents) are compressed already, and stored entries need no compression library.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::doc::ModelError;
use crate::portal::FileRef;

/// The archive: `portal.json`, `portal.automerge`, and `files/<name>` for each file (names made
/// unique with " (2)", " (3)" before the extension).
pub fn export_archive(
    json: &[u8],
    automerge: &[u8],
    files: &[(FileRef, Vec<u8>)],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ModelError> {
    let mut entries: Vec<(String, &[u8])> = vec![
        ("portal.json".to_owned(), json),
        ("portal.automerge".to_owned(), automerge),
    ];
    for (file, bytes) in files {
        let name = unique_name(&entries, &file.spec.name);
        entries.push((name, bytes));
    }
    zip_stored(&entries, now)
}

fn unique_name(taken: &[(String, &[u8])], name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let mut candidate = format!("files/{name}");
    let mut n = 2;
    while taken.iter().any(|(t, _)| *t == candidate) {
        candidate = format!("files/{stem} ({n}){ext}");
        n += 1;
    }
    candidate
}

/// A zip archive (PKWARE APPNOTE 6.3, no ZIP64) of stored entries with UTF-8 names.
fn zip_stored(entries: &[(String, &[u8])], now: DateTime<Utc>) -> Result<Vec<u8>, ModelError> {
    let too_big = || ModelError::Rule("The export is too large for one archive (4 GB).".into());
    if entries.len() > usize::from(u16::MAX) {
        return Err(too_big());
    }
    let time = ((now.hour() << 11) | (now.minute() << 5) | (now.second() / 2)) as u16;
    let date =
        (((now.year() - 1980).clamp(0, 127) as u32) << 9 | now.month() << 5 | now.day()) as u16;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let crc = crc32(data);
        let name_len = u16::try_from(name.len()).map_err(|_| too_big())?;
        // Local header: version 2.0, bit 11 (UTF-8 names), stored.
        let mut header = Vec::with_capacity(30 + name.len());
        header.extend(0x0403_4b50u32.to_le_bytes());
        header.extend(20u16.to_le_bytes());
        header.extend(0x0800u16.to_le_bytes());
        header.extend(0u16.to_le_bytes());
        header.extend(time.to_le_bytes());
        header.extend(date.to_le_bytes());
        header.extend(crc.to_le_bytes());
        header.extend(size.to_le_bytes());
        header.extend(size.to_le_bytes());
        header.extend(name_len.to_le_bytes());
        header.extend(0u16.to_le_bytes());
        out.extend(&header);
        out.extend(name.as_bytes());
        out.extend(*data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(&header[4..28]);
        central.extend([0u8; 8]); // comment length, disk number, internal and external attributes
        central.extend([0u8; 4]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).map_err(|_| too_big())?;
    let central_size = u32::try_from(central.len()).map_err(|_| too_big())?;
    out.extend(&central);
    let count = entries.len() as u16;
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(central_size.to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    Ok(out)
}

/// CRC-32 (IEEE 802.3), as zip uses.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}
