//! The schedules `config init` writes: the embedded default (balanced),
//! and a lighter and a fuller day. A preset is the default file with its
//! `[[reminder]]` tables replaced, so its comments on every setting stay.

use std::borrow::Cow;

use super::load::DEFAULT_TOML;

/// `unhunch config init --preset NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Preset {
    /// The embedded default: 16 reminders on a work day.
    #[default]
    Balanced,
    /// A lighter day: 12 reminders.
    Gentle,
    /// A fuller day: 24 reminders.
    Active,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Balanced, Preset::Gentle, Preset::Active];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Balanced => "balanced",
            Preset::Gentle => "gentle",
            Preset::Active => "active",
        }
    }

    /// The whole config file of this preset, with comments.
    pub fn text(self) -> Cow<'static, str> {
        let reminders = match self {
            Preset::Balanced => return Cow::Borrowed(DEFAULT_TOML),
            Preset::Gentle => include_str!("../../config/presets/gentle.toml"),
            Preset::Active => include_str!("../../config/presets/active.toml"),
        };
        // The default's reminders run from the note on the balanced day to
        // the commented example of one's own.
        let start = DEFAULT_TOML
            .find("# The balanced day")
            .expect("config/default.toml has its balanced-day note");
        let end = DEFAULT_TOML
            .find("# A reminder of your own:")
            .expect("config/default.toml has its example");
        Cow::Owned(format!(
            "{}{reminders}{}",
            &DEFAULT_TOML[..start],
            &DEFAULT_TOML[end..]
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_keeps_the_settings_comments() {
        for p in Preset::ALL {
            let text = p.text();
            let (config, warnings) = super::super::parse(&text, p.name())
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.name()));
            assert!(warnings.is_empty(), "{}: {warnings:?}", p.name());
            assert!(text.contains("[general]") && text.contains("# A reminder of your own:"));
            assert!(config.reminders.iter().any(|r| r.id == "stand"));
        }
    }
}
