//! How a large job is cut to fit the device limits (pure arithmetic, web-free, unit tested).
//!
//! Two limits matter for element-wise style kernels (one invocation per output element):
//!
//! * **Workgroups per dispatch**: at most `max_compute_workgroups_per_dimension` (65 535 by
//!   default) along x. With [`WORKGROUP_SIZE`] invocations each, one dispatch covers at most
//!   `65 535 · 64 ≈ 4.2 M` elements; a larger job becomes several dispatches, each told its
//!   first element (`base`) through its own uniform slot ([`split_dispatches`]).
//! * **Bytes per buffer binding**: `max_storage_buffer_binding_size` (128 MiB by default) and
//!   `max_buffer_size`. A convolution is cut along the batch axis so that each chunk's input
//!   and output fit ([`batch_chunks`]); one image that does not fit is an error.

use super::error::GpuError;
use std::ops::Range;

/// Invocations per workgroup of every dlviz kernel (`@workgroup_size(64)` in the WGSL).
pub const WORKGROUP_SIZE: u32 = 64;

/// Bytes one binding may span so that every element index fits WGSL's `u32` with room for
/// `base + gid.x` (2^31 bytes = 2^29 `f32`s).
pub const MAX_INDEXABLE_BYTES: u64 = 1 << 31;

/// One `dispatch_workgroups(groups, 1, 1)` covering elements `base .. base + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    /// First element index handled by this dispatch.
    pub base: u32,
    /// Number of elements handled.
    pub count: u32,
    /// Workgroups launched: `⌈count / WORKGROUP_SIZE⌉`.
    pub groups: u32,
}

/// Cuts `total` elements into dispatches of at most `max_groups` workgroups each.
///
/// ```
/// use dlviz::gpu::plan::{split_dispatches, WORKGROUP_SIZE};
/// let d = split_dispatches(1000, 4);
/// assert_eq!(d.len(), 4); // 4 groups · 64 = 256 elements per dispatch
/// assert_eq!(d[3].base, 768);
/// assert_eq!(d[3].count, 232);
/// assert_eq!(d[3].groups, 4);
/// ```
pub fn split_dispatches(total: u32, max_groups: u32) -> Vec<Dispatch> {
    let per = (max_groups.max(1) as u64) * WORKGROUP_SIZE as u64;
    let mut out = Vec::new();
    let mut base = 0u64;
    while base < total as u64 {
        let count = per.min(total as u64 - base);
        out.push(Dispatch {
            base: base as u32,
            count: count as u32,
            groups: count.div_ceil(WORKGROUP_SIZE as u64) as u32,
        });
        base += count;
    }
    out
}

/// Cuts a batch of `n` items into consecutive ranges whose input (`in_bytes` per item) and
/// output (`out_bytes` per item) each fit in `max_bytes`.
///
/// ```
/// use dlviz::gpu::plan::batch_chunks;
/// // 10 items of 300 input bytes and 100 output bytes, 1000 bytes per binding: 3 per chunk.
/// let c = batch_chunks(10, 300, 100, 1000).unwrap();
/// assert_eq!(c, vec![0..3, 3..6, 6..9, 9..10]);
/// assert!(batch_chunks(1, 2000, 4, 1000).is_err());
/// ```
pub fn batch_chunks(
    n: usize,
    in_bytes: u64,
    out_bytes: u64,
    max_bytes: u64,
) -> Result<Vec<Range<usize>>, GpuError> {
    let worst = in_bytes.max(out_bytes);
    if worst > max_bytes {
        let what = if in_bytes >= out_bytes { "one input image" } else { "one output map" };
        return Err(GpuError::TooLarge { what, bytes: worst, limit: max_bytes });
    }
    // Zero bytes per item (empty images): everything fits in one chunk.
    let per_chunk = max_bytes.checked_div(worst).map_or(n.max(1), |k| (k as usize).max(1));
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + per_chunk).min(n);
        out.push(start..end);
        start = end;
    }
    Ok(out)
}

/// Cuts a flat array of `len` `f32`s into ranges of at most `max_bytes` bytes each.
pub fn flat_chunks(len: usize, max_bytes: u64) -> Vec<Range<usize>> {
    let per = ((max_bytes / 4) as usize).max(1);
    (0..len.div_ceil(per)).map(|k| k * per..((k + 1) * per).min(len)).collect()
}

/// `x` rounded up to a multiple of `align` (`align ≥ 1`).
pub fn align_up(x: u64, align: u64) -> u64 {
    let a = align.max(1);
    x.div_ceil(a) * a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_cover_exactly_once() {
        for total in [0u32, 1, 63, 64, 65, 1000, 4096, 100_003] {
            for max_groups in [1u32, 2, 7, 65_535] {
                let d = split_dispatches(total, max_groups);
                let mut next = 0u32;
                for x in &d {
                    assert_eq!(x.base, next);
                    assert!(x.groups <= max_groups);
                    assert!(x.groups * WORKGROUP_SIZE >= x.count);
                    assert!(x.count > 0);
                    next += x.count;
                }
                assert_eq!(next, total);
            }
        }
        assert_eq!(split_dispatches(4_194_241, 65_535).len(), 2);
    }

    #[test]
    fn chunks_fit_and_cover() {
        let c = batch_chunks(7, 100, 40, 250).unwrap();
        assert_eq!(c, vec![0..2, 2..4, 4..6, 6..7]);
        assert_eq!(batch_chunks(5, 0, 0, 8).unwrap(), vec![0..5]);
        assert_eq!(batch_chunks(0, 4, 4, 8).unwrap(), Vec::<Range<usize>>::new());
        match batch_chunks(2, 4, 9, 8) {
            Err(GpuError::TooLarge { what, bytes: 9, limit: 8 }) => {
                assert_eq!(what, "one output map")
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(flat_chunks(10, 16), vec![0..4, 4..8, 8..10]);
        assert!(flat_chunks(0, 16).is_empty());
        assert_eq!(align_up(64, 256), 256);
        assert_eq!(align_up(512, 256), 512);
    }
}
