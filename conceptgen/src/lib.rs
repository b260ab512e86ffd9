//! `conceptgen` (library; `cargo run -p conceptgen -- DIR` is its command): builds the concept library the model v2 world draws its subjects from.
//!
//! Inputs are Debian packages the Makefile installs (`make concepts`): the colour bitmaps of
//! `fonts-noto-color-emoji` (SIL OFL 1.1), the emoji list with groups from `unicode-data`
//! (`emoji-test.txt`) and the English and French names and keywords of `unicode-cldr-core`
//! (Unicode licence). Output: `world/data/concepts/atlas.png` (one RGBA cell per concept) and
//! `lexicon.tsv` (one row per concept). `world::concepts` loads both; a test in `world`
//! rebuilds them and checks that the committed copies match.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

mod cldr;
mod image;

/// Width and height of one atlas cell (kept in step with `world::concepts::CELL`).
const CELL: usize = 48;
/// Cells per atlas row.
const COLUMNS: usize = 40;
/// Emoji groups that name things a scene can show (flags and components are left out).
const GROUPS: [&str; 8] = [
    "Smileys & Emotion",
    "People & Body",
    "Animals & Nature",
    "Food & Drink",
    "Travel & Places",
    "Activities",
    "Objects",
    "Symbols",
];
const SKIN_TONES: [char; 5] = ['\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];

struct Inputs {
    font: PathBuf,
    emoji_test: PathBuf,
    cldr: PathBuf,
}

impl Inputs {
    fn debian() -> Self {
        Self {
            font: "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf".into(),
            emoji_test: "/usr/share/unicode/emoji/emoji-test.txt".into(),
            cldr: "/usr/share/unicode/cldr/common".into(),
        }
    }
}

struct Entry {
    emoji: String,
    group: String,
    subgroup: String,
}

fn read_emoji_list(path: &Path) -> Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (mut group, mut subgroup) = (String::new(), String::new());
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(g) = line.strip_prefix("# group:") {
            group = g.trim().to_string();
        } else if let Some(s) = line.strip_prefix("# subgroup:") {
            subgroup = s.trim().to_string();
        } else if line.contains("; fully-qualified") && GROUPS.contains(&group.as_str()) {
            let code = line.split(';').next().unwrap_or_default();
            let emoji: Option<String> = code
                .split_whitespace()
                .map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
                .collect();
            let emoji = emoji.with_context(|| format!("bad code points: {line}"))?;
            if emoji.chars().any(|c| SKIN_TONES.contains(&c)) {
                continue;
            }
            out.push(Entry {
                emoji,
                group: group.clone(),
                subgroup: subgroup.clone(),
            });
        }
    }
    Ok(out)
}

/// One lexicon field: no tabs or line breaks inside.
fn field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Builds the atlas and lexicon into `out`; returns the number of concepts.
pub fn build(out: &Path) -> Result<usize> {
    let inputs = Inputs::debian();
    let font = std::fs::read(&inputs.font).with_context(|| {
        format!(
            "reading {} (apt-get install fonts-noto-color-emoji)",
            inputs.font.display()
        )
    })?;
    let face = rustybuzz::Face::from_slice(&font, 0).context("parsing the emoji font")?;
    let entries = read_emoji_list(&inputs.emoji_test)?;
    let en = cldr::Annotations::load(&inputs.cldr, "en")?;
    let fr = cldr::Annotations::load(&inputs.cldr, "fr")?;

    let mut cells: Vec<Vec<u8>> = Vec::new();
    let mut rows = vec!["# id\temoji\tgroup\tsubgroup\ten_name\ten_keywords\tfr_name\tfr_keywords".to_string()];
    let mut seen = HashMap::new();
    for e in &entries {
        let (Some(en_a), Some(fr_a)) = (en.get(&e.emoji), fr.get(&e.emoji)) else {
            continue;
        };
        let Some(glyph) = image::glyph_of(&face, &e.emoji) else {
            continue;
        };
        let Some(rgba) = image::cell_of(&face, glyph, CELL)? else {
            continue;
        };
        if seen.insert(e.emoji.clone(), ()).is_some() {
            continue;
        }
        rows.push(format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            cells.len(),
            e.emoji,
            e.group,
            e.subgroup,
            field(&en_a.name),
            field(&en_a.keywords.join("|")),
            field(&fr_a.name),
            field(&fr_a.keywords.join("|")),
        ));
        cells.push(rgba);
    }
    if cells.len() < 1500 {
        bail!("only {} concepts found; the packages look incomplete", cells.len());
    }
    std::fs::create_dir_all(out)?;
    image::write_atlas(&out.join("atlas.png"), &cells, CELL, COLUMNS)?;
    std::fs::write(out.join("lexicon.tsv"), rows.join("\n") + "\n")?;
    Ok(cells.len())
}
