//! Check mode: run a backend and the golden software backend on the same call and stop at the
//! first accumulator that differs, naming the layer, projection, token, row and both values.

use golden::backend::{check_shapes, ternary_matmul};
use golden::error::BackendError;
use golden::{BitLinearBackend, MatmulSite, TernaryMatrix};

/// The first difference between a backend's accumulators and golden's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("accumulator mismatch at layer {layer} {kind}, token {token} (position), row {row}: {backend} gave {got}, golden gives {want}")]
pub struct Mismatch {
    pub layer: usize,
    pub kind: golden::LinearKind,
    /// Sequence position of the token whose vector differs.
    pub token: usize,
    pub row: usize,
    pub got: i32,
    pub want: i32,
    pub backend: String,
}

/// Wraps a backend; every call is also computed by golden and compared. Counts what it checked.
pub struct Checked<B> {
    pub inner: B,
    /// Accumulators compared so far, all equal.
    pub compared: u64,
    golden: Vec<i32>,
}

impl<B> Checked<B> {
    pub fn new(inner: B) -> Self {
        Checked { inner, compared: 0, golden: Vec::new() }
    }
}

/// The first index where `got` and `want` differ, as a [`Mismatch`].
pub fn compare(site: &MatmulSite, rows: usize, got: &[i32], want: &[i32], backend: &str) -> Result<(), Mismatch> {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        None => Ok(()),
        Some(i) => Err(Mismatch {
            layer: site.layer,
            kind: site.kind,
            token: site.pos + i / rows,
            row: i % rows,
            got: got[i],
            want: want[i],
            backend: backend.to_string(),
        }),
    }
}

impl<B: BitLinearBackend> BitLinearBackend for Checked<B> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn matmul(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        check_shapes(w, x, out)?;
        self.inner.matmul(site, w, x, out)?;
        self.check(site, w, x, out)
    }

    fn matmul_group(&mut self, sites: &[MatmulSite], ws: &[&TernaryMatrix], x: &[i8], outs: &mut [&mut [i32]]) -> Result<(), BackendError> {
        for (w, out) in ws.iter().zip(outs.iter()) {
            check_shapes(w, x, out)?;
        }
        self.inner.matmul_group(sites, ws, x, outs)?;
        for ((site, w), out) in sites.iter().zip(ws).zip(outs.iter()) {
            self.check(site, w, x, out)?;
        }
        Ok(())
    }
}

impl<B: BitLinearBackend> Checked<B> {
    fn check(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &[i32]) -> Result<(), BackendError> {
        self.golden.resize(out.len(), 0);
        ternary_matmul(w, x, &mut self.golden);
        compare(site, w.rows(), out, &self.golden, self.inner.name())?;
        self.compared += out.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golden::LinearKind;

    /// A backend that is wrong at one place.
    struct OffByOne;
    impl BitLinearBackend for OffByOne {
        fn name(&self) -> &str {
            "faulty"
        }
        fn matmul(&mut self, _: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
            ternary_matmul(w, x, out);
            out[w.rows() + 2] += 1; // second vector, row 2
            Ok(())
        }
    }

    #[test]
    fn names_the_first_difference() {
        let w = TernaryMatrix::from_weights(3, 2, &[1, 0, -1, 1, 1, 1], 1.0).unwrap();
        let site = MatmulSite { layer: 4, kind: LinearKind::Down, pos: 10 };
        let mut out = [0i32; 6];
        let err = Checked::new(OffByOne).matmul(&site, &w, &[5, 6, 7, 8], &mut out).unwrap_err();
        assert_eq!(err.to_string(), "accumulator mismatch at layer 4 w2, token 11 (position), row 2: faulty gave 16, golden gives 15");
    }

    #[test]
    fn counts_what_it_compared() {
        let w = TernaryMatrix::from_weights(2, 2, &[1, -1, 0, 1], 1.0).unwrap();
        let mut c = Checked::new(golden::SoftwareBackend);
        let mut out = [0i32; 4];
        c.matmul(&MatmulSite { layer: 0, kind: LinearKind::Q, pos: 0 }, &w, &[1, 2, 3, 4], &mut out).unwrap();
        assert_eq!(out, [-1, 2, -1, 4]);
        assert_eq!(c.compared, 4);
    }
}
