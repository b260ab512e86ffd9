//! EN/FR captions of v2 scenes, the way people phrase prompts. Evaluation feeds them through
//! the parser, so a caption only counts when the whole path — words → scene → video — works.
//! [`Phrasing::Plain`] templates are the ones the parser's tests use; [`Phrasing::HeldOut`]
//! ("watch as…", "regardez…") are used only by evaluation.

use rand::seq::SliceRandom;
use rand::Rng;

use super::concepts::Library;
use super::spec::*;
use crate::caption::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrasing {
    Plain,
    HeldOut,
}

fn action_en(a: Action) -> &'static str {
    match a {
        Action::Still => "standing",
        Action::Walk => "walking",
        Action::Run => "running",
        Action::Jump => "jumping",
        Action::Fly => "flying",
        Action::Swim => "swimming",
        Action::Dance => "dancing",
        Action::Spin => "spinning",
        Action::Bounce => "bouncing",
        Action::Fall => "falling",
        Action::Roll => "rolling",
        Action::Orbit => "orbiting",
        Action::Chase => "chasing",
        Action::Race => "racing",
        Action::Grow => "growing",
        Action::Shrink => "shrinking",
    }
}

fn action_fr(a: Action, plural: bool) -> &'static str {
    let (one, many) = match a {
        Action::Still => ("attend", "attendent"),
        Action::Walk => ("marche", "marchent"),
        Action::Run => ("court", "courent"),
        Action::Jump => ("saute", "sautent"),
        Action::Fly => ("vole", "volent"),
        Action::Swim => ("nage", "nagent"),
        Action::Dance => ("danse", "dansent"),
        Action::Spin => ("tournoie", "tournoient"),
        Action::Bounce => ("rebondit", "rebondissent"),
        Action::Fall => ("tombe", "tombent"),
        Action::Roll => ("roule", "roulent"),
        Action::Orbit => ("gravite", "gravitent"),
        Action::Chase => ("poursuit", "poursuivent"),
        Action::Race => ("fait la course", "font la course"),
        Action::Grow => ("grandit", "grandissent"),
        Action::Shrink => ("rapetisse", "rapetissent"),
    };
    if plural {
        many
    } else {
        one
    }
}

fn place_en(p: Place) -> &'static str {
    match p {
        Place::Plain => "",
        Place::Street => "in a city street",
        Place::Rooftop => "on a rooftop",
        Place::Mountain => "on a mountain",
        Place::Beach => "on the beach",
        Place::Forest => "in a forest",
        Place::Stage => "on a stage",
        Place::Kitchen => "in a kitchen",
        Place::Underwater => "underwater",
        Place::Space => "in outer space",
        Place::Room => "in a bedroom",
        Place::Field => "in a meadow",
    }
}

fn place_fr(p: Place) -> &'static str {
    match p {
        Place::Plain => "",
        Place::Street => "dans une rue",
        Place::Rooftop => "sur un toit",
        Place::Mountain => "sur une montagne",
        Place::Beach => "sur la plage",
        Place::Forest => "dans une forêt",
        Place::Stage => "sur une scène",
        Place::Kitchen => "dans une cuisine",
        Place::Underwater => "sous la mer",
        Place::Space => "dans l'espace",
        Place::Room => "dans une chambre",
        Place::Field => "dans un champ",
    }
}

fn light_en(l: Light, w: Weather) -> String {
    let l = match l {
        Light::Day => "",
        Light::Sunset => " at sunset",
        Light::Night => " at night",
    };
    let w = match w {
        Weather::Clear => "",
        Weather::Fog => " in the fog",
        Weather::Snow => " in the snow",
        Weather::Rain => " in the rain",
    };
    format!("{l}{w}")
}

fn light_fr(l: Light, w: Weather) -> String {
    let l = match l {
        Light::Day => "",
        Light::Sunset => " au coucher du soleil",
        Light::Night => " la nuit",
    };
    let w = match w {
        Weather::Clear => "",
        Weather::Fog => " dans le brouillard",
        Weather::Snow => " sous la neige",
        Weather::Rain => " sous la pluie",
    };
    format!("{l}{w}")
}

fn subject(s: &Subject, lang: Lang) -> String {
    let lib = Library::get();
    let (name, plural_s) = match s.kind {
        SubjectKind::Concept(id) => match lib.concept(id) {
            Some(c) => (
                if lang == Lang::En {
                    c.en_name.clone()
                } else {
                    c.fr_name.clone()
                },
                "s",
            ),
            None => ("thing".into(), "s"),
        },
        SubjectKind::Avatar => ("@me".into(), ""),
    };
    let name = if s.count > 1 { format!("{name}{plural_s}") } else { name };
    let size = match (s.scale, lang) {
        (Scale::Normal, _) => "",
        (Scale::Tiny, Lang::En) => "tiny ",
        (Scale::Giant, Lang::En) => "giant ",
        (Scale::Tiny, Lang::Fr) => "minuscule ",
        (Scale::Giant, Lang::Fr) => "géant ",
    };
    let count = match (s.count, lang) {
        (1, Lang::En) => "a",
        (2, Lang::En) => "two",
        (_, Lang::En) => "three",
        (1, Lang::Fr) => "un",
        (2, Lang::Fr) => "deux",
        (_, Lang::Fr) => "trois",
    };
    format!("{count} {size}{name}")
}

fn relation_words(r: Option<Relation>, lang: Lang) -> &'static str {
    match (r, lang) {
        (Some(Relation::OnTop), Lang::En) => "on the head of",
        (Some(Relation::Holding), Lang::En) => "holding",
        (Some(Relation::Chasing), Lang::En) => "chasing",
        (Some(Relation::OnTop), Lang::Fr) => "sur la tête de",
        (Some(Relation::Holding), Lang::Fr) => "qui tient",
        (Some(Relation::Chasing), Lang::Fr) => "qui poursuit",
        (_, Lang::En) => "and",
        (_, Lang::Fr) => "et",
    }
}

/// A caption of `scene` in `lang`.
pub fn caption_v2<R: Rng>(rng: &mut R, scene: &SceneV2, lang: Lang, phrasing: Phrasing) -> String {
    let mut who: Vec<String> = scene.subjects.iter().map(|s| subject(s, lang)).collect();
    let plural = scene.subjects.iter().map(|s| s.count as usize).sum::<usize>() > 1;
    if who.len() == 2 {
        let rel = relation_words(scene.relation, lang);
        let b = who.pop().unwrap_or_default();
        who[0] = format!("{} {rel} {b}", who[0]);
    }
    let who = who.join(" ");
    let row = match (scene.relation, lang) {
        (Some(Relation::InRow), Lang::En) => " in a row",
        (Some(Relation::InRow), Lang::Fr) => " en rang",
        _ => "",
    };
    let chasing = scene.relation == Some(Relation::Chasing);
    let (place, light) = match lang {
        Lang::En => (place_en(scene.place), light_en(scene.light, scene.weather)),
        Lang::Fr => (place_fr(scene.place), light_fr(scene.light, scene.weather)),
    };
    let templates: &[&str] = match (lang, phrasing) {
        (Lang::En, Phrasing::Plain) => &["{who}{row} {act} {place}{light}", "{who}{row} {act}{light} {place}"],
        (Lang::En, Phrasing::HeldOut) => &[
            "watch as {who}{row} {acts} {place}{light}",
            "here we see {who}{row} {act} {place}{light}",
        ],
        (Lang::Fr, Phrasing::Plain) => &["{who}{row} qui {actfr} {place}{light}"],
        (Lang::Fr, Phrasing::HeldOut) => &[
            "regardez {who}{row} qui {actfr} {place}{light}",
            "voici {who}{row} qui {actfr} {place}{light}",
        ],
    };
    let act = if chasing { "" } else { action_en(scene.action) };
    let acts = if chasing { "" } else { action_en(scene.action) };
    let actfr = if chasing { "" } else { action_fr(scene.action, plural) };
    let template = templates.choose(rng).copied().unwrap_or("{who}");
    template
        .replace("{who}", &who)
        .replace("{row}", row)
        .replace("{acts}", acts)
        .replace("{actfr}", actfr)
        .replace("{act}", act)
        .replace("{place}", place)
        .replace("{light}", &light)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
