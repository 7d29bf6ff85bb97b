use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use golden::generate::Weights;
use golden::{checkpoint::ModelSource, BitLinearBackend, GenerateOptions, Generation, IntModel, KvBits, Model, Numerics, SoftwareBackend, Tokenizer};

use super::array::{ArrayArgs, ARRAY_IDS, STREAM_IDS};
use super::errors::{positive, writable, Given};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// golden's software BitLinear (the reference)
    Software,
    /// every BitLinear on the generated array, simulated cycle by cycle in Verilator
    Verilator,
    /// the array behind its memory port (tern_stream), weights streamed from a DRAM model
    Stream,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum NumericsArg {
    /// the checkpoint's own f32 arithmetic between the BitLinears (bit-exact with its reference)
    Float,
    /// integer only, the chip's arithmetic (docs/numerics.md)
    Int,
}

impl From<NumericsArg> for Numerics {
    fn from(n: NumericsArg) -> Numerics {
        match n {
            NumericsArg::Float => Numerics::Float,
            NumericsArg::Int => Numerics::Int,
        }
    }
}

/// The numerics options `generate` and `report` share.
#[derive(Clone, Debug, clap::Args)]
pub struct NumericsArgs {
    /// Arithmetic between the BitLinears
    #[arg(long, value_enum, default_value = "float")]
    pub numerics: NumericsArg,
    /// Bits per K and V element in the KV cache under --numerics int (8 or 4)
    #[arg(long, default_value_t = 8, value_parser = parse_kv_bits)]
    pub kv_bits: u32,
}

pub fn parse_kv_bits(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(b) if KvBits::from_bits(b).is_some() => Ok(b),
        _ => Err(format!("'{s}' is not a KV-cache width; use 8 or 4")),
    }
}

impl NumericsArgs {
    /// --kv-bits means nothing under float.
    pub fn check(&self, given: &Given) -> anyhow::Result<()> {
        given.refuse_unless(self.numerics == NumericsArg::Int, &["kv_bits"], "sets the int profile's KV cache: add --numerics int")
    }

    pub fn kv_bits(&self) -> KvBits {
        KvBits::from_bits(self.kv_bits).unwrap_or(KvBits::Eight)
    }
}

/// A loaded model under the chosen numerics: the float model, and its integer conversion
/// when `int` is chosen (made once, at load).
pub struct Loaded {
    pub model: Model,
    pub int: Option<IntModel>,
}

impl Loaded {
    pub fn new(model: Model, n: &NumericsArgs) -> anyhow::Result<Loaded> {
        let int = match n.numerics {
            NumericsArg::Float => None,
            NumericsArg::Int => {
                let spinner = super::spinner("converting the model to the integer profile (calibrating its residual format)".into());
                let m = IntModel::from_model(&model, n.kv_bits())?;
                spinner.finish_and_clear();
                Some(m)
            }
        };
        Ok(Loaded { model, int })
    }

    pub fn weights(&self) -> Weights<'_> {
        match &self.int {
            Some(m) => Weights::Int(m),
            None => Weights::Float(&self.model),
        }
    }
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
    #[command(flatten)]
    pub numerics: NumericsArgs,
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
    /// Stream backend: the DRAM behind the memory port (ddr4, lpddr5, hbm2e)
    #[arg(long, default_value = "ddr4")]
    pub dram: String,
    /// Stream backend: the array clock in MHz, a given clock (or use --fmax-from)
    #[arg(long, default_value_t = 100.0, conflicts_with = "fmax_from")]
    pub clock_mhz: f64,
    /// Stream backend: run at the Fmax measured in this `tern synth --json` output (ice40/ecp5)
    #[arg(long)]
    pub fmax_from: Option<PathBuf>,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Software => "software",
            Backend::Verilator => "verilator",
            Backend::Stream => "stream",
        }
    }
}

/// The two simulated backends: run as a BitLinear backend, then give the run's record.
trait HwBackend {
    fn as_dyn(&mut self) -> &mut dyn BitLinearBackend;
    fn record(&self, model: &str, tokens: usize) -> sim::RunRecord;
}

impl HwBackend for sim::VerilatorBackend {
    fn as_dyn(&mut self) -> &mut dyn BitLinearBackend {
        self
    }
    fn record(&self, model: &str, tokens: usize) -> sim::RunRecord {
        self.run_record(model, tokens)
    }
}

impl HwBackend for sim::StreamBackend {
    fn as_dyn(&mut self) -> &mut dyn BitLinearBackend {
        self
    }
    fn record(&self, model: &str, tokens: usize) -> sim::RunRecord {
        self.run_record(model, tokens)
    }
}

/// `--model` and `--tokenizer` (synthetic models bring their own), checked against each other.
pub fn load_with_tokenizer(spec: &str, tokenizer: Option<&std::path::Path>) -> anyhow::Result<(Model, Tokenizer)> {
    let source = ModelSource::parse(spec)?;
    let model = source.load().with_context(|| format!("loading model {spec}"))?;
    let tokenizer = match (tokenizer, &source) {
        (Some(p), _) => Tokenizer::load(p)?,
        (None, ModelSource::Synthetic { .. }) => Tokenizer::synthetic(model.config.vocab_size),
        (None, ModelSource::Path(_)) => anyhow::bail!("--tokenizer is needed for a checkpoint: pass the tokenizer.bin it was trained with"),
    };
    tokenizer.check_vocab(model.config.vocab_size)?;
    Ok((model, tokenizer))
}

/// Refuses what the chosen backend and numerics would ignore, and bad values, before any load
/// or Verilator build.
fn check_options(a: &GenerateArgs, given: &Given, opts: &GenerateOptions) -> anyhow::Result<()> {
    // the steps' bound is the model's context: a synthetic shape knows it before any weight
    // is made; a checkpoint's is checked once it is loaded
    match ModelSource::parse(&a.model)? {
        ModelSource::Synthetic { shape, .. } => opts.validate(golden::synthetic::shape(&shape)?.config.seq_len)?,
        ModelSource::Path(_) => opts.validate_sampling()?,
    }
    let hw = a.backend != Backend::Software;
    let stream = a.backend == Backend::Stream;
    let add_hw = "add --backend verilator or --backend stream";
    given.refuse_unless(hw, &ARRAY_IDS, &format!("sets the simulated array: {add_hw}"))?;
    given.refuse_unless(stream, &STREAM_IDS, "sets the streaming top's memory port: add --backend stream")?;
    given.refuse_unless(hw, &["no_check"], &format!("skips comparing the simulated array with golden: {add_hw}"))?;
    given.refuse_unless(hw, &["vcd"], &format!("records the simulated array: {add_hw}"))?;
    given.refuse_unless(hw, &["record"], &format!("writes the simulated array's cycle record: {add_hw}"))?;
    given.refuse_unless(stream, &["dram"], "sets the streaming top's memory: add --backend stream")?;
    given.refuse_unless(stream, &["clock_mhz"], "sets the streaming top's clock: add --backend stream")?;
    if a.fmax_from.is_some() && !stream {
        anyhow::bail!("--fmax-from sets the clock of the DRAM model: use it with --backend stream");
    }
    a.numerics.check(given)?;
    if stream {
        positive("--clock-mhz", a.clock_mhz, "MHz")?;
        sim::DramConfig::preset(&a.dram)?;
    }
    for (option, path) in [("--vcd", &a.vcd), ("--record", &a.record)] {
        if let Some(p) = path {
            writable(option, p)?;
        }
    }
    Ok(())
}

pub fn run(a: GenerateArgs, given: &Given) -> anyhow::Result<()> {
    let opts = GenerateOptions { steps: a.steps, temperature: a.temperature, topp: a.topp, seed: a.seed };
    check_options(&a, given, &opts)?;
    let (model, tokenizer) = load_with_tokenizer(&a.model, a.tokenizer.as_deref())?;
    let loaded = Loaded::new(model, &a.numerics)?;
    let model = &loaded.model;
    let mut out = std::io::stdout().lock();
    let print_text = !a.print_ids;
    let mut run = |backend: &mut dyn BitLinearBackend| -> anyhow::Result<Generation> {
        let gen = golden::generate(loaded.weights(), &tokenizer, backend, &a.prompt, &opts, |prev, tok| {
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
        if let Some(s) = &gen.int_stats {
            if s.saturations() > 0 {
                eprintln!(
                    "int: {} values saturated (residual {}, activations {}, logits {}); the fixed-point formats are too narrow for this model",
                    s.saturations(),
                    s.residual_saturations,
                    s.activation_saturations,
                    s.logit_saturations
                );
            }
        }
        Ok(gen)
    };
    match a.backend {
        Backend::Software => {
            run(&mut SoftwareBackend)?;
        }
        Backend::Verilator | Backend::Stream => {
            let cfg = a.array.config_for(&model.config);
            let stream = a.backend == Backend::Stream;
            let top = if stream { "tern_stream" } else { "tern_array" };
            let (clock_mhz, clock_source) = super::synth::clock_of(a.fmax_from.as_deref(), a.clock_mhz, "generate", Some(&cfg))?;
            let spinner = super::spinner(format!("building the {}x{} {top} with Verilator (cached after the first build)", cfg.rows, cfg.lanes));
            let mut hw: Box<dyn HwBackend> = if stream {
                let dram = sim::DramConfig::preset(&a.dram)?;
                Box::new(sim::StreamBackend::new(sim::StreamSim::new(&cfg, &dram, clock_mhz, a.vcd.as_deref())?))
            } else {
                Box::new(sim::VerilatorBackend::new(sim::ArraySim::new(&cfg, a.vcd.as_deref())?))
            };
            spinner.finish_and_clear();
            let (gen, checked) = if a.no_check {
                (run(hw.as_dyn())?, None)
            } else {
                let mut c = sim::Checked::new(hw.as_dyn());
                let gen = run(&mut c)?;
                (gen, Some(c.compared))
            };
            let tokens = gen.prompt.len() + gen.generated.len() - 1;
            let mut record = hw.record(&a.model, tokens);
            if let Some(s) = record.stream.as_mut() {
                s.ternary_params = model.config.ternary_params();
                s.clock_source = clock_source;
            }
            let t = record.totals();
            eprintln!(
                "{}: {}x{} array, {} tokens, {} BitLinear calls, {} cycles ({:.1}% array use), {}",
                a.backend.name(),
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
            if let Some(s) = &record.stream {
                let achieved = t.weight_bytes as f64 / t.cycles.max(1) as f64;
                let peak = s.dram.bytes_per_cycle(s.clock_mhz);
                eprintln!(
                    "stream: {} at {} MHz = {:.1} B/cycle; {} weight bytes in {} cycles = {:.1} B/cycle, {:.1}% of the DRAM bandwidth",
                    s.dram.name,
                    (s.clock_mhz * 100.0).round() / 100.0,
                    peak,
                    t.weight_bytes,
                    t.cycles,
                    achieved,
                    100.0 * achieved / peak
                );
            }
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
