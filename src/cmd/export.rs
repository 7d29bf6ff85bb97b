//! `tern export`: write a model (typically synthetic) as a checkpoint file or folder.

use std::path::PathBuf;

use anyhow::Context;
use golden::checkpoint::{hf, llama2c};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// llama2.c BitNet export (.bin); llama2.c-architecture models only
    Llama2c,
    /// Hugging Face folder, 2B4T packed U8 layout with weight_scale
    HfPacked,
    /// Hugging Face folder, 1bitLLM full-precision layout (F32, quantized on load)
    HfFp,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// What to export: `synthetic:NAME[:SEED]` or any checkpoint tern loads
    #[arg(long)]
    pub model: String,
    #[arg(long, value_enum)]
    pub format: Format,
    /// Output file (llama2c) or folder (hf-*)
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the model's tokenizer.bin beside it (synthetic models only)
    #[arg(long)]
    pub tokenizer: bool,
}

pub fn run(a: ExportArgs) -> anyhow::Result<()> {
    let source = golden::ModelSource::parse(&a.model)?;
    if a.tokenizer && !matches!(source, golden::ModelSource::Synthetic { .. }) {
        anyhow::bail!("--tokenizer writes the built-in tokenizer of synthetic models; a checkpoint's tokenizer is the file it came with");
    }
    match a.format {
        Format::Llama2c => super::errors::writable("--out", &a.out)?,
        Format::HfPacked | Format::HfFp => super::errors::writable_dir("--out", &a.out)?,
    }
    let model = source.load().with_context(|| format!("loading model {}", a.model))?;
    match a.format {
        Format::Llama2c => llama2c::save(&model, &a.out)?,
        Format::HfPacked => hf::save(&model, &a.out, hf::HfLayout::Packed)?,
        Format::HfFp => hf::save(&model, &a.out, hf::HfLayout::FullPrecision)?,
    }
    if a.tokenizer {
        let dir = if a.out.is_dir() { a.out.clone() } else { a.out.parent().map(PathBuf::from).unwrap_or_default() };
        let path = dir.join("tokenizer.bin");
        std::fs::write(&path, golden::Tokenizer::synthetic(model.config.vocab_size).to_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let c = &model.config;
    println!(
        "wrote {} ({:?}): {} layers, dim {}, {} ternary weights, {:.1}% zero",
        a.out.display(),
        a.format,
        c.n_layers,
        c.dim,
        c.ternary_params(),
        100.0 * model.ternary_zero_fraction()
    );
    Ok(())
}
