//! Waiting, as the `select!` loops do it: an arm whose source may be absent
//! ([`or_never`]), and the one back-off every retry uses ([`Backoff`]).

use std::future::Future;
use std::time::Duration;

/// Waits for `f` if there is one; never, without one. For a `select!` arm
/// whose source may be absent (no watch, no bus, nothing armed).
pub async fn or_never<F: Future>(f: Option<F>) -> F::Output {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// How long to wait before trying again: `first`, then twice as long after
/// each failure, up to `max`; back to `first` after a success. A timer that
/// exists only while something waits, so nothing wakes while all is well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    now: Duration,
}

impl Backoff {
    pub const fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            now: first,
        }
    }

    /// The wait before the next try.
    pub fn wait(&self) -> Duration {
        self.now
    }

    /// The wait before the next try, and the one after it doubled.
    pub fn next_wait(&mut self) -> Duration {
        let d = self.now;
        self.now = self.now.saturating_mul(2).min(self.max);
        d
    }

    /// Back to the first wait (it worked).
    pub fn reset(&mut self) {
        self.now = self.first;
    }

    /// No failure since the last success: the next one is the first in a
    /// row (said once, then only logged).
    pub fn is_fresh(&self) -> bool {
        self.now == self.first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_ceiling_and_resets() {
        let s = Duration::from_secs;
        let mut b = Backoff::new(s(1), s(10));
        assert!(b.is_fresh());
        let waits: Vec<_> = (0..6).map(|_| b.next_wait().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        assert!(!b.is_fresh());
        b.reset();
        assert_eq!((b.wait(), b.is_fresh()), (s(1), true));
    }
}
