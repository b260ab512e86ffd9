//! Word-level tokenizer over the frozen vocabulary of the training captions. Words outside it
//! (e.g. the held-out phrasings' filler words) map to `<unk>`; id 1 is the empty prompt used
//! for classifier-free guidance.

/// Longest prompt, in tokens; longer prompts are truncated.
pub const MAX_TOKENS: usize = 32;
pub const PAD: i64 = 0;
pub const NULL: i64 = 1;
pub const UNK: i64 = 2;
const SPECIALS: [&str; 3] = ["<pad>", "<null>", "<unk>"];

/// The frozen word list (one per line); `vocab_covers_training_captions` keeps it complete.
const WORDS: &str = include_str!("vocab.txt");

#[derive(Debug, Clone)]
pub struct Vocab {
    words: Vec<String>,
}

impl Default for Vocab {
    fn default() -> Self {
        Self::new()
    }
}

impl Vocab {
    pub fn new() -> Self {
        let words = SPECIALS
            .iter()
            .map(|s| s.to_string())
            .chain(WORDS.lines().map(str::to_string))
            .collect();
        Self { words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn id(&self, word: &str) -> Option<i64> {
        // Specials and words are each sorted, so look the word up in the sorted part.
        self.words[SPECIALS.len()..]
            .binary_search_by(|w| w.as_str().cmp(word))
            .ok()
            .map(|i| (i + SPECIALS.len()) as i64)
    }

    /// Lower-cased words: letters and digits, split on everything else (so "s'élève" → s, élève).
    pub fn words(text: &str) -> Vec<String> {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Token ids padded to [`MAX_TOKENS`]; an empty prompt is the `<null>` prompt.
    pub fn encode(&self, text: &str) -> [i64; MAX_TOKENS] {
        let mut ids = [PAD; MAX_TOKENS];
        let words = Self::words(text);
        if words.is_empty() {
            ids[0] = NULL;
            return ids;
        }
        for (slot, w) in ids.iter_mut().zip(words.iter()) {
            *slot = self.id(w).unwrap_or(UNK);
        }
        ids
    }

    /// The `<null>` prompt (classifier-free guidance's unconditional branch).
    pub fn null() -> [i64; MAX_TOKENS] {
        let mut ids = [PAD; MAX_TOKENS];
        ids[0] = NULL;
        ids
    }
}
