//! Text normalisation shared by the lexicon index and the parser: lower case, accents folded,
//! apostrophes and hyphens split ("l'éléphant" → "l elephant"), and singular/masculine
//! candidate forms for plurals and genders in English and French.

/// Longest prompt the parser reads, in characters; the rest is reported as truncated.
pub const MAX_PROMPT_CHARS: usize = 500;
/// Most words the parser reads.
pub const MAX_WORDS: usize = 80;

fn fold(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' | 'õ' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        'ÿ' => 'y',
        'ñ' => 'n',
        'œ' => 'o',
        'æ' => 'a',
        c => c,
    }
}

/// A word of the prompt: its normalised form, or an emoji character sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    Emoji(String),
    /// `@handle`: an avatar named by its owner's handle.
    Handle(String),
}

fn is_emoji_char(c: char) -> bool {
    let u = c as u32;
    (0x1F000..=0x1FAFF).contains(&u) || (0x2600..=0x27BF).contains(&u) || (0x2B00..=0x2BFF).contains(&u)
}

fn is_emoji_joiner(c: char) -> bool {
    matches!(c as u32, 0x200D | 0xFE0F | 0x1F3FB..=0x1F3FF | 0x20E3)
}

/// Splits a prompt into tokens (at most [`MAX_WORDS`]); returns whether it was cut.
pub fn tokenize(text: &str) -> (Vec<Token>, bool) {
    let mut truncated = text.chars().count() > MAX_PROMPT_CHARS;
    let mut out = Vec::new();
    let mut word = String::new();
    let mut emoji = String::new();
    let mut handle = false;
    let flush = |word: &mut String, emoji: &mut String, handle: &mut bool, out: &mut Vec<Token>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            out.push(if *handle { Token::Handle(w) } else { Token::Word(w) });
        }
        *handle = false;
        if !emoji.is_empty() {
            out.push(Token::Emoji(std::mem::take(emoji)));
        }
    };
    for c in text.chars().take(MAX_PROMPT_CHARS) {
        if is_emoji_char(c) || (!emoji.is_empty() && is_emoji_joiner(c)) {
            if !word.is_empty() {
                flush(&mut word, &mut String::new(), &mut handle, &mut out);
            }
            // A new base character after a complete emoji starts the next one, unless joined.
            if !emoji.is_empty() && is_emoji_char(c) && !emoji.ends_with('\u{200D}') {
                out.push(Token::Emoji(std::mem::take(&mut emoji)));
            }
            emoji.push(c);
        } else if c.is_alphanumeric() {
            if !emoji.is_empty() {
                out.push(Token::Emoji(std::mem::take(&mut emoji)));
            }
            word.extend(c.to_lowercase().map(fold));
        } else if c == '@' && word.is_empty() {
            handle = true;
        } else if (c == '_' || c == '.') && handle && !word.is_empty() {
            word.push(c);
        } else {
            flush(&mut word, &mut emoji, &mut handle, &mut out);
        }
    }
    flush(&mut word, &mut emoji, &mut handle, &mut out);
    if out.len() > MAX_WORDS {
        out.truncate(MAX_WORDS);
        truncated = true;
    }
    (out, truncated)
}

/// Normalises a phrase the way [`tokenize`] does and joins its words with single spaces.
pub fn normalise(phrase: &str) -> String {
    tokenize(phrase)
        .0
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const IRREGULAR: &[(&str, &str)] = &[
    ("mice", "mouse"),
    ("geese", "goose"),
    ("children", "child"),
    ("people", "person"),
    ("men", "man"),
    ("women", "woman"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("wolves", "wolf"),
    ("leaves", "leaf"),
    ("knives", "knife"),
    ("oxen", "ox"),
    ("yeux", "oeil"),
    ("chevaux", "cheval"),
    ("animaux", "animal"),
];

/// The word itself, then singular and masculine candidates, most likely first.
pub fn base_forms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    if let Some((_, base)) = IRREGULAR.iter().find(|(w, _)| *w == word) {
        out.push(base.to_string());
    }
    fn push(out: &mut Vec<String>, s: String) {
        if s.len() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    }
    if let Some(s) = word.strip_suffix("ies") {
        push(&mut out, format!("{s}y"));
    }
    if let Some(s) = word.strip_suffix("aux") {
        push(&mut out, format!("{s}al"));
    }
    for suffix in ["es", "s", "x"] {
        if let Some(s) = word.strip_suffix(suffix) {
            push(&mut out, s.to_string());
        }
    }
    // French feminine → masculine (chatte → chat, patineuse → patineur, lionne → lion).
    let singular: Vec<String> = out.clone();
    for w in singular {
        for (f, m) in [
            ("euse", "eur"),
            ("trice", "teur"),
            ("enne", "en"),
            ("onne", "on"),
            ("tte", "t"),
            ("e", ""),
        ] {
            if let Some(s) = w.strip_suffix(f) {
                push(&mut out, format!("{s}{m}"));
            }
        }
    }
    out
}

/// Optimal-string-alignment distance, giving up (returning `limit + 1`) past `limit`.
pub fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let mut row_min = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return limit + 1;
        }
    }
    d[a.len() * w + b.len()]
}
