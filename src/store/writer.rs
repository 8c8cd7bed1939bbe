//! The history store on a thread of its own: SQLite calls block (fsync, a
//! lock held by another process), and the daemon's loop must not. The loop
//! hands over a [`Batch`] and gets a receiver for the result, which it
//! selects on like any other event. The thread sleeps in `recv` when there
//! is nothing to write, so it costs no wakeups.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::{mpsc::UnboundedSender, oneshot};

use super::{Batch, Drift, Opened, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("history not written: {0}")]
    Store(#[from] StoreError),
    #[error(
        "history not written: {} was removed or replaced, and cannot be opened again: {reason}",
        path.display()
    )]
    Gone { path: PathBuf, reason: String },
    #[error("history not written: the store thread stopped")]
    Stopped,
}

pub type Written = Result<(), WriteError>;

/// Opens the history at the same path again, after it was deleted or
/// replaced; a replacement that is not a database is moved aside.
fn reopen(old: &Store) -> Result<(Store, String), WriteError> {
    let path = old.path().to_path_buf();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let (store, opened) = Store::open(&path).map_err(|e| WriteError::Gone {
        path: path.clone(),
        // The path is said once.
        reason: match e {
            StoreError::Sqlite { source, .. } => source.to_string(),
            other => other.to_string(),
        },
    })?;
    let notice = match opened {
        Opened::Fine => format!(
            "The history file {} was removed or replaced while unhunch ran; it was opened again \
             (a new one if it was gone).",
            path.display()
        ),
        Opened::Recovered { moved_to, reason } => format!(
            "The history file {} was replaced by something that is not a database ({reason}); \
             it was moved to {} and a new one started.",
            path.display(),
            moved_to.display()
        ),
    };
    Ok((store, notice))
}

/// Writes `batch` so that it is in files on disk when this returns `Ok`:
/// the files are checked before (a history replaced, emptied or without
/// its log is dealt with first) and after (one that went while it was
/// written gets the batch again, in the history as it now is).
fn write_on_disk(store: &mut Store, batch: &Batch, notices: &UnboundedSender<String>) -> Written {
    if let Some(d) = store.drift() {
        repair(store, d, notices)?;
    }
    store.write(batch)?;
    match store.drift() {
        None => Ok(()),
        // The log's content is copied into the history, which holds it now.
        Some(d @ Drift::LogGone) => repair(store, d, notices),
        // Written into a file that is no longer there: again, in the new one.
        Some(d) => {
            repair(store, d, notices)?;
            store.write(batch).map_err(WriteError::from)
        }
    }
}

/// Makes the store write to files on disk again, and says what happened:
/// what each drift needs first, then the history opened again under its
/// name (a new one where it is gone or was moved aside).
fn repair(store: &mut Store, drift: Drift, notices: &UnboundedSender<String>) -> Written {
    let path = store.path().to_path_buf();
    let said = match drift {
        Drift::Replaced => None,
        Drift::LogGone => {
            // Through the descriptor SQLite still has: nothing is lost.
            store.checkpoint()?;
            Some(format!(
                "The history's write-ahead log ({}-wal) was removed or replaced while unhunch ran; \
                 what it held was saved into the history, and a new log started.",
                path.display()
            ))
        }
        Drift::Emptied => {
            let moved_to = store.move_damaged_aside()?;
            Some(format!(
                "The history file {} was emptied or cut short by another program while unhunch \
                 ran: what it held before is lost. It was moved to {}, and a new history started \
                 with what came since.",
                path.display(),
                moved_to.display()
            ))
        }
    };
    let (fresh, reopened) = reopen(store)?;
    std::mem::replace(store, fresh).close_detached();
    let notice = said.unwrap_or(reopened);
    tracing::warn!("{notice}");
    let _ = notices.send(notice);
    Ok(())
}

struct Job {
    batch: Batch,
    reply: oneshot::Sender<Written>,
}

pub struct StoreHandle {
    tx: mpsc::Sender<Job>,
}

impl StoreHandle {
    /// `notices` hears about a history file that had to be made again.
    pub fn spawn(
        mut store: Store,
        notices: UnboundedSender<String>,
    ) -> std::io::Result<StoreHandle> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                for job in rx {
                    let result = write_on_disk(&mut store, &job.batch, &notices);
                    let _ = job.reply.send(result);
                }
            })?;
        Ok(StoreHandle { tx })
    }

    /// Starts writing `batch`; the receiver has the result once it is on
    /// disk, or why not.
    pub fn write(&self, batch: Batch) -> oneshot::Receiver<Written> {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::SendError(job)) = self.tx.send(Job { batch, reply }) {
            let _ = job.reply.send(Err(WriteError::Stopped));
        }
        rx
    }
}
