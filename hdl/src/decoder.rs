//! Weight decoders: 2-bit codes (pure wiring) and dense base-3 bytes (a 256-entry case table).
//!
//! **2-bit code** (ternary): the code is the two's complement of the weight in 2 bits,
//! bit 0 = "non-zero", bit 1 = "negative": `00` = 0, `01` = +1, `11` = -1 (`10` also reads as 0).
//! The lane uses the two bits as they are, so decoding costs nothing.
//! **Binary** weights travel as one bit: 1 = -1, 0 = +1 (non-zero is constant 1).
//! **Base 3**: five weights per byte, `byte = sum_i (w_i + 1) * 3^i` for i = 0..5, weight `i`
//! of a byte belongs to lane `5*b + i`. Bytes 243..=255 are unused codes and decode to five
//! zero weights. Decoding is a case table of constants (no divider, no multiplier); Yosys maps
//! it to about 38 LUTs per byte on xc7 (measured, see the crate docs), so base 3 trades about
//! 7.6 LUTs per weight for 20% less weight bandwidth.

use rust_hdl::prelude::*;
use std::fmt::Write;

/// Weights per base-3 byte.
pub const TRITS_PER_BYTE: usize = 5;

/// Pack five ternary weights (each -1, 0 or +1) into one byte.
pub fn base3_encode(w: [i8; TRITS_PER_BYTE]) -> u8 {
    w.iter().rev().fold(0u16, |acc, &t| acc * 3 + (t + 1) as u16) as u8
}

/// Unpack one byte into five ternary weights (unused codes 243..=255 give zeros).
pub fn base3_decode(byte: u8) -> [i8; TRITS_PER_BYTE] {
    let mut out = [0i8; TRITS_PER_BYTE];
    if byte < 243 {
        let mut v = byte;
        for t in out.iter_mut() {
            *t = (v % 3) as i8 - 1;
            v /= 3;
        }
    }
    out
}

/// (nz, neg) bit masks of a decoded byte: bit i is weight i.
fn masks(byte: u8) -> (u64, u64) {
    let w = base3_decode(byte);
    let nz = w.iter().enumerate().map(|(i, &t)| ((t != 0) as u64) << i).sum();
    let neg = w.iter().enumerate().map(|(i, &t)| ((t < 0) as u64) << i).sum();
    (nz, neg)
}

/// Decodes one base-3 byte into the lanes' (non-zero, negative) bits. A row's last byte may
/// feed fewer than five lanes: it is built with only the outputs it needs (`trits`), so no
/// decoded bit is left unused.
#[derive(Clone, Debug, LogicBlock)]
pub struct Base3Decoder {
    pub code: Signal<In, Bits<8>>,
    /// `nz[i]`: weight i is non-zero.
    pub nz: Vec<Signal<Out, Bit>>,
    /// `neg[i]`: weight i is negative.
    pub neg: Vec<Signal<Out, Bit>>,
}

impl Base3Decoder {
    /// A decoder for the first `trits` (1..=5) weights of a byte.
    pub fn new(trits: usize) -> Self {
        let trits = trits.clamp(1, TRITS_PER_BYTE);
        Self {
            code: Default::default(),
            nz: (0..trits).map(|_| Default::default()).collect(),
            neg: (0..trits).map(|_| Default::default()).collect(),
        }
    }
}

impl Logic for Base3Decoder {
    fn update(&mut self) {
        let (nz, neg) = masks(self.code.val().to_u8());
        for i in 0..self.nz.len() {
            self.nz[i].next = nz >> i & 1 == 1;
            self.neg[i].next = neg >> i & 1 == 1;
        }
    }
    fn connect(&mut self) {
        for s in self.nz.iter_mut().chain(self.neg.iter_mut()) {
            s.connect();
        }
    }
    fn hdl(&self) -> Verilog {
        let n = self.nz.len();
        let assign = |nz: u64, neg: u64| {
            (0..n).map(|i| format!("nz${i} = 1'b{}; neg${i} = 1'b{};", nz >> i & 1, neg >> i & 1)).collect::<Vec<_>>().join(" ")
        };
        let mut v = String::from("always @(*) begin\n    case (code)\n");
        for byte in 0..243u16 {
            let (nz, neg) = masks(byte as u8);
            let _ = writeln!(v, "        8'd{byte}: begin {} end", assign(nz, neg));
        }
        let _ = writeln!(v, "        default: begin {} end\n    endcase\nend", assign(0, 0));
        Verilog::Custom(v)
    }
}

/// Module name of [`base3_decoder_verilog`].
pub const BASE3_DECODER_MODULE: &str = "tern_base3_decoder";

/// The Verilog of one [`Base3Decoder`] for `trits` (1..=5) weights alone, module
/// [`BASE3_DECODER_MODULE`] (for its proof).
pub fn base3_decoder_verilog(trits: usize) -> Result<String, crate::HdlError> {
    if !(1..=TRITS_PER_BYTE).contains(&trits) {
        return Err(crate::HdlError::Weights(format!("a base-3 decoder has 1..=5 weights, not {trits}")));
    }
    let mut d = Base3Decoder::new(trits);
    d.connect_all();
    check_all(&d).map_err(|e| crate::HdlError::Check(format!("{e:?}")))?;
    let mut defines = ModuleDefines::default();
    d.accept(BASE3_DECODER_MODULE, &mut defines);
    Ok(defines.defines())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, settle};
    use proptest::prelude::*;

    #[test]
    fn every_byte_decodes_like_the_table() {
        for trits in [5, 2] {
            let mut d = Base3Decoder::new(trits);
            prepare(&mut d);
            for byte in 0..=255u8 {
                d.code.next = (byte as u64).into();
                settle(&mut d);
                let w = base3_decode(byte);
                for (i, &t) in w.iter().enumerate().take(trits) {
                    assert_eq!(d.nz[i].val(), t != 0, "byte {byte} weight {i}");
                    assert_eq!(d.neg[i].val(), t < 0, "byte {byte} weight {i}");
                }
            }
        }
        // the unused codes are all-zero weights; 243 codes are distinct
        assert_eq!(base3_decode(243), [0; 5]);
        assert_eq!(base3_decode(255), [0; 5]);
        let distinct: std::collections::HashSet<_> = (0..243u8).map(base3_decode).collect();
        assert_eq!(distinct.len(), 243);
        assert_eq!(base3_encode([0; 5]), 121);
        assert_eq!(base3_encode([1; 5]), 242);
    }

    proptest! {
        #[test]
        fn encode_decode_roundtrip(w in proptest::array::uniform5(-1i8..=1)) {
            prop_assert_eq!(base3_decode(base3_encode(w)), w);
        }
    }
}
