//! Scene specifications of the v2 world: which concepts appear (by atlas index), how many, how
//! big, what they do, where and in what light. The parser (`understand`) produces one from free
//! text, the sampler draws one at random, the planner and renderer turn it into frames and the
//! scorer measures frames against it.

/// What the subjects do. Every action is defined for all times, so chunks continue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Still,
    Walk,
    Run,
    Jump,
    Fly,
    Swim,
    Dance,
    Spin,
    Bounce,
    Fall,
    Roll,
    Orbit,
    Chase,
    Race,
    Grow,
    Shrink,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Still,
        Action::Walk,
        Action::Run,
        Action::Jump,
        Action::Fly,
        Action::Swim,
        Action::Dance,
        Action::Spin,
        Action::Bounce,
        Action::Fall,
        Action::Roll,
        Action::Orbit,
        Action::Chase,
        Action::Race,
        Action::Grow,
        Action::Shrink,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Still => "still",
            Action::Walk => "walk",
            Action::Run => "run",
            Action::Jump => "jump",
            Action::Fly => "fly",
            Action::Swim => "swim",
            Action::Dance => "dance",
            Action::Spin => "spin",
            Action::Bounce => "bounce",
            Action::Fall => "fall",
            Action::Roll => "roll",
            Action::Orbit => "orbit",
            Action::Chase => "chase",
            Action::Race => "race",
            Action::Grow => "grow",
            Action::Shrink => "shrink",
        }
    }

    /// Actions that need two or more subjects.
    pub fn is_group(self) -> bool {
        matches!(self, Action::Chase | Action::Race)
    }
}

/// Where the scene happens: a backdrop the renderer paints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Plain,
    Street,
    Rooftop,
    Mountain,
    Beach,
    Forest,
    Stage,
    Kitchen,
    Underwater,
    Space,
    Room,
    Field,
}

impl Place {
    pub const ALL: [Place; 12] = [
        Place::Plain,
        Place::Street,
        Place::Rooftop,
        Place::Mountain,
        Place::Beach,
        Place::Forest,
        Place::Stage,
        Place::Kitchen,
        Place::Underwater,
        Place::Space,
        Place::Room,
        Place::Field,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Place::Plain => "plain",
            Place::Street => "street",
            Place::Rooftop => "rooftop",
            Place::Mountain => "mountain",
            Place::Beach => "beach",
            Place::Forest => "forest",
            Place::Stage => "stage",
            Place::Kitchen => "kitchen",
            Place::Underwater => "underwater",
            Place::Space => "space",
            Place::Room => "room",
            Place::Field => "field",
        }
    }

    /// Fraction of the frame height where the ground starts (subjects stand on it).
    pub fn ground(self) -> f32 {
        match self {
            Place::Plain | Place::Space | Place::Underwater => 0.85,
            Place::Rooftop => 0.72,
            Place::Stage | Place::Kitchen | Place::Room => 0.75,
            _ => 0.78,
        }
    }
}

/// Time of day / lighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Light {
    Day,
    Sunset,
    Night,
}

impl Light {
    pub const ALL: [Light; 3] = [Light::Day, Light::Sunset, Light::Night];

    pub fn name(self) -> &'static str {
        match self {
            Light::Day => "day",
            Light::Sunset => "sunset",
            Light::Night => "night",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weather {
    Clear,
    Fog,
    Snow,
    Rain,
}

impl Weather {
    pub const ALL: [Weather; 4] = [Weather::Clear, Weather::Fog, Weather::Snow, Weather::Rain];

    pub fn name(self) -> &'static str {
        match self {
            Weather::Clear => "clear",
            Weather::Fog => "fog",
            Weather::Snow => "snow",
            Weather::Rain => "rain",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scale {
    Tiny,
    Normal,
    Giant,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Tiny, Scale::Normal, Scale::Giant];

    pub fn name(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Normal => "normal",
            Scale::Giant => "giant",
        }
    }

    /// Subject height as a fraction of the frame.
    pub fn height(self) -> f32 {
        match self {
            Scale::Tiny => 0.16,
            Scale::Normal => 0.28,
            Scale::Giant => 0.46,
        }
    }
}

/// How the first subject relates to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// The first rides on top of (or on the head of) the second.
    OnTop,
    Beside,
    /// The first holds or plays the second (an object, drawn small at its side).
    Holding,
    /// The first chases the second.
    Chasing,
    /// All instances in a row.
    InRow,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::OnTop,
        Relation::Beside,
        Relation::Holding,
        Relation::Chasing,
        Relation::InRow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Relation::OnTop => "on_top",
            Relation::Beside => "beside",
            Relation::Holding => "holding",
            Relation::Chasing => "chasing",
            Relation::InRow => "in_row",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Camera {
    Fixed,
    PanLeft,
    PanRight,
    ZoomIn,
    ZoomOut,
}

impl Camera {
    pub const ALL: [Camera; 5] = [
        Camera::Fixed,
        Camera::PanLeft,
        Camera::PanRight,
        Camera::ZoomIn,
        Camera::ZoomOut,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Camera::Fixed => "fixed",
            Camera::PanLeft => "pan_left",
            Camera::PanRight => "pan_right",
            Camera::ZoomIn => "zoom_in",
            Camera::ZoomOut => "zoom_out",
        }
    }
}

/// Most subject slots (distinct concepts or avatars) in a scene.
pub const MAX_SLOTS: usize = 3;
/// Most subject instances drawn in a scene ("a race of ducklings" draws this many).
pub const MAX_INSTANCES: usize = 3;

/// What fills a subject slot: a concept of the atlas, or an avatar reference image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Concept(u16),
    /// An avatar (cameo); its reference image is supplied by the caller.
    Avatar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subject {
    pub kind: SubjectKind,
    /// How many instances of it (1..=MAX_INSTANCES).
    pub count: u8,
    pub scale: Scale,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SceneV2 {
    /// 1..=MAX_SLOTS subjects, total count ≤ MAX_INSTANCES.
    pub subjects: Vec<Subject>,
    pub action: Action,
    pub relation: Option<Relation>,
    pub place: Place,
    pub light: Light,
    pub weather: Weather,
    pub camera: Camera,
    /// Seeds the layout jitter and the backdrop details.
    pub seed: u32,
}

impl SceneV2 {
    /// Instances in drawing order: (slot, index within the slot).
    pub fn instances(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (slot, s) in self.subjects.iter().enumerate() {
            for i in 0..s.count as usize {
                if out.len() < MAX_INSTANCES {
                    out.push((slot, i));
                }
            }
        }
        out
    }
}
