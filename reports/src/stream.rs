//! Achieved vs roofline, measured: a co-simulation of `tern_stream` with the DRAM model
//! (`tern generate --backend stream --record FILE`) against the bandwidth roofline.
//!
//! * **Decode**: calls with one vector after the first forward pass (which learns the weight
//!   schedule, so its weights are not prefetched). `bytes/token` = weight bytes the DRAM
//!   model delivered, `cycles/token` = simulated cycles; achieved tokens/s = clock /
//!   cycles per token; roofline tokens/s = bandwidth / bytes per token; the ratio is the
//!   fraction of the DRAM bandwidth the array kept busy. The roofline at 1.6 bits per weight
//!   (no tile padding) is given beside it.
//! * **Prefill**: calls with several vectors: utilization = MACs / (cycles x rows x lanes).

use serde::{Deserialize, Serialize};
use sim::RunRecord;

use crate::constants::BASE3_BITS_PER_WEIGHT;
use crate::error::{ReportError, Result};
use crate::figure::Figure;

/// One streaming run against its roofline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamRow {
    pub model: String,
    pub array: String,
    pub dram: String,
    pub clock_mhz: Figure,
    pub decode_tokens: usize,
    pub bytes_per_token: Figure,
    pub cycles_per_token: Figure,
    pub achieved_tokens_per_s: Figure,
    pub roofline_tokens_per_s: Figure,
    /// achieved / roofline
    pub fraction_of_roofline: Figure,
    /// roofline with every ternary weight at exactly 1.6 bits (no tile padding)
    pub ideal_roofline_tokens_per_s: Figure,
    pub prefill_vectors: usize,
    pub prefill_utilization: Option<Figure>,
}

/// The row of one streaming run record; `ternary_params` of the model for the ideal roofline.
pub fn stream_row(run: &RunRecord, ternary_params: u64) -> Result<StreamRow> {
    let s = run.stream.as_ref().ok_or_else(|| {
        ReportError::BadInput(format!("the run record of {} has no memory stream: record it with `tern generate --backend stream`", run.model))
    })?;
    let src = format!("{}, DRAM model {} ({})", run.source, s.dram.name, s.dram.source);
    let decode: Vec<_> = run.matmuls.iter().filter(|m| m.vectors == 1 && m.site.pos >= 1).collect();
    let tokens: std::collections::BTreeSet<usize> = decode.iter().map(|m| m.site.pos).collect();
    if tokens.is_empty() {
        return Err(ReportError::BadInput(format!("the run record of {} has no decode step after the first: generate at least 2 tokens", run.model)));
    }
    let n = tokens.len() as f64;
    let bytes = decode.iter().map(|m| m.weight_bytes).sum::<u64>() as f64 / n;
    let cycles = decode.iter().map(|m| m.cycles).sum::<u64>() as f64 / n;
    // measured when the run took a measured Fmax (tern generate --fmax-from), else given
    let clock_source = if s.clock_source.is_empty() { "given clock (tern generate --clock-mhz)" } else { &s.clock_source };
    let clock = Figure::from_record(s.clock_mhz, "MHz", clock_source);
    let cycles_fig = Figure::from_record(cycles, "cycles/token", &format!("{src}: cycles per decode token after the first"));
    let achieved = s.clock_mhz * 1e6 / cycles;
    let roof = s.dram.gbps * 1e9 / bytes;
    let params = if s.ternary_params > 0 { s.ternary_params } else { ternary_params };
    let ideal = s.dram.gbps * 1e9 / (params as f64 * BASE3_BITS_PER_WEIGHT / 8.0);
    let prefill: Vec<_> = run.matmuls.iter().filter(|m| m.vectors > 1).collect();
    let util = (!prefill.is_empty()).then(|| {
        let macs = prefill.iter().map(|m| m.macs).sum::<u64>() as f64;
        let cyc = prefill.iter().map(|m| m.cycles).sum::<u64>() as f64;
        Figure::from_record(macs / (cyc * (run.array.rows * run.array.lanes) as f64), "", &format!("{src}: MACs / (cycles x rows x lanes) of the prefill calls"))
    });
    let roof_src = format!("{} GB/s / bytes per token", s.dram.gbps);
    Ok(StreamRow {
        model: run.model.clone(),
        array: format!("{}x{} {} (port {} B, {} slots, {}-tile FIFO)", run.array.rows, run.array.lanes, run.array.packing, s.port_bytes, s.slots, s.fifo_tiles),
        dram: s.dram.name.clone(),
        clock_mhz: clock.clone(),
        decode_tokens: tokens.len(),
        bytes_per_token: Figure::from_record(bytes, "bytes/token", &format!("{src}: weight bytes delivered per decode token")),
        achieved_tokens_per_s: cycles_fig.derived(achieved, "tokens/s", &clock, "clock / cycles per token"),
        // bytes per simulated cycle over the bytes per cycle the DRAM model offers at that clock
        fraction_of_roofline: Figure::from_record(achieved / roof, "", &format!("{src}: achieved / roofline")),
        cycles_per_token: cycles_fig,
        roofline_tokens_per_s: Figure::modeled(roof, "tokens/s", roof_src.clone()),
        ideal_roofline_tokens_per_s: Figure::modeled(ideal, "tokens/s", format!("{} GB/s / (ternary params x 1.6 bits)", s.dram.gbps)),
        prefill_vectors: prefill.first().map_or(0, |m| m.vectors),
        prefill_utilization: util,
    })
}
