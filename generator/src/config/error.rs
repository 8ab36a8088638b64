//! Configuration errors: one stable code per rule, each reported with the field path, what is
//! wrong and what to change. Validation collects all of them before anything is written.

use std::fmt;

/// A stable code per configuration rule. The numbers never change meaning; tests pin each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The file could not be read.
    Source,
    /// YAML/JSON syntax, an unknown field or a wrong type.
    Syntax,
    /// No preset of that name.
    UnknownPreset,
    /// Both `preset` and `model`, or neither.
    ModelSource,
    /// The configuration name cannot name a folder.
    Name,
    /// n_embd is not divisible by n_head.
    HeadSplit,
    /// A size is zero or beyond what the generator supports.
    SizeRange,
    /// The window is not a multiple of the tile.
    WindowTile,
    /// The window is longer than the model's context.
    WindowContext,
    /// A quantization level count is out of range.
    Levels,
    /// An analog operating point is out of range.
    Analog,
    /// A gain-cell parameter is out of range.
    Cell,
    /// The decay is out of range.
    Decay,
    /// The PWM step is not a whole number of clock cycles.
    PwmStep,
    /// A clock or duration is out of range.
    Timing,
    /// A stream width or fixed-point input/output format is out of range.
    Stream,
    /// A fixed-point format of the twin is out of range or overflows 64 bits.
    FixedPoint,
    /// No technology profile of that name.
    UnknownPdk,
    /// A Hugging Face config.json lacks a field or has a wrong model type.
    HuggingFace,
}

impl ErrorCode {
    /// The code as printed: `E` and three digits.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "E001",
            Self::Syntax => "E002",
            Self::UnknownPreset => "E003",
            Self::ModelSource => "E004",
            Self::HuggingFace => "E005",
            Self::Name => "E006",
            Self::HeadSplit => "E010",
            Self::SizeRange => "E011",
            Self::WindowTile => "E012",
            Self::WindowContext => "E013",
            Self::Levels => "E020",
            Self::Analog => "E021",
            Self::Cell => "E022",
            Self::Decay => "E023",
            Self::PwmStep => "E030",
            Self::Timing => "E031",
            Self::Stream => "E040",
            Self::FixedPoint => "E050",
            Self::UnknownPdk => "E060",
        }
    }
}

/// One violated rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub code: ErrorCode,
    /// Dotted field path, e.g. `hardware.timing.clock_mhz`; the file for whole-file errors.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub hint: String,
}

impl ConfigError {
    pub fn new(
        code: ErrorCode,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            code,
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error[{}] {}: {}\n  help: {}",
            self.code.as_str(),
            self.path,
            self.message,
            self.hint
        )
    }
}

/// Every violated rule of one configuration, in a stable order.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    pub fn one(e: ConfigError) -> Self {
        Self(vec![e])
    }

    pub fn codes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.code.as_str()).collect()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} configuration error{}; nothing was written",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ConfigErrors {}
