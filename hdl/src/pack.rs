//! Bus layouts of `tern_array` and helpers that pack weights and activations into them,
//! so a simulator can drive the emitted Verilog. Buses are little-endian byte vectors:
//! bit `i` of a bus is bit `i % 8` of byte `i / 8`; unused high bits of the last byte are 0.

use bitvec::prelude::*;

use crate::config::ArrayConfig;
use crate::decoder::{base3_encode, TRITS_PER_BYTE};
use crate::error::HdlError;
use crate::row::WeightFormat;
use crate::verilog::{activation_bus_bits, weight_bus_bits};

/// The 2-bit code of a ternary weight: its two's complement (`00` 0, `01` +1, `11` -1).
pub fn two_bit_code(w: i8) -> u8 {
    (w as u8) & 3
}

/// OR the low `width` (1..=64) bits of `value` into bit `at` of a zeroed bus field.
///
/// Hand-written on purpose: it packs every weight of a model into bus words (a hot path of
/// co-simulation), and `bitvec`'s `store_le` on the same `Lsb0` field measured 2.9x slower
/// there (6.54 us against 2.24 us per 16x64 2-bit weight slice, both called through a
/// function pointer, `cargo bench -p hdl --bench pack`, one run). Reading ([`get_bits`]) uses
/// bitvec, which measured 3.3x faster.
pub fn put_bits(bus: &mut [u8], at: usize, width: usize, value: u64) {
    for b in 0..width {
        if value >> b & 1 == 1 {
            bus[(at + b) / 8] |= 1 << ((at + b) % 8);
        }
    }
}

/// Read `width` (1..=64) bits at bit `at` of a bus: a `bitvec` field of `Lsb0` bytes, exactly
/// the bus layout above (115 ns against 377 ns by hand for 16 results of 22 bits,
/// `cargo bench -p hdl --bench pack`).
pub fn get_bits(bus: &[u8], at: usize, width: usize) -> u64 {
    bus.view_bits::<Lsb0>()[at..at + width].load_le()
}

/// One weight tile as the memory port of `tern_stream` carries it ([`crate::stream`]):
/// `rows[r]` holds row r's weights of this slice (missing rows and lanes are zero weights);
/// the tile's `rows x lanes` weights row-major, 5 per byte in base 3 or 4 per byte as 2-bit
/// codes; [`ArrayConfig::tile_bytes`] bytes.
pub fn pack_stream_tile(cfg: &ArrayConfig, rows: &[&[i8]]) -> Result<Vec<u8>, HdlError> {
    if rows.len() > cfg.rows || rows.iter().any(|r| r.len() > cfg.lanes) {
        return Err(HdlError::Weights(format!("a weight tile is at most {} rows of {} lanes", cfg.rows, cfg.lanes)));
    }
    let per = cfg.weights_per_port_byte();
    let mut flat = vec![0i8; cfg.tile_bytes() * per];
    for (r, row) in rows.iter().enumerate() {
        for (j, &w) in row.iter().enumerate() {
            if !(-1..=1).contains(&w) {
                return Err(HdlError::Weights(format!("weight {w} at row {r}, lane {j} is not ternary")));
            }
            flat[r * cfg.lanes + j] = w;
        }
    }
    Ok(flat
        .chunks(per)
        .map(|c| match cfg.packing {
            crate::Packing::Base3 => base3_encode([c[0], c[1], c[2], c[3], c[4]]),
            // four 2-bit fields of one byte by hand, as in `put_bits` (bitvec measured 2.9x slower)
            crate::Packing::TwoBit => c.iter().enumerate().map(|(i, &w)| two_bit_code(w) << (2 * i)).sum(),
        })
        .collect())
}

/// Pack one activation slice (`x.len() <= lanes`; missing lanes are 0) into `act_data`.
pub fn pack_activations(cfg: &ArrayConfig, x: &[i8]) -> Result<Vec<u8>, HdlError> {
    let a = cfg.activation_bits;
    if x.len() > cfg.lanes {
        return Err(HdlError::Weights(format!("{} activations for {} lanes", x.len(), cfg.lanes)));
    }
    let (lo, hi) = (-(1i16 << (a - 1)), (1i16 << (a - 1)) - 1);
    let mut bus = vec![0u8; activation_bus_bits(cfg).div_ceil(8)];
    for (j, &v) in x.iter().enumerate() {
        if !(lo..=hi).contains(&(v as i16)) {
            return Err(HdlError::Weights(format!("activation {v} does not fit {a} bits")));
        }
        put_bits(&mut bus, a * j, a, v as u8 as u64);
    }
    Ok(bus)
}

/// Pack one weight slice into `w_data`: `rows[r]` holds row r's weights for this slice
/// (`rows.len() <= cfg.rows`, each `<= lanes` long; missing rows and lanes are zero weights,
/// which is how a K that is not a multiple of the lane count is padded).
pub fn pack_weights(cfg: &ArrayConfig, rows: &[&[i8]]) -> Result<Vec<u8>, HdlError> {
    if rows.len() > cfg.rows || rows.iter().any(|r| r.len() > cfg.lanes) {
        return Err(HdlError::Weights(format!("a weight slice is at most {} rows of {} lanes", cfg.rows, cfg.lanes)));
    }
    let format = WeightFormat::of(cfg);
    let mut bus = vec![0u8; weight_bus_bits(cfg).div_ceil(8)];
    let row_bits = cfg.weight_bits_per_row();
    for r in 0..cfg.rows {
        let w = |j: usize| rows.get(r).and_then(|row| row.get(j)).copied().unwrap_or(0);
        for j in 0..cfg.lanes {
            let v = w(j);
            let ok = if cfg.binary { v == 1 || v == -1 || (v == 0 && rows.get(r).is_none_or(|row| j >= row.len())) } else { (-1..=1).contains(&v) };
            if !ok {
                let kind = if cfg.binary { "binary weights are -1 or +1" } else { "ternary weights are -1, 0 or +1" };
                return Err(HdlError::Weights(format!("weight {v} at row {r} lane {j}: {kind}")));
            }
        }
        match format {
            WeightFormat::TwoBit => (0..cfg.lanes).for_each(|j| put_bits(&mut bus, r * row_bits + 2 * j, 2, two_bit_code(w(j)) as u64)),
            // padding of a binary row is +1 (bit 0): the caller pads K with zero activations
            WeightFormat::Binary => (0..cfg.lanes).for_each(|j| put_bits(&mut bus, r * row_bits + j, 1, (w(j) < 0) as u64)),
            WeightFormat::Base3 => {
                for b in 0..cfg.base3_bytes_per_row() {
                    let trits: [i8; TRITS_PER_BYTE] = std::array::from_fn(|i| {
                        let j = b * TRITS_PER_BYTE + i;
                        if j < cfg.lanes { w(j) } else { 0 }
                    });
                    put_bits(&mut bus, r * row_bits + 8 * b, 8, base3_encode(trits) as u64);
                }
            }
        }
    }
    Ok(bus)
}

/// The two's complement value in the low `bits` bits of `raw` (1..=64).
pub(crate) fn sign_extend(raw: u64, bits: usize) -> i64 {
    ((raw << (64 - bits)) as i64) >> (64 - bits)
}

/// Read the result of every row from `res_data` (two's complement, sign-extended).
pub fn unpack_results(cfg: &ArrayConfig, bus: &[u8]) -> Vec<i64> {
    let acc = cfg.accumulator_bits;
    (0..cfg.rows)
        .map(|r| {
            sign_extend(get_bits(bus, r * acc, acc), acc)
        })
        .collect()
}

/// One cycle's worth of stream data for the array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beat {
    /// `act_data` bus bytes.
    pub act: Vec<u8>,
    /// `w_data` bus bytes.
    pub weights: Vec<u8>,
    /// `act_last`: this is the final slice of the current row tile.
    pub last: bool,
    /// Which row tile (rows `tile*R .. tile*R+R` of W) the beat belongs to.
    pub tile: usize,
}

/// The beats of an N x K matrix-vector product `W x` (`w` row-major N x K): for each tile of
/// `rows` output rows, ceil(K / lanes) slices; the tail of K is padded with zero weights
/// (and zero activations). Tile t's results appear once on `res_data` rows `0..` after its
/// last beat; rows past N in the last tile read 0. In binary mode the padding weights are +1
/// against zero activations, so they add nothing.
pub fn matvec_beats(cfg: &ArrayConfig, w: &[i8], n: usize, k: usize, x: &[i8]) -> Result<Vec<Beat>, HdlError> {
    cfg.validate()?;
    tile_beats(cfg, w, n, k, x, pack_weights)
}

/// The tiling of [`matvec_beats`] with the weights of each slice packed by `pack_w` (the
/// baseline array packs int8 weights; the shape checks and tiling are the same).
pub fn tile_beats(
    cfg: &ArrayConfig,
    w: &[i8],
    n: usize,
    k: usize,
    x: &[i8],
    pack_w: impl Fn(&ArrayConfig, &[&[i8]]) -> Result<Vec<u8>, HdlError>,
) -> Result<Vec<Beat>, HdlError> {
    if w.len() != n * k || x.len() != k {
        return Err(HdlError::Weights(format!("W has {} entries and x {}, expected {n}x{k} and {k}", w.len(), x.len())));
    }
    if k > cfg.max_k {
        return Err(HdlError::Weights(format!("K = {k} is above max_k = {}", cfg.max_k)));
    }
    let slices = cfg.slices(k);
    weight_tiles(cfg, w, n, k, pack_w)?
        .into_iter()
        .enumerate()
        .map(|(i, weights)| {
            let s = i % slices;
            let act = pack_activations(cfg, &x[s * cfg.lanes..((s + 1) * cfg.lanes).min(k)])?;
            Ok(Beat { act, weights, last: s + 1 == slices, tile: i / slices })
        })
        .collect()
}

/// The weight tiles of a row-major N x K matrix in the order the array takes them: for each
/// tile of `rows` output rows, its ceil(K / lanes) slices, each packed by `pack_w` from the
/// tile's rows cut to the slice's columns (rows past N and columns past K are left to the
/// packer, which pads them with zero weights).
pub fn weight_tiles(
    cfg: &ArrayConfig,
    w: &[i8],
    n: usize,
    k: usize,
    pack_w: impl Fn(&ArrayConfig, &[&[i8]]) -> Result<Vec<u8>, HdlError>,
) -> Result<Vec<Vec<u8>>, HdlError> {
    let (r, l) = (cfg.rows, cfg.lanes);
    let mut tiles = Vec::with_capacity(n.div_ceil(r) * cfg.slices(k));
    for tile in 0..n.div_ceil(r) {
        for s in 0..cfg.slices(k) {
            let cols = s * l..((s + 1) * l).min(k);
            let rows: Vec<&[i8]> = (tile * r..((tile + 1) * r).min(n)).map(|row| &w[row * k + cols.start..row * k + cols.end]).collect();
            tiles.push(pack_w(cfg, &rows)?);
        }
    }
    Ok(tiles)
}

/// Plain integer reference: `W x` for row-major N x K `w`.
pub fn reference_matvec(w: &[i8], n: usize, k: usize, x: &[i8]) -> Vec<i64> {
    (0..n).map(|row| (0..k).map(|c| w[row * k + c] as i64 * x[c] as i64).sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Packing;
    use crate::decoder::base3_decode;

    #[test]
    fn bus_fields_roundtrip_across_bytes() {
        let mut bus = vec![0u8; 6];
        put_bits(&mut bus, 3, 22, 0x2a_5c3f);
        put_bits(&mut bus, 25, 2, 0b11);
        assert_eq!(get_bits(&bus, 3, 22), 0x2a_5c3f);
        assert_eq!(get_bits(&bus, 25, 2), 3);
        assert_eq!(get_bits(&bus, 0, 3), 0);
        assert_eq!(bus, [0xf8, 0xe1, 0x52, 0x07, 0x00, 0x00]);
    }

    #[test]
    fn layouts() {
        let cfg = ArrayConfig { rows: 2, lanes: 6, ..Default::default() };
        let bus = pack_weights(&cfg, &[&[1, -1, 0], &[0, 0, 0, 0, 0, -1]]).unwrap();
        // row 0 lane 0 = 01, lane 1 = 11; row 1 lane 5 at bits 12 + 10
        assert_eq!(get_bits(&bus, 0, 2), 1);
        assert_eq!(get_bits(&bus, 2, 2), 3);
        assert_eq!(get_bits(&bus, 12 + 10, 2), 3);
        assert_eq!(bus.len(), 3);
        let b3 = ArrayConfig { packing: Packing::Base3, ..cfg.clone() };
        let bus = pack_weights(&b3, &[&[1, -1, 0, 1, 1, -1]]).unwrap();
        assert_eq!(bus.len(), 4); // 2 rows x 2 bytes
        assert_eq!(base3_decode(bus[0]), [1, -1, 0, 1, 1]);
        assert_eq!(base3_decode(bus[1]), [-1, 0, 0, 0, 0]);
        assert_eq!(base3_decode(bus[2]), [0; 5]);
        let bin = ArrayConfig { binary: true, ..cfg.clone() };
        assert!(pack_weights(&bin, &[&[1, 0]]).is_err());
        let a4 = ArrayConfig { activation_bits: 4, ..cfg.clone() };
        assert_eq!(pack_activations(&a4, &[-8, 7]).unwrap(), vec![0x78, 0, 0]);
        assert!(pack_activations(&a4, &[8]).is_err());
        let res = [0xffu8, 0xff, 0xff, 0x05, 0, 0];
        assert_eq!(unpack_results(&ArrayConfig { rows: 2, accumulator_bits: 24, ..Default::default() }, &res), vec![-1, 5]);
    }
}
