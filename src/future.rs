//! Small helpers for `select!` loops.

use std::future::Future;

/// Waits for `f` if there is one; never, without one. For a `select!` arm
/// whose source may be absent (no watch, no bus, nothing armed).
pub async fn or_never<F: Future>(f: Option<F>) -> F::Output {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}
