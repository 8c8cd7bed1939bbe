//! Every file location in one place, each overridable by an environment
//! variable so tests stay hermetic.

use std::path::PathBuf;

use directories::ProjectDirs;

pub const ENV_CONFIG: &str = "UNHUNCH_CONFIG";
const ENV_DATA_DIR: &str = "UNHUNCH_DATA_DIR";
const ENV_RUNTIME_DIR: &str = "UNHUNCH_RUNTIME_DIR";

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "unhunch")
}

#[derive(Debug, thiserror::Error)]
#[error("cannot find a home directory for {what}: set ${var}")]
pub struct NoHome {
    what: &'static str,
    var: &'static str,
}

/// Where everything is, resolved once per run.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config: PathBuf,
    /// The config path was given (`--config`, `$UNHUNCH_CONFIG`): a missing
    /// file there is an error, not the embedded default.
    pub config_given: bool,
    pub data_dir: PathBuf,
    pub runtime_dir: PathBuf,
}

impl Paths {
    /// `config_flag` is `--config` (or `$UNHUNCH_CONFIG`, which clap reads).
    pub fn resolve(config_flag: Option<PathBuf>) -> Result<Paths, NoHome> {
        Ok(Paths {
            config_given: config_flag.is_some() || env_path(ENV_CONFIG).is_some(),
            config: config_file(config_flag)?,
            data_dir: data_dir()?,
            runtime_dir: runtime_dir(),
        })
    }
}

impl Paths {
    /// Where a daemon started in the background logs (`unhunch start`,
    /// `scripts/setup run`, a start at login on Windows): `daemon.log` in
    /// `$XDG_STATE_HOME/unhunch` on Linux, in the data directory elsewhere.
    pub fn log_file(&self) -> PathBuf {
        project()
            .and_then(|p| p.state_dir().map(|d| d.to_path_buf()))
            .unwrap_or_else(|| self.data_dir.clone())
            .join("daemon.log")
    }
}

/// The config file: `--config`, then `$UNHUNCH_CONFIG`, then
/// `$XDG_CONFIG_HOME/unhunch/config.toml`. (clap reads the env var into `flag`.)
fn config_file(flag: Option<PathBuf>) -> Result<PathBuf, NoHome> {
    flag.or_else(|| env_path(ENV_CONFIG))
        .or_else(|| project().map(|p| p.config_dir().join("config.toml")))
        .ok_or(NoHome {
            what: "the config file",
            var: ENV_CONFIG,
        })
}

/// The data directory (history database).
pub fn data_dir() -> Result<PathBuf, NoHome> {
    env_path(ENV_DATA_DIR)
        .or_else(|| project().map(|p| p.data_local_dir().to_path_buf()))
        .ok_or(NoHome {
            what: "the data directory",
            var: ENV_DATA_DIR,
        })
}

/// The runtime directory (socket, lock): `$XDG_RUNTIME_DIR/unhunch`, or a
/// per-user directory under the temp dir where there is no runtime dir.
pub fn runtime_dir() -> PathBuf {
    env_path(ENV_RUNTIME_DIR)
        .or_else(|| project().and_then(|p| p.runtime_dir().map(|d| d.to_path_buf())))
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("unhunch-{}", crate::platform::user_tag()))
        })
}

/// System-wide autostart entries for unhunch: `$XDG_CONFIG_DIRS/autostart`
/// (default `/etc/xdg`), as the XDG autostart spec says.
pub fn system_autostart() -> Vec<PathBuf> {
    let dirs = std::env::var("XDG_CONFIG_DIRS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    dirs.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("autostart/unhunch.desktop"))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum PrivateDirError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} belongs to another user (uid {owner}), so unhunch does not use it: set ${ENV_RUNTIME_DIR} to a directory of yours",
        path.display()
    )]
    NotOurs { path: PathBuf, owner: u32 },
    #[error(
        "{} is open to other users (mode {mode:o}), so unhunch does not trust it: `chmod 700` it",
        path.display()
    )]
    Open { path: PathBuf, mode: u32 },
}

/// Makes the runtime directory (mode 0700) if needed, checks that it is
/// ours, and closes it to others if it was open.
pub fn make_private_dir(dir: &std::path::Path) -> Result<(), PrivateDirError> {
    let io = |source| PrivateDirError::Io {
        path: dir.to_path_buf(),
        source,
    };
    crate::platform::create_private_dir(dir).map_err(io)?;
    match check_private_dir(dir) {
        Err(PrivateDirError::Open { .. }) => crate::platform::close_dir(dir).map_err(io),
        other => other,
    }
}

/// Whether `dir` can be trusted with the control socket: it is ours and
/// closed to others. (Where there is no `$XDG_RUNTIME_DIR` it is under the
/// shared temp dir, where another user could have made it first.)
pub fn check_private_dir(dir: &std::path::Path) -> Result<(), PrivateDirError> {
    let meta = std::fs::metadata(dir).map_err(|source| PrivateDirError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    match crate::platform::private_dir_status(&meta) {
        Ok(()) => Ok(()),
        Err((Some(owner), _)) => Err(PrivateDirError::NotOurs {
            path: dir.to_path_buf(),
            owner,
        }),
        Err((None, mode)) => Err(PrivateDirError::Open {
            path: dir.to_path_buf(),
            mode,
        }),
    }
}

pub use crate::platform::file_id;

/// Whether `exe` is a build in a Cargo project's `target/{debug,release}`
/// (gone after `cargo clean` or when the clone moves).
pub fn in_build_dir(exe: &std::path::Path) -> bool {
    let Some(dir) = exe.parent() else {
        return false;
    };
    let profile = dir.file_name().and_then(|n| n.to_str());
    matches!(profile, Some("debug" | "release"))
        && dir.ancestors().any(|a| {
            a.file_name().is_some_and(|n| n == "target") && a.with_file_name("Cargo.toml").is_file()
        })
}
