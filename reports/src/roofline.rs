//! Memory traffic per token and the roofline: how many tokens per second a DRAM bandwidth
//! allows, against how many the array's cycle count allows at a clock.
//!
//! Bytes read from DRAM for one decode token at context position P (all counted once), with
//! the non-ternary tensors stored as the numerics profile keeps them ([`Storage`]):
//!
//! ```text
//!                                                        float (FP16)        int (golden::int)
//! weights    = ternary_params x bits_per_weight / 8     (2 bits, base-3 1.6 bits, FP16 16 bits)
//! head       = vocab x row, read whole for the logits    row = 2 dim          row = dim + 4 (int8, i32 scale)
//! embedding  = one row                                   2 dim                dim + 4
//! norms      = norm weights x 2                          FP16                 16-bit mantissas
//! kv read    = layers x kv_row x P                       kv_row = 4 kv_dim    2 kv_dim bits/8 + 8 kv_heads
//! kv write   = layers x kv_row                           (this position's K and V)
//! ```
//!
//! A prefill of T prompt tokens reads the weights, head and norms once (the array re-streams a
//! tile's weights for each of the T vectors from an on-chip tile buffer of `rows x max K`
//! weights, see [`crate::area`]), T embedding rows, and writes T positions of K and V; attention
//! inside the prompt is assumed to stay on chip.
//!
//! Roofline: `compute = f_clk / cycles_per_token`, `memory = bandwidth / bytes_per_token`,
//! achieved = min(compute, memory), and the smaller one is the bound that binds. This is the
//! streaming design's ideal: weights flow from DRAM into the array as it consumes them, and no
//! further overlap or stall is modeled. The FP16 head, attention and norms are assumed to run
//! on another unit in the shadow of the array (their bytes count; their cycles do not).

use golden::{KvBits, ModelConfig, Numerics};
use serde::{Deserialize, Serialize};

use sim::dram::DramConfig;

use crate::constants::FP16_BYTES;
use crate::error::{ReportError, Result};
use crate::figure::Figure;

/// A DRAM interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bandwidth {
    pub name: String,
    pub gbps: f64,
    pub source: String,
}

/// DDR4-2400 x64 (19.2 GB/s), LPDDR5-6400 x64 (51.2 GB/s), one HBM2E stack (460.8 GB/s): the
/// DRAM models of the co-simulation ([`sim::dram::DramConfig::presets`]), one list for both.
pub fn presets() -> Vec<Bandwidth> {
    DramConfig::presets().into_iter().map(|d| Bandwidth { name: d.name, gbps: d.gbps, source: d.source }).collect()
}

/// A preset by name, or a custom bandwidth written as a number of GB/s ("25.6").
pub fn bandwidth(name: &str) -> Result<Bandwidth> {
    if let Some(b) = presets().into_iter().find(|b| b.name.eq_ignore_ascii_case(name)) {
        return Ok(b);
    }
    match name.parse::<f64>() {
        Ok(gbps) if gbps.is_finite() && gbps > 0.0 => Ok(Bandwidth { name: format!("{gbps} GB/s"), gbps, source: "given on the command line".into() }),
        _ => Err(ReportError::BadInput(format!(
            "unknown bandwidth `{name}`: use ddr4, lpddr5, hbm2e or a number of GB/s"
        ))),
    }
}

/// Bytes moved from or to DRAM for one token (or one prefill), by kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    pub weights: f64,
    pub head: f64,
    pub embedding: f64,
    pub norms: f64,
    pub kv_read: f64,
    pub kv_write: f64,
}

impl Traffic {
    pub fn total(&self) -> f64 {
        self.weights + self.head + self.embedding + self.norms + self.kv_read + self.kv_write
    }

    /// (name, bytes) of each part, in a fixed order.
    pub fn parts(&self) -> [(&'static str, f64); 6] {
        [
            ("ternary/FP16 weights", self.weights),
            ("head", self.head),
            ("embedding row", self.embedding),
            ("norm weights", self.norms),
            ("KV cache read", self.kv_read),
            ("KV cache write", self.kv_write),
        ]
    }
}

/// How the tensors that are not ternary are stored: FP16 (the float profile, as a chip would
/// hold it) or the int profile's int8 tables and quantized KV cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    pub numerics: Numerics,
    pub kv_bits: KvBits,
}

impl Storage {
    pub const FLOAT: Storage = Storage { numerics: Numerics::Float, kv_bits: KvBits::Eight };

    pub fn int(kv_bits: KvBits) -> Storage {
        Storage { numerics: Numerics::Int, kv_bits }
    }

    /// Bytes of one embedding or head row.
    pub fn table_row_bytes(&self, c: &ModelConfig) -> f64 {
        match self.numerics {
            Numerics::Float => c.dim as f64 * FP16_BYTES,
            Numerics::Int => c.dim as f64 + 4.0,
        }
    }

    /// KV-cache bytes one token adds to one layer.
    pub fn kv_bytes_per_token_layer(&self, c: &ModelConfig) -> f64 {
        golden::int::kv_bytes_per_token_layer(c, self.numerics, self.kv_bits) as f64
    }

    pub fn name(&self) -> String {
        match self.numerics {
            Numerics::Float => "float (FP16 head, embedding and KV cache)".into(),
            Numerics::Int => format!("int (int8 head and embedding, {}-bit KV cache with a scale per position and KV head)", self.kv_bits.bits()),
        }
    }
}

/// High-precision norm weights (float params less the embedding and an untied head).
fn norm_params(c: &ModelConfig) -> u64 {
    let emb = (c.vocab_size * c.dim) as u64;
    let head = if c.tied_head { 0 } else { emb };
    c.float_params() - emb - head
}

/// Bytes per decode token at context position `context` with weights of `weight_bits` bits.
pub fn decode_traffic(c: &ModelConfig, weight_bits: f64, context: usize, storage: Storage) -> Traffic {
    let kv_row = c.n_layers as f64 * storage.kv_bytes_per_token_layer(c);
    Traffic {
        weights: c.ternary_params() as f64 * weight_bits / 8.0,
        head: c.vocab_size as f64 * storage.table_row_bytes(c),
        embedding: storage.table_row_bytes(c),
        norms: norm_params(c) as f64 * FP16_BYTES,
        kv_read: kv_row * context as f64,
        kv_write: kv_row,
    }
}

/// Bytes of a prefill of `tokens` prompt tokens (weights, head and norms once).
pub fn prefill_traffic(c: &ModelConfig, weight_bits: f64, tokens: usize, storage: Storage) -> Traffic {
    let kv_row = c.n_layers as f64 * storage.kv_bytes_per_token_layer(c);
    Traffic {
        weights: c.ternary_params() as f64 * weight_bits / 8.0,
        head: c.vocab_size as f64 * storage.table_row_bytes(c),
        embedding: tokens as f64 * storage.table_row_bytes(c),
        norms: norm_params(c) as f64 * FP16_BYTES,
        kv_read: 0.0,
        kv_write: kv_row * tokens as f64,
    }
}

/// Which side of the roofline limits the rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Compute,
    Memory,
}

/// Tokens per second for `tokens` tokens that take `cycles` cycles and move `bytes` bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roofline {
    pub bandwidth: String,
    pub compute_tokens_per_s: Figure,
    pub memory_tokens_per_s: Figure,
    pub achieved_tokens_per_s: Figure,
    /// Time per token at the achieved rate, ms.
    pub ms_per_token: Figure,
    pub bound: Bound,
}

/// The roofline of `tokens` tokens costing `cycles` (a figure, measured or modeled) at `clock_mhz`
/// (a figure) and `bytes` of DRAM traffic at `bw`.
pub fn roofline(tokens: f64, cycles: &Figure, clock_mhz: &Figure, bytes: f64, bw: &Bandwidth) -> Roofline {
    let compute = tokens * clock_mhz.value * 1e6 / cycles.value.max(1.0);
    let memory = tokens * bw.gbps * 1e9 / bytes.max(1.0);
    let compute_f = cycles.derived(compute, "tokens/s", clock_mhz, "tokens x clock / cycles");
    let memory_f = Figure::modeled(
        memory,
        "tokens/s",
        format!("tokens x bandwidth / bytes: {} GB/s ({}), {} bytes (traffic model)", bw.gbps, bw.source, crate::figure::format_value(bytes)),
    );
    let (achieved, bound) = if compute <= memory { (compute_f.clone(), Bound::Compute) } else { (memory_f.clone(), Bound::Memory) };
    let achieved = Figure { source: format!("min(compute, memory), {} bound: {}", bound_name(bound), achieved.source), ..achieved };
    let ms = Figure { value: 1e3 / achieved.value, unit: "ms/token".into(), ..achieved.clone() };
    Roofline {
        bandwidth: bw.name.clone(),
        compute_tokens_per_s: compute_f,
        memory_tokens_per_s: memory_f,
        achieved_tokens_per_s: achieved,
        ms_per_token: ms,
        bound,
    }
}

pub fn bound_name(b: Bound) -> &'static str {
    match b {
        Bound::Compute => "compute",
        Bound::Memory => "memory",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse() {
        assert_eq!(bandwidth("DDR4").unwrap().gbps, 19.2);
        assert_eq!(bandwidth("12.5").unwrap().gbps, 12.5);
        assert!(bandwidth("ddr9").unwrap_err().to_string().contains("ddr4, lpddr5, hbm2e"));
        assert!(bandwidth("-3").is_err());
    }

    #[test]
    fn tiny_traffic_by_hand() {
        // tiny: dim 64, hidden 128, 2 layers, 4 heads / 2 kv heads (kv_dim 32), vocab 512, tied,
        // parameter-free norm (64 float params beyond the embedding).
        let c = golden::synthetic::shape("tiny").unwrap().config;
        let t = decode_traffic(&c, 2.0, 10, Storage::FLOAT);
        // per layer 64*64*2 + 32*64*2 + 128*64*3 = 8192 + 4096 + 24576 = 36864; x2 layers x 2 bits
        assert_eq!(t.weights, 73728.0 * 2.0 / 8.0);
        assert_eq!(t.head, 512.0 * 64.0 * 2.0);
        assert_eq!(t.embedding, 128.0);
        assert_eq!(t.norms, 128.0);
        assert_eq!(t.kv_read, 2.0 * 2.0 * 32.0 * 10.0 * 2.0);
        assert_eq!(t.kv_write, 256.0);
        let p = prefill_traffic(&c, 2.0, 4, Storage::FLOAT);
        assert_eq!((p.embedding, p.kv_write, p.kv_read), (512.0, 1024.0, 0.0));
    }

    #[test]
    fn int_storage_counts_int8_tables_and_the_quantized_cache() {
        let c = golden::synthetic::shape("tiny").unwrap().config;
        let t = decode_traffic(&c, 2.0, 10, Storage::int(KvBits::Eight));
        // rows of 64 int8 codes and a 32-bit scale
        assert_eq!(t.head, 512.0 * 68.0);
        assert_eq!(t.embedding, 68.0);
        assert_eq!(t.norms, 128.0);
        // per layer and token: K and V, 32 codes each, and a 32-bit scale per KV head (2)
        assert_eq!(t.kv_write, 2.0 * (2.0 * 32.0 + 2.0 * 2.0 * 4.0));
        assert_eq!(t.kv_read, t.kv_write * 10.0);
        let t4 = decode_traffic(&c, 2.0, 10, Storage::int(KvBits::Four));
        assert_eq!(t4.kv_write, 2.0 * (2.0 * 16.0 + 16.0));
        assert_eq!(t4.weights, t.weights);
        assert!(t4.total() < t.total() && t.total() < decode_traffic(&c, 2.0, 10, Storage::FLOAT).total());
    }
}
