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

/// The manual's name on every page.
const MANUAL: &str = "pwpolicy manual";

/// Pointers every generated top-level page ends with.
const SEE_ALSO: &str = ".SH \"SEE ALSO\"\n\\fBpwpolicy\\fR(1), \\fBpwpolicyd\\fR(8), \\fBpam_pwpolicy\\fR(8), \\fBpwpolicy.toml\\fR(5), \\fBpasswd\\fR(1), \\fBchage\\fR(1)\n";

/// The `pwpolicy` command's definition.
pub fn pwpolicy_command() -> clap::Command {
    pwpolicy_cli::args::Cli::command()
}

/// The `pwpolicyd` command's definition.
pub fn pwpolicyd_command() -> clap::Command {
    pwpolicy_service::cli::Args::command()
}

/// Writes `man1/pwpolicy.1`, `man1/pwpolicy-VERB.1` for each verb, and
/// `man8/pwpolicyd.8` under `dir`; returns the files written.
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
    let man = clap_mangen::Man::new(cmd)
        .section(section)
        .manual(MANUAL)
        .source(format!("pwpolicy {}", env!("CARGO_PKG_VERSION")));
    let path = dir.join(man.get_filename());
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    roff.extend_from_slice(SEE_ALSO.as_bytes());
    std::fs::File::create(&path)?.write_all(&roff)?;
    Ok(path)
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
