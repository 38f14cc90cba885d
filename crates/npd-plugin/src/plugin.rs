//! What a plugin is to the contract: its flags validated into a configuration
//! ([`Configure`], in the plugin's `config.rs`) and its check ([`Plugin`], in its
//! `lib.rs`), with the texts of `--help`.

use std::fmt::Debug;

use clap::{Args, FromArgMatches};

use crate::{Context, Outcome, Result};

/// How a plugin's flags become its configuration. Implemented by the plugin's
/// `Config` in its `config.rs`; the flags are validated and compiled (regexes,
/// resolved units) before any work starts.
pub trait Configure: Sized + Send + Sync {
    /// The plugin's own flags, as clap parses them. `Debug` names the state key.
    type Args: Args + FromArgMatches + Debug;

    /// Validates the flags. An error here is reported as bad flags (Unknown).
    fn configure(args: Self::Args) -> Result<Self>;
}

/// One plugin: the texts of its `--help`, its configuration and the check.
pub trait Plugin {
    /// The binary's name, `npd-<aspect>`.
    const NAME: &'static str;
    /// What the plugin judges, for `--help`.
    const ABOUT: &'static str;
    /// A complete NPD rule (JSON with `path` and `args`) using this plugin.
    const EXAMPLE_RULE: &'static str;
    /// More help after the example: thresholds and where they come from, caveats.
    const NOTES: &'static str = "";

    /// The flags validated, and through [`Configure::Args`] the flags themselves.
    type Config: Configure;

    /// Measures and judges. `Ok(Outcome::problem(..))` for a problem observed;
    /// `Err` when the subject could not be observed.
    fn check(config: &Self::Config, ctx: &Context) -> Result<Outcome>;
}

/// The flags of plugin `P`.
pub(crate) type ArgsOf<P> = <<P as Plugin>::Config as Configure>::Args;
