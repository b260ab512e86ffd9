//! The concept library: one atlas cell (RGBA) and EN/FR names and keywords per concept, built
//! from Debian's emoji font and Unicode CLDR by `conceptgen` (`make concepts`) and embedded in
//! the binary. Everything else in `v2` addresses concepts by their index here.

use std::sync::OnceLock;

/// Width and height of one atlas cell (kept in step with `conceptgen`'s).
pub const CELL: usize = 48;
/// Cells per atlas row.
pub const COLUMNS: usize = 40;

const ATLAS_PNG: &[u8] = include_bytes!("../../data/concepts/atlas.png");
const LEXICON_TSV: &str = include_str!("../../data/concepts/lexicon.tsv");

#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub id: u16,
    pub emoji: String,
    pub group: String,
    pub subgroup: String,
    pub en_name: String,
    pub en_keywords: Vec<String>,
    pub fr_name: String,
    pub fr_keywords: Vec<String>,
}

#[derive(Debug)]
pub struct Library {
    pub concepts: Vec<Concept>,
    /// RGBA, `COLUMNS * CELL` wide.
    atlas: Vec<u8>,
    atlas_width: usize,
}

fn split_keywords(s: &str) -> Vec<String> {
    s.split('|').filter(|k| !k.is_empty()).map(str::to_string).collect()
}

fn parse_lexicon(text: &str) -> Vec<Concept> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [id, emoji, group, subgroup, en, en_kw, fr, fr_kw] = f.as_slice() else {
                return None;
            };
            Some(Concept {
                id: id.parse().ok()?,
                emoji: emoji.to_string(),
                group: group.to_string(),
                subgroup: subgroup.to_string(),
                en_name: en.to_string(),
                en_keywords: split_keywords(en_kw),
                fr_name: fr.to_string(),
                fr_keywords: split_keywords(fr_kw),
            })
        })
        .collect()
}

fn decode_atlas(bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::EXPAND);
    // The embedded atlas is built and checked by the repo; a failure here is a build defect.
    #[allow(clippy::expect_used)]
    let mut reader = decoder.read_info().expect("embedded concept atlas");
    let mut buf = vec![0; reader.output_buffer_size()];
    #[allow(clippy::expect_used)]
    let info = reader.next_frame(&mut buf).expect("embedded concept atlas");
    buf.truncate(info.buffer_size());
    (buf, info.width as usize)
}

impl Library {
    /// The embedded library (decoded once per process).
    pub fn get() -> &'static Library {
        static LIB: OnceLock<Library> = OnceLock::new();
        LIB.get_or_init(|| {
            let (atlas, atlas_width) = decode_atlas(ATLAS_PNG);
            Library {
                concepts: parse_lexicon(LEXICON_TSV),
                atlas,
                atlas_width,
            }
        })
    }

    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    pub fn concept(&self, id: u16) -> Option<&Concept> {
        self.concepts.get(id as usize)
    }

    /// The concept's cell as RGBA rows (`CELL × CELL × 4` bytes).
    pub fn cell(&self, id: u16) -> Vec<u8> {
        let (cx, cy) = ((id as usize % COLUMNS) * CELL, (id as usize / COLUMNS) * CELL);
        let mut out = Vec::with_capacity(CELL * CELL * 4);
        for y in 0..CELL {
            let start = ((cy + y) * self.atlas_width + cx) * 4;
            out.extend_from_slice(&self.atlas[start..start + CELL * 4]);
        }
        out
    }

    /// The concept as a reference image: RGB `size × size` over neutral grey (the same form an
    /// avatar reference takes).
    pub fn reference(&self, id: u16, size: usize) -> Vec<u8> {
        let cell = self.cell(id);
        let sprite = Sprite::from_rgba(&cell, CELL);
        let mut out = vec![0u8; size * size * 3];
        for y in 0..size {
            for x in 0..size {
                let (u, v) = ((x as f32 + 0.5) / size as f32, (y as f32 + 0.5) / size as f32);
                let [r, g, b, a] = sprite.sample(u, v, 1.0 / size as f32);
                let o = (y * size + x) * 3;
                for (c, val) in [r, g, b].into_iter().enumerate() {
                    out[o + c] = ((val + (1.0 - a) * 0.5) * 255.0).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        out
    }
}

/// A premultiplied RGBA image in 0..1 sampled with a box filter of a given footprint.
#[derive(Debug, Clone)]
pub struct Sprite {
    pub size: usize,
    /// Premultiplied RGBA.
    pub px: Vec<[f32; 4]>,
}

impl Sprite {
    pub fn from_rgba(rgba: &[u8], size: usize) -> Self {
        let px = rgba
            .chunks_exact(4)
            .map(|p| {
                let a = p[3] as f32 / 255.0;
                [
                    p[0] as f32 / 255.0 * a,
                    p[1] as f32 / 255.0 * a,
                    p[2] as f32 / 255.0 * a,
                    a,
                ]
            })
            .collect();
        Self { size, px }
    }

    /// An avatar crop (RGB on grey) as an opaque-disc sprite: the crop inside its inscribed
    /// circle, transparent outside.
    pub fn from_reference_rgb(rgb: &[u8], size: usize) -> Self {
        let px = rgb
            .chunks_exact(3)
            .enumerate()
            .map(|(i, p)| {
                let (x, y) = ((i % size) as f32 + 0.5, (i / size) as f32 + 0.5);
                let r = size as f32 / 2.0;
                let d = ((x - r).powi(2) + (y - r).powi(2)).sqrt();
                let a = (r - d).clamp(0.0, 1.0);
                [
                    p[0] as f32 / 255.0 * a,
                    p[1] as f32 / 255.0 * a,
                    p[2] as f32 / 255.0 * a,
                    a,
                ]
            })
            .collect();
        Self { size, px }
    }

    /// Premultiplied RGBA at (u, v) ∈ [0, 1)², averaged over a square of side `footprint`
    /// (in the same units); transparent outside.
    pub fn sample(&self, u: f32, v: f32, footprint: f32) -> [f32; 4] {
        let n = self.size as f32;
        let half = (footprint * n / 2.0).max(0.5);
        let (cx, cy) = (u * n, v * n);
        let (x0, x1) = ((cx - half).floor() as i64, (cx + half).ceil() as i64);
        let (y0, y1) = ((cy - half).floor() as i64, (cy + half).ceil() as i64);
        let mut acc = [0f32; 4];
        let mut count = 0f32;
        for y in y0..y1 {
            for x in x0..x1 {
                count += 1.0;
                if x < 0 || y < 0 || x >= self.size as i64 || y >= self.size as i64 {
                    continue;
                }
                let p = self.px[y as usize * self.size + x as usize];
                for c in 0..4 {
                    acc[c] += p[c];
                }
            }
        }
        if count > 0.0 {
            for a in &mut acc {
                *a /= count;
            }
        }
        acc
    }
}
