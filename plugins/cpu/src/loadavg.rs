//! `/proc/loadavg`: the 1, 5 and 15 minute load averages.
//!
//! On Linux the load counts tasks that are runnable *and* tasks in uninterruptible
//! sleep (usually waiting for a disk or a network filesystem), so a high load with
//! idle CPUs points at storage, not at CPU demand. CPU pressure (PSI) tells the two
//! apart; `npd-cpu --check psi` reads it.

use npd_plugin::{Error, Result};

/// The three averages, in tasks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadAvg {
    pub one: f64,
    pub five: f64,
    pub fifteen: f64,
}

/// Parses "0.34 0.39 0.29 1/89 3979"; the error says what is wrong.
pub fn parse(text: &str) -> Result<LoadAvg> {
    let mut words = text.split_whitespace();
    let mut next = || -> Result<f64> {
        let word = words
            .next()
            .ok_or_else(|| Error::unobserved("fewer than 3 load averages"))?;
        match word.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(Error::unobserved(format!(
                "garbage load average {:?}",
                short(word)
            ))),
        }
    };
    let (one, five, fifteen) = (next()?, next()?, next()?);
    let runnable = words
        .next()
        .ok_or_else(|| Error::unobserved("no running/total task count"))?;
    let counts_ok = runnable
        .split_once('/')
        .is_some_and(|(r, t)| r.parse::<u64>().is_ok() && t.parse::<u64>().is_ok());
    if !counts_ok {
        return Err(Error::unobserved(format!(
            "garbage task count {:?}",
            short(runnable)
        )));
    }
    Ok(LoadAvg { one, five, fifteen })
}

fn short(word: &str) -> String {
    word.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_line() {
        assert_eq!(
            parse("0.34 0.39 0.29 1/89 3979\n"),
            Ok(LoadAvg {
                one: 0.34,
                five: 0.39,
                fifteen: 0.29
            })
        );
        assert_eq!(parse("112.50 64.00 8.25 300/9000 1").unwrap().one, 112.5);
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "\n",
            "0.34 0.39",
            "0.34 0.39 x 1/89 3979",
            "-1 0 0 1/89 3979",
            "NaN 0 0 1/89 3979",
            "inf 0 0 1/89 3979",
            "0.1 0.2 0.3",
            "0.1 0.2 0.3 89 3979",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
