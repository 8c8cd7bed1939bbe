//! The last valid config the daemon ran, kept in its data directory. A
//! daemon started on a broken file (a typo saved while it ran, then a
//! login) runs this copy instead of nothing, and says so.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use tracing::{debug, warn};

use super::load::{LoadError, Loaded, embedded, from_source, read_source};

const FILE: &str = "last-good.toml";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Loads the config as [`load_or_default`](super::load_or_default) does
/// and, when the file is valid, keeps a copy of it in `data_dir`.
pub fn load_keeping(path: &Path, given: bool, data_dir: &Path) -> Result<Loaded, LoadError> {
    if !given && std::fs::symlink_metadata(path).is_err() {
        return Ok(embedded());
    }
    let src = read_source(path)?;
    let loaded = from_source(path, &src)?;
    if let Err(e) = keep(data_dir, &src) {
        warn!(
            "the last good config could not be kept in {}: {e}",
            data_dir.display()
        );
    }
    Ok(loaded)
}

/// Keeps `text` unless it is kept already: written beside, then renamed,
/// so a crash never leaves half a copy.
fn keep(data_dir: &Path, text: &str) -> std::io::Result<()> {
    let target = path(data_dir);
    if read_source(&target).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::create_dir_all(data_dir)?;
    let tmp = data_dir.join(format!(".{FILE}.new"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &target)?;
    debug!("kept the config as {}", target.display());
    Ok(())
}

/// The kept config, if there is a valid one, and when it was kept.
pub fn load(data_dir: &Path) -> Option<(Loaded, Option<Timestamp>)> {
    let p = path(data_dir);
    let loaded = super::load::load(&p).ok()?;
    let kept = std::fs::metadata(&p)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| Timestamp::try_from(t).ok());
    Some((loaded, kept))
}
