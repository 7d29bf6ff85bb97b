//! Helpers shared by the reports integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use golden::{LinearKind, MatmulSite, ModelConfig};
use reports::cycles::call_cycles;
use reports::ArrayConfig;
use sim::{ArraySummary, MatmulRecord, RunRecord};

/// `../shared/models/bitllama2c` beside the repository, or `$TERN_SHARED_DIR/models/bitllama2c`.
pub fn shared_models() -> PathBuf {
    let dir = std::env::var_os("TERN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("models/bitllama2c");
    assert!(dir.join("tinystories-1m.bin").exists(), "the shared checkpoints are missing at {}; set TERN_SHARED_DIR", dir.display());
    dir
}

/// A fresh output folder under the target dir's test scratch space (printed for the reader).
pub fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!("test output in {}", dir.display());
    dir
}

pub fn shape(name: &str) -> ModelConfig {
    golden::synthetic::shape(name).unwrap().config
}

/// A run record built BY HAND from the analytic model (not a measurement): one prefill call of
/// `prompt` vectors, then `decode` one-vector tokens; its source says so.
pub fn hand_run(c: &ModelConfig, a: &ArrayConfig, prompt: usize, decode: usize, nonzero: f64) -> RunRecord {
    let mut matmuls = vec![];
    let mut call = |pos: usize, vectors: usize| {
        for layer in 0..c.n_layers {
            for kind in LinearKind::ALL {
                let (n, k) = c.linear_shape(kind);
                let macs = (n * k * vectors) as u64;
                matmuls.push(MatmulRecord {
                    site: MatmulSite { layer, kind, pos },
                    rows: n,
                    cols: k,
                    vectors,
                    macs,
                    nonzero_macs: (macs as f64 * nonzero) as u64,
                    cycles: call_cycles(a, n, k, vectors),
                    stall_cycles: 0,
                    weight_bytes: 0,
                    prefill: false,
                });
            }
        }
    };
    call(0, prompt);
    for t in 0..decode {
        call(prompt + t, 1);
    }
    RunRecord {
        array: ArraySummary { rows: a.rows, lanes: a.lanes, packing: a.packing.name().into(), binary: a.binary },
        model: "hand-built".into(),
        tokens: prompt + decode,
        matmuls,
        source: "test fixture: built by hand from the analytic model, not measured".into(),
        stream: None,
    }
}
