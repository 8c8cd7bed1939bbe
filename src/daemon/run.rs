//! The loop. Each turn: ask the idle source (bounded), do what waits and
//! what is due (see `settle`), arm the wall-clock timer for the next due
//! time, and wait for whatever comes first. No arm waits on a file, SQLite
//! or D-Bus: those answer through channels.

use std::process::ExitCode;
use std::time::Duration;

use tracing::{debug, info, warn};

use super::Daemon;
use super::start::Sources;
use super::write::finished;
use crate::notify::Request;
use crate::platform::{Signal, Wake};
use crate::vocab::CommandError;
use crate::wait::or_never;

pub(super) async fn run(mut d: Daemon, mut s: Sources) -> ExitCode {
    info!("unhunch {} running", env!("CARGO_PKG_VERSION"));
    loop {
        // Let the runtime poll its drivers each turn: should an arm ever be
        // ready at once again and again, signals (SIGTERM) still get in.
        tokio::task::yield_now().await;
        // Sampled only when the facts can be acted on at once: a decision
        // under way was made without them, and the next turn comes as soon
        // as it is written.
        if let Some(source) = &s.idle
            && d.writing.is_none()
        {
            let now = d.clock.now();
            d.sample_idle(source.as_ref(), &now).await;
        }
        s.zone.check();
        s.calendars
            .follow(&d.engine.config().calendars, &d.clock.now());
        d.settle();
        if let Some(settings) = d.sync_changed.take() {
            s.sync = d.restart_sync(settings);
        }
        if d.stopping {
            break;
        }
        let now = d.clock.now();
        d.show_tray(&now);
        // While a decision is written, or schedule writes wait out their
        // back-off, what is due is known and waits: the timer would only
        // fire at once, over and over. The write's end or the back-off's
        // sleep wakes the loop.
        let next = if d.writing.is_some() || d.retry.waiting().is_some() {
            None
        } else {
            d.next_wake(&now)
        };
        // The calendars' window runs out: a wake of its own.
        let next = match (next, s.calendars.refresh) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let (next, input_signal) = match &s.idle {
            Some(source) => d.watch_for_return(source.as_ref(), next, &now),
            None => (next, None),
        };
        // Due times are in the clock's frame; the timer runs on the real one.
        let offset = d.clock.offset();
        s.timer
            .set(next.map(|t| t.checked_sub(offset).unwrap_or(t)));
        let retry = d.retry.waiting();
        // What ran deeper than the wait (start-up, a burst of work) leaves
        // stack pages the waiting loop does not use: given back.
        crate::platform::release_unused_stack();
        tokio::select! {
            w = s.timer.wait() => if w == Wake::ClockChanged {
                info!("the system clock was set (or the timer looks again): looking again");
            },
            r = finished(&mut d.writing) => d.written(r),
            () = or_never(retry.map(tokio::time::sleep_until)) => debug!("trying the history again"),
            Some(c) = s.commands.recv() => d.command(c),
            Some(p) = s.presence.recv() => d.presence_changed(p),
            Some(i) = or_never(s.sync.as_mut().map(|r| r.recv())) => d.sync_incoming(i),
            Some(n) = s.notices.recv() => d.alert("unhunch: history file replaced", &n),
            () = or_never(input_signal) => debug!("input again (signalled)"),
            () = s.zone.changed() => debug!("the time zone's file changed: looking again"),
            r = s.config.next() => d.config_read(r),
            r = s.calendars.next() => d.calendars_read(r),
            sig = s.signals.next() => match sig {
                Signal::Reload => {
                    info!("SIGHUP: reading the config again");
                    s.config.reload_now();
                }
                Signal::ClockMoved => info!("SIGUSR1: the clock was set (test clock): looking again"),
                Signal::Stop(name) => { info!("{name}: stopping"); break; }
            },
        }
    }
    stop(d, s).await
}

/// How long the loop waits when the engine's next wake is already past.
const STUCK_RETRY: jiff::SignedDuration = jiff::SignedDuration::from_mins(1);

/// How long stopping waits for a write under way, and for the notifier.
const STOP_WAIT: Duration = Duration::from_secs(2);

async fn stop(mut d: Daemon, s: Sources) -> ExitCode {
    // A write under way ends first, so its giver hears the truth.
    if d.writing.is_some()
        && let Ok(r) = tokio::time::timeout(STOP_WAIT, finished(&mut d.writing)).await
    {
        d.written(r);
    }
    for cmd in d.queue.drain(..) {
        cmd.answer(Err(CommandError::Stopping));
    }
    // Gone: away from here, for the other devices.
    if d.engine.away().is_none() {
        d.share_presence(Some(d.clock.now().timestamp()), &d.clock.now());
    }
    // Notifications left up could no longer be answered: take them down.
    for r in d.engine.pending() {
        d.notify(Request::Close(r.id.clone()));
    }
    let Daemon {
        notify, tray, sync, ..
    } = d;
    if let Some(link) = sync {
        let _ = tokio::time::timeout(
            STOP_WAIT,
            tokio::task::spawn_blocking(move || link.sync.close()),
        )
        .await;
    }
    drop(notify);
    if let Some(t) = tray {
        t.shutdown().await;
    }
    let _ = tokio::time::timeout(STOP_WAIT, s.notifier).await;
    ExitCode::SUCCESS
}

impl Daemon {
    /// The next instant the engine has something to do, just after a tick
    /// was made. Due already once more is normal (it fell due between the
    /// tick and now); due already twice in a row means the schedule cannot
    /// move on (as at the end of the calendar, where date arithmetic
    /// saturates), and looking again at once would spin the loop.
    fn next_wake(&mut self, now: &jiff::ZonedDateTime) -> Option<jiff::Timestamp> {
        let t = now.timestamp();
        let mut next = self.engine.next_wake(now);
        let past = next.is_some_and(|n| n <= t);
        if past && self.stuck {
            warn!(
                "the clock reads {now}, where the schedule cannot move on: looking again in a minute"
            );
            next = t
                .checked_add(STUCK_RETRY)
                .ok()
                .or(Some(jiff::Timestamp::MAX));
        }
        self.stuck = past;
        match next {
            Some(t) => debug!(
                "next wake {} (in {})",
                t.to_zoned_datetime(now.time_zone().clone()),
                crate::core::time::humane(t.duration_since(now.timestamp()))
            ),
            None => debug!("nothing due: sleeping until something happens"),
        }
        next
    }
}
