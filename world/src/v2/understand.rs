//! Prompt understanding: free English or French text → which concepts (by CLDR name, keyword,
//! plural or feminine form, synonym, spelling or emoji), how many and how big, what they do,
//! how they relate, where, in what light and weather, and which words were not understood.
//! Deterministic and allocation-bounded (`text::MAX_PROMPT_CHARS`, `text::MAX_WORDS`); the
//! generation path, `make generate` and the studio's live read-out all call [`understand`].

use std::collections::HashMap;
use std::sync::OnceLock;

use super::concepts::Library;
use super::spec::*;
use super::text::{base_forms, edit_distance, normalise, tokenize, Token};
use super::words;

/// Longest phrase (in words) the matcher tries.
const MAX_PHRASE_WORDS: usize = 4;
/// A keyword shared by more concepts than this names none of them ("animal", "face").
const MAX_KEYWORD_CONCEPTS: usize = 3;
/// Shortest word the spelling fallback corrects.
const MIN_SPELLING_LEN: usize = 4;
/// Words before a noun that may hold its count or size ("a race of giant ducklings").
const MODIFIER_WINDOW: usize = 4;
/// City names: a place only when the prompt names no other.
const WEAK_PLACES: &[&str] = &["tokyo", "new york", "manhattan", "city", "ville", "house", "maison"];

/// How a subject's words were matched to its concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    Name,
    Keyword,
    Synonym,
    Spelling,
    Emoji,
    Avatar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnderstoodSubject {
    pub kind: SubjectKind,
    /// CLDR English name of the concept, or the avatar's handle.
    pub name: String,
    pub name_fr: String,
    /// The concept's emoji (empty for avatars).
    pub emoji: String,
    pub count: u8,
    pub scale: Scale,
    /// The prompt's words that named it.
    pub words: String,
    pub matched: MatchKind,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understood {
    pub subjects: Vec<UnderstoodSubject>,
    pub action: Option<Action>,
    pub relation: Option<Relation>,
    pub place: Option<Place>,
    pub light: Option<Light>,
    pub weather: Option<Weather>,
    pub camera: Option<Camera>,
    /// Content words the parser could not place (function words are never listed).
    pub ignored: Vec<String>,
    /// Words matched by spelling: (as typed, as read).
    pub corrected: Vec<(String, String)>,
    /// Whether the prompt was longer than the parser reads.
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    concept: u16,
    /// Lower is better: name 0, synonym 1, keyword 2.
    rank: u8,
}

#[derive(Debug, Default)]
struct Index {
    phrases: HashMap<String, Hit>,
    /// Single words of names and keywords, for the spelling fallback.
    words: Vec<(String, u16)>,
    emoji: HashMap<String, u16>,
}

fn strip_fe0f(s: &str) -> String {
    s.chars().filter(|&c| c != '\u{FE0F}').collect()
}

impl Index {
    fn get() -> &'static Index {
        static INDEX: OnceLock<Index> = OnceLock::new();
        INDEX.get_or_init(|| Index::build(Library::get()))
    }

    fn put(&mut self, phrase: String, hit: Hit) {
        if phrase.is_empty() {
            return;
        }
        let e = self.phrases.entry(phrase).or_insert(hit);
        if hit.rank < e.rank || (hit.rank == e.rank && hit.concept < e.concept) {
            *e = hit;
        }
    }

    fn build(lib: &Library) -> Index {
        let mut me = Index::default();
        let mut keyword_use: HashMap<String, Vec<u16>> = HashMap::new();
        for c in &lib.concepts {
            me.emoji.insert(strip_fe0f(&c.emoji), c.id);
            for name in [&c.en_name, &c.fr_name] {
                let n = normalise(name);
                for w in n.split(' ').filter(|w| w.len() >= MIN_SPELLING_LEN) {
                    me.words.push((w.to_string(), c.id));
                }
                me.put(n, Hit { concept: c.id, rank: 0 });
            }
            for k in c.en_keywords.iter().chain(&c.fr_keywords) {
                keyword_use.entry(normalise(k)).or_default().push(c.id);
            }
        }
        for (k, ids) in keyword_use {
            if ids.len() <= MAX_KEYWORD_CONCEPTS {
                me.put(
                    k,
                    Hit {
                        concept: ids[0],
                        rank: 2,
                    },
                );
            }
        }
        for (word, name) in words::SYNONYMS {
            if let Some(hit) = me.phrases.get(&normalise(name)).copied() {
                me.put(
                    normalise(word),
                    Hit {
                        concept: hit.concept,
                        rank: 1,
                    },
                );
            }
        }
        me
    }

    /// The concept a phrase names, trying plural and feminine forms of its last word.
    fn lookup(&self, phrase: &[&str]) -> Option<(Hit, bool)> {
        let (last, head) = phrase.split_last()?;
        for (i, form) in base_forms(last).into_iter().enumerate() {
            let mut words: Vec<&str> = head.to_vec();
            words.push(&form);
            if let Some(hit) = self.phrases.get(&words.join(" ")) {
                // Plural when the form that matched dropped an "s" or "x".
                let plural = i > 0 && (last.ends_with('s') || last.ends_with('x'));
                return Some((*hit, plural));
            }
        }
        None
    }

    fn nearest(&self, word: &str) -> Option<(u16, String)> {
        if word.len() < MIN_SPELLING_LEN {
            return None;
        }
        let limit = if word.len() >= 7 { 2 } else { 1 };
        self.words
            .iter()
            .filter_map(|(w, id)| {
                let d = edit_distance(word, w, limit);
                // Ties go to the word sharing the longest start ("elefant" → elephant, not enfant).
                let prefix = word.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
                (d <= limit).then_some((d, std::cmp::Reverse(prefix), *id, w))
            })
            .min_by_key(|(d, prefix, id, _)| (*d, *prefix, *id))
            .map(|(_, _, id, w)| (id, w.clone()))
    }
}

fn table<T: Copy>(t: &[(&str, T)], phrase: &str) -> Option<T> {
    t.iter().find(|(p, _)| *p == phrase).map(|(_, v)| *v)
}

/// What a span of the prompt was read as.
#[derive(Debug, Clone)]
enum Piece {
    Camera(Camera),
    InRow,
    Count(u8, bool),
    Light(Light),
    Weather(Weather),
    Place(Place, bool),
    Action(Action),
    Scale(Scale),
    Relation(Relation),
    Concept(Hit, bool, MatchKind),
    Avatar(String),
    Function,
}

fn classify(index: &Index, words: &[&str]) -> Option<Piece> {
    let phrase = words.join(" ");
    let p = phrase.as_str();
    if let Some(c) = table(words::CAMERAS, p) {
        return Some(Piece::Camera(c));
    }
    if words::IN_ROW.contains(&p) {
        return Some(Piece::InRow);
    }
    if let Some(n) = table(words::COUNTS, p) {
        // "a race of …" also says what they do.
        return Some(Piece::Count(n, p.starts_with("race") || p.starts_with("course")));
    }
    if let Some(l) = table(words::LIGHTS, p) {
        return Some(Piece::Light(l));
    }
    if let Some(w) = table(words::WEATHERS, p) {
        return Some(Piece::Weather(w));
    }
    if let Some(pl) = table(words::PLACES, p) {
        return Some(Piece::Place(pl, WEAK_PLACES.contains(&p)));
    }
    // Closed-class single words come before concept keywords ("a" is also 🅰️'s keyword).
    if let Some(r) = table(words::RELATIONS, p) {
        return Some(Piece::Relation(r));
    }
    if let Some(a) = table(words::ACTIONS, p) {
        return Some(Piece::Action(a));
    }
    if let Some(s) = table(words::SCALES, p) {
        return Some(Piece::Scale(s));
    }
    if words.len() == 1 && words::FUNCTION_WORDS.contains(&p) {
        return Some(Piece::Function);
    }
    if let Some((hit, plural)) = index.lookup(words) {
        let kind = match hit.rank {
            0 => MatchKind::Name,
            1 => MatchKind::Synonym,
            _ => MatchKind::Keyword,
        };
        return Some(Piece::Concept(hit, plural, kind));
    }
    None
}

/// Reads a prompt. Never fails: what it cannot read is listed in `ignored`.
pub fn understand(text: &str) -> Understood {
    let index = Index::get();
    let lib = Library::get();
    let (tokens, truncated) = tokenize(text);
    let mut out = Understood {
        truncated,
        ..Default::default()
    };
    // Pieces in prompt order, with the token position each starts at.
    let mut pieces: Vec<(usize, Piece)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Emoji(e) => {
                match index.emoji.get(&strip_fe0f(e)) {
                    Some(&id) => {
                        pieces.push((i, Piece::Concept(Hit { concept: id, rank: 0 }, false, MatchKind::Emoji)))
                    }
                    None => out.ignored.push(e.clone()),
                }
                i += 1;
                continue;
            }
            Token::Handle(h) => {
                pieces.push((i, Piece::Avatar(h.clone())));
                i += 1;
                continue;
            }
            Token::Word(_) => {}
        }
        let run: Vec<&str> = tokens[i..]
            .iter()
            .take(MAX_PHRASE_WORDS)
            .map_while(|t| match t {
                Token::Word(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        let found = (1..=run.len())
            .rev()
            .find_map(|n| classify(index, &run[..n]).map(|p| (n, p)));
        match found {
            Some((n, piece)) => {
                pieces.push((i, piece));
                i += n;
            }
            None => {
                let w = run[0];
                match index.nearest(w) {
                    Some((id, as_read)) => {
                        out.corrected.push((w.to_string(), as_read));
                        pieces.push((
                            i,
                            Piece::Concept(Hit { concept: id, rank: 3 }, false, MatchKind::Spelling),
                        ));
                    }
                    None => out.ignored.push(w.to_string()),
                }
                i += 1;
            }
        }
    }
    assemble(&mut out, &pieces, &tokens, lib);
    out
}

fn surface(tokens: &[Token], at: usize) -> String {
    match &tokens[at] {
        Token::Word(w) | Token::Emoji(w) | Token::Handle(w) => w.clone(),
    }
}

/// Turns the pieces into subjects (with their counts, sizes and relation) and scene settings.
fn assemble(out: &mut Understood, pieces: &[(usize, Piece)], tokens: &[Token], lib: &Library) {
    let mut strong_place = None;
    let mut weak_place = None;
    let mut subject_at: Vec<usize> = Vec::new();
    for (k, (at, piece)) in pieces.iter().enumerate() {
        match piece {
            Piece::Camera(c) => out.camera = Some(*c),
            Piece::InRow => out.relation = Some(Relation::InRow),
            Piece::Light(l) => out.light = Some(*l),
            Piece::Weather(w) => out.weather = Some(*w),
            Piece::Place(p, weak) => {
                if *weak {
                    weak_place = Some(*p);
                } else {
                    strong_place = Some(*p);
                }
            }
            Piece::Action(a) => {
                out.action.get_or_insert(*a);
            }
            Piece::Count(_, true) => {
                out.action.get_or_insert(Action::Race);
            }
            Piece::Concept(..) | Piece::Avatar(_) => {
                // Count and size from the modifiers just before the noun.
                let mut count = None;
                let mut scale = Scale::Normal;
                for (_, m) in pieces[k.saturating_sub(MODIFIER_WINDOW)..k].iter().rev() {
                    match m {
                        Piece::Concept(..) | Piece::Avatar(_) | Piece::Action(_) | Piece::Place(..) => break,
                        Piece::Count(n, _) => {
                            count.get_or_insert(*n);
                        }
                        Piece::Scale(s) => scale = *s,
                        _ => {}
                    }
                }
                // French puts size after the noun ("des canetons géants").
                if let Some((_, Piece::Scale(s))) = pieces.get(k + 1) {
                    scale = *s;
                }
                let (kind, name, name_fr, emoji, plural, matched) = match piece {
                    Piece::Concept(hit, plural, matched) => {
                        let Some(c) = lib.concept(hit.concept) else { continue };
                        (
                            SubjectKind::Concept(c.id),
                            c.en_name.clone(),
                            c.fr_name.clone(),
                            c.emoji.clone(),
                            *plural,
                            *matched,
                        )
                    }
                    Piece::Avatar(h) => (
                        SubjectKind::Avatar,
                        h.clone(),
                        h.clone(),
                        String::new(),
                        false,
                        MatchKind::Avatar,
                    ),
                    _ => continue,
                };
                let count = count.unwrap_or(if plural { 2 } else { 1 });
                if let Some(same) = out
                    .subjects
                    .iter_mut()
                    .find(|s| s.kind == kind && kind != SubjectKind::Avatar)
                {
                    same.count = same.count.saturating_add(count);
                    continue;
                }
                if out.subjects.len() >= MAX_SLOTS {
                    out.ignored.push(surface(tokens, *at));
                    continue;
                }
                subject_at.push(k);
                out.subjects.push(UnderstoodSubject {
                    kind,
                    name,
                    name_fr,
                    emoji,
                    count,
                    scale,
                    words: surface(tokens, *at),
                    matched,
                });
            }
            Piece::Count(..) | Piece::Scale(_) | Piece::Relation(_) | Piece::Function => {}
        }
    }
    out.place = strong_place.or(weak_place);
    // The relation is the one said between the first two subjects.
    if let [a, b, ..] = subject_at[..] {
        let said = pieces[a + 1..b].iter().find_map(|(_, p)| match p {
            Piece::Relation(r) => Some(*r),
            Piece::Action(Action::Chase) => Some(Relation::Chasing),
            _ => None,
        });
        if out.relation.is_none() {
            out.relation = said;
        }
        if out.relation == Some(Relation::Chasing) {
            out.action.get_or_insert(Action::Chase);
        }
    } else if out.relation != Some(Relation::InRow) {
        out.relation = None;
    }
    // Cap the instances drawn, taking from the last subjects first.
    let mut total: u32 = out.subjects.iter().map(|s| s.count as u32).sum();
    for s in out.subjects.iter_mut().rev() {
        while total > MAX_INSTANCES as u32 && s.count > 1 {
            s.count -= 1;
            total -= 1;
        }
    }
}

impl Understood {
    /// The scene to render, with defaults for what the prompt did not say.
    pub fn scene(&self, seed: u32) -> SceneV2 {
        let mut subjects: Vec<Subject> = self
            .subjects
            .iter()
            .map(|s| Subject {
                kind: s.kind,
                count: s.count.max(1),
                scale: s.scale,
            })
            .collect();
        let mut left = MAX_INSTANCES;
        subjects.retain_mut(|s| {
            s.count = s.count.min(left as u8);
            left -= s.count as usize;
            s.count > 0
        });
        let instances: usize = subjects.iter().map(|s| s.count as usize).sum();
        let mut action = self.action.unwrap_or(Action::Still);
        if action.is_group() && instances < 2 {
            action = Action::Run;
        }
        SceneV2 {
            subjects,
            action,
            relation: self.relation,
            place: self.place.unwrap_or(Place::Plain),
            light: self.light.unwrap_or(Light::Day),
            weather: self.weather.unwrap_or(Weather::Clear),
            camera: self.camera.unwrap_or(Camera::Fixed),
            seed,
        }
    }

    /// One line for people: "🐱 cat · dance · rooftop · sunset".
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .subjects
            .iter()
            .map(|s| {
                let n = if s.count > 1 {
                    format!("{}× ", s.count)
                } else {
                    String::new()
                };
                let size = if s.scale == Scale::Normal {
                    String::new()
                } else {
                    format!("{} ", s.scale.name())
                };
                let who = if s.kind == SubjectKind::Avatar {
                    format!("@{}", s.name)
                } else {
                    format!("{} {}", s.emoji, s.name)
                };
                format!("{n}{size}{who}")
            })
            .collect();
        if let Some(r) = self.relation {
            parts.push(r.name().replace('_', " "));
        }
        parts.extend(self.action.map(|a| a.name().to_string()));
        parts.extend(self.place.map(|p| p.name().to_string()));
        parts.extend(self.light.map(|l| l.name().to_string()));
        parts.extend(self.weather.map(|w| w.name().to_string()));
        parts.extend(self.camera.map(|c| c.name().replace('_', " ")));
        parts.join(" · ")
    }
}
