//! Built-in words for each kind of reminder: a title, a body and tips that
//! rotate. Neutral and practical: no products, no medical claims, nothing that
//! needs equipment or a helper, nothing risky to do alone at a desk.

use super::model::Kind;

pub struct Content {
    pub title: &'static str,
    pub body: &'static str,
    pub tips: &'static [&'static str],
}

pub fn defaults(kind: Kind) -> Option<Content> {
    let c = match kind {
        Kind::Stand => Content {
            title: "Stand up and move",
            body: "Two minutes on your feet.",
            tips: &[
                "Walk to the window and back, and look at something far away.",
                "Refill your water glass.",
                "Walk up and down a flight of stairs at an easy pace.",
                "Stand and shift your weight slowly from heel to toe ten times.",
                "Take a phone call standing, or walk while you think.",
            ],
        },
        Kind::Neck => Content {
            title: "Neck stretch",
            body: "Loosen your neck and shoulders, slowly and without forcing.",
            tips: &[
                "Chin tucks: draw your chin straight back, hold three seconds, release. Repeat five times.",
                "Tilt one ear towards your shoulder, hold fifteen seconds, then the other side.",
                "Roll your shoulders backwards five times, then forwards five times.",
                "Turn your head slowly to look over one shoulder, then the other. Stop where it feels comfortable.",
                "Lace your fingers behind your back and open your chest for a few breaths.",
            ],
        },
        Kind::Decompress => Content {
            title: "Decompress your spine",
            body: "A few minutes off your chair, easing the back.",
            tips: &[
                "Lie on your back with knees bent and feet flat. Let your lower back rest for two minutes.",
                "Child's pose: kneel, sit back towards your heels and reach your arms forward. Breathe slowly.",
                "Cat-cow on hands and knees: round your back, then let it gently sag, ten slow times.",
                "If there is a sturdy bar or door frame and it feels safe, hang gently with your feet still touching the floor.",
                "Stand tall, reach both arms overhead and lengthen through your fingertips for a few breaths.",
            ],
        },
        Kind::Massage => Content {
            title: "Shoulder and neck massage",
            body: "Ease the tension in your neck and shoulders.",
            tips: &[
                "With your fingertips, make small slow circles along the base of your skull.",
                "Squeeze the top of each shoulder with the opposite hand, moving out towards the arm.",
                "Press gently along the muscles beside your neck, from top to bottom.",
                "Ask someone nearby to knead your shoulders for a minute, if they would like to.",
            ],
        },
        Kind::Meditate => Content {
            title: "Breathe",
            body: "Two to five minutes of slow breathing.",
            tips: &[
                "Box breathing: in for four, hold for four, out for four, hold for four.",
                "4-7-8: breathe in for four, hold for seven, breathe out slowly for eight. Four rounds.",
                "Close your eyes and count ten slow breaths. Start again if you lose count.",
                "Breathe out a little longer than you breathe in, for two minutes.",
            ],
        },
        Kind::WindDown => Content {
            title: "Time to wind down",
            body: "Bedtime is coming: start getting ready for a full night's sleep.",
            tips: &[
                "Turn screens off and dim the lights.",
                "Write tomorrow's first task on paper, then close the laptop.",
                "Set your phone aside, outside arm's reach of the bed.",
                "A short, quiet routine: tidy up, wash, read something on paper.",
            ],
        },
        Kind::Custom => return None,
    };
    Some(c)
}
