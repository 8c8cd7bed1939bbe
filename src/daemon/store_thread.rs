//! The history store on a thread of its own: SQLite calls block (fsync), and
//! the scheduler must not. The thread sleeps in `recv` when there is nothing
//! to write, so it costs no wakeups.

use std::sync::mpsc;

use jiff::tz::Offset;
use tokio::sync::oneshot;

use crate::core::{Event, Pause};
use crate::store::Store;

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
    pub fn spawn(store: Store) -> std::io::Result<StoreHandle> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("store".into())
            .spawn(move || {
                for job in rx {
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
