//! What the Debian package ships besides the binaries, made from the code so
//! it cannot drift from it: pwpolicy(1) and a page per verb, pwpolicyd(8),
//! and bash, zsh and fish completions. `scripts/build-deb.sh` runs the
//! `pwpolicy-packaging` binary; the written pages (`man/`), the maintainer
//! scripts (`debian/`) and the shipped policy file live beside this crate.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

pub mod sections;

/// The manual's name on every page.
const MANUAL: &str = "pwpolicy manual";

/// Pointers every generated top-level page ends with.
const SEE_ALSO: &str = ".SH \"SEE ALSO\"\n\\fBpwpolicy\\fR(1), \\fBpwpolicyd\\fR(8), \\fBpwpolicy-web\\fR(8), \\fBpam_pwpolicy\\fR(8), \\fBpwpolicy.toml\\fR(5), \\fBpasswd\\fR(1), \\fBchage\\fR(1)\n";

/// The `pwpolicy` command's definition.
pub fn pwpolicy_command() -> clap::Command {
    pwpolicy_cli::args::Cli::command()
}

/// The `pwpolicyd` command's definition.
pub fn pwpolicyd_command() -> clap::Command {
    pwpolicy_service::cli::Args::command()
}

/// The `pwpolicy-web` command's definition.
pub fn pwpolicy_web_command() -> clap::Command {
    pwpolicy_web::cli::Args::command()
}

/// Writes `man1/pwpolicy.1`, `man1/pwpolicy-VERB.1` for each verb, and
/// `man8/pwpolicyd.8` and `man8/pwpolicy-web.8` under `dir`; returns the files written.
///
/// # Errors
///
/// Any I/O error writing them.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let man1 = dir.join("man1");
    let man8 = dir.join("man8");
    std::fs::create_dir_all(&man1)?;
    std::fs::create_dir_all(&man8)?;
    let mut written = Vec::new();
    let mut cmd = pwpolicy_command().disable_help_subcommand(true);
    cmd.build();
    page_tree(&cmd, "1", &man1, &mut written)?;
    written.push(page(pwpolicyd_command(), "8", &man8)?);
    written.push(page(pwpolicy_web_command(), "8", &man8)?);
    Ok(written)
}

fn page_tree(
    cmd: &clap::Command,
    section: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page_tree(sub, section, dir, written)?;
    }
    written.push(page(cmd.clone(), section, dir)?);
    Ok(())
}

fn page(cmd: clap::Command, section: &str, dir: &Path) -> std::io::Result<PathBuf> {
    let synopsis = synopsis(&cmd);
    let has_options = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let has_extra = cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some();
    let man = clap_mangen::Man::new(cmd)
        .section(section)
        .manual(MANUAL)
        .source(format!("pwpolicy {}", env!("CARGO_PKG_VERSION")));
    let name = man.get_filename();
    let path = dir.join(&name);
    let page = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(page, _)| page);
    let mut roff = Vec::new();
    // clap_mangen's sections one by one, with our synopsis (its own shows
    // `[--user]` without the value) and the sections it cannot write.
    man.render_title(&mut roff)?;
    man.render_name_section(&mut roff)?;
    roff.extend_from_slice(synopsis.as_bytes());
    man.render_description_section(&mut roff)?;
    // The same conditions as `Man::render`.
    if has_options {
        man.render_options_section(&mut roff)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut roff)?;
    }
    if has_extra {
        man.render_extra_section(&mut roff)?;
    }
    let sections = sections::exit_status_and_examples(page).ok_or_else(|| {
        std::io::Error::other(format!(
            "no EXIT STATUS or EXAMPLES for {page} in sections.rs"
        ))
    })?;
    roff.extend_from_slice(sections.as_bytes());
    roff.extend_from_slice(SEE_ALSO.as_bytes());
    let roff = code_in_bold(&once_prelude(&String::from_utf8_lossy(&roff)))
        .replace(".SH EXTRA\n", ".SH NOTES\n");
    std::fs::File::create(&path)?.write_all(roff.as_bytes())?;
    Ok(path)
}

/// `SYNOPSIS` with every option's value placeholder: `[--user U]`, required
/// ones without brackets, then the operands and `COMMAND` for a command
/// with subcommands.
fn synopsis(cmd: &clap::Command) -> String {
    let dashes = |s: &str| s.replace('-', "\\-");
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut line = format!("\\fB{}\\fR", dashes(name));
    for arg in cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
    {
        let mut names = Vec::new();
        if let Some(short) = arg.get_short() {
            names.push(format!("\\fB\\-{short}\\fR"));
        }
        if let Some(long) = arg.get_long() {
            names.push(format!("\\fB\\-\\-{}\\fR", dashes(long)));
        }
        let mut text = names.join("|");
        if arg.get_action().takes_values() {
            let value = arg
                .get_value_names()
                .map(|v| v.join(" "))
                .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
            text.push_str(&format!(" \\fI{}\\fR", dashes(&value)));
        }
        if arg.is_required_set() {
            line.push_str(&format!(" {text}"));
        } else {
            line.push_str(&format!(" [{text}]"));
        }
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let value = arg
            .get_value_names()
            .map(|v| v.join(" "))
            .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
        let many = if matches!(arg.get_num_args(), Some(r) if r.max_values() > 1) {
            "..."
        } else {
            ""
        };
        let value = format!("\\fI{}\\fR{many}", dashes(&value));
        if arg.is_required_set() {
            line.push_str(&format!(" {value}"));
        } else {
            line.push_str(&format!(" [{value}]"));
        }
    }
    if cmd.has_subcommands() {
        line.push_str(" \\fICOMMAND\\fR");
    }
    format!(".SH SYNOPSIS\n{line}\n")
}

/// Each of clap_mangen's section renderers starts with its two-line
/// prelude (the `Aq` string); a page needs it once, at the top.
fn once_prelude(roff: &str) -> String {
    let mut seen = 0;
    let mut out = String::with_capacity(roff.len());
    for line in roff.lines() {
        if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
            seen += 1;
            if seen > 2 {
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// clap's texts quote code in backticks, as --help shows it; a page sets
/// it in bold instead (NAME included), line by line.
fn code_in_bold(roff: &str) -> String {
    let mut out = String::with_capacity(roff.len());
    for line in roff.lines() {
        let mut parts = line.split('`');
        let mut text = parts.next().unwrap_or_default().to_owned();
        let rest: Vec<&str> = parts.collect();
        if rest.len().is_multiple_of(2) {
            for (i, part) in rest.iter().enumerate() {
                text.push_str(if i % 2 == 0 { "\\fB" } else { "\\fR" });
                text.push_str(part);
            }
        } else {
            // An odd backtick is left as it is.
            text = line.to_owned();
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

/// Where each shell looks for completions (Debian's directories) and the
/// file name it expects there.
pub const COMPLETIONS: [(Shell, &str); 3] = [
    (Shell::Bash, "bash-completion/completions/pwpolicy"),
    (Shell::Zsh, "zsh/vendor-completions/_pwpolicy"),
    (Shell::Fish, "fish/vendor_completions.d/pwpolicy.fish"),
];

/// Writes the completions under `dir` (a stand-in for `/usr/share`).
///
/// # Errors
///
/// Any I/O error writing them.
pub fn write_completions(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (shell, file) in COMPLETIONS {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut pwpolicy_command(), "pwpolicy", &mut out);
        std::fs::write(&path, out)?;
        written.push(path);
    }
    Ok(written)
}
