//! The one `unsafe` of this crate: mapping a file.

use std::fs::File;

use memmap2::Mmap;

/// A read-only map of all of `file`.
///
/// # Errors
///
/// The operating system's, e.g. for an empty file (the caller reports an
/// empty file before mapping).
pub fn map(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: the map is read-only and private to this process, and filter
    // files are published by rename (see the crate docs), so the mapped
    // inode is never written while it is mapped. Truncating it in place
    // anyway could fault a reader (SIGBUS): the documented way to update a
    // filter never does.
    let map = unsafe { Mmap::map(file) }?;
    // Lookups touch two random pages: without this the kernel's read-around
    // turns the first fault into a read of up to read_ahead_kb (often the
    // whole file). Advice only; a kernel that ignores it is still correct.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Random);
    Ok(map)
}

/// Read-ahead for a whole-file pass (`on`), or back to random access.
pub fn sequential(map: &Mmap, on: bool) {
    #[cfg(unix)]
    let _ = map.advise(if on {
        memmap2::Advice::Sequential
    } else {
        memmap2::Advice::Random
    });
    #[cfg(not(unix))]
    let _ = (map, on);
}
