//! The syntax of the `pwpolicy` command, for tools that document it (man
//! pages, shell completions). The command itself is `src/main.rs`.

#![forbid(unsafe_code)]

pub mod args;
