//! Test support: where the shared real checkpoints are.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/models/bitllama2c` beside the repository, or `$TERN_SHARED_DIR/models/bitllama2c`.
/// Tests that need it fail (not skip) when it is absent: CI always has it.
pub fn bitllama2c() -> PathBuf {
    let shared = std::env::var_os("TERN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("models/bitllama2c");
    assert!(dir.join("tinystories-1m.bin").exists(), "the shared checkpoints are missing at {}; set TERN_SHARED_DIR", dir.display());
    dir
}

pub const REFERENCE_IDS: [u32; 64] = [
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 335, 311, 267, 422,
    419, 269, 352, 379, 261, 420, 277, 264, 322, 265, 262, 433, 422, 426, 385, 328, 432, 358, 394, 261, 370, 432, 262, 415,
    271, 422, 352, 414, 340, 353, 265, 298, 420, 277, 264, 426, 338, 391, 266, 267,
];

pub const REFERENCE_TEXT: &str = "Once upon a time, there was a little girl named Lily. She loved to play with her toys and run around in the sky. One day, she saw a big, shiny rock on the ground. She wanted to";

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tern-golden-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
