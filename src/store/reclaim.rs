//! Give back the disk space a failed load took.
//!
//! A load writes its new tables into the workspace file before it commits. When it fails
//! (a full disk, a cancel, a bad file), DuckDB rolls the transaction back but leaves the file at
//! its grown size: the blocks past the last committed one are garbage that no header refers to,
//! and DuckDB does not cut them off, not on rollback, checkpoint or reopen (tried on a full
//! tmpfs). On a full disk that is exactly the space the analyst needs back.
//!
//! The committed size is in the file's own header: after the 4 KiB main header come two 4 KiB
//! database headers; the one with the higher `iteration` is current and holds `block_count` and
//! `block_alloc_size` (DuckDB `src/storage/single_file_block_manager.cpp`, `DatabaseHeader`).
//! Blocks live at `3 x 4096 + id x block_alloc_size` for ids below `block_count`, so every byte
//! past that end is unused. [`trim`] cuts there, and only there, with the workspace closed and
//! under the same lock DuckDB takes, so no other program can have it open meanwhile.
use anyhow::{Context, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

const HEADER_SIZE: u64 = 4096;
const MAGIC: &[u8; 4] = b"DUCK";

/// The size the current header of a DuckDB file says it uses, or None when the file does not
/// look like a DuckDB database (then nothing is trimmed).
pub fn committed_size(header: &[u8]) -> Option<u64> {
    if header.len() < 3 * HEADER_SIZE as usize || &header[8..12] != MAGIC {
        return None;
    }
    let word = |at: usize| -> Option<u64> { header.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes) };
    // Each database header: checksum, iteration, meta block, free list, block count, block size.
    let db_header = |at: usize| -> Option<(u64, u64, u64)> { Some((word(at + 8)?, word(at + 32)?, word(at + 40)?)) };
    let (a, b) = (db_header(HEADER_SIZE as usize)?, db_header(2 * HEADER_SIZE as usize)?);
    let (_, blocks, block_size) = if a.0 >= b.0 { a } else { b };
    // A block size DuckDB can have (a power of two from 16 KiB); anything else: not ours to cut.
    if !block_size.is_power_of_two() || !(16 * 1024..=1 << 30).contains(&block_size) {
        return None;
    }
    blocks.checked_mul(block_size)?.checked_add(3 * HEADER_SIZE)
}

/// Cut the unused tail off a closed workspace file: the bytes freed (0 when there were none,
/// when the file is not a DuckDB database, or when another program has it open).
pub fn trim(path: &Path) -> Result<u64> {
    let file = match std::fs::OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("could not open workspace {} to give back the space of the failed load", path.display())),
    };
    if !lock_whole_file(&file) {
        return Ok(0); // another carepath (or DuckDB) has it open: leave it alone
    }
    let mut header = vec![0u8; 3 * HEADER_SIZE as usize];
    if (&file).read_exact(&mut header).is_err() {
        return Ok(0);
    }
    let Some(used) = committed_size(&header) else { return Ok(0) };
    let len = file.metadata().with_context(|| format!("could not read the size of workspace {}", path.display()))?.len();
    if len <= used {
        return Ok(0);
    }
    file.set_len(used).with_context(|| format!("could not give back the space of the failed load in workspace {}", path.display()))?;
    file.sync_all().ok();
    Ok(len - used)
}

/// The exclusive write lock over the whole file that DuckDB itself takes (`fcntl` F_SETLK), so
/// that trimming and any DuckDB opening the file exclude each other. Released when `file` closes.
#[cfg(unix)]
fn lock_whole_file(file: &File) -> bool {
    use std::os::unix::io::AsRawFd;
    // SAFETY: fcntl on a descriptor we own, with a zeroed flock we own.
    unsafe {
        let mut fl: libc::flock = std::mem::zeroed();
        fl.l_type = libc::F_WRLCK as _;
        fl.l_whence = libc::SEEK_SET as _;
        libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &fl) == 0
    }
}

#[cfg(not(unix))]
fn lock_whole_file(_file: &File) -> bool {
    false // no trimming where we cannot exclude other openers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(iterations: (u64, u64), blocks: (u64, u64), block_size: u64) -> Vec<u8> {
        let mut h = vec![0u8; 3 * HEADER_SIZE as usize];
        h[8..12].copy_from_slice(MAGIC);
        for (i, at) in [HEADER_SIZE as usize, 2 * HEADER_SIZE as usize].into_iter().enumerate() {
            let (it, n) = if i == 0 { (iterations.0, blocks.0) } else { (iterations.1, blocks.1) };
            h[at + 8..at + 16].copy_from_slice(&it.to_le_bytes());
            h[at + 32..at + 40].copy_from_slice(&n.to_le_bytes());
            h[at + 40..at + 48].copy_from_slice(&block_size.to_le_bytes());
        }
        h
    }

    #[test]
    fn the_newer_header_gives_the_size() {
        // 81 blocks of 256 KiB after three 4 KiB headers: 12,288 + 81 x 262,144 = 21,245,952.
        assert_eq!(committed_size(&header((1, 0), (81, 0), 262_144)), Some(21_245_952));
        assert_eq!(committed_size(&header((4, 5), (81, 2), 262_144)), Some(12_288 + 2 * 262_144));
    }

    #[test]
    fn anything_not_duckdb_is_left_alone() {
        let mut h = header((1, 0), (81, 0), 262_144);
        h[8] = b'X';
        assert_eq!(committed_size(&h), None);
        assert_eq!(committed_size(&header((1, 0), (81, 0), 1000)), None);
        assert_eq!(committed_size(&h[..100]), None);
    }
}
