//! Lays out ts-rs's type declarations the way a TypeScript reader expects:
//! one member per line, indented, JSDoc above its member, `;` between
//! members. ts-rs writes them as `{ \n/**…*/\nname: T, };`.
//!
//! Only the shapes ts-rs emits are understood (object literals, unions,
//! plain type text); anything else is returned unchanged, and `tsc` in the
//! tests checks every file either way.

/// Reformats the `export type X = …;` declaration at the end of `file`.
pub(crate) fn format_file(file: &str) -> String {
    let Some(start) = file.find("export type ") else {
        return file.to_owned();
    };
    let (head, decl) = file.split_at(start);
    let Some(eq) = decl.find(" = ") else {
        return file.to_owned();
    };
    let (name, rhs) = decl.split_at(eq + 3);
    let Some(rhs) = rhs.trim_end().strip_suffix(';') else {
        return file.to_owned();
    };
    let mut parser = Parser { src: rhs, pos: 0 };
    match parser.union() {
        Some(ty) if parser.at_end() => format!("{head}{name}{};\n", ty.render(0)),
        _ => file.to_owned(),
    }
}

enum Ty {
    Text(String),
    Object(Vec<Member>),
    Union(Vec<Ty>),
}

struct Member {
    doc: Option<String>,
    text: String,
}

impl Ty {
    fn render(&self, depth: usize) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Union(items) => items
                .iter()
                .map(|t| t.render(depth))
                .collect::<Vec<_>>()
                .join(" | "),
            Self::Object(members) if members.is_empty() => "{}".to_owned(),
            Self::Object(members) => {
                let pad = "  ".repeat(depth + 1);
                let mut out = String::from("{\n");
                for member in members {
                    if let Some(doc) = &member.doc {
                        for line in doc.lines() {
                            let line = line.trim();
                            let line = if line.starts_with('*') && !line.starts_with("**") {
                                format!(" {line}")
                            } else {
                                line.to_owned()
                            };
                            out.push_str(&format!("{pad}{line}\n"));
                        }
                    }
                    out.push_str(&format!("{pad}{};\n", member.text));
                }
                out.push_str(&"  ".repeat(depth));
                out.push('}');
                out
            }
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.src.len()
    }

    fn union(&mut self) -> Option<Ty> {
        let mut items = vec![self.primary()?];
        loop {
            self.skip_ws();
            if self.rest().starts_with('|') {
                self.pos += 1;
                items.push(self.primary()?);
            } else {
                break;
            }
        }
        Some(if items.len() == 1 {
            items.pop()?
        } else {
            Ty::Union(items)
        })
    }

    fn primary(&mut self) -> Option<Ty> {
        self.skip_ws();
        if self.rest().starts_with('{') {
            self.pos += 1;
            return self.object();
        }
        let text = self.until(&['|'])?;
        (!text.is_empty()).then(|| Ty::Text(text.to_owned()))
    }

    fn object(&mut self) -> Option<Ty> {
        let mut members = Vec::new();
        loop {
            self.skip_ws();
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                return Some(Ty::Object(members));
            }
            let doc = if rest.starts_with("/**") {
                let end = rest.find("*/")? + 2;
                let doc = rest[..end].to_owned();
                self.pos += end;
                self.skip_ws();
                Some(doc)
            } else {
                None
            };
            let text = self.until(&[',', ';', '}'])?.trim().to_owned();
            if text.is_empty() {
                return None;
            }
            members.push(Member { doc, text });
            if self.rest().starts_with([',', ';']) {
                self.pos += 1;
            }
        }
    }

    /// Text up to (not including) one of `stops` at nesting depth 0, outside
    /// strings; the end of input also stops it.
    fn until(&mut self, stops: &[char]) -> Option<&str> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for (i, c) in self.rest().char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '"' | '\'' | '`' => quote = Some(c),
                '{' | '[' | '(' | '<' => depth += 1,
                '}' | ']' | ')' | '>' if depth > 0 => depth -= 1,
                _ if depth == 0 && stops.contains(&c) => {
                    self.pos = start + i;
                    return Some(self.src[start..self.pos].trim());
                }
                _ => {}
            }
        }
        if quote.is_some() || depth > 0 {
            return None;
        }
        self.pos = self.src.len();
        Some(self.src[start..].trim())
    }
}

#[cfg(test)]
mod tests {
    use super::format_file;

    #[test]
    fn object_members_go_one_per_line_with_their_docs() {
        let input = "// h\n\n/**\n * Doc.\n */\nexport type A = { \n/**\n * Field doc.\n */\nname: string, \ntitle?: string, };\n";
        assert_eq!(
            format_file(input),
            "// h\n\n/**\n * Doc.\n */\nexport type A = {\n  /**\n   * Field doc.\n   */\n  name: string;\n  title?: string;\n};\n"
        );
    }

    #[test]
    fn unions_of_tagged_objects_keep_strings_whole() {
        let input =
            "export type E = { \"method\": \"a/b, c\", id: X | null, } | { \"method\": \"d\", };\n";
        assert_eq!(
            format_file(input),
            "export type E = {\n  \"method\": \"a/b, c\";\n  id: X | null;\n} | {\n  \"method\": \"d\";\n};\n"
        );
    }

    #[test]
    fn semicolon_separated_members_are_read_too() {
        let input = "export type H = {\n  v: 1;\n  /**\n   * A, b.\n   */\n  t: string;\n} | {\n  v: 1;\n};\n";
        assert_eq!(format_file(input), input);
    }

    #[test]
    fn plain_types_and_unknown_shapes_are_left_alone() {
        for input in [
            "export type N = number | string;\n",
            "export type R = Record<symbol, never>;\n",
            "export type Broken = { a: string\n",
        ] {
            assert_eq!(format_file(input), input);
        }
    }
}
