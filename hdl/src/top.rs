//! The generated tops a flow synthesizes or simulates: the bare array (`tern_array`) or the
//! streaming top (`tern_stream`), with their Verilog and port lists.

use serde::{Deserialize, Serialize};

use crate::{ArrayConfig, HdlError};

/// Which generated top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Top {
    /// The ternary accumulate array alone.
    Array,
    /// The array behind its DRAM port (decoders, tile FIFO).
    Stream,
}

impl Top {
    /// The top's module name.
    pub fn module(self) -> &'static str {
        match self {
            Top::Array => crate::verilog::TOP_MODULE,
            Top::Stream => crate::stream::TOP_MODULE,
        }
    }

    /// The Verilog of this top for `cfg`.
    pub fn emit(self, cfg: &ArrayConfig) -> Result<String, HdlError> {
        match self {
            Top::Array => crate::emit_verilog(cfg),
            Top::Stream => crate::emit_stream_verilog(cfg),
        }
    }

    /// The top's ports: (name, is input, width).
    pub fn ports(self, cfg: &ArrayConfig) -> Vec<(&'static str, bool, usize)> {
        match self {
            Top::Array => crate::verilog::top_ports(cfg),
            Top::Stream => crate::stream::stream_ports(cfg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_top_declares_its_own_module_and_ports() {
        let cfg = ArrayConfig { rows: 2, lanes: 8, max_k: 64, ..ArrayConfig::default() };
        for top in [Top::Array, Top::Stream] {
            let v = top.emit(&cfg).unwrap();
            assert!(v.contains(&format!("module {}", top.module())), "{top:?}");
            for (name, _, _) in top.ports(&cfg) {
                assert!(v.contains(name), "{top:?} lacks port {name}");
            }
        }
        assert_ne!(Top::Array.ports(&cfg), Top::Stream.ports(&cfg));
    }
}
