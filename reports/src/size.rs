//! Sizing: the smallest array that reaches the decode roofline of a memory at a clock.
//!
//! A batch-1 decode token streams every ternary weight once, so the array's memory bound is
//! `bandwidth / weight bytes per token` (the weight part of [`crate::roofline::decode_traffic`];
//! the same roofline `tern report --stream-record` measures against). An array reaches that
//! bound when its own rate (clock / modeled cycles per token, [`crate::cycles`], drains
//! included) is at least as high: any larger array only waits on memory. [`propose`] walks a
//! grid of rows x lanes, keeps the arrays that reach the bound, and picks the one with the
//! fewest modeled xc7 LUTs ([`crate::luts`]); ties go to fewer MACs. It also sizes the streaming top around it:
//! the memory port (the narrowest width dividing the weight tile that still takes what the
//! memory delivers per cycle) and the tile FIFO (enough to absorb the memory's delivery while
//! a job drains through the pipeline, so the memory never waits on the array).

use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::array::{bits_per_weight, ArrayConfig, Packing};
use crate::cycles::{decode_token_cycles, largest_k};
use crate::error::{ReportError, Result};
use crate::figure::Figure;
use crate::luts::xc7_luts;
use crate::roofline::{decode_traffic, roofline, Bandwidth, Bound, Storage};
use crate::sweep::grid;

/// Row counts `tern size` tries by default.
pub const ROWS: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];
/// Lane counts `tern size` tries by default.
pub const LANES: [usize; 6] = [8, 16, 32, 64, 128, 256];

/// What to size for.
#[derive(Clone, Debug)]
pub struct SizeGoal {
    pub config: ModelConfig,
    pub bandwidth: Bandwidth,
    pub clock_mhz: Figure,
    pub packing: Packing,
    /// Systolic segments per row (capped at each candidate's lanes).
    pub pipeline_depth: usize,
}

/// The proposed design and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeProposal {
    /// The array, with the stream port and FIFO sized (`port_bytes`, `fifo_tiles`).
    pub array: ArrayConfig,
    pub bandwidth: String,
    pub clock_mhz: Figure,
    /// Bytes the memory delivers per clock cycle.
    pub memory_bytes_per_cycle: Figure,
    /// Bytes the array consumes per cycle while it computes (rows x lanes weights).
    pub array_bytes_per_cycle: Figure,
    /// The memory bound of the weight stream (what no array can beat).
    pub roofline_tokens_per_s: Figure,
    /// The proposed array's own rate (clock / modeled cycles).
    pub compute_tokens_per_s: Figure,
    pub bytes_per_token: Figure,
    pub xc7_luts: Figure,
    /// Candidates evaluated and how many reached the roofline.
    pub candidates: usize,
    pub reaching: usize,
}

/// The smallest array of `rows` x `lanes` (by modeled xc7 LUTs) that reaches the roofline.
pub fn propose(goal: &SizeGoal, rows: &[usize], lanes: &[usize]) -> Result<SizeProposal> {
    let clock = goal.clock_mhz.value;
    if !(clock.is_finite() && clock > 0.0) {
        return Err(ReportError::BadInput(format!("clock {clock} MHz must be a positive frequency")));
    }
    if rows.is_empty() || lanes.is_empty() {
        return Err(ReportError::BadInput("give at least one row count and one lane count to try".into()));
    }
    let mut candidates = vec![];
    for a in grid(rows, lanes, largest_k(&goal.config), goal.packing) {
        let a = ArrayConfig { pipeline_depth: goal.pipeline_depth.min(a.lanes).max(1), ..a };
        crate::array::validate(&a)?;
        candidates.push(a);
    }
    let traffic = decode_traffic(&goal.config, bits_per_weight(&candidates[0]), 0, Storage::FLOAT);
    let rate = |a: &ArrayConfig| {
        let cycles = Figure::modeled(decode_token_cycles(a, &goal.config) as f64, "cycles/token", "analytic cycle model (reports::cycles)");
        roofline(1.0, &cycles, &goal.clock_mhz, traffic.weights, &goal.bandwidth)
    };
    let reaching: Vec<&ArrayConfig> = candidates.iter().filter(|a| rate(a).bound == Bound::Memory).collect();
    let Some(best) = reaching.iter().min_by_key(|a| (xc7_luts(a).total, a.rows * a.lanes)) else {
        let fastest = candidates.iter().map(|a| (a, rate(a).compute_tokens_per_s)).max_by(|x, y| x.1.value.total_cmp(&y.1.value));
        let (a, t) = fastest.expect("at least one candidate");
        return Err(ReportError::BadInput(format!(
            "no array reaches the {} roofline of {} at {clock} MHz (the fastest tried, {}x{}, makes {}); raise the clock or try other rows/lanes",
            goal.bandwidth.name,
            rate(a).memory_tokens_per_s.display(),
            a.rows,
            a.lanes,
            t.display()
        )));
    };
    let r = rate(best);
    let memory_bpc = goal.bandwidth.gbps * 1e3 / clock;
    let mut array = (*best).clone();
    array.port_bytes = port_bytes_for(&array, memory_bpc);
    array.fifo_tiles = fifo_tiles_for(&array, memory_bpc);
    let array_bpc = (array.rows * array.lanes) as f64 / array.weights_per_port_byte() as f64;
    Ok(SizeProposal {
        bandwidth: goal.bandwidth.name.clone(),
        clock_mhz: goal.clock_mhz.clone(),
        memory_bytes_per_cycle: goal.clock_mhz.derived(
            memory_bpc,
            "B/cycle",
            &Figure::modeled(goal.bandwidth.gbps, "GB/s", goal.bandwidth.source.clone()),
            "bandwidth / clock",
        ),
        array_bytes_per_cycle: Figure::modeled(
            array_bpc,
            "B/cycle",
            format!("rows x lanes / {} weights per byte ({})", array.weights_per_port_byte(), array.packing.name()),
        ),
        roofline_tokens_per_s: r.memory_tokens_per_s,
        compute_tokens_per_s: r.compute_tokens_per_s,
        bytes_per_token: Figure::modeled(traffic.weights, "B/token", format!("ternary weights x {} bits / 8", bits_per_weight(&array))),
        xc7_luts: xc7_luts(&array).figure(),
        candidates: candidates.len(),
        reaching: reaching.len(),
        array,
    })
}

/// The narrowest port (bytes per cycle) that divides the weight tile and takes at least
/// `memory_bpc` bytes per cycle; the whole tile when none narrower does.
pub fn port_bytes_for(a: &ArrayConfig, memory_bpc: f64) -> usize {
    let tile = a.tile_bytes();
    (1..=tile).find(|d| tile.is_multiple_of(*d) && *d as f64 >= memory_bpc).unwrap_or(tile)
}

/// FIFO tiles that hold what the memory delivers while one job drains through the array's
/// pipeline (`latency` cycles), plus two tiles of slack; at least hdl's default of 4.
pub fn fifo_tiles_for(a: &ArrayConfig, memory_bpc: f64) -> usize {
    let drain_bytes = a.latency() as f64 * memory_bpc;
    ((drain_bytes / a.tile_bytes() as f64).ceil() as usize + 2).clamp(ArrayConfig::default().fifo_tiles, 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roofline::bandwidth;

    fn goal(bw: &str, clock: f64) -> SizeGoal {
        SizeGoal {
            config: golden::synthetic::shape("tinystories-1m").unwrap().config,
            bandwidth: bandwidth(bw).unwrap(),
            clock_mhz: Figure::modeled(clock, "MHz", "test"),
            packing: Packing::Base3,
            pipeline_depth: 4,
        }
    }

    #[test]
    fn the_proposal_just_reaches_the_roofline() {
        let g = goal("ddr4", 150.0);
        let p = propose(&g, &ROWS, &LANES).unwrap();
        assert!(p.compute_tokens_per_s.value >= p.roofline_tokens_per_s.value);
        // no array with fewer modeled LUTs reaches it
        for &r in &ROWS {
            for &l in &LANES {
                let mut a = crate::array::array(r, l, largest_k(&g.config));
                a.packing = Packing::Base3;
                a.pipeline_depth = 4.min(l);
                if xc7_luts(&a).total < p.xc7_luts.value as usize {
                    let cycles = decode_token_cycles(&a, &g.config) as f64;
                    assert!(150e6 / cycles < p.roofline_tokens_per_s.value, "{r}x{l} reaches it with fewer LUTs");
                }
            }
        }
        // DDR4 at 150 MHz delivers 128 B per cycle; the port takes at least that
        assert!((p.memory_bytes_per_cycle.value - 128.0).abs() < 1e-9);
        assert!(p.array.port_width() as f64 >= 128.0 && p.array.tile_bytes().is_multiple_of(p.array.port_width()));
        assert!(p.array_bytes_per_cycle.value >= 128.0);
        // a faster memory needs a bigger array
        let h = propose(&goal("lpddr5", 150.0), &ROWS, &LANES).unwrap();
        assert!(h.xc7_luts.value > p.xc7_luts.value, "{} vs {}", h.xc7_luts.value, p.xc7_luts.value);
    }

    #[test]
    fn port_and_fifo_sizing() {
        let a = ArrayConfig { rows: 16, lanes: 64, packing: Packing::Base3, pipeline_depth: 32, ..ArrayConfig::default() };
        assert_eq!(a.tile_bytes(), 205);
        assert_eq!(port_bytes_for(&a, 128.0), 205); // 205 = 5 x 41: no divisor in 128..205
        assert_eq!(port_bytes_for(&a, 40.0), 41);
        assert_eq!(port_bytes_for(&a, 5.0), 5);
        // 34 cycles of drain at 128 B/cycle = 4352 B = 21.2 tiles, + 2
        assert_eq!(fifo_tiles_for(&a, 128.0), 24);
        assert_eq!(fifo_tiles_for(&a, 1.0), 4);
    }

    #[test]
    fn unreachable_roofline_is_one_clear_error() {
        let e = propose(&goal("hbm2e", 1.0), &[1, 2], &[8]).unwrap_err().to_string();
        assert!(e.starts_with("no array reaches the hbm2e roofline of") && e.contains("at 1 MHz (the fastest tried, 2x8, makes"), "{e}");
        assert!(propose(&goal("ddr4", 0.0), &ROWS, &LANES).unwrap_err().to_string().contains("positive frequency"));
    }
}
