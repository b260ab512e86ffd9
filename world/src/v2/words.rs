//! The closed-class words of the v2 world in English and French: actions, places, light,
//! weather, camera, sizes, counts and relations, as phrases already normalised by
//! [`super::text::normalise`] (lower case, no accents). Concept nouns come from CLDR instead.

use super::spec::{Action, Camera, Light, Place, Relation, Scale, Weather};

#[rustfmt::skip]
pub const ACTIONS: &[(&str, Action)] = &[
    ("walk", Action::Walk), ("walks", Action::Walk), ("walking", Action::Walk), ("walked", Action::Walk),
    ("stroll", Action::Walk), ("strolls", Action::Walk), ("strolling", Action::Walk), ("wander", Action::Walk),
    ("wanders", Action::Walk), ("wandering", Action::Walk), ("marche", Action::Walk), ("marchent", Action::Walk),
    ("marcher", Action::Walk), ("marchant", Action::Walk), ("promene", Action::Walk), ("promenent", Action::Walk),
    ("se promene", Action::Walk), ("flane", Action::Walk),
    ("run", Action::Run), ("runs", Action::Run), ("running", Action::Run), ("ran", Action::Run),
    ("sprint", Action::Run), ("sprints", Action::Run), ("sprinting", Action::Run), ("jog", Action::Run),
    ("jogs", Action::Run), ("jogging", Action::Run), ("dashing", Action::Run), ("court", Action::Run),
    ("courent", Action::Run), ("courir", Action::Run), ("courant", Action::Run),
    ("jump", Action::Jump), ("jumps", Action::Jump), ("jumping", Action::Jump), ("hop", Action::Jump),
    ("hops", Action::Jump), ("hopping", Action::Jump), ("leap", Action::Jump), ("leaps", Action::Jump),
    ("leaping", Action::Jump), ("saute", Action::Jump), ("sautent", Action::Jump), ("sauter", Action::Jump),
    ("sautant", Action::Jump), ("bondit", Action::Jump), ("bondissent", Action::Jump),
    ("fly", Action::Fly), ("flies", Action::Fly), ("flying", Action::Fly), ("soar", Action::Fly),
    ("soars", Action::Fly), ("soaring", Action::Fly), ("glides", Action::Fly), ("gliding", Action::Fly),
    ("vole", Action::Fly), ("volent", Action::Fly), ("voler", Action::Fly), ("volant", Action::Fly),
    ("plane", Action::Fly), ("planent", Action::Fly),
    ("swim", Action::Swim), ("swims", Action::Swim), ("swimming", Action::Swim), ("diving", Action::Swim),
    ("nage", Action::Swim), ("nagent", Action::Swim), ("nager", Action::Swim), ("nageant", Action::Swim),
    ("dance", Action::Dance), ("dances", Action::Dance), ("dancing", Action::Dance), ("danced", Action::Dance),
    ("grooving", Action::Dance), ("danse", Action::Dance), ("dansent", Action::Dance), ("danser", Action::Dance),
    ("dansant", Action::Dance),
    ("spin", Action::Spin), ("spins", Action::Spin), ("spinning", Action::Spin), ("twirl", Action::Spin),
    ("twirls", Action::Spin), ("twirling", Action::Spin), ("pirouette", Action::Spin),
    ("pirouettes", Action::Spin), ("pirouetting", Action::Spin), ("whirl", Action::Spin),
    ("whirling", Action::Spin), ("rotating", Action::Spin), ("rotates", Action::Spin),
    ("tourne", Action::Spin), ("tournent", Action::Spin), ("tournoie", Action::Spin),
    ("tournoient", Action::Spin), ("virevolte", Action::Spin), ("tourbillonne", Action::Spin),
    ("bounce", Action::Bounce), ("bounces", Action::Bounce), ("bouncing", Action::Bounce),
    ("rebondit", Action::Bounce), ("rebondissent", Action::Bounce), ("rebondir", Action::Bounce),
    ("rebondissant", Action::Bounce),
    ("fall", Action::Fall), ("falls", Action::Fall), ("falling", Action::Fall), ("drop", Action::Fall),
    ("drops", Action::Fall), ("dropping", Action::Fall), ("tumbling", Action::Fall), ("tombe", Action::Fall),
    ("tombent", Action::Fall), ("tomber", Action::Fall), ("tombant", Action::Fall), ("chute", Action::Fall),
    ("roll", Action::Roll), ("rolls", Action::Roll), ("rolling", Action::Roll), ("roule", Action::Roll),
    ("roulent", Action::Roll), ("rouler", Action::Roll), ("roulant", Action::Roll),
    ("orbit", Action::Orbit), ("orbits", Action::Orbit), ("orbiting", Action::Orbit), ("circling", Action::Orbit),
    ("circles", Action::Orbit), ("gravite", Action::Orbit), ("gravitent", Action::Orbit), ("orbite", Action::Orbit),
    ("tourne en rond", Action::Orbit), ("tournent en rond", Action::Orbit), ("in circles", Action::Orbit),
    ("chase", Action::Chase), ("chases", Action::Chase), ("chasing", Action::Chase), ("pursues", Action::Chase),
    ("pursuing", Action::Chase), ("poursuit", Action::Chase), ("poursuivent", Action::Chase),
    ("pourchasse", Action::Chase), ("pourchassent", Action::Chase), ("poursuivant", Action::Chase),
    ("race", Action::Race), ("races", Action::Race), ("racing", Action::Race), ("course", Action::Race),
    ("font la course", Action::Race), ("fait la course", Action::Race),
    ("grow", Action::Grow), ("grows", Action::Grow), ("growing", Action::Grow), ("expands", Action::Grow),
    ("inflating", Action::Grow), ("grandit", Action::Grow), ("grandissent", Action::Grow),
    ("grossit", Action::Grow), ("gonfle", Action::Grow),
    ("shrink", Action::Shrink), ("shrinks", Action::Shrink), ("shrinking", Action::Shrink),
    ("retrecit", Action::Shrink), ("retrecissent", Action::Shrink), ("rapetisse", Action::Shrink),
    ("diminue", Action::Shrink),
    ("sitting", Action::Still), ("sits", Action::Still), ("standing", Action::Still), ("stands", Action::Still),
    ("resting", Action::Still), ("posing", Action::Still), ("still", Action::Still), ("waiting", Action::Still),
    ("assis", Action::Still), ("assise", Action::Still), ("immobile", Action::Still), ("debout", Action::Still),
    ("attend", Action::Still), ("pose", Action::Still),
];

#[rustfmt::skip]
pub const PLACES: &[(&str, Place)] = &[
    ("street", Place::Street), ("streets", Place::Street), ("road", Place::Street), ("avenue", Place::Street),
    ("city", Place::Street), ("town", Place::Street), ("downtown", Place::Street), ("rue", Place::Street),
    ("ville", Place::Street), ("route", Place::Street), ("miniature city", Place::Street),
    ("rooftop", Place::Rooftop), ("rooftops", Place::Rooftop), ("roof", Place::Rooftop), ("roofs", Place::Rooftop),
    ("skyline", Place::Rooftop), ("skyscraper", Place::Rooftop), ("skyscrapers", Place::Rooftop),
    ("tokyo", Place::Rooftop), ("new york", Place::Rooftop), ("manhattan", Place::Rooftop),
    ("toit", Place::Rooftop), ("toits", Place::Rooftop), ("gratte ciel", Place::Rooftop),
    ("mountain", Place::Mountain), ("mountains", Place::Mountain), ("peak", Place::Mountain),
    ("alps", Place::Mountain), ("montagne", Place::Mountain), ("montagnes", Place::Mountain),
    ("sommet", Place::Mountain), ("alpes", Place::Mountain),
    ("beach", Place::Beach), ("seaside", Place::Beach), ("shore", Place::Beach), ("coast", Place::Beach),
    ("plage", Place::Beach), ("bord de mer", Place::Beach), ("cote", Place::Beach),
    ("forest", Place::Forest), ("woods", Place::Forest), ("jungle", Place::Forest), ("foret", Place::Forest),
    ("bois", Place::Forest),
    ("stage", Place::Stage), ("jazz club", Place::Stage), ("club", Place::Stage), ("concert", Place::Stage),
    ("theater", Place::Stage), ("theatre", Place::Stage), ("spotlight", Place::Stage),
    ("spotlights", Place::Stage), ("scene", Place::Stage), ("club de jazz", Place::Stage),
    ("boite de jazz", Place::Stage), ("projecteurs", Place::Stage),
    ("kitchen", Place::Kitchen), ("cuisine", Place::Kitchen),
    ("underwater", Place::Underwater), ("ocean", Place::Underwater), ("under the sea", Place::Underwater),
    ("sea", Place::Underwater), ("aquarium", Place::Underwater), ("sous l eau", Place::Underwater),
    ("sous la mer", Place::Underwater), ("mer", Place::Underwater), ("fond marin", Place::Underwater),
    ("space", Place::Space), ("outer space", Place::Space), ("galaxy", Place::Space), ("cosmos", Place::Space),
    ("espace", Place::Space), ("galaxie", Place::Space),
    ("room", Place::Room), ("bedroom", Place::Room), ("living room", Place::Room), ("house", Place::Room),
    ("home", Place::Room), ("chambre", Place::Room), ("salon", Place::Room), ("maison", Place::Room),
    ("piece", Place::Room),
    ("field", Place::Field), ("meadow", Place::Field), ("park", Place::Field), ("hills", Place::Field),
    ("garden", Place::Field), ("grass", Place::Field), ("countryside", Place::Field), ("champ", Place::Field),
    ("prairie", Place::Field), ("parc", Place::Field), ("collines", Place::Field), ("jardin", Place::Field),
    ("campagne", Place::Field), ("pre", Place::Field),
];

#[rustfmt::skip]
pub const LIGHTS: &[(&str, Light)] = &[
    ("sunset", Light::Sunset), ("dusk", Light::Sunset), ("sunrise", Light::Sunset), ("dawn", Light::Sunset),
    ("golden hour", Light::Sunset), ("evening", Light::Sunset), ("coucher du soleil", Light::Sunset),
    ("coucher de soleil", Light::Sunset), ("crepuscule", Light::Sunset), ("lever du soleil", Light::Sunset),
    ("aube", Light::Sunset), ("soir", Light::Sunset),
    ("night", Light::Night), ("midnight", Light::Night), ("moonlight", Light::Night), ("dark", Light::Night),
    ("nighttime", Light::Night), ("nuit", Light::Night), ("minuit", Light::Night),
    ("clair de lune", Light::Night),
    ("day", Light::Day), ("daytime", Light::Day), ("noon", Light::Day), ("morning", Light::Day),
    ("sunny", Light::Day), ("jour", Light::Day), ("midi", Light::Day), ("matin", Light::Day),
    ("ensoleille", Light::Day), ("ensoleillee", Light::Day),
];

#[rustfmt::skip]
pub const WEATHERS: &[(&str, Weather)] = &[
    ("fog", Weather::Fog), ("foggy", Weather::Fog), ("mist", Weather::Fog), ("misty", Weather::Fog),
    ("smoky", Weather::Fog), ("smoke", Weather::Fog), ("haze", Weather::Fog), ("hazy", Weather::Fog),
    ("brouillard", Weather::Fog), ("brume", Weather::Fog), ("enfume", Weather::Fog), ("enfumee", Weather::Fog),
    ("fumee", Weather::Fog),
    ("snow", Weather::Snow), ("snowy", Weather::Snow), ("snowing", Weather::Snow), ("blizzard", Weather::Snow),
    ("neige", Weather::Snow), ("enneige", Weather::Snow), ("enneigee", Weather::Snow),
    ("enneiges", Weather::Snow), ("enneigees", Weather::Snow), ("neigeux", Weather::Snow),
    ("rain", Weather::Rain), ("rainy", Weather::Rain), ("raining", Weather::Rain), ("storm", Weather::Rain),
    ("pluie", Weather::Rain), ("pluvieux", Weather::Rain), ("orage", Weather::Rain),
];

#[rustfmt::skip]
pub const CAMERAS: &[(&str, Camera)] = &[
    ("pan left", Camera::PanLeft), ("panning left", Camera::PanLeft), ("pans left", Camera::PanLeft),
    ("pan right", Camera::PanRight), ("panning right", Camera::PanRight), ("pans right", Camera::PanRight),
    ("tracking shot", Camera::PanRight), ("travelling", Camera::PanRight),
    ("panoramique vers la gauche", Camera::PanLeft), ("panoramique vers la droite", Camera::PanRight),
    ("panoramique", Camera::PanRight),
    ("zoom in", Camera::ZoomIn), ("zooming in", Camera::ZoomIn), ("close up", Camera::ZoomIn),
    ("zoom avant", Camera::ZoomIn), ("gros plan", Camera::ZoomIn),
    ("zoom out", Camera::ZoomOut), ("zooming out", Camera::ZoomOut), ("zoom arriere", Camera::ZoomOut),
];

#[rustfmt::skip]
pub const SCALES: &[(&str, Scale)] = &[
    ("giant", Scale::Giant), ("giants", Scale::Giant), ("huge", Scale::Giant), ("enormous", Scale::Giant),
    ("massive", Scale::Giant), ("gigantic", Scale::Giant), ("big", Scale::Giant), ("large", Scale::Giant),
    ("geant", Scale::Giant), ("geante", Scale::Giant), ("geants", Scale::Giant), ("geantes", Scale::Giant),
    ("enorme", Scale::Giant), ("enormes", Scale::Giant), ("grand", Scale::Giant), ("grande", Scale::Giant),
    ("gros", Scale::Giant), ("grosse", Scale::Giant),
    ("tiny", Scale::Tiny), ("small", Scale::Tiny), ("little", Scale::Tiny), ("miniature", Scale::Tiny),
    ("mini", Scale::Tiny), ("minuscule", Scale::Tiny), ("minuscules", Scale::Tiny), ("petit", Scale::Tiny),
    ("petite", Scale::Tiny), ("petits", Scale::Tiny), ("petites", Scale::Tiny),
];

/// Count words: `a race of`, `several` → 3; `two`, `a pair of` → 2; `one` → 1.
#[rustfmt::skip]
pub const COUNTS: &[(&str, u8)] = &[
    ("one", 1), ("single", 1), ("lone", 1), ("un seul", 1), ("une seule", 1),
    ("two", 2), ("pair of", 2), ("couple of", 2), ("deux", 2), ("both", 2), ("duo", 2),
    ("three", 3), ("several", 3), ("many", 3), ("some", 3), ("few", 3), ("group of", 3), ("race of", 3),
    ("team of", 3), ("flock of", 3), ("herd of", 3), ("pack of", 3), ("bunch of", 3), ("crowd of", 3),
    ("trois", 3), ("plusieurs", 3), ("quelques", 3), ("groupe de", 3), ("bande de", 3), ("troupeau de", 3),
    ("course de", 3), ("nuee de", 3), ("foule de", 3), ("equipe de", 3),
];

/// Relation phrases between the first and the second subject.
#[rustfmt::skip]
pub const RELATIONS: &[(&str, Relation)] = &[
    ("on the head of", Relation::OnTop), ("on top of", Relation::OnTop), ("on the back of", Relation::OnTop),
    ("riding", Relation::OnTop), ("rides", Relation::OnTop), ("atop", Relation::OnTop), ("on", Relation::OnTop),
    ("sur la tete d", Relation::OnTop), ("sur la tete de", Relation::OnTop), ("sur le dos d", Relation::OnTop),
    ("sur le dos de", Relation::OnTop), ("chevauche", Relation::OnTop), ("sur", Relation::OnTop),
    ("au dessus d", Relation::OnTop), ("au dessus de", Relation::OnTop),
    ("beside", Relation::Beside), ("next to", Relation::Beside), ("with", Relation::Beside),
    ("and", Relation::Beside), ("near", Relation::Beside), ("a cote d", Relation::Beside),
    ("a cote de", Relation::Beside), ("avec", Relation::Beside), ("et", Relation::Beside),
    ("pres d", Relation::Beside), ("pres de", Relation::Beside),
    ("holding", Relation::Holding), ("holds", Relation::Holding), ("playing", Relation::Holding),
    ("plays", Relation::Holding), ("playing the", Relation::Holding), ("carrying", Relation::Holding),
    ("carries", Relation::Holding), ("tient", Relation::Holding), ("tenant", Relation::Holding),
    ("joue du", Relation::Holding), ("joue de la", Relation::Holding), ("joue de l", Relation::Holding),
    ("jouant du", Relation::Holding), ("jouant de la", Relation::Holding), ("porte", Relation::Holding),
    ("portant", Relation::Holding), ("joue", Relation::Holding), ("jouant", Relation::Holding),
    ("chasing", Relation::Chasing), ("chases", Relation::Chasing), ("chase", Relation::Chasing),
    ("poursuit", Relation::Chasing), ("poursuivent", Relation::Chasing), ("pourchasse", Relation::Chasing),
];

/// Phrases that put all instances in a row.
#[rustfmt::skip]
pub const IN_ROW: &[&str] = &["in a row", "in a line", "lined up", "en rang", "en ligne", "a la file", "en file"];

/// Words that carry no content of their own; never reported as ignored.
#[rustfmt::skip]
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "in", "at", "to", "is", "are", "its", "their", "his", "her", "while", "as",
    "by", "through", "over", "under", "into", "from", "that", "who", "which", "doing", "does", "do", "very",
    "across", "around", "along", "up", "down", "there", "this", "these", "it", "they", "be", "being",
    "watch", "here", "we", "see", "look", "show", "showing", "me", "video", "clip", "scene", "shot",
    "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux", "dans", "sous", "qui",
    "que", "en", "a", "par", "pour", "son", "sa", "ses", "leur", "leurs", "est", "sont", "fait", "font",
    "se", "s", "voici", "regardez", "voila", "ce", "cette", "ces", "il", "elle", "ils", "elles", "y",
    "vers", "travers", "tres", "pendant", "alors", "qu", "c", "on", "sur", "and", "et", "with", "avec",
    "then", "puis", "same", "time", "together", "ensemble",
];

/// Nouns people use that CLDR does not name, mapped to a CLDR English name.
#[rustfmt::skip]
pub const SYNONYMS: &[(&str, &str)] = &[
    ("duckling", "baby chick"), ("ducklings", "baby chick"), ("caneton", "baby chick"),
    ("canetons", "baby chick"), ("kitten", "cat"), ("kitty", "cat"), ("chaton", "cat"), ("puppy", "dog"),
    ("pup", "dog"), ("chiot", "dog"), ("doggy", "dog"), ("figure skater", "ice skate"),
    ("skater", "ice skate"), ("patineur", "ice skate"), ("patineuse", "ice skate"),
    ("patineur artistique", "ice skate"), ("patineuse artistique", "ice skate"), ("sax", "saxophone"),
    ("kid", "child"), ("enfant", "child"), ("car", "automobile"), ("voiture", "automobile"),
    ("bunny", "rabbit"), ("lapin", "rabbit"), ("puss", "cat"), ("bird", "bird"), ("oiseau", "bird"),
    ("fish", "fish"), ("poisson", "fish"), ("human", "person"), ("humain", "person"), ("ball", "soccer ball"),
    ("balloon", "balloon"), ("spaceship", "rocket"), ("astronaut", "astronaut"), ("robot", "robot"),
];
