//! The command line: `[OPTIONS] -- COMMAND [ARGS...]`, parsed by hand.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

pub(crate) const USAGE: &str = "\
usage: attestwire-probe [--timeout-ms N] [--count N] [--handshake-timeout-ms N] [--json] -- COMMAND [ARGS...]

Plays the attestwire server against a desktop-app client: starts COMMAND with
piped stdin/stdout (its stderr passes through), waits for the `initialize`
handshake, then asks it for an attestation COUNT times, one after another, and
prints the x-oai-attestation header each answer would produce.

options:
  --timeout-ms N            deadline of each attempt, in ms (default 100)
  --count N                 number of attempts, at least 1 (default 1)
  --handshake-timeout-ms N  how long to wait for the handshake, in ms (default 5000)
  --json                    one JSON object per attempt on stdout; everything else on stderr
  -h, --help                this text

exit status: 0 every attempt gave status 0 (ok); 1 any other status, no header,
or attempts not run because the client closed the connection; 2 usage error,
COMMAND cannot be started, or the handshake did not complete; 130/143 on
SIGINT/SIGTERM. The client is always stopped before the probe exits.";

/// What the probe was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) timeout: Duration,
    pub(crate) count: u32,
    pub(crate) handshake_timeout: Duration,
    pub(crate) json: bool,
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
}

/// The parse result: run, or print the usage.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    Run(Options),
    Help,
}

/// A usage error, printed above [`USAGE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

/// Parses the arguments after the program name. Options come first; `--`
/// (or the first argument that is not an option) starts the command, which
/// is taken as it is, even if it looks like an option.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut timeout = Duration::from_millis(100);
    let mut count = 1;
    let mut handshake_timeout = Duration::from_millis(5000);
    let mut json = false;
    let mut args = args.into_iter();
    let mut command = Vec::new();

    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            // Not UTF-8, so not one of our options: the command.
            command.push(arg);
            break;
        };
        if text == "--" {
            break;
        }
        if !text.starts_with('-') || text == "-" {
            command.push(arg);
            break;
        }
        // `--name=value` or `--name value`.
        let (name, inline) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (text, None),
        };
        let mut value = |what: &str| -> Result<String, UsageError> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => args
                    .next()
                    .map(|v| v.to_string_lossy().into_owned())
                    .ok_or_else(|| error(format!("{what} needs a value"))),
            }
        };
        match name {
            "--timeout-ms" => timeout = millis(name, &value(name)?)?,
            "--handshake-timeout-ms" => handshake_timeout = millis(name, &value(name)?)?,
            "--count" => {
                let text = value(name)?;
                count = match text.parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(error(format!(
                            "--count must be an integer from 1 to {}, got {text:?}",
                            u32::MAX
                        )));
                    }
                };
            }
            "--json" | "-h" | "--help" if inline.is_some() => {
                return Err(error(format!("{name} takes no value")));
            }
            "--json" => json = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            _ => return Err(error(format!("unknown option {name}"))),
        }
    }
    command.extend(args);
    let mut command = command.into_iter();
    let Some(program) = command.next() else {
        return Err(error("no COMMAND given (put it after `--`)"));
    };
    Ok(Parsed::Run(Options {
        timeout,
        count,
        handshake_timeout,
        json,
        program,
        args: command.collect(),
    }))
}

fn millis(name: &str, text: &str) -> Result<Duration, UsageError> {
    text.parse::<u64>().map(Duration::from_millis).map_err(|_| {
        error(format!(
            "{name} must be a whole number of milliseconds, got {text:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Parsed, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    fn run(args: &[&str]) -> Options {
        match parse_strs(args) {
            Ok(Parsed::Run(options)) => options,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let options = run(&["--", "node", "client.js", "ok"]);
        assert_eq!(options.timeout, Duration::from_millis(100));
        assert_eq!(options.count, 1);
        assert_eq!(options.handshake_timeout, Duration::from_millis(5000));
        assert!(!options.json);
        assert_eq!(options.program, "node");
        assert_eq!(options.args, ["client.js", "ok"]);
    }

    #[test]
    fn every_option_in_both_spellings() {
        let options = run(&[
            "--timeout-ms",
            "250",
            "--count=3",
            "--handshake-timeout-ms=10",
            "--json",
            "--",
            "app",
        ]);
        assert_eq!(options.timeout, Duration::from_millis(250));
        assert_eq!(options.count, 3);
        assert_eq!(options.handshake_timeout, Duration::from_millis(10));
        assert!(options.json);
    }

    #[test]
    fn the_command_keeps_arguments_that_look_like_options() {
        let options = run(&["--json", "--", "app", "--json", "--", "--count"]);
        assert_eq!(options.args, ["--json", "--", "--count"]);
        // Without `--`, the first non-option starts the command.
        let options = run(&["app", "--count", "2"]);
        assert_eq!(options.count, 1);
        assert_eq!(options.args, ["--count", "2"]);
    }

    #[test]
    fn help() {
        assert_eq!(parse_strs(&["--help", "--", "x"]), Ok(Parsed::Help));
        assert_eq!(parse_strs(&["-h"]), Ok(Parsed::Help));
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        for (args, message) in [
            (&[][..], "no COMMAND given (put it after `--`)"),
            (&["--json", "--"], "no COMMAND given (put it after `--`)"),
            (
                &["--count", "0", "--", "x"],
                "--count must be an integer from 1 to 4294967295, got \"0\"",
            ),
            (
                &["--count", "-1", "--", "x"],
                "--count must be an integer from 1 to 4294967295, got \"-1\"",
            ),
            (
                &["--timeout-ms", "1.5", "--", "x"],
                "--timeout-ms must be a whole number of milliseconds, got \"1.5\"",
            ),
            (&["--timeout-ms"], "--timeout-ms needs a value"),
            (&["--json=yes", "--", "x"], "--json takes no value"),
            (&["--verbose", "--", "x"], "unknown option --verbose"),
        ] {
            assert_eq!(parse_strs(args), Err(error(message)), "{args:?}");
        }
    }
}
