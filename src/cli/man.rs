//! The manual pages: clap's pages (synopsis, options, subcommands), and for
//! unhunch(1) the sections a manual has beyond `--help`: a description, the
//! config reference, files, environment, exit status and examples.

use std::io::Write;
use std::path::Path;

/// What unhunch(1) says first.
pub const DESCRIPTION: &str = "unhunch reminds you, on a schedule you write, to stand up, stretch your \
neck, decompress your spine, massage your shoulders, breathe and wind down for bed. It runs as a \
small daemon with an icon in the system tray; each reminder is a desktop notification you answer \
with Done, Snooze or Skip, from the notification, the tray or the terminal. Every answer is \
recorded in a local history, which `unhunch stats` and `unhunch history` read.\n\n\
With no config file, the daemon runs the embedded default schedule; `unhunch config init` writes it \
out with comments.";

/// Sections after clap's, in roff.
const EXTRA: &str = r#".SH CONFIGURATION
The config file is TOML: an optional \fB[general]\fR table, an optional \fB[sleep]\fR table and one \fB[[reminder]]\fR table per reminder. Durations are written like "90s", "45m", "1h 30m"; times are local HH:MM on a 24-hour clock. Unknown keys are errors, reported with file, line and column, like every other mistake (\fBunhunch config check\fR).
.TP
\fB[general]\fR
\fBsnooze\fR (10m), \fBwork_hours\fR ("09:00-18:00", may pass midnight), \fBwork_days\fR (mon-fri), \fBnotification_timeout\fR (0s: until answered), \fBignore_after\fR (15m: unanswered this long is recorded ignored), \fBmissed_grace\fR (30m: a fixed time held longer is recorded missed), \fBaway_after\fR (5m: idle this long counts as a break; 0s turns it off), \fBrespect_dnd\fR, \fBrespect_fullscreen\fR, \fBrespect_calls\fR (true: hold reminders while do-not-disturb is on, a window is fullscreen, or another application captures the microphone), \fBidle_inhibitors\fR ("respect": a video keeping the screen awake means present; "ignore": only input counts, on Wayland compositors that tell them apart).
.TP
\fB[sleep]\fR
\fBwake\fR (07:00), \fBgoal\fR (8h), \fBwind_down\fR (30m): the wind-down reminder comes at wake \- goal \- wind_down.
.TP
\fB[[reminder]]\fR
\fBid\fR (a-z, 0-9, "-"), \fBkind\fR (stand, neck, decompress, massage, meditate, wind-down, custom), \fBtitle\fR, \fBbody\fR, \fBtips\fR (rotate; custom needs a title and a body), either \fBevery\fR (an interval up to a day) with \fBduring\fR ("work", "always", "HH:MM-HH:MM") or \fBat\fR (a list of HH:MM), \fBdays\fR (mon ... sun), \fBsnooze\fR, \fBurgency\fR (low, normal, critical), \fBenabled\fR (true), \fBroutine\fR (the id of its guided routine; default: the kind's first built-in one).
.TP
\fB[[routine]]\fR
\fBid\fR, \fBtitle\fR, \fBkind\fR (optional), \fBsteps\fR (a list of { \fBtext\fR, \fBseconds\fR (1 to 600), \fBrepeat\fR (1 to 100) }), \fBrounds\fR (the steps this many times over; 1 to 100). At most 30 minutes in all. A routine with a built-in one's id replaces it; \fBunhunch guide \-\-list\fR lists them.
.SH FILES
.TP
\fI$XDG_CONFIG_HOME/unhunch/config.toml\fR
The schedule (\fB--config\fR, \fBUNHUNCH_CONFIG\fR). Saved changes apply at once; a broken file keeps the last good schedule running, and says so.
.TP
\fI$XDG_DATA_HOME/unhunch/unhunch.db\fR
The history, SQLite (\fBUNHUNCH_DATA_DIR\fR names the directory). Beside it: last-good.toml, the lock that keeps one daemon per user, the notification icons.
.TP
\fI$XDG_RUNTIME_DIR/unhunch/unhunch.sock\fR
The control socket the commands use, in a directory only you can open (\fBUNHUNCH_RUNTIME_DIR\fR).
.TP
\fI~/.config/systemd/user/unhunch.service\fR, \fI~/.config/autostart/unhunch.desktop\fR
Start at login, written by \fBunhunch service install\fR.
.SH ENVIRONMENT
.TP
\fBUNHUNCH_CONFIG\fR, \fBUNHUNCH_DATA_DIR\fR, \fBUNHUNCH_RUNTIME_DIR\fR
Where the config, the history and the socket are (see FILES).
.TP
\fBUNHUNCH_LOG\fR
The log level on stderr: error, warn, info (the daemon's default), debug, trace.
.TP
\fBNO_COLOR\fR
Set and not empty: no colour in the log, even on a terminal (there is none when stderr is a file or the journal).
.TP
\fBTZ\fR
The time zone reminders are local to. A name the system does not know is warned about, and UTC used.
.TP
\fBVISUAL\fR, \fBEDITOR\fR
What \fBunhunch config edit\fR opens.
.SH EXIT STATUS
.TP
\fB0\fR
Success.
.TP
\fB1\fR
An error: the message says what and where (a refused answer, an invalid config, an unreadable history).
.TP
\fB2\fR
A usage error: an unknown command or option, a malformed value.
.TP
\fB3\fR
The daemon is not running (for the commands that talk to it).
.SH EXAMPLES
.TP
\fBunhunch config init && unhunch config edit\fR
Write the default schedule out, then make it yours.
.TP
\fBunhunch plan --days 7\fR
The reminders the coming week will bring.
.TP
\fBunhunch snooze --for 5m\fR
Bring the reminder on screen back in five minutes.
.TP
\fBunhunch pause 1h\fR, \fBunhunch pause --until tomorrow\fR, \fBunhunch resume\fR
No reminders for a while.
.TP
\fBunhunch trigger neck\fR
A neck stretch now (a reminder's id, or a kind).
.TP
\fBunhunch guide neck\fR, \fBunhunch guide box-breathing\fR, \fBunhunch guide \-\-list\fR
Walk through a reminder's routine, or any routine, in the terminal, step by step; Ctrl+C stops.
.TP
\fBunhunch stats --days 30 --format csv\fR
A month of adherence, for a spreadsheet.
.TP
\fBunhunch service install\fR
Start unhunch at every login.
"#;

/// unhunch(1) on `out`: clap's page with the sections above.
pub fn render(cmd: clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(cmd.long_about(DESCRIPTION)).render(out)?;
    out.write_all(EXTRA.as_bytes())
}

/// unhunch.1 and a page per subcommand in `dir`.
pub fn generate_to(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    clap_mangen::generate_to(cmd.long_about(DESCRIPTION), dir)?;
    let page = dir.join("unhunch.1");
    let mut file = std::fs::OpenOptions::new().append(true).open(page)?;
    file.write_all(EXTRA.as_bytes())
}
