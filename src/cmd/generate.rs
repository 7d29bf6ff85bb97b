use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use golden::{checkpoint::ModelSource, BitLinearBackend, GenerateOptions, Generation, SoftwareBackend, Tokenizer};

use super::array::ArrayArgs;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// golden's software BitLinear (the reference)
    Software,
    /// every BitLinear on the generated array, simulated cycle by cycle in Verilator
    Verilator,
}

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
    /// Who computes the ternary products
    #[arg(long, value_enum, default_value = "software")]
    pub backend: Backend,
    /// The simulated array (verilator backend)
    #[command(flatten)]
    pub array: ArrayArgs,
    /// Verilator backend: skip comparing every accumulator with the software backend
    #[arg(long)]
    pub no_check: bool,
    /// Verilator backend: write every cycle to this VCD file (GTKWave, Surfer)
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// Verilator backend: write the per-call cycle and MAC record (JSON) for `tern report`
    #[arg(long)]
    pub record: Option<PathBuf>,
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
    let mut run = |backend: &mut dyn BitLinearBackend| -> anyhow::Result<Generation> {
        let gen = golden::generate(&model, &tokenizer, backend, &a.prompt, &opts, |prev, tok| {
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
        Ok(gen)
    };
    match a.backend {
        Backend::Software => {
            run(&mut SoftwareBackend)?;
        }
        Backend::Verilator => {
            let cfg = a.array.config_for(&model.config);
            let spinner = super::spinner(format!("building the {}x{} array with Verilator (cached after the first build)", cfg.rows, cfg.lanes));
            let sim = sim::ArraySim::new(&cfg, a.vcd.as_deref())?;
            spinner.finish_and_clear();
            let mut hw = sim::VerilatorBackend::new(sim);
            let (gen, checked) = if a.no_check {
                (run(&mut hw)?, None)
            } else {
                let mut c = sim::Checked::new(hw);
                let gen = run(&mut c)?;
                let n = c.compared;
                hw = c.inner;
                (gen, Some(n))
            };
            let tokens = gen.prompt.len() + gen.generated.len() - 1;
            let record = hw.run_record(&a.model, tokens);
            let t = record.totals();
            eprintln!(
                "verilator: {}x{} array, {} tokens, {} BitLinear calls, {} cycles ({:.1}% array use), {}",
                cfg.rows,
                cfg.lanes,
                tokens,
                t.calls,
                t.cycles,
                100.0 * t.utilization(&record.array),
                match checked {
                    Some(n) => format!("{n} accumulators checked against golden, 0 mismatches"),
                    None => "not checked (--no-check)".into(),
                }
            );
            if let Some(p) = &a.record {
                std::fs::write(p, serde_json::to_string_pretty(&record)?).with_context(|| format!("cannot write {}", p.display()))?;
            }
        }
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
