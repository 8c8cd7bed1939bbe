//! The history store on a thread of its own: SQLite calls block (fsync), and
//! the scheduler must not. The thread sleeps in `recv` when there is nothing
//! to write, so it costs no wakeups.

use std::sync::mpsc;

use jiff::tz::Offset;
use tokio::sync::oneshot;

use crate::core::{Event, Pause};
use crate::store::{Opened, Store, StoreError};
use tokio::sync::mpsc::UnboundedSender;

/// Opens the history at the same path again, after it was deleted or
/// replaced; a replacement that is not a database is moved aside.
fn reopen(old: &Store) -> Result<(Store, String), StoreError> {
    let path = old.path().to_path_buf();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let (store, opened) = Store::open(&path)?;
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

type Reply = oneshot::Sender<Result<(), String>>;

enum Job {
    Record(Event, Offset, Reply),
    SetPause(Option<Pause>, Reply),
}

#[derive(Clone)]
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
                    if !store.is_current() {
                        match reopen(&store) {
                            Ok((fresh, notice)) => {
                                store = fresh;
                                let _ = notices.send(notice);
                            }
                            Err(e) => {
                                tracing::error!("history file gone and cannot be made again: {e}")
                            }
                        }
                    }
                    match job {
                        Job::Record(e, off, reply) => {
                            let _ = reply
                                .send(store.record(&e, off).map(|_| ()).map_err(|e| e.to_string()));
                        }
                        Job::SetPause(p, reply) => {
                            let _ = reply.send(store.set_pause(p).map_err(|e| e.to_string()));
                        }
                    }
                }
            })?;
        Ok(StoreHandle { tx })
    }

    async fn ask(&self, job: impl FnOnce(Reply) -> Job) -> Result<(), String> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(job(reply))
            .map_err(|_| "the store thread stopped".to_string())?;
        rx.await
            .map_err(|_| "the store thread stopped".to_string())?
    }

    /// Appends an event; returns once it is on disk.
    pub async fn record(&self, e: Event, offset: Offset) -> Result<(), String> {
        self.ask(|r| Job::Record(e, offset, r)).await
    }

    pub async fn set_pause(&self, p: Option<Pause>) -> Result<(), String> {
        self.ask(|r| Job::SetPause(p, r)).await
    }
}
