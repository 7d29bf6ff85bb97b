//! Silicon area: the logic from the fpga crate's ASIC estimate (gate counts measured by Yosys,
//! area modeled from NanGate45 / ASAP7 cell footprints), plus modeled on-chip SRAM for the
//! buffers the latency model assumes:
//!
//! ```text
//! activation buffer   = max(dim, hidden) x 8 bits          (one int8 activation vector)
//! result buffer       = max(dim, hidden) x 32 bits         (accumulators awaiting dequantization)
//! weight tile buffer  = rows x max K x bits_per_weight     (re-streams a tile during prefill)
//! area                = bits x 6T bitcell area             (45nm 0.37 um^2, Nii et al. ISQED 2013;
//!                                                           7nm 0.027 um^2, Wu et al. IEDM 2016)
//! ```
//!
//! Bitcell area only: sense amplifiers, decoders and other periphery are not counted, so the
//! SRAM figures are lower bounds.

use fpga::SynthRecord;
use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::array::{bits_per_weight, ArrayConfig};
use crate::constants::{SRAM_BITCELL_UM2_45, SRAM_BITCELL_UM2_7};
use crate::cycles::largest_k;
use crate::figure::Figure;

/// Area of one part at both nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaPart {
    pub name: String,
    /// NAND2 equivalents (logic) or bits (SRAM).
    pub size: Figure,
    pub um2_45nm: Figure,
    pub um2_7nm: Figure,
}

/// The on-chip buffers of the modeled design, in bits: (name, bits).
pub fn buffers(c: &ModelConfig, a: &ArrayConfig) -> Vec<(&'static str, f64)> {
    let widest = c.dim.max(c.hidden_dim) as f64;
    vec![
        ("activation buffer", widest * 8.0),
        ("result buffer", widest * 32.0),
        ("weight tile buffer", (a.rows * largest_k(c)) as f64 * bits_per_weight(a)),
    ]
}

/// SRAM area parts of the buffers.
pub fn sram_parts(c: &ModelConfig, a: &ArrayConfig) -> Vec<AreaPart> {
    buffers(c, a)
        .into_iter()
        .map(|(name, bits)| AreaPart {
            name: format!("SRAM {name}"),
            size: Figure::modeled(bits, "bits", "buffer sizing of reports::area"),
            um2_45nm: Figure::modeled(bits * SRAM_BITCELL_UM2_45, "um^2", "bits x 0.37 um^2 6T bitcell (Nii et al., ISQED 2013); bitcells only"),
            um2_7nm: Figure::modeled(bits * SRAM_BITCELL_UM2_7, "um^2", "bits x 0.027 um^2 6T bitcell (Wu et al., IEDM 2016); bitcells only"),
        })
        .collect()
}

/// The logic area of an ASIC synthesis record (None for FPGA targets).
pub fn logic_part(rec: &SynthRecord) -> Option<AreaPart> {
    let a = rec.asic.as_ref()?;
    let src = format!("gate counts {}; {}", rec.source, a.source);
    Some(AreaPart {
        name: "array logic".into(),
        size: Figure::modeled(a.nand2_eq, "NAND2 eq", src.clone()),
        um2_45nm: Figure::modeled(a.um2_45nm, "um^2", src.clone()),
        um2_7nm: Figure::modeled(a.um2_7nm, "um^2", src),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tinystories_buffers() {
        let c = golden::synthetic::shape("tinystories-1m").unwrap().config;
        let a = ArrayConfig::default();
        let b = buffers(&c, &a);
        assert_eq!(b[0].1, 256.0 * 8.0);
        assert_eq!(b[2].1, 16.0 * 256.0 * 2.0);
        let s = sram_parts(&c, &a);
        assert!((s[0].um2_7nm.value - 2048.0 * 0.027).abs() < 1e-9);
    }
}
