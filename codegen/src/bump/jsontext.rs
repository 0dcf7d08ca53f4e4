//! Where a value sits in a JSON text, so a version can be replaced in place
//! and the file keeps its indentation, key order and everything else.
//! Reserializing `package.json` would reflow it (npm writes two-space
//! indent, but hand-kept files need not be).

use std::ops::Range;

/// A JSON value and the bytes it spans in its text.
#[derive(Debug)]
pub(crate) struct Node {
    /// The value's bytes; for a string, its contents without the quotes.
    pub(crate) span: Range<usize>,
    /// What the value is.
    pub(crate) kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// Members in text order, keys decoded.
    Object(Vec<(String, Node)>),
    /// A string, decoded.
    String(String),
    /// A number, `true`, `false`, `null` or an array: never a version.
    Other,
}

impl Node {
    /// The member `key` of an object; `None` for a missing key or a
    /// non-object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at `path` of object keys.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The decoded string, when this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// An object's members, empty for anything else.
    pub(crate) fn members(&self) -> &[(String, Node)] {
        match &self.kind {
            Kind::Object(members) => members,
            _ => &[],
        }
    }
}

/// Parses `text`, which must be one JSON value (surrounding whitespace
/// allowed). The error says what was expected at which byte.
pub(crate) fn parse(text: &str) -> Result<Node, String> {
    // serde_json judges validity (escapes, numbers, nesting); the walk
    // below then only has to find spans in text already known to be JSON.
    serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())?;
    let mut p = Parser { text, at: 0 };
    let node = p.value()?;
    p.skip_ws();
    if p.at != text.len() {
        return Err(format!("trailing text at byte {}", p.at));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", byte as char, self.at))
        }
    }

    fn value(&mut self) -> Result<Node, String> {
        self.skip_ws();
        let start = self.at;
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => {
                self.at += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.at += 1;
                } else {
                    loop {
                        self.value()?;
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(format!("expected ',' or ']' at byte {}", self.at)),
                        }
                    }
                }
                Ok(self.other(start))
            }
            Some(b'"') => {
                let (span, s) = self.string()?;
                Ok(Node {
                    span,
                    kind: Kind::String(s),
                })
            }
            Some(_) => {
                // A number or a literal: up to the next delimiter.
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Ok(self.other(start))
            }
            None => Err("unexpected end".to_owned()),
        }
    }

    fn other(&self, start: usize) -> Node {
        Node {
            span: start..self.at,
            kind: Kind::Other,
        }
    }

    fn object(&mut self) -> Result<Node, String> {
        let start = self.at;
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
        } else {
            loop {
                self.skip_ws();
                let (_, key) = self.string()?;
                self.expect(b':')?;
                let value = self.value()?;
                members.push((key, value));
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.at += 1,
                    Some(b'}') => {
                        self.at += 1;
                        break;
                    }
                    _ => return Err(format!("expected ',' or '}}' at byte {}", self.at)),
                }
            }
        }
        Ok(Node {
            span: start..self.at,
            kind: Kind::Object(members),
        })
    }

    /// A string at the cursor: the span of its contents and its value.
    fn string(&mut self) -> Result<(Range<usize>, String), String> {
        let open = self.at;
        if self.peek() != Some(b'"') {
            return Err(format!("expected a string at byte {open}"));
        }
        self.at += 1;
        loop {
            match self.peek() {
                Some(b'\\') => self.at += 2,
                Some(b'"') => break,
                Some(_) => self.at += 1,
                None => return Err(format!("unterminated string at byte {open}")),
            }
        }
        self.at += 1;
        let quoted = self.text.get(open..self.at).unwrap_or_default();
        let decoded: String = serde_json::from_str(quoted).map_err(|e| e.to_string())?;
        Ok((open + 1..self.at - 1, decoded))
    }
}
