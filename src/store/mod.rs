//! The history: every reminder shown and every answer, in SQLite.
//!
//! WAL with `synchronous=FULL`, so a row is on disk before `record` returns:
//! an answer acknowledged is never lost to a `kill -9` or a power cut. A file
//! that is not a database, or is corrupt, is moved aside and a fresh one made.

mod schema;
mod writer;

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use crate::core::report::TimeCount;
use crate::core::stats::{OutcomeCount, Today, streak};
use crate::core::{Event, Kind, Outcome, Pause, Remote, Source};

pub use schema::SCHEMA_VERSION;
pub use writer::{StoreHandle, WriteError, Written};

pub const DB_FILE: &str = "unhunch.db";

/// How long a write waits for another process's lock on the history (the
/// `sqlite3` shell, a backup) before it fails and the answer is refused.
/// The daemon's page cache, in KiB (a negative `cache_size`).
const DAEMON_CACHE: &str = "PRAGMA cache_size = -32;";

const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

const COLUMNS: &str = "id, at, utc_offset, reminder, kind, outcome, source, due, snooze, \
     routine, steps_done, steps_total, guided_seconds, device";

struct RawRow {
    id: i64,
    at: i64,
    offset: i32,
    reminder: String,
    kind: String,
    outcome: String,
    source: String,
    due: Option<i64>,
    snooze: Option<i64>,
    routine: Option<String>,
    steps_done: Option<u32>,
    steps_total: Option<u32>,
    guided_seconds: Option<u32>,
    device: Option<String>,
}

/// What `unhunch history` asks for.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub reminder: Option<String>,
    /// Only this device's events: `Some(None)` this one, `Some(Some(name))`
    /// another's.
    pub device: Option<Option<String>>,
    pub limit: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "database {} has schema version {found}, newer than this unhunch understands ({SCHEMA_VERSION}): \
         update unhunch, or move the file away to start a new history",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64 },
    #[error("database {} is damaged: {what}", path.display())]
    Damaged { path: PathBuf, what: String },
    #[error("database {}: row {row} is not valid: {what}", path.display())]
    BadRow {
        path: PathBuf,
        row: i64,
        what: String,
    },
    /// Whoever asked gave up before it could be committed: rolled back.
    #[error("not carried out: it could not be written before its asker gave up")]
    TooLate,
}

/// How the files a store writes to stopped being the ones on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// The history's name is gone or names another file.
    Replaced,
    /// The history was emptied or cut in place (`: > unhunch.db`).
    Emptied,
    /// Its write-ahead log was removed or replaced: what is written goes
    /// to a file no longer on disk.
    LogGone,
}

/// A hold on reminders beginning (`on`) or ending at `at`: `reason` is
/// away, locked, or a hold's name (do-not-disturb, fullscreen, call,
/// meeting).
#[derive(Debug, Clone, PartialEq)]
pub struct HoldMark {
    pub reason: &'static str,
    pub on: bool,
    pub at: Timestamp,
}

/// What one decision of the engine writes, all or nothing: its events, the
/// pause if it changed, and the holds that began or ended. `offset` is the
/// local offset of the moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub events: Vec<Event>,
    /// Events read from other devices' files: kept once each (by id).
    pub imports: Vec<Remote>,
    pub pause: Option<Option<Pause>>,
    pub holds: Vec<HoldMark>,
    pub offset: jiff::tz::Offset,
    /// Not to be committed after this: whoever asked has given up, and was
    /// told it was not taken.
    pub not_after: Option<std::time::Instant>,
}

/// What happened when opening: the database was fine, or a broken file was
/// moved aside (the path it now has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Fine,
    Recovered { moved_to: PathBuf, reason: String },
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// (device, inode) of the file opened, to notice it being replaced.
    file_id: Option<(u64, u64)>,
    /// The same of its write-ahead log, once there is one.
    wal_id: Option<(u64, u64)>,
}

impl StoreError {
    /// The file is not a (sound) history: the daemon moves it aside.
    fn is_damage(&self) -> bool {
        match self {
            StoreError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            ),
            StoreError::Damaged { .. } => true,
            _ => false,
        }
    }
}

impl Store {
    /// Opens (or creates) the database in `dir`, recovering from a broken file.
    pub fn open_in(dir: &Path) -> Result<(Store, Opened), StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Self::open(&dir.join(DB_FILE))
    }

    pub fn open(path: &Path) -> Result<(Store, Opened), StoreError> {
        match Self::try_open(path) {
            Ok(s) => Ok((s, Opened::Fine)),
            Err(e) if e.is_damage() => {
                let moved_to = Self::move_aside(path)?;
                let store = Self::try_open(path)?;
                let reason = match e {
                    StoreError::Sqlite { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                Ok((store, Opened::Recovered { moved_to, reason }))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens read-only, without recovery: for readers (`stats`, `history`,
    /// `doctor`, the tests) that must never change or move the user's file,
    /// and that must still read where the data dir cannot be written.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let err = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let open = |uri: String| -> Result<Connection, StoreError> {
            let conn = Connection::open_with_flags(uri, flags).map_err(err)?;
            conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
            schema::version(&conn, path)?;
            Ok(conn)
        };
        let file = path
            .display()
            .to_string()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23");
        let conn = match open(format!("file:{file}")) {
            Ok(c) => c,
            // A WAL database in a directory that cannot be written cannot
            // get its shared-memory file: read it as it is on disk.
            Err(StoreError::Sqlite { .. }) => open(format!("file:{file}?immutable=1"))?,
            Err(e) => return Err(e),
        };
        schema::verify(&conn, path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            file_id: crate::paths::file_id(path),
            wal_id: None,
        })
    }

    /// Opens for reading if the file exists; never creates or moves it.
    pub fn open_reader(path: &Path) -> Result<Option<Store>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        Self::open_existing(path).map(Some)
    }

    /// Opens for writing, and reads the whole file once (`quick_check`) so
    /// that damage is found at start, where the daemon can move the file
    /// aside. Readers ([`open_existing`](Self::open_existing)) skip that: it
    /// costs a pass over the file (~250 ms at a million events).
    fn try_open(path: &Path) -> Result<Store, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // The daemon writes a row now and then and reads 48 hours at start:
        // a handful of pages, so no lookaside buffers, and (below) a small
        // page cache. SQLite's defaults (2 MiB of cache, and 48 KiB of
        // lookaside) were a quarter of the daemon's private memory.
        no_lookaside(&conn);
        // Reading the header here makes a non-database fail now, not later.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        if mode != "wal" {
            tracing::warn!("database {} is in {mode} mode, not WAL", path.display());
        }
        // The cache size is set once the schema is read (reading it sets
        // the default again).
        conn.execute_batch("PRAGMA synchronous=FULL;")
            .map_err(err)?;
        conn.execute_batch(DAEMON_CACHE).map_err(err)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            file_id: crate::paths::file_id(path),
            wal_id: None,
        };
        schema::migrate(&mut store.conn, path)?;
        // A structural check; the full integrity_check is `unhunch doctor`'s.
        let ok: String = store
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(err)?;
        if ok != "ok" {
            return Err(err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(ok),
            )));
        }
        store.wal_id = crate::paths::file_id(&store.wal_path());
        Ok(store)
    }

    /// Renames a broken file (and its WAL and shared-memory files) to
    /// `unhunch.db.corrupt-<time>` beside it.
    fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
        let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = path.with_file_name(format!("{name}.corrupt-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", path.display()));
            let to = PathBuf::from(format!("{}{suffix}", target.display()));
            if from.exists() {
                std::fs::rename(&from, &to).map_err(|source| StoreError::Io {
                    path: to.clone(),
                    source,
                })?;
            }
        }
        Ok(target)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the path still names the file this store has open. A file
    /// deleted or replaced under a running daemon would otherwise swallow
    /// every write that follows.
    pub fn is_current(&self) -> bool {
        self.file_id.is_some() && crate::paths::file_id(&self.path) == self.file_id
    }

    fn wal_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push("-wal");
        PathBuf::from(p)
    }

    /// Whether the files this store writes to are still the ones on disk:
    /// the history under its name, whole (its header there), and its
    /// write-ahead log. Checked around every write, so an answer is never
    /// acknowledged while it lives only in a file nobody can find again.
    pub fn drift(&self) -> Option<Drift> {
        use std::io::Read;
        if !self.is_current() {
            return Some(Drift::Replaced);
        }
        let mut head = [0u8; 16];
        let whole = std::fs::File::open(&self.path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok_and(|()| &head == b"SQLite format 3\0");
        if !whole {
            return Some(Drift::Emptied);
        }
        if self.wal_id.is_some() && crate::paths::file_id(&self.wal_path()) != self.wal_id {
            return Some(Drift::LogGone);
        }
        None
    }

    /// Copies what the write-ahead log holds into the history itself (the
    /// log is read through the descriptor SQLite has, even when its name
    /// is gone), and empties the log.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let (busy, _, _): (i64, i64, i64) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(self.err())?;
        if busy != 0 {
            return Err(StoreError::Damaged {
                path: self.wal_path(),
                what: "its write-ahead log could not be copied in: a reader holds it".into(),
            });
        }
        Ok(())
    }

    /// Moves the history aside as it is (an emptied file, say), with its
    /// log, and returns where.
    pub fn move_damaged_aside(&self) -> Result<PathBuf, StoreError> {
        Self::move_aside(&self.path)
    }

    /// Closes a store whose path now names another file (or nothing).
    /// SQLite's last close deletes the WAL and shared-memory files *by
    /// name*, which may by now belong to the database opened in its place:
    /// keep them (SQLITE_FCNTL_PERSIST_WAL). The checkpoint still goes to
    /// the old file through its open descriptors.
    pub fn close_detached(self) {
        let mut keep: std::ffi::c_int = 1;
        // SAFETY: a live connection handle, the "main" schema, and an int
        // argument, as SQLITE_FCNTL_PERSIST_WAL expects.
        unsafe {
            rusqlite::ffi::sqlite3_file_control(
                self.conn.handle(),
                c"main".as_ptr(),
                rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
                (&raw mut keep).cast(),
            );
        }
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends an event; durable when this returns.
    pub fn record(&self, e: &Event, offset: jiff::tz::Offset) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO events (at, utc_offset, reminder, kind, outcome, source, due, snooze,
                                     routine, steps_done, steps_total, guided_seconds, device)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    e.at.as_millisecond(),
                    offset.seconds(),
                    e.reminder,
                    e.kind.as_str(),
                    e.outcome.as_str(),
                    e.source.as_str(),
                    e.due.map(|d| d.as_millisecond()),
                    e.snooze.map(|d| d.as_secs()),
                    e.progress.as_ref().map(|p| p.routine.as_str()),
                    e.progress.as_ref().map(|p| p.done),
                    e.progress.as_ref().map(|p| p.of),
                    e.progress.as_ref().map(|p| p.seconds),
                    e.device,
                ],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Keeps an event read from another device's file, unless an event of
    /// its id is already kept. Returns whether it was new.
    pub fn import(&self, r: &Remote) -> Result<bool, StoreError> {
        let e = &r.event;
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO events (at, utc_offset, reminder, kind, outcome, source, due,
                                     snooze, routine, steps_done, steps_total, guided_seconds,
                                     device, uid, repeat)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    e.at.as_millisecond(),
                    r.offset.seconds(),
                    e.reminder,
                    e.kind.as_str(),
                    e.outcome.as_str(),
                    e.source.as_str(),
                    e.due.map(|d| d.as_millisecond()),
                    e.snooze.map(|d| d.as_secs()),
                    e.progress.as_ref().map(|p| p.routine.as_str()),
                    e.progress.as_ref().map(|p| p.done),
                    e.progress.as_ref().map(|p| p.of),
                    e.progress.as_ref().map(|p| p.seconds),
                    e.device,
                    r.id,
                    r.repeat.then_some(1),
                ])
            })
            .map_err(self.err())?;
        Ok(n > 0)
    }

    /// The devices whose events the history holds, each with its latest
    /// event (`elsewhere` rows name the device that answered, not one seen).
    pub fn devices(&self) -> Result<Vec<(String, Timestamp)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT device, max(at) FROM events
                 WHERE device IS NOT NULL AND outcome != 'elsewhere' GROUP BY device ORDER BY device",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (d, ms) = row.map_err(self.err())?;
            if let Ok(t) = ts_from_ms(ms) {
                out.push((d, t));
            }
        }
        Ok(out)
    }

    /// Writes a batch in one transaction: durable when this returns `Ok`,
    /// and nothing of it written when it returns `Err`.
    pub fn write(&mut self, b: &Batch) -> Result<(), StoreError> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(self.err())?;
        for r in &b.imports {
            self.import(r)?;
        }
        for e in &b.events {
            self.record(e, b.offset)?;
        }
        if let Some(p) = b.pause {
            self.set_pause(p)?;
        }
        for h in &b.holds {
            self.mark_hold(h, b.offset)?;
        }
        // Last moment to keep a refusal true: dropped, the transaction
        // rolls back.
        if b.not_after.is_some_and(|t| std::time::Instant::now() >= t) {
            return Err(StoreError::TooLate);
        }
        tx.commit().map_err(self.err())?;
        if self.wal_id.is_none() {
            self.wal_id = crate::paths::file_id(&self.wal_path());
        }
        Ok(())
    }

    /// Events at or after `since`, oldest first: what a restart replays.
    /// Rows that cannot be read are left out (with a warning).
    pub fn events_since(&self, since: Timestamp) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .events_since_local(since)?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    /// The same, each with the local offset it was written at.
    pub fn events_since_local(
        &self,
        since: Timestamp,
    ) -> Result<Vec<(Event, Option<jiff::tz::Offset>)>, StoreError> {
        let rows = self.select(
            &format!("SELECT {COLUMNS} FROM events WHERE at >= ?1 ORDER BY at, id"),
            params![since.as_millisecond()],
        )?;
        Ok(rows
            .into_iter()
            .map(|(e, off)| (e, jiff::tz::Offset::from_seconds(off).ok()))
            .collect())
    }

    /// Runs a query whose columns are [`COLUMNS`]; each event with its local offset.
    fn select(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<(Event, i32)>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(RawRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    offset: r.get(2)?,
                    reminder: r.get(3)?,
                    kind: r.get(4)?,
                    outcome: r.get(5)?,
                    source: r.get(6)?,
                    due: r.get(7)?,
                    snooze: r.get(8)?,
                    routine: r.get(9)?,
                    steps_done: r.get(10)?,
                    steps_total: r.get(11)?,
                    guided_seconds: r.get(12)?,
                    device: r.get(13)?,
                })
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            // A row this version cannot read (edited by hand, or from a
            // newer version) is left out with a warning: one bad row must
            // not keep the daemon from starting or hide the rest.
            match self.decode(row.map_err(self.err())?) {
                Ok(e) => out.push(e),
                Err(e) => tracing::warn!("{e}: left out"),
            }
        }
        Ok(out)
    }

    fn decode(&self, r: RawRow) -> Result<(Event, i32), StoreError> {
        let bad = |what: String| StoreError::BadRow {
            path: self.path.clone(),
            row: r.id,
            what,
        };
        let ts = |ms: i64| ts_from_ms(ms).map_err(|e| bad(format!("time {ms}: {e}")));
        let event = Event {
            at: ts(r.at)?,
            kind: Kind::parse(&r.kind).ok_or_else(|| bad(format!("kind \"{}\"", r.kind)))?,
            outcome: Outcome::parse(&r.outcome)
                .ok_or_else(|| bad(format!("outcome \"{}\"", r.outcome)))?,
            source: Source::parse(&r.source)
                .ok_or_else(|| bad(format!("source \"{}\"", r.source)))?,
            due: r.due.map(ts).transpose()?,
            snooze: r.snooze.map(SignedDuration::from_secs),
            progress: r.routine.map(|routine| crate::core::routine::Progress {
                routine,
                done: r.steps_done.unwrap_or(0),
                of: r.steps_total.unwrap_or(0),
                seconds: r.guided_seconds.unwrap_or(0),
            }),
            reminder: r.reminder,
            device: r.device,
        };
        Ok((event, r.offset))
    }

    /// Outcome counts per local day and reminder for days `from..=to`,
    /// every device's.
    pub fn outcome_counts(&self, from: Date, to: Date) -> Result<Vec<OutcomeCount>, StoreError> {
        self.outcome_counts_of(from, to, None)
    }

    /// The same, of one device only (`Some(None)`: this one).
    pub fn outcome_counts_of(
        &self,
        from: Date,
        to: Date,
        device: Option<Option<&str>>,
    ) -> Result<Vec<OutcomeCount>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT day, reminder, outcome, count(*),
                        count(routine), coalesce(sum(guided_seconds), 0)
                 FROM events
                 WHERE day BETWEEN ?1 AND ?2 AND repeat IS NULL
                   AND (?3 = 0 OR (CASE WHEN outcome = 'elsewhere' THEN NULL ELSE device END) IS ?4)
                 GROUP BY day, reminder, outcome",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![
                    from.to_string(),
                    to.to_string(),
                    device.is_some(),
                    device.flatten()
                ],
                |r| {
                    Ok((
                        (
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ),
                        r.get::<_, u32>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let ((day, reminder, outcome), n, guided, seconds) = row.map_err(self.err())?;
            out.extend(outcome_count(day, reminder, &outcome, n, guided, seconds));
        }
        Ok(out)
    }

    /// Answers done, snoozed and skipped on local days `from..=to`, by
    /// local weekday and hour: when in the week they come (the report).
    pub fn answer_times(&self, from: Date, to: Date) -> Result<Vec<TimeCount>, StoreError> {
        // Local seconds from a Monday (1970-01-01 was a Thursday), in the
        // week: weekday * 24 + hour.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT (((at / 1000 + utc_offset + 259200) % 604800 + 604800) % 604800) / 3600 AS wh,
                        outcome, count(*)
                 FROM events
                 WHERE day BETWEEN ?1 AND ?2 AND outcome IN ('done', 'snoozed', 'skipped')
                   AND repeat IS NULL
                 GROUP BY wh, outcome",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([from.to_string(), to.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (wh, outcome, count) = row.map_err(self.err())?;
            let wh = u8::try_from(wh.clamp(0, 167)).unwrap_or(0);
            if let Some(outcome) = Outcome::parse(&outcome) {
                out.push(TimeCount {
                    weekday: wh / 24,
                    hour: wh % 24,
                    outcome,
                    count,
                });
            }
        }
        Ok(out)
    }

    /// Consecutive days up to `today` on which anything (or `reminder`)
    /// was done: today counts once it has one (see [`streak`]).
    pub fn streak(&self, today: Date, reminder: Option<&str>) -> Result<u32, StoreError> {
        let mut err = None;
        let n = streak(self.done_on(today, reminder)?, |k| {
            let Ok(day) = today.checked_sub(jiff::Span::new().days(i64::from(k))) else {
                return false;
            };
            match self.done_on(day, reminder) {
                Ok(b) => b,
                Err(e) => {
                    err = Some(e);
                    false
                }
            }
        });
        err.map_or(Ok(n), Err)
    }

    /// Was anything (or `reminder`) done on local day `day`?
    pub fn done_on(&self, day: Date, reminder: Option<&str>) -> Result<bool, StoreError> {
        // Two exact forms: "reminder = ?2 OR ?2 IS NULL" would keep SQLite
        // from using (day, reminder, outcome) past its first column.
        let day = day.to_string();
        let mut stmt = match reminder {
            Some(_) => self.conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE day = ?1 AND reminder = ?2 AND outcome = 'done')",
            ),
            None => self
                .conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM events WHERE day = ?1 AND outcome = 'done')"),
        }
        .map_err(self.err())?;
        match reminder {
            Some(r) => stmt.query_row(params![day, r], |r| r.get(0)),
            None => stmt.query_row(params![day], |r| r.get(0)),
        }
        .map_err(self.err())
    }

    /// The newest `limit` events matching, oldest first, each with its local offset.
    pub fn history(&self, q: &HistoryQuery) -> Result<Vec<(Event, i32)>, StoreError> {
        let mut rows = self.select(
            &format!(
                "SELECT {COLUMNS} FROM events
                 WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) AND (?3 IS NULL OR reminder = ?3)
                   AND (?5 = 0 OR (CASE WHEN outcome = 'elsewhere' THEN NULL ELSE device END) IS ?6)
                 ORDER BY at DESC, id DESC LIMIT ?4"
            ),
            params![
                q.since.map(|d| d.to_string()),
                q.until.map(|d| d.to_string()),
                q.reminder,
                i64::try_from(q.limit).unwrap_or(i64::MAX),
                q.device.is_some(),
                q.device.clone().flatten(),
            ],
        )?;
        rows.reverse();
        Ok(rows)
    }

    /// The ids of other devices' events kept for local day `day` (they
    /// are in its [`day_counts`](Self::day_counts)).
    pub fn uids_on(&self, day: Date) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT uid FROM events WHERE day = ?1 AND uid IS NOT NULL")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([day.to_string()], |r| r.get::<_, String>(0))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// On local day `day`: answers that were Done, and all answers that ended
    /// a showing ([`Outcome::ENDS_SHOWING`]).
    pub fn day_counts(&self, day: Date) -> Result<Today, StoreError> {
        let ends: Vec<String> = Outcome::ENDS_SHOWING
            .iter()
            .map(|o| format!("'{}'", o.as_str()))
            .collect();
        self.conn
            .query_row(
                &format!(
                    "SELECT coalesce(sum(outcome = 'done'), 0),
                            coalesce(sum(outcome IN ({})), 0)
                     FROM events WHERE day = ?1 AND repeat IS NULL",
                    ends.join(", ")
                ),
                [day.to_string()],
                |r| {
                    Ok(Today {
                        date: day,
                        done: r.get(0)?,
                        total: r.get(1)?,
                    })
                },
            )
            .map_err(self.err())
    }

    pub fn pause(&self) -> Result<Option<Pause>, StoreError> {
        let row: Option<(i64, Option<i64>)> = self
            .conn
            .query_row("SELECT since, until FROM pause WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(self.err())?;
        Ok(row.and_then(|(since, until)| {
            Some(Pause {
                since: ts_from_ms(since).ok()?,
                until: match until {
                    Some(u) => Some(ts_from_ms(u).ok()?),
                    None => None,
                },
            })
        }))
    }

    pub fn set_pause(&self, pause: Option<Pause>) -> Result<(), StoreError> {
        match pause {
            None => self.conn.execute("DELETE FROM pause", []),
            Some(p) => self.conn.execute(
                "INSERT OR REPLACE INTO pause (id, since, until) VALUES (1, ?1, ?2)",
                params![
                    p.since.as_millisecond(),
                    p.until.map(|u| u.as_millisecond())
                ],
            ),
        }
        .map_err(self.err())?;
        Ok(())
    }

    /// Notes a hold beginning (a new row) or ending (its open row closed).
    pub fn mark_hold(&self, h: &HoldMark, offset: jiff::tz::Offset) -> Result<(), StoreError> {
        let at = h.at.as_millisecond();
        if h.on {
            self.conn.execute(
                "INSERT INTO holds (reason, since, until, utc_offset) VALUES (?1, ?2, NULL, ?3)",
                params![h.reason, at, offset.seconds()],
            )
        } else {
            self.conn.execute(
                "UPDATE holds SET until = max(since, ?2) WHERE reason = ?1 AND until IS NULL",
                params![h.reason, at],
            )
        }
        .map_err(self.err())?;
        Ok(())
    }

    /// Closes the holds a daemon left open (it was killed, or the machine
    /// lost power): at the last thing it wrote, the latest they are known
    /// to have lasted. Run at start, before anything is held again.
    pub fn close_open_holds(&self) -> Result<usize, StoreError> {
        self.conn
            .execute(
                "UPDATE holds SET until = max(since, coalesce((SELECT max(at) FROM events), since))
                 WHERE until IS NULL",
                [],
            )
            .map_err(self.err())
    }

    /// Seconds held by reason between `from` and `to` (a hold still on
    /// counts to `to`).
    pub fn held_seconds(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        // A history an older daemon still writes has no holds yet.
        if self.schema_version()? < 3 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT reason, sum(min(coalesce(until, ?2), ?2) - max(since, ?1)) / 1000
                 FROM holds WHERE since < ?2 AND coalesce(until, ?2) > ?1
                 GROUP BY reason ORDER BY reason",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([from.as_millisecond(), to.as_millisecond()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (reason, s) = row.map_err(self.err())?;
            out.push((reason, u64::try_from(s).unwrap_or(0)));
        }
        Ok(out)
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err())
    }

    /// The raw connection, for queries of the CLI (stats, history).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}
/// One group of `outcome_counts`. An outcome this version
/// does not know is left out, not fatal.
fn outcome_count(
    day: String,
    reminder: String,
    outcome: &str,
    n: u32,
    guided: u32,
    seconds: i64,
) -> Option<OutcomeCount> {
    let outcome = Outcome::parse(outcome)?;
    // Routines count when finished: done with a routine's record.
    let routines = if outcome == Outcome::Done { guided } else { 0 };
    Some(OutcomeCount {
        day,
        reminder,
        outcome,
        count: n,
        routines,
        routine_seconds: if routines > 0 {
            u64::try_from(seconds).unwrap_or(0)
        } else {
            0
        },
    })
}

/// The instant of a stored millisecond count. Every instant jiff has is
/// read back: its last millisecond, which `as_millisecond` writes, is beyond
/// what `from_millisecond` takes.
fn ts_from_ms(ms: i64) -> Result<Timestamp, jiff::Error> {
    Timestamp::from_millisecond(ms).or_else(|e| {
        let nanos = i32::try_from(ms.rem_euclid(1000) * 1_000_000).map_err(|_| e.clone())?;
        Timestamp::new(ms.div_euclid(1000), nanos).map_err(|_| e)
    })
}
/// Turns off a fresh connection's lookaside buffers (SQLite's small-block
/// allocator: 48 KiB of memory held for good, for speed this daemon does
/// not need).
fn no_lookaside(conn: &Connection) {
    use rusqlite::ffi;
    use std::os::raw::{c_int, c_void};
    // SAFETY: the handle is this connection's, open and used by this thread
    // alone; the lookaside can be changed while none of it is in use, as
    // right after opening (SQLite returns SQLITE_BUSY otherwise, which
    // leaves it as it was).
    unsafe {
        ffi::sqlite3_db_config(
            conn.handle(),
            ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<c_void>(),
            0 as c_int,
            0 as c_int,
        );
    }
}
