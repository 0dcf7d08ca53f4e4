//! Just enough semver for the gate: parse `MAJOR.MINOR.PATCH[-PRE][+BUILD]`,
//! order versions, and say whether a bump allows a breaking change.
//!
//! Written here rather than taken from the `semver` crate: the gate needs a
//! parse, an order and one rule, and the codegen keeps its dependencies few.

use std::cmp::Ordering;
use std::fmt;

/// A semantic version. Build metadata is kept for display and ignored by
/// the order, as semver says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Incompatible changes.
    pub major: u64,
    /// Compatible additions (incompatible changes too, while `major` is 0).
    pub minor: u64,
    /// Fixes.
    pub patch: u64,
    /// The pre-release identifiers after `-`, empty for a release.
    pub pre: Vec<String>,
    /// The build metadata after `+`, empty when absent.
    pub build: String,
}

/// Which part of the version a release raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// Incompatible changes: `0.1.0` → `1.0.0`, `1.4.2` → `2.0.0`.
    Major,
    /// Additions (and, while 0.x, incompatible changes): `0.1.0` → `0.2.0`.
    Minor,
    /// Fixes: `0.1.0` → `0.1.1`.
    Patch,
}

impl Bump {
    /// `major`, `minor` or `patch`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "major" => Some(Self::Major),
            "minor" => Some(Self::Minor),
            "patch" => Some(Self::Patch),
            _ => None,
        }
    }
}

/// A string that is not `MAJOR.MINOR.PATCH[-PRE][+BUILD]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a semantic version (MAJOR.MINOR.PATCH)")]
pub struct VersionError(pub String);

impl Version {
    /// Parses `1.2.3`, `0.1.0-rc.1`, `1.0.0+build.5`.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let bad = || VersionError(text.to_owned());
        let (rest, build) = match text.split_once('+') {
            Some((rest, build)) if valid_identifiers(build) => (rest, build),
            Some(_) => return Err(bad()),
            None => (text, ""),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) if valid_identifiers(pre) => (core, pre.split('.').collect()),
            Some(_) => return Err(bad()),
            None => (rest, Vec::new()),
        };
        let mut numbers = core.split('.').map(number);
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) = (
            numbers.next(),
            numbers.next(),
            numbers.next(),
            numbers.next(),
        ) else {
            return Err(bad());
        };
        if pre
            .iter()
            .any(|p: &&str| is_numeric(p) && p.len() > 1 && p.starts_with('0'))
        {
            return Err(bad());
        }
        Ok(Self {
            major,
            minor,
            patch,
            pre: pre.into_iter().map(str::to_owned).collect(),
            build: build.to_owned(),
        })
    }

    /// The next version after `self` for `bump`. A "major" bump of a 0.x
    /// version is 1.0.0, the first stable release; a minor or patch bump
    /// of 0.x keeps the 0. A pre-release is bumped to its own release when
    /// the release is what the bump asks for (`1.0.0-rc.1` → `1.0.0` for
    /// major, `0.2.0-rc.1` → `0.2.0` for minor, `0.1.1-rc.1` → `0.1.1` for
    /// patch), as `npm version` does; build metadata is dropped.
    pub fn bumped(&self, bump: Bump) -> Version {
        let pre = !self.pre.is_empty();
        let (major, minor, patch) = match bump {
            Bump::Major if pre && self.minor == 0 && self.patch == 0 => (self.major, 0, 0),
            Bump::Major => (self.major.saturating_add(1), 0, 0),
            Bump::Minor if pre && self.patch == 0 => (self.major, self.minor, 0),
            Bump::Minor => (self.major, self.minor.saturating_add(1), 0),
            Bump::Patch if pre => (self.major, self.minor, self.patch),
            Bump::Patch => (self.major, self.minor, self.patch.saturating_add(1)),
        };
        Version {
            major,
            minor,
            patch,
            pre: Vec::new(),
            build: String::new(),
        }
    }

    /// `true` when going from `self` to `new` may break a reader: a new
    /// major version, or a new minor version while the major is 0.
    pub fn allows_breaking_change_to(&self, new: &Version) -> bool {
        if self.major == 0 && new.major == 0 {
            new.minor > self.minor
        } else {
            new.major > self.major
        }
    }
}

/// A numeric part: digits only, no leading zero.
fn number(part: &str) -> Option<u64> {
    if !is_numeric(part) || (part.len() > 1 && part.starts_with('0')) {
        return None;
    }
    part.parse().ok()
}

fn is_numeric(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

fn valid_identifiers(text: &str) -> bool {
    text.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A pre-release comes before its release.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_pre(&self.pre, &other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Identifier by identifier: numbers numerically and before words, words
/// in ASCII order, and a shorter list first when one is a prefix.
fn compare_pre(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn parses_and_displays_release_pre_release_and_build() {
        for text in [
            "0.1.0",
            "1.22.333",
            "1.0.0-rc.1",
            "1.0.0-alpha+build.7",
            "2.0.0+x",
        ] {
            assert_eq!(v(text).to_string(), text);
        }
        assert_eq!(v("1.0.0-rc.1").pre, ["rc", "1"]);
    }

    #[test]
    fn rejects_what_is_not_a_version() {
        for text in [
            "", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.x", "1.2.3-", "1.2.3-01", "v1.2.3",
        ] {
            assert!(Version::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn orders_as_semver_says() {
        let ordered = [
            "0.1.0",
            "0.1.1",
            "0.2.0",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0.0+a").cmp(&v("1.0.0+b")), Ordering::Equal);
    }

    #[test]
    fn bumps_follow_semver_and_0_x_major_is_1_0_0() {
        let cases = [
            ("0.1.0", Bump::Major, "1.0.0"),
            ("0.1.0", Bump::Minor, "0.2.0"),
            ("0.1.0", Bump::Patch, "0.1.1"),
            ("1.4.2", Bump::Major, "2.0.0"),
            ("1.4.2", Bump::Minor, "1.5.0"),
            ("1.4.2", Bump::Patch, "1.4.3"),
            ("0.9.9+build.3", Bump::Patch, "0.9.10"),
            ("1.0.0-rc.1", Bump::Major, "1.0.0"),
            ("1.0.0-rc.1", Bump::Minor, "1.0.0"),
            ("1.0.0-rc.1", Bump::Patch, "1.0.0"),
            ("1.2.0-rc.1", Bump::Major, "2.0.0"),
            ("1.2.0-rc.1", Bump::Minor, "1.2.0"),
            ("1.2.3-rc.1", Bump::Minor, "1.3.0"),
            ("1.2.3-rc.1", Bump::Patch, "1.2.3"),
        ];
        for (from, bump, to) in cases {
            assert_eq!(v(from).bumped(bump).to_string(), to, "{from} {bump:?}");
            // Every bump is forward, and a major or minor one (major while 0.x
            // too) leaves room for a breaking change; a patch never does.
            assert!(v(from) < v(to), "{from} < {to}");
        }
        assert!(v("0.1.0").allows_breaking_change_to(&v("0.1.0").bumped(Bump::Major)));
        assert!(v("0.1.0").allows_breaking_change_to(&v("0.1.0").bumped(Bump::Minor)));
        assert!(!v("0.1.0").allows_breaking_change_to(&v("0.1.0").bumped(Bump::Patch)));
    }

    #[test]
    fn bump_names_are_the_three_words_only() {
        assert_eq!(Bump::parse("major"), Some(Bump::Major));
        assert_eq!(Bump::parse("minor"), Some(Bump::Minor));
        assert_eq!(Bump::parse("patch"), Some(Bump::Patch));
        for bad in ["", "Major", "premajor", "1"] {
            assert_eq!(Bump::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_breaking_change_needs_major_or_minor_while_zero() {
        assert!(v("0.1.0").allows_breaking_change_to(&v("0.2.0")));
        assert!(v("0.1.0").allows_breaking_change_to(&v("1.0.0")));
        assert!(v("1.4.2").allows_breaking_change_to(&v("2.0.0")));
        assert!(!v("0.1.0").allows_breaking_change_to(&v("0.1.1")));
        assert!(!v("0.1.0").allows_breaking_change_to(&v("0.1.0")));
        assert!(!v("1.4.2").allows_breaking_change_to(&v("1.5.0")));
        assert!(!v("0.2.0").allows_breaking_change_to(&v("0.1.0")));
    }
}
