//! Sorting more hash prefixes than memory holds: sorted runs on disk, merged.
//!
//! Prefixes collect in a chunk of at most `memory / 16` entries (the chunk
//! and its sorting scratch); a full chunk is sorted, deduplicated and
//! written to an unnamed temporary file (8 bytes an entry). At the end the
//! runs are merged in one pass, with a 1 MiB buffer each. Memory is
//! therefore bounded by `--memory` plus 1 MiB a run, whatever the input.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Bytes of memory an entry takes while collecting: itself and its scratch.
const BYTES_PER_ENTRY: u64 = 16;
/// A chunk smaller than this is sorted directly; larger ones by buckets.
const BUCKET_SORT_FROM: usize = 1 << 20;
/// Bits of the prefix the bucket pass looks at.
const BUCKET_BITS: u32 = 16;
/// Read and write buffer of a run.
const RUN_BUFFER: usize = 1 << 20;

/// Prefixes collected so far, in memory and in runs on disk.
pub struct Runs {
    chunk: Vec<u64>,
    scratch: Vec<u64>,
    cap: usize,
    dir: PathBuf,
    spilled: Vec<(File, u64)>,
}

impl Runs {
    /// Collects with at most `memory` bytes, spilling runs into `dir`.
    pub fn new(memory: u64, dir: &Path) -> Runs {
        let cap = usize::try_from(memory / BYTES_PER_ENTRY)
            .unwrap_or(usize::MAX)
            .max(1024);
        Runs {
            chunk: Vec::new(),
            scratch: Vec::new(),
            cap,
            dir: dir.to_owned(),
            spilled: Vec::new(),
        }
    }

    /// Adds one prefix.
    ///
    /// # Errors
    ///
    /// When a full chunk cannot be written to the temporary directory.
    pub fn push(&mut self, prefix: u64) -> io::Result<()> {
        if self.chunk.len() == self.cap {
            self.spill()?;
        }
        self.chunk.push(prefix);
        Ok(())
    }

    /// How many runs went to disk.
    pub fn spilled(&self) -> usize {
        self.spilled.len()
    }

    fn spill(&mut self) -> io::Result<()> {
        sort_dedup(&mut self.chunk, &mut self.scratch);
        let file = tempfile::tempfile_in(&self.dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot make a temporary file in {}: {e}",
                    self.dir.display()
                ),
            )
        })?;
        let mut w = BufWriter::with_capacity(RUN_BUFFER, file);
        for x in &self.chunk {
            w.write_all(&x.to_le_bytes())?;
        }
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        self.spilled.push((file, self.chunk.len() as u64));
        self.chunk.clear();
        Ok(())
    }

    /// Everything collected, sorted: `bound` is the number of entries after
    /// removing duplicates within each run (duplicates across runs are
    /// removed while merging).
    ///
    /// # Errors
    ///
    /// When the last chunk cannot be spilled.
    pub fn finish(mut self) -> io::Result<Sorted> {
        sort_dedup(&mut self.chunk, &mut self.scratch);
        self.scratch = Vec::new();
        if self.spilled.is_empty() {
            return Ok(Sorted {
                bound: self.chunk.len() as u64,
                source: Source::Memory(self.chunk),
            });
        }
        if !self.chunk.is_empty() {
            self.spill()?;
        }
        let bound = self.spilled.iter().map(|(_, n)| n).sum();
        let runs = self
            .spilled
            .into_iter()
            .map(|(file, len)| BufReader::with_capacity(RUN_BUFFER, file).take(len * 8))
            .collect();
        Ok(Sorted {
            bound,
            source: Source::Runs(runs),
        })
    }
}

/// Sorted prefixes, ready to be visited once.
pub struct Sorted {
    /// At least as many as there are distinct prefixes.
    pub bound: u64,
    source: Source,
}

enum Source {
    Memory(Vec<u64>),
    Runs(Vec<io::Take<BufReader<File>>>),
}

impl Sorted {
    /// Calls `visit` with each distinct prefix in ascending order.
    ///
    /// # Errors
    ///
    /// A run's read error, or `visit`'s.
    pub fn for_each<E: From<io::Error>>(
        self,
        mut visit: impl FnMut(u64) -> Result<(), E>,
    ) -> Result<(), E> {
        match self.source {
            Source::Memory(v) => v.into_iter().try_for_each(visit),
            Source::Runs(mut runs) => {
                let mut heap = BinaryHeap::with_capacity(runs.len());
                for (i, run) in runs.iter_mut().enumerate() {
                    if let Some(x) = next(run)? {
                        heap.push(Reverse((x, i)));
                    }
                }
                let mut last = None;
                while let Some(Reverse((x, i))) = heap.pop() {
                    if last != Some(x) {
                        visit(x)?;
                        last = Some(x);
                    }
                    if let Some(y) = next(&mut runs[i])? {
                        heap.push(Reverse((y, i)));
                    }
                }
                Ok(())
            }
        }
    }
}

fn next(run: &mut impl Read) -> io::Result<Option<u64>> {
    let mut b = [0u8; 8];
    match run.read_exact(&mut b) {
        Ok(()) => Ok(Some(u64::from_le_bytes(b))),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sorts and deduplicates `v`. Hash prefixes are uniform, so one pass into
/// 65536 buckets by their top bits leaves small buckets that sort in cache.
fn sort_dedup(v: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    if v.len() >= BUCKET_SORT_FROM {
        let shift = 64 - BUCKET_BITS;
        let mut starts = vec![0usize; (1 << BUCKET_BITS) + 1];
        for &x in v.iter() {
            starts[(x >> shift) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        scratch.clear();
        scratch.resize(v.len(), 0);
        let mut next = starts.clone();
        for &x in v.iter() {
            let b = (x >> shift) as usize;
            scratch[next[b]] = x;
            next[b] += 1;
        }
        for b in 0..1 << BUCKET_BITS {
            scratch[starts[b]..starts[b + 1]].sort_unstable();
        }
        std::mem::swap(v, scratch);
    } else {
        v.sort_unstable();
    }
    v.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(runs: Runs) -> (u64, Vec<u64>) {
        let sorted = runs.finish().unwrap();
        let bound = sorted.bound;
        let mut out = Vec::new();
        sorted
            .for_each(|x| {
                out.push(x);
                Ok::<(), io::Error>(())
            })
            .unwrap();
        (bound, out)
    }

    #[test]
    fn runs_on_disk_merge_to_what_memory_would_sort() {
        let dir = tempfile::tempdir().unwrap();
        let mut x = 7u64;
        let values: Vec<u64> = (0..50_000)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if i % 10 == 0 { 42 } else { x }
            })
            .collect();
        let mut want = values.clone();
        want.sort_unstable();
        want.dedup();

        // 16 KiB: chunks of 1024 entries, so about 50 runs.
        let mut small = Runs::new(16 * 1024, dir.path());
        for &v in &values {
            small.push(v).unwrap();
        }
        assert!(small.spilled() > 40);
        let (bound, got) = collect(small);
        assert_eq!(got, want);
        assert!(bound >= want.len() as u64);

        let mut big = Runs::new(1 << 30, dir.path());
        for &v in &values {
            big.push(v).unwrap();
        }
        assert_eq!(big.spilled(), 0);
        assert_eq!(collect(big), (want.len() as u64, want));
    }

    #[test]
    fn the_bucket_sort_sorts() {
        let mut x = 1u64;
        let mut v: Vec<u64> = (0..BUCKET_SORT_FROM + 5)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect();
        v.push(0);
        v.push(u64::MAX);
        v.push(0);
        let mut want = v.clone();
        want.sort_unstable();
        want.dedup();
        sort_dedup(&mut v, &mut Vec::new());
        assert_eq!(v, want);
    }
}
