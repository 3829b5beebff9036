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
pub fn gemm(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> Result<(), ShapeError> {
    g.check(a, b, c)?;
    if !g.accumulate {
        c.fill(0.0);
    }
    let (m, n, k) = (g.m, g.n, g.k);
    if g.b_trans {
        // C[i][j] += dot(op(A)[i][:], Bᵀ[j][:]) — both rows contiguous when A is not transposed.
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
    Ok(())
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
