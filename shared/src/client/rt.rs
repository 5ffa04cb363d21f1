//! The few runtime services the client core needs: starting a task, sleeping, timeouts, a
//! clock and random numbers. On native targets they are tokio's (whose clock tests can
//! pause) and ring's; in the browser (wasm32) they are the page's: tasks run on its event
//! loop and timers are `setTimeout`.
//!
//! Every future here is `Send` on both, so the session code above has one set of bounds: a
//! browser timer (which is not `Send`) runs in a task of its own and reports through a
//! channel.

use std::future::Future;
use std::time::Duration;

use tokio::sync::oneshot;

pub use web_time::Instant;

/// A task that was started; awaiting it waits for its end.
pub struct Task {
    done: oneshot::Receiver<()>,
}

impl Task {
    /// Waits until the task has ended.
    pub async fn ended(self) {
        let _ = self.done.await;
    }
}

/// `Send` on native targets, where tasks move between threads; nothing in the browser, where
/// there is one thread and its objects (a WebSocket, a timer) are not `Send`.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// Starts `task` in the background.
pub fn spawn<F>(task: F) -> Task
where
    F: Future<Output = ()> + MaybeSend + 'static,
{
    let (finished, done) = oneshot::channel();
    let run = async move {
        task.await;
        let _ = finished.send(());
    };
    #[cfg(not(target_arch = "wasm32"))]
    tokio::spawn(run);
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(run);
    Task { done }
}

/// The time now, on the clock that [`sleep_until`] and [`timeout_at`] use.
pub fn now() -> Instant {
    #[cfg(not(target_arch = "wasm32"))]
    return tokio::time::Instant::now().into_std();
    #[cfg(target_arch = "wasm32")]
    return Instant::now();
}

/// Waits for `duration`.
pub fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static {
    #[cfg(not(target_arch = "wasm32"))]
    return tokio::time::sleep(duration);
    #[cfg(target_arch = "wasm32")]
    return browser_sleep(duration);
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> impl Future<Output = ()> + Send + 'static {
    #[cfg(not(target_arch = "wasm32"))]
    return tokio::time::sleep_until(tokio::time::Instant::from_std(deadline));
    #[cfg(target_arch = "wasm32")]
    return browser_sleep(deadline.saturating_duration_since(Instant::now()));
}

/// The time ran out before the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

/// `future`'s output, unless `duration` passes first.
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    timeout_at(now() + duration, future).await
}

/// `future`'s output, unless `deadline` comes first.
pub async fn timeout_at<F: Future>(deadline: Instant, future: F) -> Result<F::Output, Elapsed> {
    tokio::select! {
        biased;
        output = future => Ok(output),
        () = sleep_until(deadline) => Err(Elapsed),
    }
}

/// `bytes` random bytes: from the system on native targets, from the page's generator in the
/// browser (for instance numbers and backoff jitter, not for secrets).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    #[cfg(not(target_arch = "wasm32"))]
    {
        use ring::rand::SecureRandom;
        let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    }
    #[cfg(target_arch = "wasm32")]
    fastrand::fill(&mut bytes);
    bytes
}

/// A browser timer in a task of its own, so the future that waits for it is `Send`. The timer
/// is cleared when the waiting future is dropped (the losing side of a timeout).
#[cfg(target_arch = "wasm32")]
fn browser_sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static {
    // setTimeout takes a signed 32-bit count: longer waits would fire at once.
    const LONGEST_MS: u32 = i32::MAX as u32;
    let (mut fired, wait) = oneshot::channel::<()>();
    let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX).min(LONGEST_MS);
    wasm_bindgen_futures::spawn_local(async move {
        tokio::select! {
            () = gloo_timers::future::TimeoutFuture::new(millis) => {
                let _ = fired.send(());
            }
            () = fired.closed() => {}
        }
    });
    async move {
        let _ = wait.await;
    }
}
