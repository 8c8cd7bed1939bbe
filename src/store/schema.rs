//! Schema and forward migrations, versioned with `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: events and the pause.
    "CREATE TABLE events (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,          -- UTC, milliseconds since the epoch
        utc_offset INTEGER NOT NULL,          -- local offset from UTC at that moment, seconds
        reminder   TEXT    NOT NULL,          -- the reminder id
        kind       TEXT    NOT NULL,
        outcome    TEXT    NOT NULL,          -- shown, done, snoozed, skipped, dismissed, expired, ignored, missed, away
        source     TEXT    NOT NULL,          -- notification, tray, cli, schedule, guided
        due        INTEGER,                   -- the scheduled instant a showing belongs to, ms
        snooze     INTEGER,                   -- snooze length, seconds
        day        TEXT GENERATED ALWAYS AS (date(at / 1000 + utc_offset, 'unixepoch')) VIRTUAL
     );
     CREATE INDEX events_at ON events (at);
     CREATE INDEX events_reminder_at ON events (reminder, at);
     CREATE INDEX events_day_reminder ON events (day, reminder, outcome);
     CREATE TABLE pause (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        since INTEGER NOT NULL,
        until INTEGER                          -- NULL: until resumed
     );",
    // 2: how far a guided routine got (source guided).
    "ALTER TABLE events ADD COLUMN routine TEXT;           -- the routine's id
     ALTER TABLE events ADD COLUMN steps_done INTEGER;
     ALTER TABLE events ADD COLUMN steps_total INTEGER;
     ALTER TABLE events ADD COLUMN guided_seconds INTEGER;",
    // 3: the time reminders were held, and why.
    "CREATE TABLE holds (
        id         INTEGER PRIMARY KEY,
        reason     TEXT    NOT NULL,          -- away, locked, do-not-disturb, fullscreen, call, meeting
        since      INTEGER NOT NULL,          -- UTC, milliseconds since the epoch
        until      INTEGER,                   -- the same; NULL while it lasts
        utc_offset INTEGER NOT NULL           -- local offset from UTC when it began, seconds
     );
     CREATE INDEX holds_since ON holds (since);",
    // 4: several devices (sync): the device an event came from (NULL:
    // this one; for `elsewhere`, the one that answered), and the id of an
    // event read from the sync folder, which keeps it from being counted twice.
    "ALTER TABLE events ADD COLUMN device TEXT;
     ALTER TABLE events ADD COLUMN uid TEXT;
     ALTER TABLE events ADD COLUMN repeat INTEGER;  -- 1: an answer to an occurrence already counted
     CREATE UNIQUE INDEX events_uid ON events (uid);",
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let version = version(conn, path)?;
    // A file that says it has a schema must have its tables before any
    // migration alters them: else it is damaged, not a history to migrate.
    if version > 0 {
        verify(conn, path)?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(sql).map_err(err)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(err)?;
        tx.commit().map_err(err)?;
        tracing::debug!("database {} migrated to schema {}", path.display(), i + 1);
    }
    verify(conn, path)
}

/// Checks that a database at our version has our tables: a file with the
/// right `user_version` but no `events` table is damaged, not a history.
pub fn verify(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
    for want in ["events", "pause"] {
        if !tables.iter().any(|t| t == want) {
            return Err(StoreError::Damaged {
                path: path.to_path_buf(),
                what: format!("it has no {want} table"),
            });
        }
    }
    Ok(())
}

/// The schema version, refusing one newer than this unhunch.
pub fn version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
        });
    }
    Ok(version)
}
