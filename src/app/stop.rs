//! How `watch` is stopped: SIGINT, SIGTERM or SIGQUIT.
//!
//! The first signal asks for a clean stop: it sets the flag the readers and the watch loop look
//! at, and the loop hands on what it read, saves checkpoints and prints the summary. Another
//! signal ends the process at once (exit 130) when that takes too long, but only if it comes more
//! than [`SAME_REQUEST`] after the first: `timeout(1)` signals its child and then the child's
//! process group, so signals that close together are one request to stop, not two.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use signal_hook::consts::TERM_SIGNALS;

/// Signals closer than this to the first are the same request to stop.
pub const SAME_REQUEST: Duration = Duration::from_secs(1);

/// Exit code of a stop cut short: the shell's "killed by SIGINT".
pub const INTERRUPTED: i32 = 130;

/// How often the timer looks whether a stop was asked for.
const LOOK: Duration = Duration::from_millis(100);

/// Install the handlers; the flag turns true at the first signal.
///
/// The handlers only set flags, and need no file descriptor (a watch may run with very few): one
/// sets the stop flag, the other exits with [`INTERRUPTED`] once `armed` is set. A timer thread
/// arms it [`SAME_REQUEST`] after it sees the stop flag set.
pub fn install() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let armed = Arc::new(AtomicBool::new(false));
    for signal in TERM_SIGNALS {
        // Exits with `_exit`: no destructor or flush may block the exit the user asked for.
        signal_hook::flag::register_conditional_shutdown(*signal, INTERRUPTED, armed.clone())
            .context("failed to install the signal handler")?;
        signal_hook::flag::register(*signal, stop.clone())
            .context("failed to install the signal handler")?;
    }
    let asked = stop.clone();
    thread::Builder::new()
        .name("stop-timer".into())
        .spawn(move || {
            while !asked.load(Ordering::Relaxed) {
                thread::sleep(LOOK);
            }
            thread::sleep(SAME_REQUEST);
            armed.store(true, Ordering::Relaxed);
        })
        .context("failed to start the stop timer")?;
    Ok(stop)
}
