//! A fast generator of HIBP-format corpora for the breached-filter runs
//! (`benches/peers/breach.sh` and the scaled builds): `HASH:COUNT` lines,
//! uppercase hex, CRLF, as the Pwned Passwords downloader writes them.
//!
//! ```text
//! breach_corpus [--kind sha1|ntlm] [--order sorted|index|random]
//!               [--prefix P] [--start S] [--memory SIZE] [--threads T] [--bare] N > corpus.txt
//! ```
//!
//! What the N lines are, by `--order`:
//!
//! - `sorted` (the default for SHA-1): the SHA-1 hashes of the passwords
//!   `P{S}` .. `P{S+N-1}` (`bench-0` .. by default: the same hashes as
//!   `corpus/hibp.py`, so a run can look members up by password), sorted
//!   by hash. Memory is bounded by `--memory` (default 1G, 20 bytes a line):
//!   the hashes are made in passes, each keeping only one range of the hash
//!   space, so a corpus larger than memory costs one more round of hashing
//!   per `--memory` of hashes (100M lines: 2 GB of hashes, 2 passes at 1G).
//! - `index`: the same hashes in password order (`P{S}` first), which is
//!   random in hash order. One pass, a few MiB of memory whatever N. HIBP
//!   order does not matter to `pwpolicy breach build` (it sorts); `--bare
//!   --order index` lists lookup keys in an order no cache can predict.
//! - `random` (the only order for NTLM, which has no MD4 here): uniformly
//!   random hashes that are sorted by construction (each line's top 64 bits
//!   are drawn as the least of the lines still to come, so they ascend, and
//!   are distinct; the rest is random). One pass, no memory, no hashing:
//!   the fastest way to a large corpus. Deterministic in N.
//!
//! Counts follow the rough power law of `hibp.py` (same formula; drawn from
//! the hash itself, or the generator, rather than Python's random), so
//! `--min-count` has something to drop. `--bare` writes the hashes alone,
//! one per LF line: the lookup input of `pwqfilter --pre-hashed` and
//! `breach_lookup`. The output is the same for the same arguments whatever
//! `--threads` is.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;

use sha1::{Digest, Sha1};

/// Indices hashed per block in `index` order (one block is sent at a time).
const BLOCK: u64 = 1 << 16;
/// Bytes of memory a SHA-1 hash takes while a `sorted` pass collects it.
const BYTES_PER_HASH: u64 = 20;
/// The output buffer.
const OUT_BUFFER: usize = 1 << 20;

/// What the lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sha1,
    Ntlm,
}

impl Kind {
    fn bytes(self) -> usize {
        match self {
            Kind::Sha1 => 20,
            Kind::Ntlm => 16,
        }
    }
}

/// In which order, and from what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Sorted,
    Index,
    Random,
}

/// The parsed command line.
struct Options {
    kind: Kind,
    order: Order,
    prefix: String,
    start: u64,
    lines: u64,
    memory: u64,
    threads: usize,
    bare: bool,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("breach_corpus: {message}");
            eprintln!(
                "usage: breach_corpus [--kind sha1|ntlm] [--order sorted|index|random] [--prefix P] \
                 [--start S] [--memory SIZE] [--threads T] [--bare] N"
            );
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout().lock();
    let mut out = io::BufWriter::with_capacity(OUT_BUFFER, stdout);
    let result = match options.order {
        Order::Random => random(&options, &mut out),
        Order::Index => index(&options, &mut out),
        Order::Sorted => sorted(&options, &mut out),
    }
    .and_then(|()| out.flush());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("breach_corpus: cannot write: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut kind = Kind::Sha1;
    let mut order = None;
    let mut prefix = "bench-".to_owned();
    let mut start = 0u64;
    let mut memory = 1u64 << 30;
    let mut threads = thread::available_parallelism().map_or(1, usize::from);
    let mut bare = false;
    let mut lines = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--kind" => {
                kind = match value()?.as_str() {
                    "sha1" => Kind::Sha1,
                    "ntlm" => Kind::Ntlm,
                    other => return Err(format!("--kind: sha1 or ntlm, not {other:?}")),
                }
            }
            "--order" => {
                order = Some(match value()?.as_str() {
                    "sorted" => Order::Sorted,
                    "index" => Order::Index,
                    "random" => Order::Random,
                    other => {
                        return Err(format!("--order: sorted, index or random, not {other:?}"));
                    }
                })
            }
            "--prefix" => prefix = value()?,
            "--start" => start = number(&value()?, "--start")?,
            "--memory" => memory = size(&value()?)?,
            "--threads" => {
                threads = usize::try_from(number(&value()?, "--threads")?)
                    .map_err(|_| "--threads: too large".to_owned())?
                    .max(1)
            }
            "--bare" => bare = true,
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            other if lines.is_none() => lines = Some(number(other, "N")?),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let lines = lines.ok_or("no N given")?;
    let order = match (kind, order) {
        (Kind::Ntlm, None | Some(Order::Random)) => Order::Random,
        (Kind::Ntlm, Some(_)) => return Err("NTLM corpora are random: --order random".to_owned()),
        (Kind::Sha1, order) => order.unwrap_or(Order::Sorted),
    };
    if order != Order::Random && start.checked_add(lines).is_none() {
        return Err("--start + N overflows".to_owned());
    }
    Ok(Options {
        kind,
        order,
        prefix,
        start,
        lines,
        memory,
        threads,
        bare,
    })
}

fn number(text: &str, what: &str) -> Result<u64, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("{what}: not a number: {text:?}"))
}

/// `SIZE`: bytes, or with a K, M or G suffix (powers of 1024).
fn size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.as_bytes().last() {
        Some(b'K' | b'k') => (&text[..text.len() - 1], 1u64 << 10),
        Some(b'M' | b'm') => (&text[..text.len() - 1], 1 << 20),
        Some(b'G' | b'g') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    number(digits, "--memory")?
        .checked_mul(unit)
        .filter(|&n| n >= 1 << 20)
        .ok_or_else(|| format!("--memory: at least 1M, not {text:?}"))
}

/// SplitMix64: small, fast, and good enough for a corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        unit(self.next())
    }
}

/// `bits` as a number in (0, 1].
fn unit(bits: u64) -> f64 {
    ((bits >> 11) + 1) as f64 / (1u64 << 53) as f64
}

/// A `:COUNT` of `hibp.py`'s power law from a uniform `u` in (0, 1].
fn count(u: f64) -> u64 {
    ((1.0 / (u.powf(1.5) + 1e-9)) as u64 % 1_000_000).max(1)
}

/// Appends one line: the hash in uppercase hex, then `:COUNT\r\n` (or, bare, `\n`).
fn line(buf: &mut Vec<u8>, hash: &[u8], count: u64, bare: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in hash {
        buf.push(HEX[usize::from(b >> 4)]);
        buf.push(HEX[usize::from(b & 15)]);
    }
    if bare {
        buf.push(b'\n');
        return;
    }
    buf.push(b':');
    push_decimal(buf, count);
    buf.extend_from_slice(b"\r\n");
}

/// The SHA-1 of password `prefix{i}`, reusing `password` as scratch.
fn sha1_of(password: &mut Vec<u8>, prefix_len: usize, i: u64) -> [u8; 20] {
    password.truncate(prefix_len);
    push_decimal(password, i);
    Sha1::digest(&password[..]).into()
}

/// Appends `n` in decimal (no formatter: this runs for every one of 100M lines).
fn push_decimal(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// A SHA-1 line's count, drawn from hash bits the filter does not keep.
fn sha1_count(hash: &[u8; 20]) -> u64 {
    let mut bits = [0u8; 8];
    bits.copy_from_slice(&hash[12..20]);
    count(unit(u64::from_be_bytes(bits)))
}

/// `random`: ascending top 64 bits, each the least of the lines still to
/// come (uniform order statistics, drawn one after the other), the rest
/// random.
fn random(o: &Options, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng(0x5EED_0000 ^ o.lines ^ ((o.kind.bytes() as u64) << 56));
    let mut top = 0u64;
    let mut hash = [0u8; 20];
    let hash = &mut hash[..o.kind.bytes()];
    let mut buf = Vec::with_capacity(OUT_BUFFER + 64);
    for done in 0..o.lines {
        // The least of k uniforms over what is left is a fraction
        // 1 - U^(1/k) of the way up it; at least 1, so lines are distinct.
        let k = (o.lines - done) as f64;
        let left = u64::MAX - top;
        let step = (left as f64 * -(rng.unit().ln() / k).exp_m1()) as u64;
        // Random bits below the f64's 53 (a large step's low bits are 0).
        let step = step | (rng.next() & ((step.next_power_of_two() >> 52).saturating_sub(1)));
        top = top.saturating_add(step.clamp(1, left.max(1)));
        hash[..8].copy_from_slice(&top.to_be_bytes());
        for chunk in hash[8..].chunks_mut(8) {
            let r = rng.next().to_be_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
        let c = count(rng.unit());
        line(&mut buf, hash, c, o.bare);
        if buf.len() >= OUT_BUFFER {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// `index`: blocks of lines hashed by `threads` workers, written in order.
fn index(o: &Options, out: &mut impl Write) -> io::Result<()> {
    let blocks = o.lines.div_ceil(BLOCK);
    let threads = o
        .threads
        .min(usize::try_from(blocks).unwrap_or(usize::MAX))
        .max(1);
    thread::scope(|scope| {
        let receivers: Vec<mpsc::Receiver<Vec<u8>>> = (0..threads)
            .map(|t| {
                let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(2);
                scope.spawn(move || {
                    let mut password = o.prefix.as_bytes().to_vec();
                    let mut block = t as u64;
                    while block < blocks {
                        let from = o.start + block * BLOCK;
                        let to = (from + BLOCK).min(o.start + o.lines);
                        let mut buf = Vec::with_capacity((to - from) as usize * 52);
                        for i in from..to {
                            let hash = sha1_of(&mut password, o.prefix.len(), i);
                            line(&mut buf, &hash, sha1_count(&hash), o.bare);
                        }
                        if tx.send(buf).is_err() {
                            return; // the writer stopped
                        }
                        block += threads as u64;
                    }
                });
                rx
            })
            .collect();
        for block in 0..blocks {
            let rx = &receivers[(block % threads as u64) as usize];
            let buf = rx
                .recv()
                .map_err(|_| io::Error::other("a hashing thread died"))?;
            out.write_all(&buf)?;
        }
        Ok(())
    })
}

/// `sorted`: passes over the passwords, each keeping one range of the hash
/// space (by its top 64 bits), sorted per worker and merged on output.
fn sorted(o: &Options, out: &mut impl Write) -> io::Result<()> {
    let total = o.lines.saturating_mul(BYTES_PER_HASH);
    let passes = total.div_ceil(o.memory).max(1);
    // Each pass expects lines/passes hashes; the range is cut evenly.
    let width = (u64::MAX / passes).saturating_add(1);
    let threads = o.threads.max(1);
    let expected = o.lines / passes / threads as u64;
    let mut buf = Vec::with_capacity(OUT_BUFFER + 64);
    for pass in 0..passes {
        let lo = pass * width;
        let hi = if pass + 1 == passes {
            u64::MAX
        } else {
            lo + width - 1
        };
        let parts: Vec<Vec<[u8; 20]>> = thread::scope(|scope| {
            let workers: Vec<_> = (0..threads as u64)
                .map(|t| {
                    scope.spawn(move || {
                        let mut password = o.prefix.as_bytes().to_vec();
                        // 1% and a little over the mean: growing is rare.
                        let mut kept =
                            Vec::with_capacity((expected + expected / 100 + 1024) as usize);
                        let mut i = o.start + t;
                        while i < o.start + o.lines {
                            let hash = sha1_of(&mut password, o.prefix.len(), i);
                            let top = top64(&hash);
                            if (lo..=hi).contains(&top) {
                                kept.push(hash);
                            }
                            i += threads as u64;
                        }
                        kept.sort_unstable_by(|a, b| {
                            top64(a).cmp(&top64(b)).then_with(|| a.cmp(b))
                        });
                        kept
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .map_err(|_| io::Error::other("a hashing thread died"))
                })
                .collect::<io::Result<_>>()
        })?;
        // A T-way merge: T is the core count, so a linear scan for the least head.
        let mut heads = vec![0usize; parts.len()];
        loop {
            let mut best: Option<usize> = None;
            for (p, part) in parts.iter().enumerate() {
                if let Some(h) = part.get(heads[p])
                    && best.is_none_or(|b| h < &parts[b][heads[b]])
                {
                    best = Some(p);
                }
            }
            let Some(b) = best else { break };
            let hash = &parts[b][heads[b]];
            heads[b] += 1;
            line(&mut buf, hash, sha1_count(hash), o.bare);
            if buf.len() >= OUT_BUFFER {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    out.write_all(&buf)
}

fn top64(hash: &[u8; 20]) -> u64 {
    let mut bits = [0u8; 8];
    bits.copy_from_slice(&hash[..8]);
    u64::from_be_bytes(bits)
}
