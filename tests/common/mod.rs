//! Helpers shared by the end-to-end tests of the `tern` command.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// `../shared/models/bitllama2c` beside the repository, or `$TERN_SHARED_DIR/models/bitllama2c`.
/// Tests that need it fail (not skip) when it is absent: CI always has it.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("TERN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("models/bitllama2c");
    assert!(dir.join("tinystories-1m.bin").exists(), "shared checkpoints missing at {}; set TERN_SHARED_DIR", dir.display());
    dir
}

/// Runs `tern` with `args`: (success, stdout, stderr).
pub fn tern(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tern")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The 64 token ids the C reference prints for tinystories-1m.bin, greedy from BOS.
pub const REFERENCE_IDS: &str = "403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267 337 335 311 267 422 419 269 352 379 261 420 277 264 322 265 262 433 422 426 385 328 432 358 394 261 370 432 262 415 271 422 352 414 340 353 265 298 420 277 264 426 338 391 266 267";
