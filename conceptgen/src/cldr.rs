//! Reads CLDR emoji annotations (`annotations/<lang>.xml` and `annotationsDerived/<lang>.xml`):
//! a spoken name (`type="tts"`) and `|`-separated keywords per emoji, keyed without U+FE0F.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

#[derive(Debug, Default, Clone)]
pub struct Annotation {
    pub name: String,
    pub keywords: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Annotations(HashMap<String, Annotation>);

fn key(emoji: &str) -> String {
    emoji.chars().filter(|&c| c != '\u{FE0F}').collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

impl Annotations {
    pub fn load(cldr: &Path, lang: &str) -> Result<Self> {
        let mut me = Self::default();
        for dir in ["annotations", "annotationsDerived"] {
            let path = cldr.join(dir).join(format!("{lang}.xml"));
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {} (apt-get install unicode-cldr-core)", path.display()))?;
            me.parse(&text);
        }
        Ok(me)
    }

    fn parse(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix("<annotation cp=\"") else {
                continue;
            };
            let Some((cp, rest)) = rest.split_once('"') else {
                continue;
            };
            let Some((attrs, rest)) = rest.split_once('>') else {
                continue;
            };
            let Some(body) = rest.strip_suffix("</annotation>") else {
                continue;
            };
            let body = unescape(body);
            let entry = self.0.entry(key(&unescape(cp))).or_default();
            if attrs.contains("type=\"tts\"") {
                entry.name = body.trim().to_string();
            } else {
                entry.keywords = body
                    .split('|')
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect();
            }
        }
    }

    /// The annotation of `emoji`, when it has a name.
    pub fn get(&self, emoji: &str) -> Option<&Annotation> {
        self.0.get(&key(emoji)).filter(|a| !a.name.is_empty())
    }
}
