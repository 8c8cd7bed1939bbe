//! The history store on a thread of its own: SQLite calls block (fsync, a
//! lock held by another process), and the daemon's loop must not. The loop
//! hands over a [`Batch`] and gets a receiver for the result, which it
//! selects on like any other event. The thread sleeps in `recv` when there
//! is nothing to write, so it costs no wakeups.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::{mpsc::UnboundedSender, oneshot};

use super::{Batch, Opened, Store, StoreError};

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
    tracing::warn!("{notice}");
    Ok((store, notice))
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
                    // A file deleted or replaced under us would swallow every
                    // write into an unlinked inode: open the path again, and
                    // refuse the write when that fails.
                    let result = if store.is_current() {
                        store.write(&job.batch).map_err(WriteError::from)
                    } else {
                        reopen(&store).and_then(|(fresh, notice)| {
                            std::mem::replace(&mut store, fresh).close_detached();
                            let _ = notices.send(notice);
                            store.write(&job.batch).map_err(WriteError::from)
                        })
                    };
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
