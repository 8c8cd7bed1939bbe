//! The daemon's side of the control transport, whatever carries it: each
//! connection is its own task, so a slow or broken client never holds up
//! another; every bad line gets an error reply; idle and slow clients are
//! dropped. The transports (`unix`, a Unix socket on Linux; `pipe`, a
//! named pipe on Windows) accept connections, check who is at the other
//! end, and hand them to [`serve_connection`].

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tracing::debug;

use super::protocol::{self, MAX_LINE};
use crate::core::Source;
use crate::vocab::Command;
use crate::vocab::reply::{error_line, ok_line};

/// Connections served at once; more are told the daemon is busy.
pub const MAX_CLIENTS: usize = 64;
/// A connection that sends nothing for this long is closed, so idle
/// clients cannot hold every place.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that does not take its reply within this is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// A command not begun within this is refused (the CLI waits 10 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(9);
/// How long a client turned away may take to send its line.
const BUSY_READ: Duration = Duration::from_secs(1);
/// A client that started a line must finish it within this.
const LINE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves a new client in a task of its own while a place is free (one of
/// `slots`); else tells it the daemon is busy.
pub fn spawn_client<S, F, Fut>(slots: &std::sync::Arc<tokio::sync::Semaphore>, stream: S, serve: F)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(S) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = io::Result<()>> + Send + 'static,
{
    let Ok(permit) = slots.clone().try_acquire_owned() else {
        tokio::spawn(busy(stream));
        return;
    };
    tokio::spawn(async move {
        if let Err(e) = serve(stream).await {
            debug!("control connection ended: {e}");
        }
        drop(permit);
    });
}

/// Tells a client beyond [`MAX_CLIENTS`] to come back, and closes. Its
/// line is read first (for at most a second): closing on unread data
/// resets the connection, and the client would see a broken pipe or a
/// reset instead of why.
pub async fn busy<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    let _ = tokio::time::timeout(BUSY_READ, read_line(&mut r)).await;
    let line = format!(
        "{}\n",
        error_line("the daemon is busy with other clients: try again in a moment")
    );
    let _ = tokio::time::timeout(WRITE_TIMEOUT, w.write_all(line.as_bytes())).await;
}

enum Line {
    Text(String),
    TooLong,
    NotUtf8,
    Eof,
}

/// Reads one line of at most `MAX_LINE` bytes.
async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<Line> {
    let mut buf = Vec::new();
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() { Line::Eof } else { text(buf) });
        }
        match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => {
                buf.extend_from_slice(&chunk[..i]);
                r.consume(i + 1);
                return Ok(if buf.len() > MAX_LINE {
                    Line::TooLong
                } else {
                    text(buf)
                });
            }
            None => {
                let n = chunk.len();
                buf.extend_from_slice(chunk);
                r.consume(n);
                if buf.len() > MAX_LINE {
                    return Ok(Line::TooLong);
                }
            }
        }
    }
}

fn text(buf: Vec<u8>) -> Line {
    match String::from_utf8(buf) {
        Ok(s) => Line::Text(s),
        Err(_) => Line::NotUtf8,
    }
}

/// Tells a client it may not talk to this daemon, and closes.
pub async fn refuse<W: AsyncWrite + Unpin>(mut w: W) -> io::Result<()> {
    w.write_all(format!("{}\n", error_line("permission denied")).as_bytes())
        .await
}

/// Serves one client, already checked, until it leaves or misbehaves.
pub async fn serve_connection<R, W>(
    r: R,
    mut w: W,
    daemon: mpsc::UnboundedSender<Command>,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(r);
    loop {
        // A client that sends nothing gives its place up; one that started
        // a line must finish it.
        match tokio::time::timeout(IDLE_TIMEOUT, r.fill_buf()).await {
            Ok(Ok([])) => return Ok(()),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                debug!("control client idle for {IDLE_TIMEOUT:?}: closed");
                return Ok(());
            }
        }
        let line = match tokio::time::timeout(LINE_TIMEOUT, read_line(&mut r)).await {
            Ok(line) => line?,
            Err(_) => {
                w.write_all(format!("{}\n", error_line("line not finished in time")).as_bytes())
                    .await?;
                return Ok(());
            }
        };
        let reply = match line {
            Line::Eof => return Ok(()),
            Line::TooLong => {
                // The rest of that line cannot be told from the next request.
                let e = error_line(&format!("line longer than {} KiB", MAX_LINE / 1024));
                w.write_all(format!("{e}\n").as_bytes()).await?;
                return Ok(());
            }
            Line::NotUtf8 => error_line("the line is not UTF-8"),
            Line::Text(t) if t.trim().is_empty() => continue,
            Line::Text(t) => match protocol::parse(&t) {
                Err(e) => error_line(&e.to_string()),
                Ok((what, by)) => {
                    let (mut cmd, rx) = Command::asking(what, Source::Cli);
                    // Its asker gives up at its deadline (ours sends one), or
                    // after 9 s: a command still waiting then is refused, not
                    // carried out behind its back. The deadline is the
                    // client's clock, so a daemon stopped (SIGSTOP) before it
                    // read the line does not start the 9 s afresh.
                    cmd.deadline = Some(deadline(by));
                    let answer = match daemon.send(cmd) {
                        Ok(()) => rx.await.ok(),
                        Err(_) => None,
                    };
                    match answer {
                        Some(Ok(reply)) => ok_line(&reply),
                        Some(Err(e)) => error_line(&e.to_string()),
                        None => error_line("the daemon is stopping"),
                    }
                }
            },
        };
        let line = format!("{reply}\n");
        match tokio::time::timeout(WRITE_TIMEOUT, w.write_all(line.as_bytes())).await {
            Ok(r) => r?,
            Err(_) => return Err(io::Error::other("the client does not read its replies")),
        }
    }
}

/// When a command read now must be refused: its asker's deadline (the
/// wall clock it was sent by) or [`ANSWER_WITHIN`], whichever comes first.
fn deadline(by: Option<jiff::Timestamp>) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    let ours = now + ANSWER_WITHIN;
    match by {
        Some(by) => {
            let left = by.duration_since(jiff::Timestamp::now());
            now + Duration::try_from(left)
                .unwrap_or(Duration::ZERO)
                .min(ANSWER_WITHIN)
        }
        None => ours,
    }
}
