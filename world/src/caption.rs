//! Captions: many English and French phrasings of a scene. Training uses the `Train` templates;
//! the `HeldOut` templates (new word orders and filler words) are only used to evaluate.

use rand::Rng;

use crate::spec::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phrasing {
    Train,
    HeldOut,
}

fn pick<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

// ---- English ------------------------------------------------------------------------------

fn en_colour(c: Colour) -> &'static [&'static str] {
    match c {
        Colour::Red => &["red", "crimson", "scarlet"],
        Colour::Orange => &["orange", "tangerine", "amber"],
        Colour::Yellow => &["yellow", "golden", "lemon"],
        Colour::Green => &["green", "emerald", "lime"],
        Colour::Blue => &["blue", "azure", "cobalt"],
        Colour::Purple => &["purple", "violet", "lilac"],
    }
}

fn en_shape(s: Shape) -> &'static [&'static str] {
    match s {
        Shape::Ball => &["ball", "sphere", "circle", "disc", "orb"],
        Shape::Square => &["square", "box", "block", "cube"],
        Shape::Triangle => &["triangle", "pyramid", "wedge"],
        Shape::Character => &["avatar", "character"],
    }
}

/// Motion phrases in the participle form ("a red ball bouncing").
pub fn en_motion(m: Motion) -> &'static [&'static str] {
    match m {
        Motion::Right => &[
            "moving right",
            "moving to the right",
            "sliding right",
            "drifting to the right",
            "heading right",
        ],
        Motion::Left => &[
            "moving left",
            "moving to the left",
            "sliding left",
            "drifting to the left",
            "heading left",
        ],
        Motion::Up => &["moving up", "rising", "floating upward", "going up", "climbing"],
        Motion::Down => &["moving down", "sinking", "going down", "descending", "sliding down"],
        Motion::Bounce => &[
            "bouncing",
            "bouncing on the floor",
            "bouncing up and down",
            "hopping on the ground",
            "dropping and bouncing",
        ],
        Motion::Orbit => &[
            "orbiting",
            "circling around",
            "going in circles",
            "orbiting the center",
            "spinning in a circle",
        ],
        Motion::Zigzag => &[
            "zigzagging",
            "moving in a zigzag",
            "weaving up and down",
            "zigzagging across",
        ],
        Motion::Grow => &["growing", "getting bigger", "expanding", "inflating"],
        Motion::Shrink => &["shrinking", "getting smaller", "contracting", "deflating"],
        Motion::Still => &[
            "standing still",
            "resting",
            "not moving",
            "sitting still",
            "staying put",
        ],
        Motion::Collide => &[
            "colliding",
            "crashing into each other",
            "bumping together",
            "meeting in the middle",
        ],
    }
}

fn en_plural(noun: &str) -> String {
    if noun.ends_with('x') {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

fn en_article(next: &str) -> &'static str {
    if next.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn en_object<R: Rng>(rng: &mut R, o: &ObjectSpec) -> String {
    if o.shape == Shape::Character {
        return pick(
            rng,
            &["my avatar", "the character", "my character", "my avatar character"],
        )
        .to_string();
    }
    let mut words = Vec::new();
    if o.size != Size::Medium && rng.gen_bool(0.5) {
        words.push(if o.size == Size::Small {
            pick(rng, &["small", "little", "tiny"])
        } else {
            pick(rng, &["big", "large", "huge"])
        });
    }
    words.push(pick(rng, en_colour(o.colour)));
    if o.pattern != Pattern::Solid && rng.gen_bool(0.6) {
        words.push(if o.pattern == Pattern::Striped {
            "striped"
        } else {
            pick(rng, &["dotted", "spotted"])
        });
    }
    words.push(pick(rng, en_shape(o.shape)));
    format!("{} {}", en_article(words[0]), words.join(" "))
}

fn en_noun_phrase<R: Rng>(rng: &mut R, scene: &SceneSpec) -> String {
    let objs = &scene.objects;
    let same = objs
        .iter()
        .all(|o| o.colour == objs[0].colour && o.shape == objs[0].shape && o.look.is_none());
    if objs.len() > 1 && same && rng.gen_bool(0.7) {
        let n = if objs.len() == 2 { "two" } else { "three" };
        let shape = pick(rng, en_shape(objs[0].shape));
        return format!("{n} {} {}", pick(rng, en_colour(objs[0].colour)), en_plural(shape));
    }
    let parts: Vec<String> = objs.iter().map(|o| en_object(rng, o)).collect();
    match parts.len() {
        1 => parts[0].clone(),
        2 => format!("{} and {}", parts[0], parts[1]),
        _ => format!("{}, {} and {}", parts[0], parts[1], parts[2]),
    }
}

fn en_background<R: Rng>(rng: &mut R, bg: &Background) -> String {
    let place = match bg.kind {
        BackgroundKind::Plain => pick(rng, &["on a plain background", "on a flat backdrop"]),
        BackgroundKind::Gradient => pick(rng, &["on a gradient background", "against a soft gradient"]),
        BackgroundKind::Texture => pick(rng, &["on a textured background", "over a noisy texture"]),
        BackgroundKind::Landscape => pick(rng, &["in a field", "over a landscape", "among the hills"]),
    };
    if bg.pan == 0.0 {
        place.to_string()
    } else {
        let dir = if bg.pan > 0.0 { "right" } else { "left" };
        format!("{place} as the camera pans {dir}")
    }
}

fn caption_en<R: Rng>(rng: &mut R, scene: &SceneSpec, phrasing: Phrasing) -> String {
    let np = en_noun_phrase(rng, scene);
    let plural = scene.objects.len() > 1;
    let is = if plural { "are" } else { "is" };
    let ving = pick(rng, en_motion(scene.motion));
    let bg = en_background(rng, &scene.background);
    match phrasing {
        Phrasing::Train => match rng.gen_range(0..6) {
            0 => format!("{np} {ving}"),
            1 => format!("{np} {is} {ving}"),
            2 => format!("a video of {np} {ving}"),
            3 => format!("a clip showing {np} {ving}"),
            4 => format!("{np} {ving} {bg}"),
            _ => format!("{bg}, {np} {is} {ving}"),
        },
        Phrasing::HeldOut => match rng.gen_range(0..4) {
            0 => format!("here we see {np} {ving}"),
            1 => format!("watch as {np} {is} {ving}"),
            2 => format!("in this scene, {np} {ving} {bg}"),
            _ => format!("{bg}: {np}, {ving}"),
        },
    }
}

// ---- French -------------------------------------------------------------------------------

/// (word, feminine)
fn fr_shape(s: Shape) -> &'static [(&'static str, bool)] {
    match s {
        Shape::Ball => &[
            ("balle", true),
            ("boule", true),
            ("sphère", true),
            ("cercle", false),
            ("disque", false),
        ],
        Shape::Square => &[("carré", false), ("cube", false), ("bloc", false), ("boîte", true)],
        Shape::Triangle => &[("triangle", false), ("pyramide", true)],
        Shape::Character => &[("avatar", false), ("personnage", false)],
    }
}

/// Colour adjective agreeing in gender and number.
fn fr_colour<R: Rng>(rng: &mut R, c: Colour, fem: bool, plural: bool) -> String {
    let options: &[(&str, &str, bool)] = match c {
        Colour::Red => &[("rouge", "rouge", false), ("écarlate", "écarlate", false)],
        Colour::Orange => &[("orange", "orange", true)],
        Colour::Yellow => &[("jaune", "jaune", false)],
        Colour::Green => &[("vert", "verte", false), ("émeraude", "émeraude", true)],
        Colour::Blue => &[("bleu", "bleue", false), ("azur", "azur", true)],
        Colour::Purple => &[("violet", "violette", false), ("pourpre", "pourpre", false)],
    };
    let (m, f, inv) = options[rng.gen_range(0..options.len())];
    let w = if fem { f } else { m };
    if plural && !inv {
        format!("{w}s")
    } else {
        w.to_string()
    }
}

fn fr_motion(m: Motion, plural: bool) -> &'static [&'static str] {
    match (m, plural) {
        (Motion::Right, false) => &[
            "qui va vers la droite",
            "qui glisse vers la droite",
            "se déplaçant vers la droite",
        ],
        (Motion::Right, true) => &[
            "qui vont vers la droite",
            "qui glissent vers la droite",
            "se déplaçant vers la droite",
        ],
        (Motion::Left, false) => &[
            "qui va vers la gauche",
            "qui glisse vers la gauche",
            "se déplaçant vers la gauche",
        ],
        (Motion::Left, true) => &[
            "qui vont vers la gauche",
            "qui glissent vers la gauche",
            "se déplaçant vers la gauche",
        ],
        (Motion::Up, false) => &["qui monte", "qui s'élève", "montant vers le haut"],
        (Motion::Up, true) => &["qui montent", "qui s'élèvent", "montant vers le haut"],
        (Motion::Down, false) => &["qui descend", "descendant vers le bas", "qui glisse vers le bas"],
        (Motion::Down, true) => &["qui descendent", "descendant vers le bas", "qui glissent vers le bas"],
        (Motion::Bounce, false) => &["qui rebondit", "qui rebondit sur le sol", "rebondissant par terre"],
        (Motion::Bounce, true) => &[
            "qui rebondissent",
            "qui rebondissent sur le sol",
            "rebondissant par terre",
        ],
        (Motion::Orbit, false) => &[
            "qui tourne en rond",
            "en orbite autour du centre",
            "qui décrit des cercles",
        ],
        (Motion::Orbit, true) => &[
            "qui tournent en rond",
            "en orbite autour du centre",
            "qui décrivent des cercles",
        ],
        (Motion::Zigzag, false) => &["qui zigzague", "en zigzag", "avançant en zigzag"],
        (Motion::Zigzag, true) => &["qui zigzaguent", "en zigzag", "avançant en zigzag"],
        (Motion::Grow, false) => &["qui grandit", "qui grossit", "qui s'agrandit"],
        (Motion::Grow, true) => &["qui grandissent", "qui grossissent", "qui s'agrandissent"],
        (Motion::Shrink, false) => &["qui rétrécit", "qui diminue", "qui rapetisse"],
        (Motion::Shrink, true) => &["qui rétrécissent", "qui diminuent", "qui rapetissent"],
        (Motion::Still, false) => &["immobile", "qui ne bouge pas", "qui reste sur place"],
        (Motion::Still, true) => &["immobiles", "qui ne bougent pas", "qui restent sur place"],
        (Motion::Collide, _) => &["qui se heurtent", "qui entrent en collision", "qui se rentrent dedans"],
    }
}

fn fr_object<R: Rng>(rng: &mut R, o: &ObjectSpec) -> String {
    if o.shape == Shape::Character {
        return pick(rng, &["mon avatar", "le personnage", "mon personnage"]).to_string();
    }
    let shapes = fr_shape(o.shape);
    let (noun, fem) = shapes[rng.gen_range(0..shapes.len())];
    let mut s = String::from(if fem { "une " } else { "un " });
    if o.size != Size::Medium && rng.gen_bool(0.5) {
        s.push_str(match (o.size == Size::Small, fem) {
            (true, false) => "petit ",
            (true, true) => "petite ",
            (false, false) => pick(rng, &["grand ", "gros "]),
            (false, true) => pick(rng, &["grande ", "grosse "]),
        });
    }
    s.push_str(noun);
    s.push(' ');
    s.push_str(&fr_colour(rng, o.colour, fem, false));
    if o.pattern != Pattern::Solid && rng.gen_bool(0.6) {
        s.push_str(match (o.pattern, fem) {
            (Pattern::Striped, false) => " rayé",
            (Pattern::Striped, true) => " rayée",
            _ => " à pois",
        });
    }
    s
}

fn fr_noun_phrase<R: Rng>(rng: &mut R, scene: &SceneSpec) -> String {
    let objs = &scene.objects;
    let same = objs
        .iter()
        .all(|o| o.colour == objs[0].colour && o.shape == objs[0].shape && o.look.is_none());
    if objs.len() > 1 && same && rng.gen_bool(0.7) {
        let n = if objs.len() == 2 { "deux" } else { "trois" };
        let shapes = fr_shape(objs[0].shape);
        let (noun, fem) = shapes[rng.gen_range(0..shapes.len())];
        return format!("{n} {noun}s {}", fr_colour(rng, objs[0].colour, fem, true));
    }
    let parts: Vec<String> = objs.iter().map(|o| fr_object(rng, o)).collect();
    match parts.len() {
        1 => parts[0].clone(),
        2 => format!("{} et {}", parts[0], parts[1]),
        _ => format!("{}, {} et {}", parts[0], parts[1], parts[2]),
    }
}

fn fr_background<R: Rng>(rng: &mut R, bg: &Background) -> String {
    let place = match bg.kind {
        BackgroundKind::Plain => pick(rng, &["sur un fond uni", "sur un fond simple"]),
        BackgroundKind::Gradient => pick(rng, &["sur un fond dégradé", "devant un dégradé"]),
        BackgroundKind::Texture => pick(rng, &["sur un fond texturé", "sur une texture"]),
        BackgroundKind::Landscape => pick(rng, &["dans un paysage", "dans les collines", "dans un champ"]),
    };
    if bg.pan == 0.0 {
        place.to_string()
    } else {
        let dir = if bg.pan > 0.0 { "droite" } else { "gauche" };
        format!("{place} pendant que la caméra se déplace vers la {dir}")
    }
}

fn caption_fr<R: Rng>(rng: &mut R, scene: &SceneSpec, phrasing: Phrasing) -> String {
    let np = fr_noun_phrase(rng, scene);
    let mv = pick(rng, fr_motion(scene.motion, scene.objects.len() > 1));
    let bg = fr_background(rng, &scene.background);
    match phrasing {
        Phrasing::Train => match rng.gen_range(0..4) {
            0 => format!("{np} {mv}"),
            1 => format!("une vidéo avec {np} {mv}"),
            2 => format!("on voit {np} {mv}"),
            _ => format!("{np} {mv} {bg}"),
        },
        Phrasing::HeldOut => match rng.gen_range(0..3) {
            0 => format!("regardez {np} {mv}"),
            1 => format!("dans ce clip, {np} {mv} {bg}"),
            _ => format!("voici {np} {mv}"),
        },
    }
}

/// A caption of `scene` in `lang`, drawn from the `phrasing` template set.
pub fn caption<R: Rng>(rng: &mut R, scene: &SceneSpec, lang: Lang, phrasing: Phrasing) -> String {
    match lang {
        Lang::En => caption_en(rng, scene, phrasing),
        Lang::Fr => caption_fr(rng, scene, phrasing),
    }
}
