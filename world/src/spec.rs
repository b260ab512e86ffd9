//! Scene specifications: what is in a clip, with exact ground truth for training and scoring.

/// The six object colours; hue centres are far enough apart to be told apart in any frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Colour {
    Red,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
}

impl Colour {
    pub const ALL: [Colour; 6] = [
        Colour::Red,
        Colour::Orange,
        Colour::Yellow,
        Colour::Green,
        Colour::Blue,
        Colour::Purple,
    ];

    /// Hue centre in degrees.
    pub fn hue(self) -> f32 {
        match self {
            Colour::Red => 0.0,
            Colour::Orange => 30.0,
            Colour::Yellow => 58.0,
            Colour::Green => 125.0,
            Colour::Blue => 225.0,
            Colour::Purple => 280.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Orange => "orange",
            Colour::Yellow => "yellow",
            Colour::Green => "green",
            Colour::Blue => "blue",
            Colour::Purple => "purple",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    Ball,
    Square,
    Triangle,
    /// A character: a disc wearing a texture (face or pattern); an avatar reference may set it.
    Character,
}

impl Shape {
    /// The shapes a prompt can name as plain objects (characters are named as such).
    pub const PLAIN: [Shape; 3] = [Shape::Ball, Shape::Square, Shape::Triangle];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Ball => "ball",
            Shape::Square => "square",
            Shape::Triangle => "triangle",
            Shape::Character => "character",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    Small,
    Medium,
    Big,
}

/// Surface of a plain object: a second, darker shade of the same hue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    Solid,
    Striped,
    Dotted,
}

/// The texture of a character (and of its avatar reference crop).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CharacterLook {
    pub base: [f32; 3],
    pub accent: [f32; 3],
    pub kind: LookKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookKind {
    Face,
    Stripes,
    Checker,
    Dots,
    Split,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Motion {
    Still,
    Right,
    Left,
    Up,
    Down,
    Bounce,
    Orbit,
    Zigzag,
    Grow,
    Shrink,
    /// Two objects move towards each other, collide and part.
    Collide,
}

impl Motion {
    /// Motions a single object can have.
    pub const SINGLE: [Motion; 10] = [
        Motion::Still,
        Motion::Right,
        Motion::Left,
        Motion::Up,
        Motion::Down,
        Motion::Bounce,
        Motion::Orbit,
        Motion::Zigzag,
        Motion::Grow,
        Motion::Shrink,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Motion::Still => "still",
            Motion::Right => "right",
            Motion::Left => "left",
            Motion::Up => "up",
            Motion::Down => "down",
            Motion::Bounce => "bounce",
            Motion::Orbit => "orbit",
            Motion::Zigzag => "zigzag",
            Motion::Grow => "grow",
            Motion::Shrink => "shrink",
            Motion::Collide => "collide",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackgroundKind {
    Plain,
    Gradient,
    Texture,
    Landscape,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Background {
    pub kind: BackgroundKind,
    /// Two low-saturation colours (plain uses the first).
    pub colours: [[f32; 3]; 2],
    /// Seed of the texture / hill line.
    pub seed: u32,
    /// Camera pan in frame widths per frame (negative = pans left); 0 = fixed camera.
    pub pan: f32,
}

/// One object with its own motion parameters, in normalised frame coordinates (0..1, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectSpec {
    pub shape: Shape,
    pub colour: Colour,
    /// Exact RGB (the colour's hue with a little jitter).
    pub rgb: [f32; 3],
    pub size: Size,
    /// Radius as a fraction of the frame.
    pub radius: f32,
    pub pattern: Pattern,
    pub look: Option<CharacterLook>,
    pub path: crate::motion::Path,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SceneSpec {
    pub objects: Vec<ObjectSpec>,
    pub motion: Motion,
    pub background: Background,
}

impl SceneSpec {
    /// Whether the scene's main object is a character (the avatar slot).
    pub fn has_character(&self) -> bool {
        self.objects.iter().any(|o| o.shape == Shape::Character)
    }
}
