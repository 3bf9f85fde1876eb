//! `pwpolicy breach build`: HIBP files and password lists in, one filter out.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pwpolicy_breach::lines::{self, BadLine, InputFormat, Line, NextLine};
use pwpolicy_breach::{BreachedSet, Encoder, KeyKind, Settings};
use zeroize::Zeroizing;

use super::runs::Runs;
use super::{describe, shown, thousands};
use crate::args::{BreachBuildArgs, InputFormatArg, KeyArg};
use crate::{EXIT_ACCEPTED, EXIT_ERROR};

/// Bad lines listed per input; the rest are counted.
const BAD_LINES_LISTED: usize = 10;
/// Read buffer per input.
const READ_BUFFER: usize = 1 << 20;

/// One input and what its lines are.
struct Input {
    path: PathBuf,
    format: InputFormat,
    bytes: u64,
    /// What was read to tell the format, read again first: an input is
    /// opened once, so a pipe (`/dev/stdin`, `<(…)`) loses nothing.
    head: Zeroizing<Vec<u8>>,
    file: File,
}

/// What reading the inputs found besides the keys.
#[derive(Default)]
struct Tally {
    lines: u64,
    below_min_count: u64,
    bad: u64,
    /// (input, line number, why), the first few of each input.
    listed: Vec<(PathBuf, u64, BadLine)>,
}

/// Runs `pwpolicy breach build`.
pub fn run(args: &BreachBuildArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let one_in = one_in(args.fp_rate)?;
    let memory = parse_size(&args.memory)?;
    let inputs = args
        .inputs
        .iter()
        .map(|path| open_input(path, args.format))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let kind = key_kind(&inputs, args.key)?;
    let out_dir = match args.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let tmp_dir = args.tmp_dir.clone().unwrap_or_else(|| out_dir.clone());

    let total: u64 = inputs.iter().map(|i| i.bytes).sum();
    let bar = progress(total, "reading {bar:40} {bytes}/{total_bytes}, {eta} left");
    let mut runs = Runs::new(memory, &tmp_dir);
    let mut tally = Tally::default();
    let input_count = inputs.len();
    for input in inputs {
        read_input(input, kind, args.min_count, &mut runs, &mut tally, &bar)?;
    }
    bar.finish_and_clear();
    let spilled = runs.spilled();

    for (path, line, why) in &tally.listed {
        errln!("{}: line {line}: {why}", path.display());
    }
    if tally.bad > tally.listed.len() as u64 {
        errln!(
            "… and {} more bad lines",
            thousands(tally.bad - tally.listed.len() as u64)
        );
    }
    if tally.bad > 0 && !args.skip_bad_lines {
        errln!(
            "{} bad lines: nothing written (fix them, or pass --skip-bad-lines to leave them out)",
            thousands(tally.bad)
        );
        return Ok(EXIT_ERROR);
    }

    let sorted = runs.finish().context("cannot sort the keys")?;
    if sorted.bound == 0 {
        bail!("no keys in the inputs: nothing to build");
    }
    let bound = sorted.bound;
    let settings = Settings {
        kind,
        one_in,
        min_count: args.min_count,
        created: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".pwpolicy-breach-")
        .tempfile_in(&out_dir)
        .with_context(|| format!("cannot make a temporary file in {}", out_dir.display()))?;
    let bar = progress(bound, "writing {bar:40} {pos}/{len} keys, {eta} left");
    let header = {
        let out = BufWriter::with_capacity(READ_BUFFER, tmp.as_file_mut());
        let mut encoder = Encoder::new(out, settings, bound)?;
        let mut done = 0u64;
        sorted.for_each(|prefix| {
            encoder.push(prefix)?;
            done += 1;
            if done.is_multiple_of(65_536) {
                bar.set_position(done);
            }
            Ok::<(), anyhow::Error>(())
        })?;
        encoder.finish()?.0
    };
    bar.finish_and_clear();
    publish(tmp, &args.output)?;

    // Read back what was written, every page: a bad disk shows now, not at a login.
    let mapped =
        pwpolicy_breach_file::MappedSet::open(&args.output, pwpolicy_breach_file::open_plain)?;
    mapped.verify()?;
    let filter: &BreachedSet<_> = mapped.set();
    outln!(
        "{}: {} {} keys from {} lines of {} input{}{}",
        shown(&args.output),
        thousands(header.entries),
        kind,
        thousands(tally.lines),
        input_count,
        if input_count == 1 { "" } else { "s" },
        if tally.below_min_count > 0 {
            format!(
                " ({} seen fewer than {} times left out)",
                thousands(tally.below_min_count),
                args.min_count
            )
        } else {
            String::new()
        }
    )?;
    outln!("{}", describe(filter))?;
    outln!(
        "built in {:.2} s{}",
        started.elapsed().as_secs_f64(),
        if spilled > 0 {
            format!(
                " ({spilled} sorted run{} on disk)",
                if spilled == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    )?;
    if tally.bad > 0 {
        outln!("{} bad lines left out", thousands(tally.bad))?;
    }
    Ok(EXIT_ACCEPTED)
}

/// Syncs the new filter and renames it over `output`: readers see the old
/// file or the new one, never part of either.
fn publish(tmp: tempfile::NamedTempFile, output: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    tmp.as_file()
        .sync_all()
        .context("cannot write the filter")?;
    // A filter is no secret, and every reader (PAM in any process) needs it.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))
        .context("cannot set the filter's permissions")?;
    tmp.persist(output)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot rename the filter to {}", output.display()))?;
    if let Some(dir) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The rename itself, durable.
        File::open(dir).and_then(|d| d.sync_all()).ok();
    }
    Ok(())
}

/// A progress bar on a terminal (stderr), hidden otherwise.
fn progress(len: u64, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()).with_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

/// How much of an input is read to tell its format.
const HEAD_BYTES: u64 = 1 << 16;

/// Opens `path` and says what its lines are: `forced`, or detected from
/// its first non-blank line (within its first 64 KiB, which are kept to be
/// read again: the input is not opened twice).
fn open_input(path: &Path, forced: InputFormatArg) -> anyhow::Result<Input> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Zeroizing::new(Vec::new());
    let format = match forced {
        InputFormatArg::Sha1 => InputFormat::Hashes(KeyKind::Sha1),
        InputFormatArg::Ntlm => InputFormat::Hashes(KeyKind::Ntlm),
        InputFormatArg::Plain => InputFormat::Plain,
        InputFormatArg::Auto => {
            (&mut file)
                .take(HEAD_BYTES)
                .read_to_end(&mut head)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let first = head
                .split(|&b| b == b'\n')
                .find(|l| !l.trim_ascii().is_empty())
                .unwrap_or_default();
            InputFormat::detect(first)
        }
    };
    Ok(Input {
        path: path.to_owned(),
        format,
        bytes,
        head,
        file,
    })
}

/// The hash the filter keeps: the HIBP inputs', which must agree, else
/// `--key`, else SHA-1.
fn key_kind(inputs: &[Input], key: Option<KeyArg>) -> anyhow::Result<KeyKind> {
    let asked = key.map(|k| match k {
        KeyArg::Sha1 => KeyKind::Sha1,
        KeyArg::Ntlm => KeyKind::Ntlm,
    });
    let of = |kind: KeyKind| {
        inputs
            .iter()
            .find(|i| i.format == InputFormat::Hashes(kind))
            .map(|i| i.path.display().to_string())
    };
    match (of(KeyKind::Sha1), of(KeyKind::Ntlm)) {
        (Some(sha1), Some(ntlm)) => bail!(
            "{sha1} holds SHA-1 hashes and {ntlm} NTLM hashes: a filter holds one kind; \
             build one filter from each"
        ),
        (Some(path), None) if asked == Some(KeyKind::Ntlm) => {
            bail!("--key ntlm, but {path} holds SHA-1 hashes")
        }
        (None, Some(path)) if asked == Some(KeyKind::Sha1) => {
            bail!("--key sha1, but {path} holds NTLM hashes")
        }
        (Some(_), None) => Ok(KeyKind::Sha1),
        (None, Some(_)) => Ok(KeyKind::Ntlm),
        (None, None) => Ok(asked.unwrap_or(KeyKind::Sha1)),
    }
}

/// Reads every line of one input into `runs`.
fn read_input(
    input: Input,
    kind: KeyKind,
    min_count: u64,
    runs: &mut Runs,
    tally: &mut Tally,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let Input {
        path,
        format,
        head,
        file,
        ..
    } = input;
    let mut reader = BufReader::with_capacity(READ_BUFFER, std::io::Cursor::new(head).chain(file));
    // Plain lines are passwords: the buffer is wiped when done.
    let mut line = Zeroizing::new(Vec::with_capacity(256));
    let (mut number, mut listed, mut read) = (0u64, 0usize, 0u64);
    loop {
        // Bounded: a line past the limit is refused as it is read, not held
        // whole first (an input with no newline would be held entire).
        let next = lines::read_line(&mut reader, &mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (n, parsed) = match next {
            NextLine::End => break,
            NextLine::Line(n) => (n, lines::parse(&line, format)),
            NextLine::TooLong(n) => (n, Err(BadLine::TooLong)),
        };
        number += 1;
        read += n;
        if number.is_multiple_of(65_536) {
            bar.inc(read);
            read = 0;
        }
        let prefix = match parsed {
            Ok(Line::Blank) => continue,
            Ok(Line::Hash { prefix, count }) => {
                if count.unwrap_or(1) < min_count {
                    tally.below_min_count += 1;
                    continue;
                }
                prefix
            }
            Ok(Line::Plain(password)) => kind.prefix_of(password),
            Err(why) => {
                tally.bad += 1;
                if listed < BAD_LINES_LISTED {
                    tally.listed.push((path.clone(), number, why));
                    listed += 1;
                }
                continue;
            }
        };
        runs.push(prefix).context("cannot sort the keys")?;
    }
    bar.inc(read);
    tally.lines += number;
    Ok(())
}

/// `--fp-rate` as "1 in N".
fn one_in(rate: f64) -> anyhow::Result<u64> {
    if !(1e-15..=0.5).contains(&rate) {
        bail!("--fp-rate must be from 1e-15 to 0.5, not {rate}");
    }
    Ok((1.0 / rate).round() as u64)
}

/// `--memory`: bytes, or a number with K, M or G (powers of 1024).
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, ""),
    };
    let shift = match unit
        .trim_end_matches(['B', 'b', 'i'])
        .to_ascii_uppercase()
        .as_str()
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => bail!("--memory {text}: use bytes or a size such as 512M or 2G"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| anyhow::anyhow!("--memory {text}: use bytes or a size such as 512M or 2G"))?;
    let bytes = n
        .checked_mul(1 << shift)
        .ok_or_else(|| anyhow::anyhow!("--memory {text}: too large"))?;
    if bytes < 16 * 1024 {
        bail!("--memory {text}: at least 16K");
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates() {
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("65536").unwrap(), 65536);
        assert!(parse_size("1X").is_err());
        assert!(parse_size("1").is_err());
        assert_eq!(one_in(1e-9).unwrap(), 1_000_000_000);
        assert!(one_in(0.9).is_err());
        assert!(one_in(f64::NAN).is_err());
    }
}
