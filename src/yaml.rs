//! YAML files from the repository (GitHub Actions workflows, `.pre-commit-config.yaml`), parsed with limits
//! and with the line of every node.
//!
//! A YAML file is hostile input: an 800-byte file of nested aliases (`&a [*b, *b, ...]`, the "billion laughs")
//! expands to billions of nodes, and thousands of nested blocks exhaust a recursive reader's stack. The parser
//! here is yaml-rust2's event parser (iterative), and the tree is built by this module, which counts every node
//! it creates, an alias's copy included, and every level of nesting: past [`MAX_NODES`] or [`MAX_DEPTH`] the
//! file is an error naming the limit, before the memory is spent. The size of the text is bounded by
//! `crate::files` when it is read.
//!
//! Scalars are typed as YAML 1.2's core schema types them (`on` and `yes` stay strings; `true`, `1`, `1.5`,
//! `null` do not), which is how GitHub and pre-commit read these files.

use std::collections::HashMap;
use std::ops::Index;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Nodes in one document, aliases expanded (a large real workflow has a few thousand).
pub const MAX_NODES: usize = 100_000;
/// Levels of nested sequences and mappings (real workflows nest about ten).
pub const MAX_DEPTH: usize = 100;

/// A node and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// What indexing a missing key or a non-mapping gives.
    Missing,
    Null,
    /// A string, or a boolean or number as written.
    Scalar {
        text: String,
        kind: ScalarKind,
    },
    Seq(Vec<Node>),
    /// Entries in file order.
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    String,
    Bool,
    Int,
    Float,
}

/// Why a YAML text was not read: a syntax error, or one of the limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (line {line})")]
pub struct YamlError {
    pub message: String,
    pub line: u32,
    /// The text went past [`MAX_NODES`] or [`MAX_DEPTH`]: not a file any tool would read as written.
    pub over_limit: bool,
}

static MISSING: Node = Node {
    value: Value::Missing,
    line: 0,
};

/// The first document of `text`; `Ok(None)` for a text without one (empty, or only comments).
pub fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    if text.len() as u64 > crate::files::MAX_BYTES {
        return Err(YamlError {
            message: format!(
                "larger than relgate's limit of {} bytes",
                crate::files::MAX_BYTES
            ),
            line: 1,
            over_limit: true,
        });
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            message: e.info().to_owned(),
            line: line_of(*e.marker()),
            // The scanner's own bound on `[[[...` (255 levels).
            over_limit: e.info() == "recursion limit exceeded",
        })?;
        match event {
            Event::StreamEnd | Event::DocumentEnd => return Ok(builder.root.take()),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => {}
            Event::Alias(id) => builder.alias(id, mark)?,
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == TScalarStyle::Plain && tag.is_none() {
                    plain(text)
                } else {
                    Value::Scalar {
                        text,
                        kind: ScalarKind::String,
                    }
                };
                builder.insert(
                    Node {
                        value,
                        line: line_of(mark),
                    },
                    anchor,
                    mark,
                )?;
            }
            Event::SequenceStart(anchor, _) => {
                builder.open(Frame::Seq(Vec::new()), anchor, mark)?;
            }
            Event::MappingStart(anchor, _) => {
                builder.open(Frame::Map(Vec::new(), None), anchor, mark)?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(mark)?,
        }
    }
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.scalar_text() == Some(key))
            .map(|(_, v)| v)
    }

    /// The text of a string scalar (`None` for booleans, numbers, null and collections).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar {
                text,
                kind: ScalarKind::String,
            } => Some(text),
            _ => None,
        }
    }

    /// Any scalar as text, as written (`1.10` stays `1.10`, `true` is `true`).
    pub fn scalar(&self) -> Option<String> {
        self.scalar_text().map(str::to_owned)
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_missing(&self) -> bool {
        self.value == Value::Missing
    }

    fn scalar_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// How many nodes this one holds, itself included (what copying it for an alias costs).
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
            _ => 0,
        }
    }
}

/// `node["key"]`: the value, or a missing node (indexing a missing node is missing too).
impl Index<&str> for Node {
    type Output = Node;

    fn index(&self, key: &str) -> &Node {
        self.get(key).unwrap_or(&MISSING)
    }
}

/// A collection being read.
enum Frame {
    Seq(Vec<Node>),
    /// The entries so far, and a key waiting for its value.
    Map(Vec<(Node, Node)>, Option<Node>),
}

#[derive(Default)]
struct Builder {
    /// Open collections: the frame, its anchor id (0: none) and its line.
    stack: Vec<(Frame, usize, u32)>,
    /// Anchored nodes by id, with their size.
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder {
    fn count(&mut self, nodes: usize, mark: Marker) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                message: format!(
                    "more than {MAX_NODES} nodes once its aliases are expanded: relgate reads no more"
                ),
                line: line_of(mark),
                over_limit: true,
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, anchor: usize, mark: Marker) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep: relgate reads no deeper"
                ),
                line: line_of(mark),
                over_limit: true,
            });
        }
        self.count(1, mark)?;
        self.stack.push((frame, anchor, line_of(mark)));
        Ok(())
    }

    fn close(&mut self, mark: Marker) -> Result<(), YamlError> {
        let Some((frame, anchor, line)) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame {
            Frame::Seq(items) => Value::Seq(items),
            Frame::Map(entries, _) => Value::Map(entries),
        };
        // The collection itself was counted when it opened.
        self.nodes -= 1;
        self.insert(Node { value, line }, anchor, mark)
    }

    fn alias(&mut self, id: usize, mark: Marker) -> Result<(), YamlError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(YamlError {
                message: "an alias names an anchor that is not defined before it".into(),
                line: line_of(mark),
                over_limit: false,
            });
        };
        let (node, size) = (node.clone(), *size);
        self.count(size, mark)?;
        // Counted just above, with everything it holds.
        self.nodes -= 1;
        self.insert(node, 0, mark)
    }

    fn insert(&mut self, node: Node, anchor: usize, mark: Marker) -> Result<(), YamlError> {
        self.count(1, mark)?;
        if anchor > 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some((frame, _, _)) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        match frame {
            Frame::Seq(items) => items.push(node),
            Frame::Map(entries, pending) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => {
                    if key.scalar_text().is_some()
                        && entries.iter().any(|(k, _)| k.value == key.value)
                    {
                        return Err(YamlError {
                            message: format!(
                                "the key {:?} appears twice in one mapping",
                                key.scalar_text().unwrap_or_default()
                            ),
                            line: key.line,
                            over_limit: false,
                        });
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }
}

/// A plain scalar typed by YAML 1.2's core schema.
fn plain(text: String) -> Value {
    let kind = match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => ScalarKind::Bool,
        t if is_int(t) => ScalarKind::Int,
        t if is_float(t) => ScalarKind::Float,
        _ => ScalarKind::String,
    };
    Value::Scalar { text, kind }
}

fn is_int(t: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = t.strip_prefix("0x") {
        return digits(hex, 16);
    }
    if let Some(octal) = t.strip_prefix("0o") {
        return digits(octal, 8);
    }
    digits(t.strip_prefix(['-', '+']).unwrap_or(t), 10)
}

fn is_float(t: &str) -> bool {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned.chars().any(|c| c.is_ascii_digit())
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && unsigned.parse::<f64>().is_ok()
}

fn line_of(mark: Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn doc(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn scalars_typed_by_the_core_schema_with_lines() {
        let d = doc(
            "on: push\nname: 'CI'\nversion: 1.10\nn: 3\nok: true\nnothing: ~\nyes: yes\njobs:\n  build:\n    runs-on: x\n",
        );
        assert_eq!(d["on"].as_str(), Some("push"));
        assert_eq!(d["name"].as_str(), Some("CI"));
        assert_eq!(d["version"].as_str(), None);
        assert_eq!(d["version"].scalar().as_deref(), Some("1.10"));
        assert_eq!(d["n"].scalar().as_deref(), Some("3"));
        assert_eq!(d["ok"].scalar().as_deref(), Some("true"));
        assert_eq!(d["nothing"].value, Value::Null);
        assert_eq!(d["yes"].as_str(), Some("yes"));
        assert!(d["absent"]["deeper"].is_missing());
        let (key, job) = &d["jobs"].as_map().unwrap()[0];
        assert_eq!((key.as_str(), key.line), (Some("build"), 9));
        assert_eq!(job["runs-on"].line, 10);
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let d = doc("defaults: &d\n  a: 1\nuse: *d\nlist: [&x b, *x]\n");
        assert_eq!(d["use"]["a"].scalar().as_deref(), Some("1"));
        assert_eq!(d["list"].as_seq().unwrap()[1].as_str(), Some("b"));
        assert!(parse("a: *nope\n").is_err());
    }

    #[test]
    fn an_alias_bomb_stops_at_the_node_limit() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='i' {
            let refs = vec![format!("*{previous}"); 10].join(", ");
            let _ = writeln!(text, "{name}: &{name} [{refs}]");
            previous = name;
        }
        assert!(text.len() < 800, "{}", text.len());
        let err = parse(&text).unwrap_err();
        assert_eq!(
            err.message,
            "more than 100000 nodes once its aliases are expanded: relgate reads no more"
        );
    }

    #[test]
    fn deep_nesting_stops_at_the_depth_limit() {
        // 3,000 levels of block sequences in 6 kB: `- - - ... x`.
        let text = format!("{}x\n", "- ".repeat(3000));
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.starts_with("nested more than 100 levels deep"),
            "{err}"
        );
        let flow = format!("{}{}", "[".repeat(3000), "]".repeat(3000));
        let err = parse(&flow).unwrap_err();
        assert!(err.over_limit, "{err}");
        let mapping = (0..200).fold(String::new(), |text, i| text + &" ".repeat(i) + "k:\n");
        assert!(parse(&mapping).unwrap_err().over_limit);
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_name_their_line() {
        let err = parse("on: [push\n").unwrap_err();
        assert!(err.to_string().contains("line"), "{err}");
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the key \"a\" appears twice in one mapping (line 3)"
        );
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }
}
