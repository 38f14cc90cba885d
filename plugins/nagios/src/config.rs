//! The flags of `npd-nagios` and their validation into a [`Config`]: the plugin to run
//! and how its verdict maps.

use std::path::PathBuf;

use npd_plugin::{Configure, Error, Result};

/// The flags of `npd-nagios`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Report WARNING (exit 1) as a problem instead of healthy.
    #[arg(long)]
    pub warning_is_problem: bool,

    /// Pass the plugin's OK line through; by default an OK answer is a stable
    /// "<plugin> OK", since OK lines usually carry changing numbers and NPD patches
    /// the Node whenever a message changes.
    #[arg(long)]
    pub keep_ok_output: bool,

    /// The plugin and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "PLUGIN [ARGS]")]
    pub command: Vec<String>,
}

#[derive(Debug)]
pub struct Config {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The plugin's file name, for messages.
    pub name: String,
    pub warning_is_problem: bool,
    pub keep_ok_output: bool,
}

impl Configure for Config {
    type Args = Args;

    /// Splits the command into the plugin and its arguments; an empty plugin is bad flags.
    fn configure(args: Args) -> Result<Config> {
        let mut command = args.command.into_iter();
        let program = command
            .next()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::config("give the plugin to run after --"))?;
        let name = program.rsplit('/').next().unwrap_or(&program).to_string();
        Ok(Config {
            program: PathBuf::from(program),
            args: command.collect(),
            name,
            warning_is_problem: args.warning_is_problem,
            keep_ok_output: args.keep_ok_output,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(args: &[&str]) -> Result<Config> {
        npd_plugin::configure_from::<crate::Nagios>(args)
    }

    #[test]
    fn the_plugin_and_its_arguments_follow_the_double_dash() {
        let c = configure(&["--", "/usr/lib/nagios/plugins/check_dummy", "2", "x"]).unwrap();
        assert_eq!(c.name, "check_dummy");
        assert_eq!(c.args, ["2", "x"]);
        let e = configure(&["--", ""]).unwrap_err();
        assert_eq!(e.message(), "give the plugin to run after --");
        assert_eq!(e.kind(), npd_plugin::Kind::Config);
    }
}
