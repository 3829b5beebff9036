//! Matrix product and 2-D convolution, with their backward passes.
//!
//! **Matmul** `Y = A·B`, `A: (m, k)`, `B: (k, n)`:
//! `∂A = ∂Y·Bᵀ`, `∂B = Aᵀ·∂Y` — both through [`gemm`] reading the transposes in place.
//!
//! **Conv2d** (cross-correlation, stride `s`, zero padding `p`, dilation `d`; see
//! [`crate::core::conv`]): `y[n,f,i,j] = b[f] + Σ_{c,u,v} w[f,c,u,v]·x[n,c,s·i+d·u−p,s·j+d·v−p]`.
//! The forward is [`conv2d_into`]. The backward unfolds each input image into columns
//! (`im2col`: `cols[(c,u,v), (i,j)] = x[c, s·i+d·u−p, s·j+d·v−p]`, 0 in the padding), so
//! `Y_n = W·cols_n` with `W: (F, C·KH·KW)`, and then
//! `∂W += ∂Y_n·cols_nᵀ`, `∂cols_n = Wᵀ·∂Y_n` folded back onto the input (`col2im`, adding
//! overlapping taps), `∂b[f] += Σ_{i,j} ∂Y_n[f, i, j]`.

use super::{Grads, Op, Result, Tape, Var};
use crate::core::conv::{conv2d_into, output_shape, Conv2dParams};
use crate::core::matmul::{gemm, Gemm};
use crate::core::tensor::{ShapeError, Tensor};

impl Tape {
    /// `A·B` for `a: (m, k)`, `b: (k, n)` → `(m, n)`.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.id(a)?, self.id(b)?);
        let (sa, sb) = (self.val(ia).shape(), self.val(ib).shape());
        let (m, k, n) = match (sa, sb) {
            ([m, k], [k2, n]) if k == k2 => (*m, *k, *n),
            _ => {
                return Err(ShapeError::Mismatch {
                    what: "matmul: (m, k) · (k, n)",
                    left: sa.to_vec(),
                    right: sb.to_vec(),
                }
                .into())
            }
        };
        let mut out = self.alloc(m * n);
        gemm(Gemm::new(m, k, n), self.val(ia).data(), self.val(ib).data(), &mut out)?;
        let req = self.req(ia) || self.req(ib);
        self.push(vec![m, n], out, Op::MatMul { a: ia, b: ib, m, k, n }, req)
    }

    /// 2-D convolution: `x: (N, C, H, W)`, `w: (F, C, KH, KW)`, optional `b: (F)` →
    /// `(N, F, H_out, W_out)` (see [`crate::core::conv`] for the formula and sizes).
    pub fn conv2d(&mut self, x: Var, w: Var, b: Option<Var>, p: Conv2dParams) -> Result<Var> {
        let (ix, iw) = (self.id(x)?, self.id(w)?);
        let ib = b.map(|b| self.id(b)).transpose()?;
        if let Some(ib) = ib {
            if self.val(ib).rank() != 1 {
                return Err(ShapeError::Rank { expected: 1, got: self.val(ib).rank() }.into());
            }
        }
        let bias = ib.map(|i| self.val(i).data());
        let shape = output_shape(self.val(ix), self.val(iw), bias, p)?;
        let mut out = self.alloc(shape.iter().product());
        let bias = ib.map(|i| self.val(i).data());
        conv2d_into(self.val(ix), self.val(iw), bias, p, false, &mut out)?;
        let req = self.req(ix) || self.req(iw) || ib.is_some_and(|i| self.req(i));
        self.push(shape.to_vec(), out, Op::Conv2d { x: ix, w: iw, b: ib, p }, req)
    }
}

/// `∂A += ∂Y·Bᵀ`, `∂B += Aᵀ·∂Y`.
pub(crate) fn matmul_backward(
    a: usize,
    b: usize,
    [m, k, n]: [usize; 3],
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    if let Some(da) = g.slot(a, m * k) {
        // (m, n) · (k, n)ᵀ -> (m, k)
        gemm(Gemm::new(m, n, k).b_t().acc(), dy, v[b].data(), da)?;
    }
    if let Some(db) = g.slot(b, k * n) {
        // (m, k)ᵀ · (m, n) -> (k, n)
        gemm(Gemm::new(k, m, n).a_t().acc(), v[a].data(), dy, db)?;
    }
    Ok(())
}

/// Sizes of one convolution as the backward needs them.
#[derive(Clone, Copy)]
struct Geo {
    c: usize,
    h: usize,
    w: usize,
    kh: usize,
    kw: usize,
    ho: usize,
    wo: usize,
    p: Conv2dParams,
}

/// `cols[(c,u,v), (i,j)] = x[c, s·i+d·u−p, s·j+d·v−p]` (0 outside): `x: (C, H, W)` →
/// `cols: (C·KH·KW, H_out·W_out)`.
fn im2col(x: &[f32], g: Geo, cols: &mut [f32]) {
    let Geo { c, h, w, kh, kw, ho, wo, p } = g;
    let (s, d, pad) = (p.stride, p.dilation, p.padding as isize);
    for ci in 0..c {
        for u in 0..kh {
            for vv in 0..kw {
                let row = ((ci * kh + u) * kw + vv) * ho * wo;
                for i in 0..ho {
                    let dst = &mut cols[row + i * wo..row + (i + 1) * wo];
                    let y = (s * i + d * u) as isize - pad;
                    if y < 0 || y >= h as isize {
                        dst.fill(0.0);
                        continue;
                    }
                    let src = &x[(ci * h + y as usize) * w..(ci * h + y as usize + 1) * w];
                    for (j, o) in dst.iter_mut().enumerate() {
                        let xx = (s * j + d * vv) as isize - pad;
                        *o = if xx >= 0 && xx < w as isize { src[xx as usize] } else { 0.0 };
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds every column entry back onto the input pixel it came from.
fn col2im_add(cols: &[f32], g: Geo, dx: &mut [f32]) {
    let Geo { c, h, w, kh, kw, ho, wo, p } = g;
    let (s, d, pad) = (p.stride, p.dilation, p.padding as isize);
    for ci in 0..c {
        for u in 0..kh {
            for vv in 0..kw {
                let row = ((ci * kh + u) * kw + vv) * ho * wo;
                for i in 0..ho {
                    let y = (s * i + d * u) as isize - pad;
                    if y < 0 || y >= h as isize {
                        continue;
                    }
                    let src = &cols[row + i * wo..row + (i + 1) * wo];
                    let dst = &mut dx[(ci * h + y as usize) * w..(ci * h + y as usize + 1) * w];
                    for (j, val) in src.iter().enumerate() {
                        let xx = (s * j + d * vv) as isize - pad;
                        if xx >= 0 && xx < w as isize {
                            dst[xx as usize] += val;
                        }
                    }
                }
            }
        }
    }
}

/// Conv2d backward (see the module docs): per batch item, `∂W += ∂Y_n·cols_nᵀ`,
/// `∂x_n += col2im(Wᵀ·∂Y_n)`, `∂b[f] += Σ ∂Y_n[f, ·]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv2d_backward(
    x: usize,
    w: usize,
    b: Option<usize>,
    p: Conv2dParams,
    out: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let [n, c, h, wd] = v[x].dims4()?;
    let [f, _, kh, kw] = v[w].dims4()?;
    let [_, _, ho, wo] = v[out].dims4()?;
    let geo = Geo { c, h, w: wd, kh, kw, ho, wo, p };
    let (taps, pix) = (c * kh * kw, ho * wo);
    // x: (N, C, H, W), w: (F, C·KH·KW), dy: (N, F, Ho·Wo)
    if let Some(bi) = b {
        if let Some(db) = g.slot(bi, f) {
            for item in dy.chunks_exact(f * pix) {
                for (fi, plane) in item.chunks_exact(pix).enumerate() {
                    db[fi] += plane.iter().sum::<f32>();
                }
            }
        }
    }
    let want_w = g.slot(w, f * taps).is_some();
    let want_x = g.slot(x, n * c * h * wd).is_some();
    if !want_w && !want_x {
        return Ok(());
    }
    let mut cols = g.scratch(taps * pix);
    for ni in 0..n {
        let dy_n = &dy[ni * f * pix..(ni + 1) * f * pix];
        if want_w {
            im2col(&v[x].data()[ni * c * h * wd..(ni + 1) * c * h * wd], geo, &mut cols);
            if let Some(dw) = g.slot(w, f * taps) {
                // (F, HoWo) · (taps, HoWo)ᵀ -> (F, taps)
                gemm(Gemm::new(f, pix, taps).b_t().acc(), dy_n, &cols, dw)?;
            }
        }
        if want_x {
            // (F, taps)ᵀ · (F, HoWo) -> (taps, HoWo)
            gemm(Gemm::new(taps, f, pix).a_t(), v[w].data(), dy_n, &mut cols)?;
            if let Some(dx) = g.slot(x, n * c * h * wd) {
                col2im_add(&cols, geo, &mut dx[ni * c * h * wd..(ni + 1) * c * h * wd]);
            }
        }
    }
    g.recycle(cols);
    Ok(())
}
