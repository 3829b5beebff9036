//! Asynchronous readback of GPU results, on both targets.
//!
//! `Buffer::map_async` reports completion through a callback. In the browser the callback runs
//! from the event loop once WebGPU's `mapAsync` promise resolves — a blocking wait would
//! deadlock the page — so the callback completes a tiny [`oneshot`] channel whose receiving
//! end is a `Future` the caller awaits. Natively wgpu only runs callbacks while the device is
//! polled, so there [`read_f32`] calls `device.poll(Wait)` before awaiting (the future is then
//! already complete, and `pollster::block_on` or any executor returns at once).

use super::context::GpuContext;
use super::error::GpuError;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Longest native wait for one submission before giving up with [`GpuError::Timeout`].
#[cfg(not(target_arch = "wasm32"))]
const NATIVE_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
    closed: bool,
}

/// Sending half of a [`oneshot`] channel. Dropping it unsent closes the channel.
pub struct Sender<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// Receiving half of a [`oneshot`] channel: a future of `Some(value)`, or `None` when the
/// sender was dropped without sending.
pub struct Receiver<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// A single-value channel whose receiver is a `Future` (no executor or runtime needed).
pub fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot { value: None, waker: None, closed: false }));
    (Sender { slot: slot.clone() }, Receiver { slot })
}

impl<T> Sender<T> {
    /// Delivers `value` and wakes the receiver.
    pub fn send(self, value: T) {
        let waker = match self.slot.lock() {
            Ok(mut s) => {
                s.value = Some(value);
                s.waker.take()
            }
            // A poisoned lock means the receiver's thread panicked; nobody is listening.
            Err(_) => None,
        };
        if let Some(w) = waker {
            w.wake();
        }
        // `Drop` runs next and sets `closed`, which is harmless once the value is stored.
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = match self.slot.lock() {
            Ok(mut s) => {
                s.closed = true;
                s.waker.take()
            }
            Err(_) => None,
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let Ok(mut s) = self.slot.lock() else {
            return Poll::Ready(None);
        };
        if let Some(v) = s.value.take() {
            return Poll::Ready(Some(v));
        }
        if s.closed {
            return Poll::Ready(None);
        }
        s.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Waits until the GPU has finished the work submitted so far (native only; in the browser
/// this is a no-op because WebGPU completes work on its own and callbacks run from the event
/// loop).
pub fn wait_idle(ctx: &GpuContext) -> Result<(), GpuError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        ctx.device
            .poll(wgpu::PollType::Wait { submission_index: None, timeout: Some(NATIVE_WAIT) })
            .map_err(|e| GpuError::Timeout(e.to_string()))?;
    }
    #[cfg(target_arch = "wasm32")]
    let _ = ctx;
    Ok(())
}

/// Maps the first `len` `f32`s of `staging` (a `MAP_READ | COPY_DST` buffer whose copy has been
/// submitted) and returns them; the buffer is unmapped again before returning.
pub async fn read_f32(
    ctx: &GpuContext,
    staging: &wgpu::Buffer,
    len: usize,
) -> Result<Vec<f32>, GpuError> {
    let bytes = (len * 4) as u64;
    if len == 0 {
        return Ok(Vec::new());
    }
    if bytes > staging.size() {
        return Err(GpuError::Map(format!(
            "asked for {bytes} bytes from a {}-byte buffer",
            staging.size()
        )));
    }
    let (tx, rx) = oneshot();
    let slice = staging.slice(..bytes);
    slice.map_async(wgpu::MapMode::Read, move |r| tx.send(r));
    wait_idle(ctx)?;
    let mapped = match rx.await {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the map callback was dropped".to_string()),
    };
    if let Err(m) = mapped {
        return Err(match ctx.lost_reason() {
            Some(lost) => GpuError::DeviceLost(lost),
            None => GpuError::Map(m),
        });
    }
    let out = {
        let view = slice.get_mapped_range().map_err(|e| GpuError::Map(e.to_string()))?;
        view.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    staging.unmap();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Flag(Mutex<bool>);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            if let Ok(mut f) = self.0.lock() {
                *f = true;
            }
        }
    }

    fn poll_once<F: Future + Unpin>(f: &mut F, flag: &Arc<Flag>) -> Poll<F::Output> {
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        Pin::new(f).poll(&mut cx)
    }

    #[test]
    fn oneshot_delivers_and_wakes() {
        let flag = Arc::new(Flag(Mutex::new(false)));
        let (tx, mut rx) = oneshot::<u32>();
        assert!(poll_once(&mut rx, &flag).is_pending());
        tx.send(7);
        assert!(*flag.0.lock().unwrap());
        assert_eq!(poll_once(&mut rx, &flag), Poll::Ready(Some(7)));
    }

    #[test]
    fn oneshot_dropped_sender_resolves_none() {
        let flag = Arc::new(Flag(Mutex::new(false)));
        let (tx, mut rx) = oneshot::<u32>();
        assert!(poll_once(&mut rx, &flag).is_pending());
        drop(tx);
        assert!(*flag.0.lock().unwrap());
        assert_eq!(poll_once(&mut rx, &flag), Poll::Ready(None));
    }
}
