//! Matrix multiplication: `C ← op(A) · op(B)` (or `C ← C + op(A) · op(B)`).
//!
//! `op(X)` is `X` or `Xᵀ`, so the three products of a linear layer's forward and backward
//! passes (`Y = X·W`, `∂X = ∂Y·Wᵀ`, `∂W = Xᵀ·∂Y`) need no transposed copies:
//!
//! ```text
//! C[i][j] = Σ_p op(A)[i][p] · op(B)[p][j]      i < m, j < n, p < k
//! ```
//!
//! Every matrix is dense, row-major `f32`. With `a_trans = false`, `a` holds `A` as `m × k`;
//! with `a_trans = true` it holds `Aᵀ`'s source as `k × m` (so `op(A) = Aᵀ` is `m × k`). The
//! same for `b`: `k × n`, or `n × k` when `b_trans`.
//!
//! [`gemm`] is the one entry point; [`gemm_reference`] is the plain triple loop it is tested
//! against.

use super::tensor::ShapeError;

/// One matrix product's shape and layout: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gemm {
    /// Rows of `op(A)` and `C`.
    pub m: usize,
    /// Columns of `op(B)` and `C`.
    pub n: usize,
    /// The shared (summed) dimension.
    pub k: usize,
    /// `a` holds `Aᵀ` (`k × m`, row-major) rather than `A` (`m × k`).
    pub a_trans: bool,
    /// `b` holds `Bᵀ` (`n × k`, row-major) rather than `B` (`k × n`).
    pub b_trans: bool,
    /// Add into `C` (`C += op(A)·op(B)`) instead of overwriting it.
    pub accumulate: bool,
}

impl Gemm {
    /// `C = A·B` with `A: m × k`, `B: k × n`.
    pub fn new(m: usize, k: usize, n: usize) -> Self {
        Gemm { m, n, k, a_trans: false, b_trans: false, accumulate: false }
    }

    /// Same product with `a` read as `Aᵀ` stored `k × m`.
    pub fn a_t(mut self) -> Self {
        self.a_trans = true;
        self
    }

    /// Same product with `b` read as `Bᵀ` stored `n × k`.
    pub fn b_t(mut self) -> Self {
        self.b_trans = true;
        self
    }

    /// Accumulate into `C` instead of overwriting it.
    pub fn acc(mut self) -> Self {
        self.accumulate = true;
        self
    }

    /// Multiply–adds performed: `m·n·k` (FLOPs are twice that).
    pub fn macs(&self) -> usize {
        self.m * self.n * self.k
    }

    /// Checks the three slices' lengths against this shape and layout.
    pub fn check(&self, a: &[f32], b: &[f32], c: &[f32]) -> Result<(), ShapeError> {
        let want = |what: &'static str, len: usize, rows: usize, cols: usize| {
            if len == rows * cols {
                Ok(())
            } else {
                Err(ShapeError::Mismatch { what, left: vec![len], right: vec![rows, cols] })
            }
        };
        let (ar, ac) = if self.a_trans { (self.k, self.m) } else { (self.m, self.k) };
        let (br, bc) = if self.b_trans { (self.n, self.k) } else { (self.k, self.n) };
        want("gemm: length of a vs its shape", a.len(), ar, ac)?;
        want("gemm: length of b vs its shape", b.len(), br, bc)?;
        want("gemm: length of c vs its shape", c.len(), self.m, self.n)
    }

    #[inline]
    fn a_at(&self, a: &[f32], i: usize, p: usize) -> f32 {
        if self.a_trans {
            a[p * self.m + i]
        } else {
            a[i * self.k + p]
        }
    }

    #[inline]
    fn b_at(&self, b: &[f32], p: usize, j: usize) -> f32 {
        if self.b_trans {
            b[j * self.k + p]
        } else {
            b[p * self.n + j]
        }
    }
}

/// `C ← op(A)·op(B)` (or `C += …` when `g.accumulate`), the fast path.
///
/// Shapes: `a: m×k` (`k×m` if `a_trans`), `b: k×n` (`n×k` if `b_trans`), `c: m×n`.
/// Errors if a slice's length does not match `g`; `c` is then untouched.
///
/// # Method
/// Products of more than a few thousand multiply–adds use a packed, cache-blocked GEMM
/// (Goto's scheme): `op(B)` is copied block by block (`KC × NC`) into panels of [`NR`] columns,
/// `op(A)` (`MC × KC`) into panels of [`MR`] rows — the transposes are absorbed by the copy —
/// and a register-blocked micro-kernel computes each `MR × NR` tile of `C` over `KC` steps
/// with every accumulator in a register (wasm SIMD128 `f32x4` in the browser, plain arrays
/// that LLVM vectorises natively). Tiny products use direct loops, where packing would cost
/// more than it saves.
///
/// ```
/// use dlviz::core::matmul::{gemm, Gemm};
/// // [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]]
/// let mut c = [0.0f32; 4];
/// gemm(Gemm::new(2, 2, 2), &[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0], &mut c).unwrap();
/// assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
/// ```
pub fn gemm(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> Result<(), ShapeError> {
    g.check(a, b, c)?;
    if g.m == 0 || g.n == 0 {
        return Ok(());
    }
    if g.k == 0 {
        if !g.accumulate {
            c.fill(0.0);
        }
        return Ok(());
    }
    if g.macs() < SMALL_MACS || g.m < 2 {
        gemm_small(g, a, b, c);
        return Ok(());
    }
    with_scratch(|s| {
        let pa = StridedA::of(g, a);
        let pb = StridedB::of(g, b);
        let out = Out { c, ldc: g.n, bias: None, relu: false, accumulate: g.accumulate };
        gemm_blocked(g.m, g.n, g.k, &pa, &pb, out, s);
    });
    Ok(())
}

/// Below this many multiply–adds (or with a single row) [`gemm`] uses direct loops.
const SMALL_MACS: usize = 4096;

/// Rows of `C` per micro-kernel tile (rows of an `A` panel).
pub(crate) const MR: usize = 4;
/// Columns of `C` per micro-kernel tile (two 4-lane vectors; columns of a `B` panel).
pub(crate) const NR: usize = 8;
/// Depth of one packed block. An `NR`-column `B` panel is `KC·NR` floats (32 KiB, about L1);
/// every block costs a packing pass over `A` and a read-modify-write of `C`, and fewer, deeper
/// blocks measured faster than L1-sized ones (node, wasm, against tfjs-wasm: KC = 256 / 512 /
/// 1024 gave 128×784×256 at 1.29× / 1.16× / 0.81× tfjs's time, 1024³ at 1.04× / 0.93× / 0.81×).
const KC: usize = 1024;
/// Rows of `A` packed at once: `MC·KC` floats (512 KiB, about L2).
const MC: usize = 128;
/// Columns of `B` packed at once (`KC·NC` floats, in L3).
const NC: usize = 2048;

/// The direct loops for small products (no packing).
fn gemm_small(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    if !g.accumulate {
        c.fill(0.0);
    }
    let (m, n, k) = (g.m, g.n, g.k);
    if g.b_trans {
        // C[i][j] += dot(op(A)[i][:], Bᵀ[j][:]) — both rows contiguous.
        let mut arow = vec![0.0f32; k];
        for i in 0..m {
            for (p, v) in arow.iter_mut().enumerate() {
                *v = g.a_at(a, i, p);
            }
            let crow = &mut c[i * n..(i + 1) * n];
            for (j, cv) in crow.iter_mut().enumerate() {
                let brow = &b[j * k..(j + 1) * k];
                let mut s = 0.0f32;
                for (x, y) in arow.iter().zip(brow) {
                    s += x * y;
                }
                *cv += s;
            }
        }
    } else {
        // i-p-j order: the inner loop is an axpy over a row of B and a row of C (vectorises).
        for i in 0..m {
            let crow = &mut c[i * n..(i + 1) * n];
            for p in 0..k {
                let av = g.a_at(a, i, p);
                if av == 0.0 {
                    continue;
                }
                let brow = &b[p * n..(p + 1) * n];
                for (cv, bv) in crow.iter_mut().zip(brow) {
                    *cv += av * bv;
                }
            }
        }
    }
}

/// Packing buffers, kept per thread between calls (a training step calls gemm many times).
#[derive(Default)]
pub(crate) struct GemmScratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<GemmScratch> =
        std::cell::RefCell::new(GemmScratch::default());
}

/// Runs `f` with this thread's packing buffers (fresh ones if they are somehow in use).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut GemmScratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut GemmScratch::default()),
    })
}

/// A source of `op(A)` (`m × k`) that can copy a block into `MR`-row panels.
pub(crate) trait PackA {
    /// Writes rows `i0..i0+mc`, columns `p0..p0+kc` of `op(A)` into `dst` as
    /// `⌈mc/MR⌉` panels laid out `[panel][p][r]` (`kc·MR` floats each), zero-padding rows past
    /// `mc`.
    fn pack(&self, i0: usize, mc: usize, p0: usize, kc: usize, dst: &mut [f32]);
}

/// A source of `op(B)` (`k × n`) that can copy a block into `NR`-column panels.
pub(crate) trait PackB {
    /// Writes rows `p0..p0+kc`, columns `j0..j0+nc` of `op(B)` into `dst` as `⌈nc/NR⌉`
    /// panels laid out `[panel][p][col]` (`kc·NR` floats each), zero-padding columns past `nc`.
    fn pack(&self, p0: usize, kc: usize, j0: usize, nc: usize, dst: &mut [f32]);
}

/// `op(A)` read from a dense row-major slice (`m × k`, or `k × m` when transposed).
pub(crate) struct StridedA<'a> {
    data: &'a [f32],
    /// Distance between `op(A)[i][p]` and `op(A)[i+1][p]`.
    row: usize,
    /// Distance between `op(A)[i][p]` and `op(A)[i][p+1]`.
    col: usize,
}

impl<'a> StridedA<'a> {
    /// `op(A)` of `g` over `a` (lengths already checked).
    pub(crate) fn of(g: Gemm, a: &'a [f32]) -> Self {
        if g.a_trans {
            StridedA { data: a, row: 1, col: g.m }
        } else {
            StridedA { data: a, row: g.k, col: 1 }
        }
    }
}

impl PackA for StridedA<'_> {
    fn pack(&self, i0: usize, mc: usize, p0: usize, kc: usize, dst: &mut [f32]) {
        for (panel, d) in dst.chunks_exact_mut(kc * MR).take(mc.div_ceil(MR)).enumerate() {
            let r0 = panel * MR;
            let rows = MR.min(mc - r0);
            if rows < MR {
                d.fill(0.0);
            }
            if self.row == 1 {
                // Transposed storage: the MR values of one p are contiguous.
                for (p, dp) in d.chunks_exact_mut(MR).enumerate() {
                    let s = (p0 + p) * self.col + i0 + r0;
                    dp[..rows].copy_from_slice(&self.data[s..s + rows]);
                }
            } else {
                for r in 0..rows {
                    let s = (i0 + r0 + r) * self.row + p0;
                    for (p, &v) in self.data[s..s + kc].iter().enumerate() {
                        d[p * MR + r] = v;
                    }
                }
            }
        }
    }
}

/// `op(B)` read from a dense row-major slice (`k × n`, or `n × k` when transposed).
pub(crate) struct StridedB<'a> {
    data: &'a [f32],
    /// Distance between `op(B)[p][j]` and `op(B)[p+1][j]`.
    row: usize,
    /// Distance between `op(B)[p][j]` and `op(B)[p][j+1]`.
    col: usize,
}

impl<'a> StridedB<'a> {
    /// `op(B)` of `g` over `b` (lengths already checked).
    pub(crate) fn of(g: Gemm, b: &'a [f32]) -> Self {
        if g.b_trans {
            StridedB { data: b, row: 1, col: g.k }
        } else {
            StridedB { data: b, row: g.n, col: 1 }
        }
    }
}

impl PackB for StridedB<'_> {
    fn pack(&self, p0: usize, kc: usize, j0: usize, nc: usize, dst: &mut [f32]) {
        for (panel, d) in dst.chunks_exact_mut(kc * NR).take(nc.div_ceil(NR)).enumerate() {
            let c0 = panel * NR;
            let cols = NR.min(nc - c0);
            if cols < NR {
                d.fill(0.0);
            }
            if self.col == 1 {
                // Row-major storage: the NR values of one p are contiguous.
                for (p, dp) in d.chunks_exact_mut(NR).enumerate() {
                    let s = (p0 + p) * self.row + j0 + c0;
                    dp[..cols].copy_from_slice(&self.data[s..s + cols]);
                }
            } else {
                for cc in 0..cols {
                    let s = (j0 + c0 + cc) * self.col + p0;
                    for (p, &v) in self.data[s..s + kc].iter().enumerate() {
                        d[p * NR + cc] = v;
                    }
                }
            }
        }
    }
}

/// Where and how the blocked GEMM writes `C` (`m × n`, row stride `ldc`).
pub(crate) struct Out<'c, 'b> {
    /// The output, row `i` at `c[i·ldc..]`.
    pub c: &'c mut [f32],
    /// Row stride of `c`.
    pub ldc: usize,
    /// Added to every element of row `i` (a convolution's per-filter bias); `None` adds 0.
    pub bias: Option<&'b [f32]>,
    /// `max(0, ·)` applied after the last block (NaN becomes 0).
    pub relu: bool,
    /// Add into what `c` holds instead of overwriting it.
    pub accumulate: bool,
}

/// `C (m × n) ← [C +] A·B (+ bias) [then ReLU]`, `A` and `B` packed on the fly from `pa`/`pb`.
///
/// Loop order (outer to inner): `NC` columns → `KC` depth (pack `B`) → `MC` rows (pack `A`)
/// → `NR`-column panel → `MR`-row panel → micro-kernel. `c` must hold `(m−1)·ldc + n` floats.
pub(crate) fn gemm_blocked(
    m: usize,
    n: usize,
    k: usize,
    pa: &impl PackA,
    pb: &impl PackB,
    out: Out<'_, '_>,
    s: &mut GemmScratch,
) {
    let Out { c, ldc, bias, relu, accumulate } = out;
    if m == 0 || n == 0 || c.len() < (m - 1) * ldc + n {
        return;
    }
    let kc_max = KC.min(k.max(1));
    s.b.resize(NC.min(n).div_ceil(NR) * NR * kc_max, 0.0);
    s.a.resize(MC.min(m).div_ceil(MR) * MR * kc_max, 0.0);
    let mut tile = [[0.0f32; NR]; MR];
    if k == 0 {
        // No product: C = [C +] bias, then ReLU.
        for i in 0..m {
            let bi = bias.map_or(0.0, |b| b.get(i).copied().unwrap_or(0.0));
            for v in &mut c[i * ldc..i * ldc + n] {
                let x = if accumulate { *v + bi } else { bi };
                *v = if !relu || x > 0.0 { x } else { 0.0 };
            }
        }
        return;
    }
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            let bbuf = &mut s.b[..nc.div_ceil(NR) * NR * kc];
            pb.pack(pc, kc, jc, nc, bbuf);
            let first = pc == 0;
            let last = pc + kc == k;
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                let abuf = &mut s.a[..mc.div_ceil(MR) * MR * kc];
                pa.pack(ic, mc, pc, kc, abuf);
                for (jp, bp) in s.b[..nc.div_ceil(NR) * NR * kc].chunks_exact(kc * NR).enumerate() {
                    let j = jc + jp * NR;
                    let cols = NR.min(n - j);
                    for (ip, ap) in
                        s.a[..mc.div_ceil(MR) * MR * kc].chunks_exact(kc * MR).enumerate()
                    {
                        let i = ic + ip * MR;
                        let rows = MR.min(m - i);
                        // SAFETY: ap holds kc·MR floats and bp kc·NR (chunks_exact).
                        unsafe { micro_kernel(kc, ap.as_ptr(), bp.as_ptr(), &mut tile) };
                        let mode = Store { add: accumulate || !first, bias, relu: relu && last };
                        store_tile(&tile, c, ldc, i, j, rows, cols, mode);
                    }
                }
            }
        }
    }
}

/// How a finished tile is written back.
#[derive(Clone, Copy)]
struct Store<'b> {
    /// Add the tile to `C` (a later depth block, or accumulate) instead of overwriting it.
    add: bool,
    /// Bias per row, added when not `add`ing (the first block).
    bias: Option<&'b [f32]>,
    /// Apply ReLU (the last block).
    relu: bool,
}

/// Writes the top-left `rows × cols` of `tile` into `C` at `(i, j)`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn store_tile(
    tile: &[[f32; NR]; MR],
    c: &mut [f32],
    ldc: usize,
    i: usize,
    j: usize,
    rows: usize,
    cols: usize,
    mode: Store<'_>,
) {
    for (r, t) in tile.iter().enumerate().take(rows) {
        let o = (i + r) * ldc + j;
        let Some(dst) = c.get_mut(o..o + cols) else { return };
        let base = if mode.add {
            0.0
        } else {
            mode.bias.and_then(|b| b.get(i + r)).copied().unwrap_or(0.0)
        };
        if cols == NR {
            // Constant length: vectorised loads/stores, no memcpy call.
            let dst: &mut [f32; NR] = match dst.try_into() {
                Ok(d) => d,
                Err(_) => return,
            };
            let mut v = *t;
            for (x, d) in v.iter_mut().zip(dst.iter()) {
                *x += if mode.add { *d } else { base };
            }
            if mode.relu {
                for x in v.iter_mut() {
                    *x = if *x > 0.0 { *x } else { 0.0 };
                }
            }
            *dst = v;
        } else {
            for (d, &x) in dst.iter_mut().zip(t) {
                let y = x + if mode.add { *d } else { base };
                *d = if !mode.relu || y > 0.0 { y } else { 0.0 };
            }
        }
    }
}

/// `tile = Σ_p a[p·MR + r] · b[p·NR + col]` over `kc` steps (a packed `MR`-row panel of `A`
/// times a packed `NR`-column panel of `B`), every accumulator in a register.
///
/// # Safety
/// `a` points at `kc·MR` readable floats and `b` at `kc·NR`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn micro_kernel(kc: usize, a: *const f32, b: *const f32, tile: &mut [[f32; NR]; MR]) {
    let mut acc = [[0.0f32; NR]; MR];
    for p in 0..kc {
        let bv: [f32; NR] = std::ptr::read_unaligned(b.add(p * NR) as *const [f32; NR]);
        let av: [f32; MR] = std::ptr::read_unaligned(a.add(p * MR) as *const [f32; MR]);
        for (acc_r, &ar) in acc.iter_mut().zip(&av) {
            for (x, &y) in acc_r.iter_mut().zip(&bv) {
                *x += ar * y;
            }
        }
    }
    *tile = acc;
}

/// wasm SIMD128 micro-kernel (same contract as the portable one): per step, two `B` vectors
/// and `MR` broadcast `A` values feed `2·MR` multiply–adds.
///
/// Written for what the two compilers in between do (measured in node against tfjs-wasm,
/// 256³–1024³: 1.3–2.1× → 0.84–1.07×):
/// * the eight accumulators are named variables, not an array indexed in a loop: at the
///   release profile's opt-level "s" LLVM leaves a `for r in 0..MR` loop rolled and the
///   accumulators in memory;
/// * one step per loop iteration, no unrolling: in an unrolled body LLVM hoists every load of
///   all the steps to the top (wasm locals are free to it), and V8, which allocates registers
///   in the order it is given, then spills most of them to the stack.
///
/// # Safety
/// `a` points at `kc·MR` readable floats and `b` at `kc·NR`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn micro_kernel(kc: usize, a: *const f32, b: *const f32, tile: &mut [[f32; NR]; MR]) {
    use core::arch::wasm32::*;
    const _: () = assert!(MR == 4 && NR == 8, "the kernel below is written out for a 4×8 tile");
    let z = f32x4_splat(0.0);
    let (mut l0, mut l1, mut l2, mut l3) = (z, z, z, z);
    let (mut h0, mut h1, mut h2, mut h3) = (z, z, z, z);
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        let b0 = v128_load(bp as *const v128);
        let b1 = v128_load(bp.add(4) as *const v128);
        let a0 = v128_load32_splat(ap as *const u32);
        l0 = f32x4_add(l0, f32x4_mul(a0, b0));
        h0 = f32x4_add(h0, f32x4_mul(a0, b1));
        let a1 = v128_load32_splat(ap.add(1) as *const u32);
        l1 = f32x4_add(l1, f32x4_mul(a1, b0));
        h1 = f32x4_add(h1, f32x4_mul(a1, b1));
        let a2 = v128_load32_splat(ap.add(2) as *const u32);
        l2 = f32x4_add(l2, f32x4_mul(a2, b0));
        h2 = f32x4_add(h2, f32x4_mul(a2, b1));
        let a3 = v128_load32_splat(ap.add(3) as *const u32);
        l3 = f32x4_add(l3, f32x4_mul(a3, b0));
        h3 = f32x4_add(h3, f32x4_mul(a3, b1));
        ap = ap.add(MR);
        bp = bp.add(NR);
    }
    for (row, (lo, hi)) in tile.iter_mut().zip([(l0, h0), (l1, h1), (l2, h2), (l3, h3)]) {
        v128_store(row.as_mut_ptr() as *mut v128, lo);
        v128_store(row.as_mut_ptr().add(4) as *mut v128, hi);
    }
}

/// The plain triple loop, accumulated in `f64`: the reference [`gemm`] is tested against.
pub fn gemm_reference(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> Result<(), ShapeError> {
    g.check(a, b, c)?;
    for i in 0..g.m {
        for j in 0..g.n {
            let mut s = 0.0f64;
            for p in 0..g.k {
                s += g.a_at(a, i, p) as f64 * g.b_at(b, p, j) as f64;
            }
            let base = if g.accumulate { c[i * g.n + j] as f64 } else { 0.0 };
            c[i * g.n + j] = (base + s) as f32;
        }
    }
    Ok(())
}
