//! The seam between the forward pass and whatever computes ternary products.
//!
//! The forward pass never multiplies a ternary matrix itself: it quantizes the input to int8,
//! asks a [`BitLinearBackend`] for the exact i32 accumulators, and dequantizes. The
//! [`SoftwareBackend`] here is the reference; the simulated hardware implements the same trait
//! and must return the same integers.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::LinearKind;
use crate::error::BackendError;
use crate::ternary::{TernaryMatrix, CODE_VALUE};

/// Where in the model a BitLinear call happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MatmulSite {
    pub layer: usize,
    pub kind: LinearKind,
    /// Position of the first of the call's vectors in the sequence (one vector a token).
    pub pos: usize,
}

impl std::fmt::Display for MatmulSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "layer {} {} at position {}", self.layer, self.kind, self.pos)
    }
}

pub trait BitLinearBackend {
    /// A short name for messages and reports ("software", "verilator").
    fn name(&self) -> &str;

    /// Exact ternary products. `x` holds `m = x.len() / w.cols()` int8 vectors one after
    /// another; `out` receives `m * w.rows()` accumulators, vector-major:
    /// `out[v * rows + n] = sum_k w[n, k] * x[v * cols + k]`.
    fn matmul(
        &mut self,
        site: &MatmulSite,
        w: &TernaryMatrix,
        x: &[i8],
        out: &mut [i32],
    ) -> Result<(), BackendError>;

    /// Several matrices that read the same activations (q, k and v; gate and up) as one job:
    /// `outs[i]` receives `ws[i] x`, as [`matmul`](Self::matmul) would. Hardware that streams
    /// weights runs them back to back without draining its pipeline in between; the default
    /// calls `matmul` once per matrix.
    fn matmul_group(&mut self, sites: &[MatmulSite], ws: &[&TernaryMatrix], x: &[i8], outs: &mut [&mut [i32]]) -> Result<(), BackendError> {
        for ((site, w), out) in sites.iter().zip(ws).zip(outs.iter_mut()) {
            self.matmul(site, w, x, out)?;
        }
        Ok(())
    }
}

/// A borrowed backend is a backend (so wrappers such as check mode can take `&mut dyn ..`).
impl<B: BitLinearBackend + ?Sized> BitLinearBackend for &mut B {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn matmul(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        (**self).matmul(site, w, x, out)
    }

    fn matmul_group(&mut self, sites: &[MatmulSite], ws: &[&TernaryMatrix], x: &[i8], outs: &mut [&mut [i32]]) -> Result<(), BackendError> {
        (**self).matmul_group(sites, ws, x, outs)
    }
}

/// The reference backend: table lookup over packed weights, rayon across rows.
///
/// For every group of four activations it builds a 256-entry table holding the sum for each
/// possible packed weight byte; a row's dot product is then one lookup and one add per four
/// weights, with no branch and no multiply (the same arithmetic the hardware does, four lanes
/// at a time). The tables cost `256 * cols / 4` additions per vector, shared by all rows.
#[derive(Clone, Copy, Debug, Default)]
pub struct SoftwareBackend;

impl BitLinearBackend for SoftwareBackend {
    fn name(&self) -> &str {
        "software"
    }

    fn matmul(&mut self, _site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        check_shapes(w, x, out)?;
        ternary_matmul(w, x, out);
        Ok(())
    }
}

/// Checks that `x` and `out` hold the same whole number of vectors for `w`.
pub fn check_shapes(w: &TernaryMatrix, x: &[i8], out: &[i32]) -> Result<usize, BackendError> {
    let (rows, cols) = (w.rows(), w.cols());
    if cols == 0 || !x.len().is_multiple_of(cols) || out.len() != x.len() / cols * rows {
        return Err(format!(
            "shape mismatch: a {rows} x {cols} matrix got {} activations and {} outputs",
            x.len(),
            out.len()
        )
        .into());
    }
    Ok(x.len() / cols)
}

/// Sizes `acc` for `vectors` vectors of each matrix of a group and cuts it into one output
/// slice per matrix, as [`BitLinearBackend::matmul_group`] takes them.
pub fn group_outputs(acc: &mut Vec<i32>, rows: impl Iterator<Item = usize> + Clone, vectors: usize) -> Vec<&mut [i32]> {
    acc.resize(rows.clone().map(|r| vectors * r).sum(), 0);
    let mut outs = Vec::new();
    let mut rest = &mut acc[..];
    for r in rows {
        let (a, tail) = rest.split_at_mut(vectors * r);
        outs.push(a);
        rest = tail;
    }
    outs
}

/// Rows handed to one rayon task.
const ROWS_PER_TASK: usize = 32;

/// Exact `out = W x` for every vector in `x` (see [`BitLinearBackend::matmul`]).
pub fn ternary_matmul(w: &TernaryMatrix, x: &[i8], out: &mut [i32]) {
    let (rows, cols, groups) = (w.rows(), w.cols(), w.stride());
    let mut tables = vec![[0i16; 256]; groups];
    for (v, out_v) in out.chunks_mut(rows).enumerate() {
        let xv = &x[v * cols..(v + 1) * cols];
        for (g, table) in tables.iter_mut().enumerate() {
            let mut a = [0i16; 4];
            for (j, aj) in a.iter_mut().enumerate() {
                *aj = xv.get(4 * g + j).copied().unwrap_or(0) as i16;
            }
            build_table(a, table);
        }
        out_v.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(chunk, out_rows)| {
            for (i, o) in out_rows.iter_mut().enumerate() {
                *o = dot_row(w.row_bytes(chunk * ROWS_PER_TASK + i), &tables);
            }
        });
    }
}

/// `table[b]` = the dot product of the four weights packed in byte `b` with `a`.
fn build_table(a: [i16; 4], table: &mut [i16; 256]) {
    let pair = |x: i16, y: i16| -> [i16; 16] {
        std::array::from_fn(|b| CODE_VALUE[b & 3] as i16 * x + CODE_VALUE[b >> 2] as i16 * y)
    };
    let (lo, hi) = (pair(a[0], a[1]), pair(a[2], a[3]));
    for (b, t) in table.iter_mut().enumerate() {
        *t = lo[b & 15] + hi[b >> 4];
    }
}

fn dot_row(row: &[u8], tables: &[[i16; 256]]) -> i32 {
    // four independent sums keep the adds from waiting on each other
    let mut acc = [0i32; 4];
    let mut rows = row.chunks_exact(4);
    let mut tabs = tables.chunks_exact(4);
    for (r, t) in (&mut rows).zip(&mut tabs) {
        for j in 0..4 {
            acc[j] += t[j][r[j] as usize] as i32;
        }
    }
    for (&b, t) in rows.remainder().iter().zip(tabs.remainder()) {
        acc[0] += t[b as usize] as i32;
    }
    acc.iter().sum()
}

/// The plain scalar definition, for tests: one weight at a time, widened and multiplied.
pub fn reference_matmul(w: &TernaryMatrix, x: &[i8], out: &mut [i32]) {
    let (rows, cols) = (w.rows(), w.cols());
    for (v, out_v) in out.chunks_mut(rows).enumerate() {
        for (n, o) in out_v.iter_mut().enumerate() {
            *o = (0..cols).map(|k| w.get(n, k) as i32 * x[v * cols + k] as i32).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_hand_sum() {
        let mut t = [0i16; 256];
        build_table([5, -7, 127, -128], &mut t);
        // codes (low bits first): +1, -1, -1, +1  => 5 + 7 - 127 - 128
        let b = 0b01_10_10_01;
        assert_eq!(t[b], 5 + 7 - 127 - 128);
        assert_eq!(t[0], 0);
    }

    #[test]
    fn small_product_by_hand() {
        let w = TernaryMatrix::from_weights(2, 5, &[1, -1, 0, 1, -1, 0, 0, 0, 0, 1], 1.0).unwrap();
        let x = [10i8, 20, 30, -40, 127];
        let mut out = [0i32; 2];
        SoftwareBackend.matmul(&MatmulSite { layer: 0, kind: LinearKind::Q, pos: 0 }, &w, &x, &mut out).unwrap();
        assert_eq!(out, [10 - 20 - 40 - 127, 127]);
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let w = TernaryMatrix::zeros(2, 3, 1.0);
        let mut out = [0i32; 2];
        let err = SoftwareBackend
            .matmul(&MatmulSite { layer: 0, kind: LinearKind::Q, pos: 0 }, &w, &[1, 2], &mut out)
            .unwrap_err();
        assert!(err.to_string().contains("2 x 3 matrix got 2 activations"), "{err}");
    }
}
