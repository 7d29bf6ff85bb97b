//! [`ArrayConfig`]: the one record that drives the generator, its validation and derived sizes.

use crate::error::HdlError;
use serde::{Deserialize, Serialize};

/// Narrowest accumulator the generator builds (a lane needs 9 bits plus headroom).
pub const MIN_ACC_BITS: usize = 10;
/// Widest accumulator the generator builds (widths are compile-time in rust-hdl).
pub const MAX_ACC_BITS: usize = 40;
/// Largest array side the generator accepts (rows or lanes).
pub const MAX_SIDE: usize = 1024;

/// How the weight stream carries weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Packing {
    /// Plain bit fields: a 2-bit code per ternary weight (1 bit per binary weight).
    #[default]
    #[serde(rename = "2bit")]
    TwoBit,
    /// Five ternary weights per byte in base 3 (1.6 bits per weight), decoded in logic.
    #[serde(rename = "base3")]
    Base3,
}

impl Packing {
    /// "2bit" or "base3", as serde and run records name it.
    pub fn name(self) -> &'static str {
        match self {
            Packing::TwoBit => "2bit",
            Packing::Base3 => "base3",
        }
    }
}

/// The array configuration. Serde names are the field names; packing is `"2bit"` or `"base3"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArrayConfig {
    /// Output rows computed in parallel (R).
    pub rows: usize,
    /// Activations per slice (L): the dot-product width consumed per cycle.
    pub lanes: usize,
    /// Activation width in bits, two's complement (8 for int8).
    pub activation_bits: usize,
    /// Weight stream format.
    pub packing: Packing,
    /// Weights are {-1, +1} (original BitNet) instead of {-1, 0, +1}.
    pub binary: bool,
    /// Systolic segments of each row's carry chain = register stages between the input
    /// registers and the accumulator (1..=lanes).
    pub pipeline_depth: usize,
    /// Accumulator width in bits (two's complement). Must hold 2^(activation_bits-1) * max_k.
    pub accumulator_bits: usize,
    /// Longest dot product (K) the array must compute exactly.
    pub max_k: usize,
    /// Accumulator slots per row (D): with the `ring` port high, D dot products take their
    /// slices in turn, so a weight tile held for D cycles serves D token vectors (prefill
    /// weight reuse). 1 = a plain accumulator and no `ring` port.
    pub slots: usize,
    /// Memory port of the streaming top `tern_stream`, in bytes per cycle; 0 = one whole
    /// weight tile per cycle. Must divide [`ArrayConfig::tile_bytes`].
    pub port_bytes: usize,
    /// Decoded weight tiles the streaming top buffers between the memory port and the array.
    pub fifo_tiles: usize,
    /// Rows served by one copy of the activation registers (input register and delay lines)
    /// and, in the streaming top, by one FIFO slice. Every copy is kept by synthesis: register
    /// replication that bounds the broadcast fanout, as a 16-row array has it. Larger arrays
    /// get `ceil(rows / group_rows)` copies. (The controller's last stage, the accumulate,
    /// clear and result enables, has one copy per row.)
    pub group_rows: usize,
}

impl Default for ArrayConfig {
    fn default() -> Self {
        Self {
            rows: 16,
            lanes: 64,
            activation_bits: 8,
            packing: Packing::TwoBit,
            binary: false,
            pipeline_depth: 4,
            accumulator_bits: 24,
            max_k: 8192,
            slots: 1,
            port_bytes: 0,
            fifo_tiles: 4,
            group_rows: 16,
        }
    }
}

/// Most accumulator slots per row the generator builds.
pub const MAX_SLOTS: usize = 64;
/// Weight tiles the streaming top's FIFO may hold (two keep the port busy while one drains).
pub const MIN_FIFO_TILES: usize = 2;
pub const MAX_FIFO_TILES: usize = 1024;

/// Smallest two's complement width holding every value in `-bound..=bound`.
pub fn signed_bits_for(bound: u64) -> usize {
    // bound needs (64 - leading_zeros) magnitude bits, plus the sign
    (64 - bound.leading_zeros() as usize) + 1
}

/// The accumulator width the generator builds for dot products up to `bound` in magnitude:
/// [`signed_bits_for`], at least [`MIN_ACC_BITS`].
pub fn accumulator_bits_for(bound: u64) -> usize {
    signed_bits_for(bound).max(MIN_ACC_BITS)
}

impl ArrayConfig {
    /// Largest |dot product| the overflow guard lets through: 2^(activation_bits-1) times
    /// `ceil(max_k / lanes) * lanes`, max_k rounded up to whole slices. `k_overflow` counts
    /// slices, not weights, so a dot product with nonzero weights in the last slice's padding
    /// reaches this bound without the flag (found by `tern prove`: 2x4 with max_k 7 and 11-bit
    /// accumulators wrapped at K = 8 unflagged).
    pub fn acc_bound(&self) -> u64 {
        let k = self.max_k.div_ceil(self.lanes.max(1)) * self.lanes.max(1);
        (1u64 << (self.activation_bits.max(1) - 1)) * k as u64
    }

    /// Width of a row's slice sum: every value in `-2^(activation_bits-1) * lanes ..=` that
    /// bound, at most `accumulator_bits`. The chain's bits above it cannot change the
    /// accumulated result (sign extension of the low bits is exact), so synthesis drops them.
    pub fn chain_bits(&self) -> usize {
        signed_bits_for((1u64 << (self.activation_bits.max(1) - 1)) * self.lanes as u64).min(self.accumulator_bits)
    }

    /// Narrowest accumulator that is exact for every K <= max_k.
    pub fn min_accumulator_bits(&self) -> usize {
        accumulator_bits_for(self.acc_bound())
    }

    /// Refuses an accumulator too narrow for dot products up to `bound` in magnitude (the
    /// ternary array's [`Self::acc_bound`], or the int8 baseline's).
    pub(crate) fn check_accumulator(&self, bound: u64) -> Result<(), HdlError> {
        let need = accumulator_bits_for(bound);
        if self.accumulator_bits < need {
            return Err(HdlError::AccumulatorTooNarrow {
                have: self.accumulator_bits,
                need,
                max_k: self.max_k,
                activation_bits: self.activation_bits,
                bound,
            });
        }
        Ok(())
    }

    /// Check everything the generator relies on. Refuses any configuration that could wrap.
    pub fn validate(&self) -> Result<(), HdlError> {
        for (field, v) in [
            ("rows", self.rows),
            ("lanes", self.lanes),
            ("max_k", self.max_k),
            ("pipeline_depth", self.pipeline_depth),
            ("accumulator_bits", self.accumulator_bits),
            ("activation_bits", self.activation_bits),
            ("group_rows", self.group_rows),
        ] {
            if v == 0 {
                return Err(HdlError::ZeroSize { field });
            }
        }
        for (field, v) in [("rows", self.rows), ("lanes", self.lanes)] {
            if v > MAX_SIDE {
                return Err(HdlError::TooLarge { field, value: v, max: MAX_SIDE });
            }
        }
        if self.max_k > 1 << 24 {
            return Err(HdlError::TooLarge { field: "max_k", value: self.max_k, max: 1 << 24 });
        }
        if !(2..=8).contains(&self.activation_bits) {
            return Err(HdlError::ActivationBits(self.activation_bits));
        }
        if self.binary && self.packing == Packing::Base3 {
            return Err(HdlError::BinaryBase3);
        }
        if !(MIN_ACC_BITS..=MAX_ACC_BITS).contains(&self.accumulator_bits) {
            return Err(HdlError::AccumulatorBitsRange(self.accumulator_bits));
        }
        self.check_accumulator(self.acc_bound())?;
        if self.pipeline_depth > self.lanes {
            return Err(HdlError::PipelineDepth { depth: self.pipeline_depth, lanes: self.lanes });
        }
        for (field, value, min, max) in [("slots", self.slots, 1, MAX_SLOTS), ("fifo_tiles", self.fifo_tiles, MIN_FIFO_TILES, MAX_FIFO_TILES)] {
            if !(min..=max).contains(&value) {
                return Err(HdlError::OutOfRange { field, value, min, max });
            }
        }
        if self.port_bytes > 0 && !self.tile_bytes().is_multiple_of(self.port_bytes) {
            let ok: Vec<String> = (1..=self.tile_bytes()).filter(|&p| self.tile_bytes().is_multiple_of(p)).map(|p| p.to_string()).collect();
            return Err(HdlError::Stream(format!(
                "port_bytes {} does not divide the {}-byte weight tile of a {}x{} {} array; use one of {}",
                self.port_bytes,
                self.tile_bytes(),
                self.rows,
                self.lanes,
                self.packing.name(),
                ok.join(", ")
            )));
        }
        Ok(())
    }

    /// Copies of the activation registers (and FIFO slices of the streaming top):
    /// `ceil(rows / group_rows)`.
    pub fn row_groups(&self) -> usize {
        self.rows.div_ceil(self.group_rows.max(1))
    }

    /// The copy row `r` takes its activations from.
    pub fn row_group(&self, r: usize) -> usize {
        r / self.group_rows.max(1)
    }

    /// Slices per dot product of length k: ceil(k / lanes).
    pub fn slices(&self, k: usize) -> usize {
        k.div_ceil(self.lanes)
    }

    /// Most slices one dot product may have (the controller flags more as `k_overflow`).
    pub fn max_slices(&self) -> usize {
        self.slices(self.max_k)
    }

    /// Cycles from the cycle a slice is accepted to the cycle `res_valid` is high for it,
    /// when it is the last slice: input register, `pipeline_depth` stages, accumulator.
    pub fn latency(&self) -> usize {
        self.pipeline_depth + 2
    }

    /// Analytic cycle count of an N x K matrix-vector product with the streams never stalling:
    /// `ceil(N / rows) * ceil(K / lanes)` slice cycles (one accepted slice per cycle) plus the
    /// pipeline drain of the last tile, `latency()`. Counted from the first cycle a slice is
    /// offered to the cycle the last result is valid (inclusive of the accept cycle, exclusive
    /// of the result cycle). Returns 0 when N or K is 0.
    pub fn matvec_cycles(&self, n: usize, k: usize) -> u64 {
        if n == 0 || k == 0 {
            return 0;
        }
        let tiles = n.div_ceil(self.rows) as u64;
        tiles * self.slices(k) as u64 - 1 + self.latency() as u64
    }

    /// Bits of the weight bus per row per slice.
    pub fn weight_bits_per_row(&self) -> usize {
        if self.binary {
            self.lanes
        } else {
            match self.packing {
                Packing::TwoBit => 2 * self.lanes,
                Packing::Base3 => 8 * self.base3_bytes_per_row(),
            }
        }
    }

    /// Bytes of one weight tile (rows x lanes weights) at the memory port of `tern_stream`:
    /// the tile's weights row-major, 5 per byte in base 3 or 4 per byte as 2-bit codes.
    pub fn tile_bytes(&self) -> usize {
        (self.rows * self.lanes).div_ceil(self.weights_per_port_byte())
    }

    /// Weights per byte at the memory port: 5 (base 3) or 4 (2-bit codes).
    pub fn weights_per_port_byte(&self) -> usize {
        match self.packing {
            Packing::Base3 => 5,
            Packing::TwoBit => 4,
        }
    }

    /// Memory port width in bytes (`port_bytes`, 0 = a whole tile).
    pub fn port_width(&self) -> usize {
        if self.port_bytes == 0 {
            self.tile_bytes()
        } else {
            self.port_bytes
        }
    }

    /// Bytes per row per slice in base-3 packing: ceil(lanes / 5).
    pub fn base3_bytes_per_row(&self) -> usize {
        self.lanes.div_ceil(5)
    }

    /// Lanes of segment `s` of the chain: lanes are split as evenly as possible, in order.
    pub fn segment_range(&self, s: usize) -> std::ops::Range<usize> {
        let g = self.pipeline_depth;
        (s * self.lanes / g)..((s + 1) * self.lanes / g)
    }

    /// Segment (systolic stage) of lane `j`: its inputs are delayed by this many cycles.
    pub fn lane_stage(&self, j: usize) -> usize {
        (0..self.pipeline_depth).find(|&s| self.segment_range(s).contains(&j)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_roundtrips_through_json() {
        let c = ArrayConfig::default();
        c.validate().unwrap();
        let j = serde_json::to_string(&c).unwrap();
        assert!(j.contains("\"packing\":\"2bit\""), "{j}");
        let back: ArrayConfig = serde_json::from_str(&j).unwrap();
        assert_eq!(back, c);
        let b3: ArrayConfig = serde_json::from_str(r#"{"packing":"base3","rows":4}"#).unwrap();
        assert_eq!((b3.packing, b3.rows, b3.lanes), (Packing::Base3, 4, 64));
    }

    #[test]
    fn accumulator_bound_is_exact() {
        // |acc| <= 128 K: K = 1 needs 128 -> 9 bits; K = 4096 -> 2^19 -> 21 bits
        assert_eq!(signed_bits_for(128), 9);
        assert_eq!(signed_bits_for(127), 8);
        assert_eq!(signed_bits_for(128 * 4096), 21);
        let c = ArrayConfig { max_k: 4096, accumulator_bits: 20, ..Default::default() };
        match c.validate() {
            Err(HdlError::AccumulatorTooNarrow { need: 21, .. }) => {}
            other => panic!("expected AccumulatorTooNarrow(21), got {other:?}"),
        }
        ArrayConfig { max_k: 4096, accumulator_bits: 21, ..Default::default() }.validate().unwrap();
        // 3000 * 128 = 384000 < 2^19 -> 20 bits
        ArrayConfig { max_k: 3000, accumulator_bits: 20, ..Default::default() }.validate().unwrap();
    }

    #[test]
    fn the_chain_keeps_just_the_bits_a_slice_sum_needs() {
        // 16 lanes: |sum| <= 128 * 16 = 2048 (all x = -128, all w = -1), 13 bits; 64 lanes: 15
        let c = |lanes, accumulator_bits| ArrayConfig { lanes, accumulator_bits, ..Default::default() }.chain_bits();
        assert_eq!((c(16, 22), c(64, 22), c(1, 22)), (13, 15, 9));
        // never wider than the accumulator
        assert_eq!(c(64, 12), 12);
    }

    #[test]
    fn refuses_bad_configs() {
        let bad = [
            ArrayConfig { rows: 0, ..Default::default() },
            ArrayConfig { lanes: 0, ..Default::default() },
            ArrayConfig { max_k: 0, ..Default::default() },
            ArrayConfig { pipeline_depth: 0, ..Default::default() },
            ArrayConfig { pipeline_depth: 65, ..Default::default() },
            ArrayConfig { activation_bits: 9, ..Default::default() },
            ArrayConfig { binary: true, packing: Packing::Base3, ..Default::default() },
            ArrayConfig { accumulator_bits: 64, ..Default::default() },
            ArrayConfig { lanes: 4096, ..Default::default() },
            ArrayConfig { group_rows: 0, ..Default::default() },
        ];
        for c in bad {
            let e = c.validate().expect_err(&format!("{c:?} should be refused"));
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn cycles_and_segments() {
        let c = ArrayConfig { rows: 16, lanes: 64, pipeline_depth: 4, ..Default::default() };
        // 64 x 128: 4 tiles x 2 slices, then 6 cycles of latency minus the overlap of one
        assert_eq!(c.matvec_cycles(64, 128), 8 - 1 + 6);
        assert_eq!(c.matvec_cycles(65, 129), 5 * 3 - 1 + 6);
        let c = ArrayConfig { lanes: 10, pipeline_depth: 3, ..Default::default() };
        let sizes: Vec<_> = (0..3).map(|s| c.segment_range(s).len()).collect();
        assert_eq!(sizes, vec![3, 3, 4]);
        assert_eq!(c.lane_stage(9), 2);
        assert_eq!(c.lane_stage(0), 0);
        // 64 rows in groups of 16: 4 copies; 17 rows: 2
        let c = ArrayConfig { rows: 64, ..Default::default() };
        assert_eq!((c.row_groups(), c.row_group(15), c.row_group(16), c.row_group(63)), (4, 0, 1, 3));
        assert_eq!(ArrayConfig { rows: 17, ..Default::default() }.row_groups(), 2);
        assert_eq!(ArrayConfig { rows: 16, ..Default::default() }.row_groups(), 1);
    }
}
