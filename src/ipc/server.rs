//! The control socket: a Unix socket in the runtime directory (mode 0600,
//! peer uid checked). Each connection is its own task, so a slow or broken
//! client never holds up another; every bad line gets an error reply.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, mpsc};
use tracing::{debug, warn};

use super::command::{Command, What};
use super::protocol::{self, MAX_LINE, SOCKET};
use super::reply::{error_line, ok_line};
use crate::core::Source;
use crate::future::or_never;

/// Connections served at once; more are told the daemon is busy.
const MAX_CLIENTS: usize = 64;
/// A connection that sends nothing for this long is closed, so idle
/// clients cannot hold every place.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that does not take its reply within this is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// A command not begun within this is refused (the CLI waits 10 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(9);
/// A client that started a line must finish it within this.
const LINE_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds the socket, replacing a stale one. The caller holds the instance
/// lock, so a socket file already there belongs to a daemon that died.
pub fn bind(runtime_dir: &Path) -> io::Result<UnixListener> {
    let path = runtime_dir.join(SOCKET);
    match std::fs::remove_file(&path) {
        Ok(()) => debug!("removed a stale socket {}", path.display()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// Serves the socket in `runtime_dir` until the daemon stops. If the socket
/// (or its whole directory) is removed, it is made again.
pub async fn serve(
    mut listener: UnixListener,
    runtime_dir: PathBuf,
    daemon: mpsc::UnboundedSender<Command>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    let uid = rustix::process::getuid().as_raw();
    let mut watch = SocketWatch::new(&runtime_dir);
    loop {
        let stream = tokio::select! {
            a = listener.accept() => match a {
                Ok((s, _)) => s,
                Err(e) => {
                    warn!("control socket: accept failed: {e}");
                    continue;
                }
            },
            () = or_never(watch.as_mut().map(SocketWatch::gone)) => {
                // `rm -rf` takes the directory apart in steps: let it finish.
                tokio::time::sleep(Duration::from_millis(100)).await;
                if !watch.as_ref().is_some_and(SocketWatch::still_there) {
                    match crate::paths::make_private_dir(&runtime_dir)
                        .map_err(io::Error::other)
                        .and_then(|()| bind(&runtime_dir))
                    {
                        Ok(l) => {
                            warn!("the control socket was removed: made again in {}", runtime_dir.display());
                            listener = l;
                        }
                        Err(e) => warn!("the control socket was removed and cannot be made again: {e}"),
                    }
                }
                watch = SocketWatch::new(&runtime_dir);
                continue;
            }
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tokio::spawn(busy(stream));
            continue;
        };
        let daemon = daemon.clone();
        tokio::spawn(async move {
            if let Err(e) = connection(stream, daemon, uid).await {
                debug!("control connection ended: {e}");
            }
            drop(permit);
        });
    }
}

/// Tells a client beyond [`MAX_CLIENTS`] to come back, and closes.
async fn busy(mut stream: UnixStream) {
    let line = format!(
        "{}\n",
        error_line("the daemon is busy with other clients: try again in a moment")
    );
    let _ = tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(line.as_bytes())).await;
}

/// Notices the socket file (or its directory) being removed or replaced.
struct SocketWatch {
    stream: inotify::EventStream<Vec<u8>>,
    /// (device, inode) of the socket bound.
    socket: Option<(u64, u64)>,
    path: PathBuf,
}

impl SocketWatch {
    fn new(dir: &Path) -> Option<SocketWatch> {
        use inotify::{Inotify, WatchMask};
        let path = dir.join(SOCKET);
        let result = Inotify::init().and_then(|i| {
            i.watches().add(
                dir,
                WatchMask::DELETE
                    | WatchMask::MOVED_FROM
                    | WatchMask::CREATE
                    | WatchMask::MOVED_TO
                    | WatchMask::DELETE_SELF
                    | WatchMask::MOVE_SELF,
            )?;
            i.into_event_stream(vec![0u8; 1024])
        });
        match result {
            Ok(stream) => Some(SocketWatch {
                stream,
                socket: crate::paths::file_id(&path),
                path,
            }),
            Err(e) => {
                warn!("the control socket is not watched ({e}): if it is removed, restart unhunch");
                None
            }
        }
    }

    fn still_there(&self) -> bool {
        self.socket.is_some() && crate::paths::file_id(&self.path) == self.socket
    }

    /// Resolves when the socket may be gone.
    async fn gone(&mut self) {
        use futures_util::StreamExt;
        let name = std::ffi::OsStr::new(SOCKET);
        while let Some(event) = self.stream.next().await {
            let Ok(event) = event else { return };
            let about_socket = event.name.as_deref() == Some(name);
            if about_socket || event.name.is_none() {
                return;
            }
        }
        // The watch itself ended (its directory went away).
    }
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

async fn connection(
    stream: UnixStream,
    daemon: mpsc::UnboundedSender<Command>,
    uid: u32,
) -> io::Result<()> {
    let peer = stream.peer_cred()?.uid();
    let (r, mut w) = stream.into_split();
    if peer != uid {
        warn!("control socket: refused a client of uid {peer}");
        w.write_all(format!("{}\n", error_line("permission denied")).as_bytes())
            .await?;
        return Ok(());
    }
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
                Ok(request) => {
                    let (mut cmd, rx) = Command::asking(What::from(request), Source::Cli);
                    // Our CLI gives up after 10 s: a command still waiting then
                    // is refused rather than carried out behind its back.
                    cmd.deadline = Some(tokio::time::Instant::now() + ANSWER_WITHIN);
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
