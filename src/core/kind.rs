//! The kinds of reminder: each has its texts, its icon and its routine.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Stand,
    Neck,
    Decompress,
    Massage,
    Meditate,
    WindDown,
    Custom,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Stand,
        Kind::Neck,
        Kind::Decompress,
        Kind::Massage,
        Kind::Meditate,
        Kind::WindDown,
        Kind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Stand => "stand",
            Kind::Neck => "neck",
            Kind::Decompress => "decompress",
            Kind::Massage => "massage",
            Kind::Meditate => "meditate",
            Kind::WindDown => "wind-down",
            Kind::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
