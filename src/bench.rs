//! Benchmark exports (feature `bench`, wasm32 only): dlviz's kernels as wasm-bindgen classes
//! for the side-by-side page against TensorFlow.js (`cargo xtask bench`, xtask/bench/).
//!
//! Each case owns its inputs and output inside wasm memory, so `run()` times the kernel
//! alone (no copies across the JS boundary); `output()` copies the result out once, for the
//! agreement check. Never part of the app bundle (the feature is off there).

use crate::core::conv::{conv2d_into, Conv2dParams};
use crate::core::matmul::{gemm, Gemm};
use crate::core::Tensor;
use wasm_bindgen::prelude::*;

/// `C = A·B` with `A: m×k`, `B: k×n` (row-major), through [`gemm`].
#[wasm_bindgen]
pub struct MatmulCase {
    g: Gemm,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

#[wasm_bindgen]
impl MatmulCase {
    /// Takes copies of `a` (`m·k` floats) and `b` (`k·n`); errors if the lengths disagree.
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Result<MatmulCase, JsError> {
        let g = Gemm::new(m, k, n);
        let mut case = MatmulCase { g, a: a.to_vec(), b: b.to_vec(), c: vec![0.0; m * n] };
        case.run()?;
        Ok(case)
    }

    /// One product into the case's own output buffer.
    pub fn run(&mut self) -> Result<(), JsError> {
        gemm(self.g, &self.a, &self.b, &mut self.c).map_err(|e| JsError::new(&e.to_string()))
    }

    /// A copy of the last output (`m·n`, row-major).
    pub fn output(&self) -> Vec<f32> {
        self.c.clone()
    }
}

/// 3×3 "same" convolution (stride 1, padding 1) of `x: (N, C, H, W)` with `w: (F, C, 3, 3)`
/// and zero bias, through [`conv2d_into`] (the app's path).
#[wasm_bindgen]
pub struct ConvCase {
    x: Tensor,
    w: Tensor,
    bias: Vec<f32>,
    y: Vec<f32>,
}

#[wasm_bindgen]
impl ConvCase {
    /// Takes copies of `x` (`n·c·h·w` floats, NCHW) and `w` (`f·c·9`, FCHW).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        n: usize,
        c: usize,
        h: usize,
        w: usize,
        f: usize,
        x: &[f32],
        wt: &[f32],
    ) -> Result<ConvCase, JsError> {
        let err = |e: crate::core::ShapeError| JsError::new(&e.to_string());
        let x = Tensor::new(vec![n, c, h, w], x.to_vec()).map_err(err)?;
        let wt = Tensor::new(vec![f, c, 3, 3], wt.to_vec()).map_err(err)?;
        let mut case = ConvCase { x, w: wt, bias: vec![0.0; f], y: Vec::new() };
        case.run()?;
        Ok(case)
    }

    /// One convolution into the case's own output buffer.
    pub fn run(&mut self) -> Result<(), JsError> {
        let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
        conv2d_into(&self.x, &self.w, Some(&self.bias), same, false, &mut self.y)
            .map(|_| ())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// A copy of the last output (`(N, F, H, W)`, NCHW).
    pub fn output(&self) -> Vec<f32> {
        self.y.clone()
    }
}
