//! Calls: which applications capture the microphone now, from the sound
//! server over the PulseAudio protocol, which PulseAudio and PipeWire
//! (pipewire-pulse) both speak. A capture is a source output that is not
//! corked, recording a source that is not the monitor of an output (a
//! screen recorder taking the desktop's sound is not a call), and not a
//! level meter (pavucontrol's).
//!
//! Event-driven: the connection is subscribed to source and source-output
//! changes and asks for the lists only after one; between changes it sits
//! on a socket that says nothing. A server that is not there is waited for
//! with inotify on its socket's directory: no polling either. One that went
//! away or misbehaved is tried again after 1 s, 2 s, 4 s … up to 5 minutes
//! (or sooner if its directory changes): its socket may stay where systemd
//! keeps it.
//! The `pulseaudio` crate gives the wire format; the socket is ours, on
//! tokio.

use std::collections::HashSet;
use std::ffi::CStr;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use inotify::{Inotify, WatchMask};
use pulseaudio::protocol::{
    self, AuthParams, AuthReply, Command, Prop, Props, ServerInfo, SetClientNameReply,
    SourceInfoList, SourceOutputInfo, SourceOutputInfoList, SubscriptionEvent,
    SubscriptionEventFacility, SubscriptionEventType, SubscriptionMask,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::Change;
use crate::wait::Backoff;

/// No reply in this long: the server is stuck (`doctor`'s probe, and the
/// daemon's greeting).
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// After a server that failed, the first wait before trying again; it
/// doubles at each failure up to the last, and starts over once followed.
/// 1 s, doubling to 5 minutes.
const RETRY: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));

/// The most a message may carry; more is not a sound server talking.
const MAX_FRAME: u32 = 16 << 20;

/// The protocol's "not a stream" channel: commands and replies.
const CONTROL: u32 = u32::MAX;

const COOKIE_LEN: usize = 256;

/// pavucontrol's level meters record every source: they are not a call.
const METER_APP: &[u8] = b"org.PulseAudio.pavucontrol";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Protocol(#[from] protocol::ProtocolError),
    #[error("the server refused: {0:?}")]
    Refused(protocol::PulseError),
    #[error("a message of {0} bytes: not a sound server")]
    TooLong(u32),
    #[error("no answer in {} s", PROBE_TIMEOUT.as_secs())]
    Silent,
}

/// Where the server's socket is: `PULSE_SERVER` (a `unix:` path), else
/// `PULSE_RUNTIME_PATH/native`, else `XDG_RUNTIME_DIR/pulse/native`.
fn socket_path() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(server) = var("PULSE_SERVER") {
        // A list of addresses, tried in order: the first local one.
        let server = server.to_string_lossy().into_owned();
        return server
            .split_whitespace()
            .find_map(|a| a.strip_prefix("unix:"))
            .map(PathBuf::from);
    }
    if let Some(dir) = var("PULSE_RUNTIME_PATH") {
        return Some(PathBuf::from(dir).join("native"));
    }
    var("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("pulse/native"))
}

/// The cookie PulseAudio asks for: `PULSE_COOKIE`,
/// else the config directory's `pulse/cookie`, else `~/.pulse-cookie`.
fn cookie() -> Vec<u8> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let config = var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")));
    [
        var("PULSE_COOKIE"),
        config.map(|c| c.join("pulse/cookie")),
        var("HOME").map(|h| h.join(".pulse-cookie")),
    ]
    .into_iter()
    .flatten()
    // A cookie is 256 bytes: anything else is not one. Without one, a
    // cookie of zeros (the protocol wants the field; pipewire-pulse takes
    // any, PulseAudio makes its file at start).
    .find_map(|p| std::fs::read(p).ok().filter(|c| c.len() == COOKIE_LEN))
    .unwrap_or_else(|| vec![0; COOKIE_LEN])
}

fn text(b: &[u8]) -> String {
    let b = b.strip_suffix(b"\0").unwrap_or(b);
    String::from_utf8_lossy(b).into_owned()
}

fn c_text(s: &CStr) -> String {
    s.to_string_lossy().into_owned()
}

/// One connection to the server.
struct Conn {
    stream: UnixStream,
    version: u16,
    seq: u32,
    /// A source or source-output change came while waiting for a reply.
    changed: bool,
}

impl Conn {
    /// Connects, authenticates and names itself.
    async fn open(path: &Path) -> Result<Conn, Error> {
        let stream = UnixStream::connect(path).await?;
        let mut c = Conn {
            stream,
            version: protocol::MAX_VERSION,
            seq: 0,
            changed: false,
        };
        let auth = Command::Auth(AuthParams {
            version: protocol::MAX_VERSION,
            supports_shm: false,
            supports_memfd: false,
            cookie: cookie(),
        });
        let reply: AuthReply = c.call(&auth).await?;
        c.version = reply.version.min(protocol::MAX_VERSION);
        let mut props = Props::new();
        props.set(Prop::ApplicationName, c"unhunch");
        let _: SetClientNameReply = c.call(&Command::SetClientName(props)).await?;
        Ok(c)
    }

    /// Sends `cmd`: its sequence number.
    async fn send(&mut self, cmd: &Command) -> Result<u32, Error> {
        self.seq = self.seq.wrapping_add(1);
        let mut buf = Vec::new();
        protocol::write_command_message(&mut buf, self.seq, cmd, self.version)?;
        self.stream.write_all(&buf).await?;
        Ok(self.seq)
    }

    /// The next control message, whole (header and payload).
    async fn message(&mut self) -> Result<Vec<u8>, Error> {
        loop {
            let mut frame = vec![0u8; protocol::DESCRIPTOR_SIZE];
            self.stream.read_exact(&mut frame).await?;
            let desc = protocol::read_descriptor(&mut Cursor::new(&frame))?;
            if desc.length > MAX_FRAME {
                return Err(Error::TooLong(desc.length));
            }
            frame.resize(protocol::DESCRIPTOR_SIZE + desc.length as usize, 0);
            self.stream
                .read_exact(&mut frame[protocol::DESCRIPTOR_SIZE..])
                .await?;
            // Audio for a stream: we have none, so none should come.
            if desc.channel == CONTROL {
                return Ok(frame);
            }
        }
    }

    /// Waits for the reply to `seq`, noting changes that come meanwhile.
    async fn reply_to(&mut self, seq: u32) -> Result<Vec<u8>, Error> {
        loop {
            let frame = self.message().await?;
            let Some((got, cmd)) = self.read(&frame) else {
                continue;
            };
            match cmd {
                Command::SubscribeEvent(e) => self.changed |= matters(&e),
                Command::Error(e) if got == seq => return Err(Error::Refused(e)),
                Command::Reply if got == seq => return Ok(frame),
                other => debug!("sound server: {other:?} ignored"),
            }
        }
    }

    /// A message's sequence number and command; `None` (said at debug) for
    /// one this client does not understand, which is skipped: a newer
    /// server may send more than it knows.
    fn read(&self, frame: &[u8]) -> Option<(u32, Command)> {
        protocol::read_command_message(&mut Cursor::new(frame), self.version)
            .inspect_err(|e| debug!("sound server: a message not understood ({e}): skipped"))
            .ok()
    }

    /// Sends `cmd` and reads its reply.
    async fn call<T: protocol::CommandReply>(&mut self, cmd: &Command) -> Result<T, Error> {
        let seq = self.send(cmd).await?;
        let frame = self.reply_to(seq).await?;
        let (_, reply) = protocol::read_reply_message::<T>(&mut Cursor::new(&frame), self.version)?;
        Ok(reply)
    }

    /// The applications capturing now, by name, sorted and each once.
    async fn capturing(&mut self) -> Result<Vec<String>, Error> {
        let sources: SourceInfoList = self.call(&Command::GetSourceInfoList).await?;
        let outputs: SourceOutputInfoList = self.call(&Command::GetSourceOutputInfoList).await?;
        let recordable: HashSet<u32> = sources
            .iter()
            .filter(|s| s.monitor_of_sink_index.is_none())
            .map(|s| s.index)
            .collect();
        let mut apps: Vec<String> = outputs
            .iter()
            .filter(|o| is_capture(o, &recordable))
            .map(app_name)
            .collect();
        apps.sort();
        apps.dedup();
        Ok(apps)
    }

    /// The server's name and version, as it gives them.
    async fn server(&mut self) -> Result<String, Error> {
        let info: ServerInfo = self.call(&Command::GetServerInfo).await?;
        let name = info.server_name.as_deref().map(c_text).unwrap_or_default();
        let version = info
            .server_version
            .as_deref()
            .map(c_text)
            .unwrap_or_default();
        Ok(format!("{name} {version}").trim().to_string())
    }
}

/// Whether an event can change who captures: a source output coming, going
/// or changing (corked or not), or a source coming or going. A source's own
/// changes (its volume, which a call's gain control moves all the time)
/// cannot.
fn matters(e: &SubscriptionEvent) -> bool {
    match e.event_facility {
        SubscriptionEventFacility::SourceOutput => true,
        SubscriptionEventFacility::Source => e.event_type != SubscriptionEventType::Changed,
        _ => false,
    }
}

/// Whether a source output is someone capturing a microphone now. One with
/// no client is the server's own plumbing (an echo canceller's or a
/// loopback's): a call records from such a module's source with a stream of
/// its own. (PulseAudio names its protocol module as the owner of every
/// client's stream, so the owner says nothing.)
fn is_capture(o: &SourceOutputInfo, recordable: &HashSet<u32>) -> bool {
    !o.corked
        && o.client_index.is_some()
        && recordable.contains(&o.source_index)
        && o.props
            .get(Prop::ApplicationId)
            .map(|id| id.strip_suffix(b"\0").unwrap_or(id))
            != Some(METER_APP)
}

/// What to call the application: its name, else its binary, else the
/// stream's name.
fn app_name(o: &SourceOutputInfo) -> String {
    [Prop::ApplicationName, Prop::ApplicationProcessBinary]
        .into_iter()
        .find_map(|p| o.props.get(p).map(text).filter(|t| !t.is_empty()))
        .unwrap_or_else(|| c_text(&o.name))
}

/// Watches the captures for as long as the daemon runs: reports each new
/// set; none while the server is away.
pub async fn watch(tx: mpsc::UnboundedSender<Change>) {
    let Some(path) = socket_path() else {
        debug!("calls: no runtime directory, so no sound server to ask");
        return;
    };
    let mut told_absent = false;
    let mut retry = RETRY;
    loop {
        let mut followed = false;
        let wait = match follow(&path, &tx, &mut followed).await {
            Ok(()) => return,
            // No socket, or one nobody listens on: it comes back when a
            // server makes it again, which inotify sees.
            Err(Error::Io(e))
                if !followed
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                    ) =>
            {
                if !told_absent {
                    info!(
                        "calls: no sound server at {} ({e}); seen once one starts",
                        path.display()
                    );
                    told_absent = true;
                }
                None
            }
            // A server that went away or misbehaved. Its socket may stay
            // (systemd's socket activation keeps it, and starts the server
            // again at the next connection), so it is tried again after a
            // while, longer each time it fails before it is followed.
            Err(e) => {
                warn!(
                    "calls: the sound server at {} failed ({e}); tried again in {} s",
                    path.display(),
                    retry.wait().as_secs()
                );
                told_absent = true;
                Some(retry.wait())
            }
        };
        if followed {
            retry.reset();
        } else {
            retry.next_wait();
        }
        // While it is away nothing is known to capture.
        if tx.send(Change::Capturing(Vec::new())).is_err() {
            return;
        }
        if !appears(&path, wait).await {
            warn!("calls: cannot watch {} for a sound server", path.display());
            return;
        }
    }
}

/// One connection, followed until it fails (Ok: the daemon is stopping).
/// `followed` is set once it is subscribed.
async fn follow(
    path: &Path,
    tx: &mpsc::UnboundedSender<Change>,
    followed: &mut bool,
) -> Result<(), Error> {
    let start = async {
        let mut c = Conn::open(path).await?;
        let server = c.server().await?;
        let seq = c
            .send(&Command::Subscribe(
                SubscriptionMask::SOURCE | SubscriptionMask::SOURCE_OUTPUT,
            ))
            .await?;
        c.reply_to(seq).await?;
        Ok::<_, Error>((c, server))
    };
    let (mut c, server) = tokio::time::timeout(PROBE_TIMEOUT, start)
        .await
        .map_err(|_| Error::Silent)??;
    *followed = true;
    info!("calls: from {server} at {}", path.display());
    loop {
        c.changed = false;
        let apps = c.capturing().await?;
        if tx.send(Change::Capturing(apps)).is_err() {
            return Ok(());
        }
        // Changes that came with the lists: ask again at once.
        while !c.changed {
            let frame = c.message().await?;
            if let Some((_, Command::SubscribeEvent(e))) = c.read(&frame) {
                c.changed = matters(&e);
            }
        }
    }
}

/// Waits until a server can be reached at `path`: after `retry` if given,
/// or as soon as its directory changes (inotify on it, or on the one above
/// while it does not exist). False if nothing can be watched.
async fn appears(path: &Path, mut retry: Option<Duration>) -> bool {
    let reachable = async || UnixStream::connect(path).await.is_ok();
    let Some(dir) = path.parent() else {
        return false;
    };
    loop {
        let watched = if dir.is_dir() {
            Some(dir)
        } else {
            dir.parent()
        };
        let Some(watched) = watched.filter(|d| d.is_dir()) else {
            return false;
        };
        let Ok(inotify) = Inotify::init() else {
            return false;
        };
        let mask = WatchMask::CREATE | WatchMask::MOVED_TO | WatchMask::DELETE_SELF;
        if inotify.watches().add(watched, mask).is_err() {
            return false;
        }
        let Ok(mut events) = inotify.into_event_stream(vec![0u8; 1024]) else {
            return false;
        };
        match retry.take() {
            Some(after) => {
                tokio::select! {
                    e = events.next() => if e.is_none() { return false },
                    () = tokio::time::sleep(after) => {}
                }
            }
            None => {
                // Armed: what came before it is seen here.
                if reachable().await {
                    return true;
                }
                debug!("calls: waiting for a change in {}", watched.display());
                if events.next().await.is_none() {
                    return false;
                }
            }
        }
        // A server makes its socket, then listens: give it a moment.
        for _ in 0..20 {
            if reachable().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// For `doctor`: the server, where, and who captures now.
pub async fn probe() -> Result<(String, PathBuf, Vec<String>), String> {
    let path = socket_path().ok_or("no runtime directory (XDG_RUNTIME_DIR)")?;
    let ask = async {
        let mut c = Conn::open(&path).await?;
        let server = c.server().await?;
        let apps = c.capturing().await?;
        Ok::<_, Error>((server, apps))
    };
    match tokio::time::timeout(PROBE_TIMEOUT, ask).await {
        Ok(Ok((server, apps))) => Ok((server, path, apps)),
        Ok(Err(e)) => Err(format!("{}: {e}", path.display())),
        Err(_) => Err(format!("{}: {}", path.display(), Error::Silent)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(source: u32, corked: bool, props: &[(Prop, &CStr)]) -> SourceOutputInfo {
        let mut o = SourceOutputInfo {
            source_index: source,
            corked,
            client_index: Some(3),
            // PulseAudio's protocol module owns every client's stream.
            owner_module_index: Some(0),
            name: c"stream".into(),
            ..SourceOutputInfo::default()
        };
        for (p, v) in props {
            o.props.set(*p, *v);
        }
        o
    }

    #[test]
    fn a_capture_is_an_uncorked_stream_from_a_microphone_not_a_meter() {
        let mics = HashSet::from([1]);
        assert!(is_capture(&output(1, false, &[]), &mics));
        assert!(!is_capture(&output(1, true, &[]), &mics), "corked");
        assert!(!is_capture(&output(2, false, &[]), &mics), "a monitor");
        let meter = output(
            1,
            false,
            &[(Prop::ApplicationId, c"org.PulseAudio.pavucontrol")],
        );
        assert!(!is_capture(&meter, &mics), "a level meter");
        let mut module = output(1, false, &[]);
        module.client_index = None;
        assert!(
            !is_capture(&module, &mics),
            "an echo canceller's own stream"
        );
    }

    #[test]
    fn an_app_is_named_by_its_name_else_its_binary_else_its_stream() {
        let both = [
            (Prop::ApplicationName, c"Firefox"),
            (Prop::ApplicationProcessBinary, c"firefox-esr"),
        ];
        assert_eq!(app_name(&output(1, false, &both)), "Firefox");
        let binary = [(Prop::ApplicationProcessBinary, c"arecord")];
        assert_eq!(app_name(&output(1, false, &binary)), "arecord");
        assert_eq!(app_name(&output(1, false, &[])), "stream");
    }

    #[test]
    fn only_changes_that_can_change_who_captures_count() {
        let e = |f, t| SubscriptionEvent {
            event_facility: f,
            event_type: t,
            index: Some(1),
        };
        use SubscriptionEventFacility as F;
        use SubscriptionEventType as T;
        assert!(matters(&e(F::SourceOutput, T::Changed)));
        assert!(matters(&e(F::SourceOutput, T::New)));
        assert!(matters(&e(F::Source, T::Removed)));
        assert!(!matters(&e(F::Source, T::Changed)), "a volume change");
        assert!(!matters(&e(F::SinkInput, T::New)));
    }
}
