//! Checkpoint formats and the one entry point that picks among them.

pub mod hf;
pub mod llama2c;

use std::path::Path;

use crate::error::{GoldenError, Result};
use crate::model::Model;
use crate::synthetic;

/// The seed of `synthetic:NAME` when none is given.
pub const DEFAULT_SYNTHETIC_SEED: u64 = 1;

/// Where a model comes from, as the command line names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelSource {
    /// `synthetic:NAME` or `synthetic:NAME:SEED`
    Synthetic { shape: String, seed: u64 },
    /// a llama2.c export file, a Hugging Face folder, or a `.safetensors` file in one
    Path(std::path::PathBuf),
}

impl ModelSource {
    pub fn parse(spec: &str) -> Result<ModelSource> {
        if spec.trim().is_empty() {
            return Err(GoldenError::BadRequest("--model is empty; give a checkpoint path or synthetic:NAME (see tern shapes)".into()));
        }
        let Some(rest) = spec.strip_prefix("synthetic:") else {
            return Ok(ModelSource::Path(spec.into()));
        };
        let (shape, seed) = match rest.split_once(':') {
            None => (rest, DEFAULT_SYNTHETIC_SEED),
            Some((s, seed)) => (
                s,
                seed.parse().map_err(|_| GoldenError::BadConfig(format!("seed '{seed}' in '{spec}' is not a whole number")))?,
            ),
        };
        synthetic::shape(shape)?;
        Ok(ModelSource::Synthetic { shape: shape.into(), seed })
    }

    pub fn load(&self) -> Result<Model> {
        match self {
            ModelSource::Synthetic { shape, seed } => synthetic::model(shape, *seed),
            ModelSource::Path(p) => load_path(p),
        }
    }
}

/// Loads a checkpoint, telling the format from what the path holds.
pub fn load_path(path: &Path) -> Result<Model> {
    if path.is_dir() || path.extension().is_some_and(|e| e == "safetensors") {
        return hf::load(path);
    }
    llama2c::load(path)
}

/// `synthetic:NAME[:SEED]` or a path.
pub fn load_model(spec: &str) -> Result<Model> {
    ModelSource::parse(spec)?.load()
}
