//! Linux: the session and system bus (`bus`), the wall-clock timer
//! (timerfd), the file watch (inotify), signals, and file-system facts.

pub mod bus;
mod timer;
mod watch;

pub use timer::WallTimer;
pub use watch::FileWatch;

use std::fs::{File, FileType};
use std::path::Path;

/// Readies this process to run as the daemon: one malloc arena. glibc gives
/// each thread that allocates an arena of its own (the store's thread, and
/// the blocking pool's at start), each keeping its dirty pages for good;
/// the daemon allocates little and rarely, so one shared arena costs no
/// speed and saves those pages.
pub fn prepare_daemon(_data_dir: &Path) {
    // SAFETY: sets a malloc parameter before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Gives the free pages of the heap back to the system: after a burst of
/// work that allocated much and freed it (the calendars read), which would
/// otherwise stay the process's private dirty memory for good.
pub fn release_unused_heap() {
    // SAFETY: malloc_trim only walks and trims glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Gives back this thread's stack pages below the caller, but for a margin:
/// start-up (arguments, the config, the history) and bursts of work run
/// deeper than the idle loop, and the pages they touched would otherwise
/// stay the process's own for good. For the main thread (the daemon's
/// loop); pages touched again read as zeros, which a new frame never reads
/// before it writes.
pub fn release_unused_stack() {
    use std::sync::OnceLock;
    /// Below the caller, kept for what the loop calls without a burst.
    const MARGIN: usize = 8 * 1024;
    static LOWEST: OnceLock<Option<usize>> = OnceLock::new();
    // Where the main thread's stack mapping starts (its lowest address).
    let lowest = *LOWEST.get_or_init(|| {
        std::fs::read_to_string("/proc/self/maps")
            .ok()?
            .lines()
            .find(|l| l.ends_with("[stack]"))
            .and_then(|l| usize::from_str_radix(l.split('-').next()?, 16).ok())
    });
    let Some(lowest) = lowest else { return };
    let here = 0u8;
    let sp = std::ptr::addr_of!(here) as usize;
    // SAFETY: sysconf reads a constant of the system.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let end = sp.saturating_sub(MARGIN) & !(page - 1);
    // Not on the main thread's stack (or nothing below the margin): leave it.
    if end <= lowest || sp.saturating_sub(lowest) > 64 * 1024 * 1024 {
        return;
    }
    // SAFETY: [lowest, end) is the main thread's stack mapping below this
    // frame by a margin: no live frame is there. MADV_DONTNEED drops the
    // pages; touched again, they are new zero pages.
    unsafe {
        libc::madvise(
            lowest as *mut libc::c_void,
            end - lowest,
            libc::MADV_DONTNEED,
        );
    }
}

/// Opens a file to edit from the desktop (the tray's "Edit schedule…"),
/// with no terminal of its own: the editor `config edit` would run, in a
/// terminal found the freedesktop way (`$TERMINAL`, `xdg-terminal-exec`,
/// `x-terminal-emulator`); with no terminal, the desktop's application for
/// the file (xdg-open). What runs, for messages, and its command.
pub fn open_with_desktop(path: &Path) -> (String, std::process::Command) {
    let editor = chosen_editor();
    let terminal = std::env::var("TERMINAL")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| (t, true))
        .or_else(|| on_path("xdg-terminal-exec").then(|| ("xdg-terminal-exec".into(), false)))
        .or_else(|| on_path("x-terminal-emulator").then(|| ("x-terminal-emulator".into(), true)));
    if let Some((terminal, dash_e)) = terminal {
        let mut words = terminal.split_whitespace();
        let program = words.next().unwrap_or("x-terminal-emulator").to_string();
        let mut c = std::process::Command::new(&program);
        c.args(words);
        if dash_e {
            c.arg("-e");
        }
        // `sh -c '<editor> "$1"' sh <file>`: the editor's line as in git.
        c.args(["sh", "-c", &format!("{editor} \"$1\""), "sh"])
            .arg(path);
        return (format!("{program} running {editor}"), c);
    }
    let mut c = std::process::Command::new("xdg-open");
    c.arg(path);
    ("xdg-open".into(), c)
}

/// The editor a person chose (`$VISUAL`, then `$EDITOR`), else Debian's
/// choice (`sensible-editor`, `editor`), else vi.
pub fn chosen_editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .or_else(|| {
            ["sensible-editor", "editor"]
                .into_iter()
                .find(|e| on_path(e))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "vi".to_string())
}

/// An executable file named `name` is in a directory of `$PATH`.
fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            std::fs::metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Makes `cmd` start a process of its own session, away from this
/// terminal (its hang-up and Ctrl+C), in `/`: a daemon started by
/// `unhunch start`.
pub fn detach(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    cmd.current_dir("/");
    // SAFETY: setsid is async-signal-safe, and all that runs between fork
    // and exec.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::setsid().map_err(std::io::Error::from)?;
            Ok(())
        });
    }
}

/// Opens a page with the desktop's handler for it (the report, in the
/// browser): xdg-open. The program, for messages, and its command.
pub fn open_page(path: &Path) -> (&'static str, std::process::Command) {
    let mut c = std::process::Command::new("xdg-open");
    c.arg(path);
    ("xdg-open", c)
}

/// `editor` (a command line, as in `$EDITOR`) on `file`: through the shell,
/// so EDITOR="code --wait" works as it does in git.
pub fn editor(editor: &str, file: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file);
    c
}

/// Opens a file to read without ever blocking on it: a FIFO or a device
/// opens at once (and is then refused by its type).
pub fn open_to_read(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// What a file that is not a regular file is, for messages.
pub fn file_kind(t: FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// This user, for names in shared places (`/tmp/unhunch-<uid>`).
pub fn user_tag() -> String {
    rustix::process::getuid().as_raw().to_string()
}

/// The owner's uid and the mode bits of `meta`.
fn owner_and_mode(meta: &std::fs::Metadata) -> (u32, u32) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    (meta.uid(), meta.permissions().mode() & 0o777)
}

/// Whether a directory's metadata says it is ours and closed to others:
/// `Err((owner, mode))` otherwise.
pub fn private_dir_status(meta: &std::fs::Metadata) -> Result<(), (Option<u32>, u32)> {
    let (owner, mode) = owner_and_mode(meta);
    if owner != rustix::process::getuid().as_raw() {
        return Err((Some(owner), mode));
    }
    if mode & 0o077 != 0 {
        return Err((None, mode));
    }
    Ok(())
}

/// Makes `dir` (and its parents) closed to other users.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Closes an existing directory to other users.
pub fn close_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// (device, inode) of the file at `path`: to notice it being removed or
/// replaced under a process that has it open (the history, the socket).
pub fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Lets a short-lived command end quietly when its reader goes away
/// (`unhunch history | head`) instead of failing on EPIPE. Not for the
/// daemon: a client leaving the socket must never stop it.
/// This computer's host name (`gethostname`), if it has one.
pub fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: a writable buffer of the length given; the name is
    // NUL-terminated within it (one byte kept for that).
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if r != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0)?;
    let name = String::from_utf8_lossy(&buf[..end]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

pub fn default_sigpipe() {
    // SAFETY: restores the default disposition of one signal, before any
    // other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The signals the daemon heeds.
pub struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    usr1: tokio::signal::unix::Signal,
}

impl Signals {
    /// Takes them over (inside the runtime).
    pub fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
            usr1: signal(SignalKind::user_defined1())?,
        })
    }

    /// The next one. Cancel-safe.
    pub async fn next(&mut self) -> super::Signal {
        use super::Signal;
        tokio::select! {
            _ = self.term.recv() => Signal::Stop("SIGTERM"),
            _ = self.int.recv() => Signal::Stop("SIGINT"),
            _ = self.hup.recv() => Signal::Reload,
            _ = self.usr1.recv() => Signal::ClockMoved,
        }
    }
}
