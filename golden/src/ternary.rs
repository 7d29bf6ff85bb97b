//! A ternary weight matrix, packed four weights a byte.
//!
//! Layout (this crate's own, chosen for the software kernel): row `r` occupies bytes
//! `r * stride .. (r + 1) * stride` with `stride = ceil(cols / 4)`; weight `c` of the row sits
//! in byte `c / 4` at bits `2 * (c % 4) ..`; code 0 is 0, 1 is +1, 2 is -1 (3 never occurs).
//! The tail of a row whose length is not a multiple of four is padded with zero weights.
//! Checkpoint formats have their own layouts; their loaders translate.

use crate::error::{GoldenError, Result};

/// Weight value of each 2-bit code.
pub const CODE_VALUE: [i8; 4] = [0, 1, -1, 0];

fn code_of(w: i8) -> u8 {
    match w {
        1 => 1,
        -1 => 2,
        _ => 0,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TernaryMatrix {
    rows: usize,
    cols: usize,
    stride: usize,
    data: Vec<u8>,
    /// The per-matrix weight scale (absmean of the trained weights); dequantization multiplies by it.
    pub scale: f32,
}

impl TernaryMatrix {
    /// An all-zero matrix.
    pub fn zeros(rows: usize, cols: usize, scale: f32) -> Self {
        let stride = cols.div_ceil(4);
        TernaryMatrix { rows, cols, stride, data: vec![0; rows * stride], scale }
    }

    /// Builds from one weight per element, row-major; every weight must be -1, 0 or +1.
    pub fn from_weights(rows: usize, cols: usize, weights: &[i8], scale: f32) -> Result<Self> {
        if weights.len() != rows * cols {
            return Err(GoldenError::BadConfig(format!(
                "{} weights given for a {rows} x {cols} matrix",
                weights.len()
            )));
        }
        let mut m = Self::zeros(rows, cols, scale);
        for r in 0..rows {
            for c in 0..cols {
                let w = weights[r * cols + c];
                if !(-1..=1).contains(&w) {
                    return Err(GoldenError::BadConfig(format!(
                        "weight {w} at row {r}, column {c} is not ternary"
                    )));
                }
                m.set(r, c, w);
            }
        }
        Ok(m)
    }

    /// Builds from packed row bytes in this crate's layout (used by the synthetic generator).
    pub(crate) fn from_packed(rows: usize, cols: usize, data: Vec<u8>, scale: f32) -> Self {
        let stride = cols.div_ceil(4);
        debug_assert_eq!(data.len(), rows * stride);
        let mut m = TernaryMatrix { rows, cols, stride, data, scale };
        m.clear_padding();
        m
    }

    fn clear_padding(&mut self) {
        if !self.cols.is_multiple_of(4) {
            let keep = ((1u16 << (2 * (self.cols % 4))) - 1) as u8;
            for r in 0..self.rows {
                self.data[r * self.stride + self.stride - 1] &= keep;
            }
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes per packed row.
    pub fn stride(&self) -> usize {
        self.stride
    }

    pub fn get(&self, r: usize, c: usize) -> i8 {
        let b = self.data[r * self.stride + c / 4];
        CODE_VALUE[((b >> (2 * (c % 4))) & 3) as usize]
    }

    pub fn set(&mut self, r: usize, c: usize, w: i8) {
        let i = r * self.stride + c / 4;
        let sh = 2 * (c % 4);
        self.data[i] = (self.data[i] & !(3 << sh)) | (code_of(w) << sh);
    }

    /// The packed bytes of row `r`.
    pub fn row_bytes(&self, r: usize) -> &[u8] {
        &self.data[r * self.stride..(r + 1) * self.stride]
    }

    /// All packed rows, `rows * stride` bytes.
    pub fn packed(&self) -> &[u8] {
        &self.data
    }

    /// One weight a byte, row-major.
    pub fn to_weights(&self) -> Vec<i8> {
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for r in 0..self.rows {
            out.extend((0..self.cols).map(|c| self.get(r, c)));
        }
        out
    }

    /// How many weights are zero (the skips of the hardware).
    pub fn zero_count(&self) -> u64 {
        let mut nonzero = 0u64;
        for r in 0..self.rows {
            nonzero += self.row_bytes(r).iter().map(|&b| {
                // a 2-bit field is nonzero when either of its bits is set
                (((b | (b >> 1)) & 0x55).count_ones()) as u64
            }).sum::<u64>();
        }
        (self.rows * self.cols) as u64 - nonzero
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_round_trip_with_odd_columns() {
        let w: Vec<i8> = (0..3 * 7).map(|i| [(-1i8), 0, 1][i % 3]).collect();
        let m = TernaryMatrix::from_weights(3, 7, &w, 0.5).unwrap();
        assert_eq!(m.stride(), 2);
        assert_eq!(m.to_weights(), w);
        assert_eq!(m.zero_count(), 7);
        // row 0 = [-1, 0, 1, -1 | 0, 1, -1]: codes 2,0,1,2 then 0,1,2 and zero padding
        assert_eq!(m.row_bytes(0), &[0b10_01_00_10, 0b00_10_01_00]);
    }

    #[test]
    fn refuses_non_ternary_weights() {
        let err = TernaryMatrix::from_weights(1, 2, &[1, 2], 1.0).unwrap_err();
        assert!(err.to_string().contains("weight 2 at row 0, column 1 is not ternary"), "{err}");
    }
}
