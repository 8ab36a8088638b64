//! The datasheet as data: sections of paragraphs, lists, tables and figures, written once and
//! printed twice, as Markdown ([`Doc::markdown`]) and as an HTML page (the askama template
//! `templates/datasheet.html`, which escapes every text).

use askama::Template;

/// A piece of running text: plain spans and `code` spans (written with backticks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inline(pub Vec<Span>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub code: bool,
}

impl Inline {
    /// Splits `s` at backticks: odd pieces are code.
    pub fn new(s: &str) -> Inline {
        Inline(
            s.split('`')
                .enumerate()
                .filter(|(_, t)| !t.is_empty())
                .map(|(i, t)| Span {
                    text: t.to_string(),
                    code: i % 2 == 1,
                })
                .collect(),
        )
    }

    pub fn markdown(&self) -> String {
        self.0
            .iter()
            .map(|s| {
                if s.code {
                    format!("`{}`", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }
}

impl From<&str> for Inline {
    fn from(s: &str) -> Inline {
        Inline::new(s)
    }
}

impl From<String> for Inline {
    fn from(s: String) -> Inline {
        Inline::new(&s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Para(Inline),
    List(Vec<Inline>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Inline>>,
    },
    /// An SVG file of the docs folder: shown inline in HTML, linked in Markdown, where a text
    /// version (the ASCII art of a diagram) follows it when there is one.
    Figure {
        file: String,
        caption: String,
        svg: String,
        text: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Eq, Template)]
#[template(path = "datasheet.html")]
pub struct Doc {
    pub title: String,
    pub subtitle: Inline,
    pub sections: Vec<Section>,
}

impl Doc {
    pub fn markdown(&self) -> String {
        let mut s = format!("# {}\n\n{}\n", self.title, self.subtitle.markdown());
        for sec in &self.sections {
            s.push_str(&format!("\n## {}\n", sec.title));
            for b in &sec.blocks {
                s.push('\n');
                match b {
                    Block::Para(t) => s.push_str(&format!("{}\n", t.markdown())),
                    Block::List(items) => {
                        for i in items {
                            s.push_str(&format!("- {}\n", i.markdown()));
                        }
                    }
                    Block::Table { head, rows } => {
                        s.push_str(&format!("| {} |\n", head.join(" | ")));
                        s.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                        for r in rows {
                            let cells: Vec<String> = r.iter().map(Inline::markdown).collect();
                            s.push_str(&format!("| {} |\n", cells.join(" | ")));
                        }
                    }
                    Block::Figure {
                        file,
                        caption,
                        text,
                        ..
                    } => {
                        s.push_str(&format!("![{caption}]({file})\n\n*{caption}*\n"));
                        if let Some(t) = text {
                            s.push_str(&format!("\n```text\n{t}```\n"));
                        }
                    }
                }
            }
        }
        s
    }

    pub fn html(&self) -> String {
        let mut s = self.render().expect("the datasheet template renders");
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s
    }
}

/// The SVG of a file without an XML declaration, to be placed inside HTML.
pub fn inline_svg(svg: &str) -> String {
    match svg.trim_start().strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map(|(_, r)| r.trim_start().to_string())
            .unwrap_or_default(),
        None => svg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_make_code_spans() {
        let i = Inline::new("run `gca report` now");
        assert_eq!(i.0.len(), 3);
        assert!(i.0[1].code);
        assert_eq!(i.markdown(), "run `gca report` now");
    }

    #[test]
    fn html_escapes_text() {
        let d = Doc {
            title: "a < b".into(),
            subtitle: Inline::new("x & `y<z>`"),
            sections: vec![],
        };
        let h = d.html();
        assert!(h.contains("a &#60; b") || h.contains("a &lt; b"), "{h}");
        assert!(h.contains("<code>y&#60;z&#62;</code>") || h.contains("<code>y&lt;z&gt;</code>"));
    }
}
