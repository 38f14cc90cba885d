//! A list flag (`--check a,b`, `--require`, `--events`): values from a closed set,
//! repeated or comma-separated, and defaults when the flag is not given. Declared once
//! here, so that every plugin's list flag parses, dedups and shows its values and
//! default in `--help` the same way; a plugin names its values ([`Selectable`]) and
//! flattens a [`Selection`] into its `Args`.

use std::fmt;

use clap::ValueEnum;

use crate::{Error, Result};

/// The values of one list flag: a `clap::ValueEnum` whose variants' doc comments
/// `--help` lists, and what the flag is called and selects when not given. Unless a
/// plugin says otherwise, the flag is `--check <ASPECT>`, "What to judge".
pub trait Selectable: ValueEnum + Clone + PartialEq + fmt::Debug + Send + Sync + 'static {
    /// The flag without its dashes.
    const FLAG: &'static str = "check";
    /// What `--help` shows for one value.
    const VALUE_NAME: &'static str = "ASPECT";
    /// What the flag selects, for `--help`; how it is given and the default are
    /// appended.
    const HELP: &'static str = "What to judge";
    /// Selected when the flag is not given.
    const DEFAULT: &'static [Self];
}

/// A list flag's values as given: `#[command(flatten)] pub checks: Selection<Aspect>`
/// in a plugin's `Args`.
// The default is shown in the help text, not set as clap's default value: a plugin
// can tell a flag left out from one given (npd-maintenance refuses a kind the cloud
// never reports only when it is given).
#[derive(clap::Args)]
#[group(skip)]
pub struct Selection<T: Selectable> {
    #[arg(id = T::FLAG, long = T::FLAG, value_name = T::VALUE_NAME, help = help::<T>(),
          value_enum, value_delimiter = ',')]
    given: Vec<T>,
}

impl<T: Selectable> Selection<T> {
    /// The values as given, repeats and all; empty when the flag is not given.
    pub fn given(&self) -> &[T] {
        &self.given
    }

    /// Those given, in the order given and each once, or [`Selectable::DEFAULT`].
    pub fn selected(self) -> Vec<T> {
        selection(self.given, T::DEFAULT.iter().cloned())
    }
}

impl<T: Selectable> From<Vec<T>> for Selection<T> {
    fn from(given: Vec<T>) -> Selection<T> {
        Selection { given }
    }
}

impl<T: Selectable> Default for Selection<T> {
    /// The flag not given.
    fn default() -> Selection<T> {
        Selection { given: Vec::new() }
    }
}

/// As the plain list of values given: `Args`' `Debug` names the state key, so a
/// node's state files keep their names whatever the flag's declaration.
impl<T: Selectable> fmt::Debug for Selection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.given.fmt(f)
    }
}

/// Refuses `flag`, which matters only for the values `any_of`, when it is `given` and
/// none of them is `selected`: "--dcgm-url needs --check dcgm". Ignoring it would
/// leave a rule that does not check what it says.
pub fn flag_needs<T: Selectable>(
    flag: &str,
    given: bool,
    selected: &[T],
    any_of: &[T],
) -> Result<()> {
    if !given || any_of.iter().any(|v| selected.contains(v)) {
        return Ok(());
    }
    let names = names(any_of);
    let names = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    Err(Error::config(format!("{flag} needs --{} {names}", T::FLAG)))
}

/// "What to judge, repeated or comma-separated [default: a,b]"; clap lists the
/// possible values after it.
fn help<T: Selectable>() -> String {
    format!(
        "{}, repeated or comma-separated [default: {}]",
        T::HELP,
        names(T::DEFAULT).join(",")
    )
}

/// The values as the flag takes them.
fn names<T: Selectable>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// The values a list flag selects: those given, in the order given and each once, or
/// `defaults` when none is given.
fn selection<T: PartialEq>(given: Vec<T>, defaults: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut selected = Vec::new();
    for value in given {
        if !selected.contains(&value) {
            selected.push(value);
        }
    }
    if selected.is_empty() {
        selected.extend(defaults);
    }
    selected
}

#[cfg(test)]
mod tests {
    use clap::{Args, CommandFactory, FromArgMatches, Parser};

    use super::*;

    #[test]
    fn a_selection_keeps_the_first_of_repeats_in_order() {
        assert_eq!(selection(vec![3, 1, 3, 2, 1], [9]), [3, 1, 2]);
    }

    #[test]
    fn nothing_given_selects_the_defaults() {
        assert_eq!(selection(vec![], [1, 2]), [1, 2]);
    }

    /// A kind of fruit.
    #[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
    enum Fruit {
        /// Red or green.
        Apple,
        /// Yellow.
        Banana,
        /// Orange.
        Orange,
    }

    impl Selectable for Fruit {
        const FLAG: &'static str = "fruit";
        const VALUE_NAME: &'static str = "KIND";
        const HELP: &'static str = "Fruit to eat";
        const DEFAULT: &'static [Fruit] = &[Fruit::Apple, Fruit::Orange];
    }

    #[derive(Parser, Debug)]
    struct Flags {
        #[command(flatten)]
        fruits: Selection<Fruit>,
    }

    fn parse(argv: &[&str]) -> Result<Flags, clap::Error> {
        let matches = Flags::command().try_get_matches_from(argv)?;
        Flags::from_arg_matches(&matches)
    }

    #[test]
    fn given_repeated_or_comma_separated_without_repeats() {
        let flags = parse(&["x", "--fruit", "banana,apple", "--fruit", "banana"]).unwrap();
        assert_eq!(
            flags.fruits.given(),
            [Fruit::Banana, Fruit::Apple, Fruit::Banana]
        );
        assert_eq!(flags.fruits.selected(), [Fruit::Banana, Fruit::Apple]);
    }

    #[test]
    fn not_given_selects_the_defaults() {
        let flags = parse(&["x"]).unwrap();
        assert!(flags.fruits.given().is_empty());
        assert_eq!(flags.fruits.selected(), Fruit::DEFAULT);
    }

    #[test]
    fn an_unknown_or_empty_value_is_a_parse_error() {
        assert!(parse(&["x", "--fruit", "cherry"]).is_err());
        assert!(parse(&["x", "--fruit", ""]).is_err());
    }

    #[test]
    fn the_help_shows_the_values_and_the_default() {
        let help = Flags::augment_args(clap::Command::new("x"))
            .render_long_help()
            .to_string();
        assert!(help.contains("--fruit <KIND>"), "{help}");
        assert!(
            help.contains("Fruit to eat, repeated or comma-separated [default: apple,orange]"),
            "{help}"
        );
        assert!(help.contains("banana: Yellow"), "{help}");
    }

    #[test]
    fn a_flag_for_values_not_selected_says_what_to_add() {
        let (eaten, apple) = ([Fruit::Apple], [Fruit::Apple]);
        assert!(flag_needs("--peel", true, &eaten, &apple).is_ok());
        assert!(flag_needs("--peel", false, &[Fruit::Banana], &apple).is_ok());
        let err = flag_needs("--peel", true, &[Fruit::Banana], &apple).unwrap_err();
        assert_eq!(err.message(), "--peel needs --fruit apple");
        assert_eq!(err.kind(), crate::Kind::Config);
        let all = [Fruit::Apple, Fruit::Banana, Fruit::Orange];
        let err = flag_needs("--eat", true, &[], &all).unwrap_err();
        assert_eq!(err.message(), "--eat needs --fruit apple, banana or orange");
        let err = flag_needs("--eat", true, &[], &all[1..]).unwrap_err();
        assert_eq!(err.message(), "--eat needs --fruit banana or orange");
    }

    #[test]
    fn debug_is_the_list_given() {
        let flags = Flags {
            fruits: vec![Fruit::Apple].into(),
        };
        assert_eq!(format!("{flags:?}"), "Flags { fruits: [Apple] }");
    }
}
