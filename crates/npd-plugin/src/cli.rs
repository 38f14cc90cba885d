//! The command line: the parser of a plugin's flags with the common ones, and what a
//! run does with flags it cannot take (an Unknown answer that names the first error).

use clap::{ArgMatches, Args, FromArgMatches};

use crate::plugin::ArgsOf;
use crate::{answer, CommonFlags, Configure, Error, Plugin, Result, Status};

/// Builds the command line parser of `P`, with the common flags.
pub fn command<P: Plugin>() -> clap::Command {
    let mut after = format!("Example NPD rule:\n{}\n", P::EXAMPLE_RULE);
    if !P::NOTES.is_empty() {
        after.push('\n');
        after.push_str(P::NOTES.trim_end());
        after.push('\n');
    }
    after.push_str("\nExit codes: 0 OK, 1 problem found (NonOK), 2 could not check (Unknown).\n");
    let cmd = clap::Command::new(P::NAME).version(env!("CARGO_PKG_VERSION"));
    // The texts are set last: a doc comment on the plugin's Args struct would otherwise
    // replace them.
    let cmd = CommonFlags::augment_args(ArgsOf::<P>::augment_args(cmd))
        .about(P::ABOUT)
        .long_about(None)
        .after_help(after);
    // The common flags are global for the plugins with subcommands (they may follow
    // one). Without subcommands, global only makes every parse copy each common
    // flag's values into nothing: a tenth of a plugin's start-up instructions.
    if cmd.has_subcommands() {
        cmd
    } else {
        cmd.mut_args(|a| a.global(false))
    }
}

/// The validated configuration `P` makes of `args` (its flags and the common ones,
/// without the program name), as a run would before checking: for tests, and for
/// tools that check a rule's arguments. A parse error is bad flags, as in a run.
pub fn configure_from<P: Plugin>(args: &[&str]) -> Result<P::Config> {
    let argv = std::iter::once(P::NAME).chain(args.iter().copied());
    let matches = command::<P>()
        .try_get_matches_from(argv)
        .map_err(|e| Error::config(e.to_string()))?;
    let args = ArgsOf::<P>::from_arg_matches(&matches).map_err(|e| Error::config(e.to_string()))?;
    P::Config::configure(args)
}

pub(crate) fn parse<P: Plugin>(args: impl IntoIterator<Item = std::ffi::OsString>) -> ArgMatches {
    match command::<P>().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(e.kind(), DisplayHelp | DisplayVersion) {
                print!("{e}");
                std::process::exit(0);
            }
            let _ = e.print();
            bad_flags(&e.render().to_string())
        }
    }
}

pub(crate) fn bad_flags(text: &str) -> ! {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    answer::answer(Status::Unknown, &format!("bad flags: {first}"))
}
