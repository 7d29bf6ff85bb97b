use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use golden::{checkpoint::ModelSource, GenerateOptions, SoftwareBackend, Tokenizer};

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// A llama2.c BitNet export, a Hugging Face BitNet folder, or `synthetic:NAME[:SEED]`
    #[arg(long, default_value = "synthetic:tiny")]
    pub model: String,
    /// llama2.c tokenizer.bin; synthetic models have a built-in one
    #[arg(long)]
    pub tokenizer: Option<PathBuf>,
    #[arg(long, default_value = "")]
    pub prompt: String,
    /// Positions to run, prompt included
    #[arg(long, default_value_t = 64)]
    pub steps: usize,
    /// 0 is greedy
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// Nucleus sampling threshold; 0 or 1 samples from the whole distribution
    #[arg(long, default_value_t = 0.9)]
    pub topp: f32,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the generated token ids (without BOS) as one line instead of the text
    #[arg(long)]
    pub print_ids: bool,
}

pub fn run(a: GenerateArgs) -> anyhow::Result<()> {
    if !(a.temperature.is_finite() && a.temperature >= 0.0) {
        anyhow::bail!("--temperature {} must be 0 (greedy) or positive", a.temperature);
    }
    let source = ModelSource::parse(&a.model)?;
    let model = source.load().with_context(|| format!("loading model {}", a.model))?;
    let tokenizer = match (&a.tokenizer, &source) {
        (Some(p), _) => Tokenizer::load(p)?,
        (None, ModelSource::Synthetic { .. }) => Tokenizer::synthetic(model.config.vocab_size),
        (None, ModelSource::Path(_)) => anyhow::bail!("--tokenizer is needed for a checkpoint: pass the tokenizer.bin it was trained with"),
    };
    tokenizer.check_vocab(model.config.vocab_size)?;
    let opts = GenerateOptions { steps: a.steps, temperature: a.temperature, topp: a.topp, seed: a.seed };
    let mut out = std::io::stdout().lock();
    let print_text = !a.print_ids;
    let gen = golden::generate(&model, &tokenizer, &mut SoftwareBackend, &a.prompt, &opts, |prev, tok| {
        if print_text {
            let _ = out.write_all(&tokenizer.decode_printable(prev, tok));
            let _ = out.flush();
        }
    })?;
    if a.print_ids {
        let ids: Vec<String> = gen.generated.iter().map(|t| t.to_string()).collect();
        writeln!(out, "{}", ids.join(" "))?;
    } else {
        writeln!(out)?;
    }
    Ok(())
}

pub fn shapes() -> anyhow::Result<()> {
    println!("{:<16} {:>6} {:>7} {:>6} {:>9} {:>7} {:>14}  about", "shape", "dim", "hidden", "layers", "heads/kv", "vocab", "ternary params");
    for s in golden::synthetic::shapes() {
        let c = &s.config;
        println!(
            "{:<16} {:>6} {:>7} {:>6} {:>9} {:>7} {:>14}  {}",
            s.name,
            c.dim,
            c.hidden_dim,
            c.n_layers,
            format!("{}/{}", c.n_heads, c.n_kv_heads),
            c.vocab_size,
            c.ternary_params(),
            s.about
        );
    }
    Ok(())
}
