//! `tern prove`: prove a generated block equal to an independent specification (Yosys + ABC).

use anyhow::Context;
use hdl::config::ArrayConfig;
use hdl::spec;
use std::path::PathBuf;

use super::array::PackingArg;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Block {
    /// The ternary accumulate array `tern_array` (slots 1).
    Array,
    /// The array's base-3 decoder (every partial byte, 1..=5 weights) and the base-3 streaming
    /// top's port decoder (bytes to 2-bit codes), exhaustively.
    Decoder,
    /// The streaming top `tern_stream` (no specification yet).
    Stream,
    /// The chip's vector unit (not built yet).
    Vector,
    /// The chip's attention unit (not built yet).
    Attention,
    /// The chip's LM head: its running argmax (the unit built so far), 8-bit logits, 16 a start.
    Head,
}

#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    /// The block to prove.
    #[arg(long, value_enum)]
    pub block: Block,
    /// Array rows (small: a proof grows with the array).
    #[arg(long, default_value_t = 2)]
    pub rows: usize,
    /// Array lanes.
    #[arg(long, default_value_t = 4)]
    pub lanes: usize,
    /// Weight stream format.
    #[arg(long, value_enum, default_value = "2bit")]
    pub packing: PackingArg,
    /// Binary {-1, +1} weights.
    #[arg(long)]
    pub binary: bool,
    /// Longest dot product the array must compute exactly.
    #[arg(long, default_value_t = 16)]
    pub max_k: usize,
    /// Systolic segments per row.
    #[arg(long, default_value_t = 2)]
    pub pipeline_depth: usize,
    /// Accumulator width; default: the narrowest exact one for --max-k (the overflow guard is
    /// then tight).
    #[arg(long)]
    pub accumulator_bits: Option<usize>,
    /// Flip the weight sign of this lane of row 0 in the generated array: a broken block, to see
    /// the proof fail with a counterexample (2bit and binary only).
    #[arg(long)]
    pub break_lane: Option<usize>,
    /// Directory for the run's files (designs, scripts, logs, counterexample.vcd).
    #[arg(long, default_value = "tern-prove")]
    pub out: PathBuf,
    /// Print the records as JSON.
    #[arg(long)]
    pub json: bool,
}

impl ProveArgs {
    fn config(&self) -> ArrayConfig {
        let mut cfg = ArrayConfig {
            rows: self.rows,
            lanes: self.lanes,
            packing: self.packing.into(),
            binary: self.binary,
            max_k: self.max_k,
            pipeline_depth: self.pipeline_depth,
            group_rows: self.rows.max(1),
            ..ArrayConfig::default()
        };
        cfg.accumulator_bits = self.accumulator_bits.unwrap_or_else(|| cfg.min_accumulator_bits());
        cfg
    }
}

/// The proofs a block stands for: (name, [gold, gate] Verilog).
fn jobs(args: &ProveArgs) -> anyhow::Result<Vec<fpga::ProofJob>> {
    let job = |name: String, [gold, gate]: [String; 2], tops: [&str; 2]| fpga::ProofJob {
        name,
        gold,
        gold_top: tops[0].into(),
        gate,
        gate_top: tops[1].into(),
    };
    let cfg = args.config();
    Ok(match args.block {
        Block::Array => {
            let kind = if cfg.binary { "binary".to_string() } else { cfg.packing.name().to_string() };
            let broken = args.break_lane.map(|l| format!(", lane {l} of row 0 sign-flipped")).unwrap_or_default();
            let name = format!("array {}x{} {kind} depth {} max_k {} acc {}{broken}", cfg.rows, cfg.lanes, cfg.pipeline_depth, cfg.max_k, cfg.accumulator_bits);
            vec![job(name, spec::array_proof(&cfg, args.break_lane)?, [spec::GOLD_TOP, spec::GATE_TOP])]
        }
        Block::Decoder => {
            let mut v: Vec<_> = (1..=5)
                .map(|t| Ok(job(format!("base3 decoder, {t} weights"), spec::base3_decoder_proof(t)?, [spec::BASE3_SPEC, hdl::decoder::BASE3_DECODER_MODULE])))
                .collect::<anyhow::Result<_>>()?;
            let b3 = ArrayConfig { packing: hdl::Packing::Base3, binary: false, ..cfg };
            v.push(job("port decoder (base3 bytes to 2-bit codes)".into(), spec::port_decoder_proof(&b3)?, [spec::PORT_DECODE_SPEC, "tern_port_decode"]));
            v
        }
        Block::Stream => anyhow::bail!("tern_stream has no specification yet: prove its parts (--block array, --block decoder)"),
        Block::Head => vec![job("head argmax, 8-bit logits, 4-bit index".into(), spec::argmax_proof()?, [spec::GOLD_TOP, spec::GATE_TOP])],
        Block::Vector | Block::Attention => {
            let unit = format!("{:?}", args.block).to_lowercase();
            anyhow::bail!("the chip's {unit} unit has not been built yet: nothing to prove")
        }
    })
}

pub fn run(args: ProveArgs) -> anyhow::Result<()> {
    if args.break_lane.is_some() && args.block != Block::Array {
        anyhow::bail!("--break-lane breaks a lane of the array: use it with --block array");
    }
    let jobs = jobs(&args)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    let flow = fpga::Flow::from_env();
    let mut records = vec![];
    for (i, job) in jobs.iter().enumerate() {
        let dir = args.out.join(format!("{:?}-{i}", args.block).to_lowercase());
        let pb = super::spinner(format!("proving {}", job.name));
        let rec = flow.prove(job, &dir).with_context(|| format!("proof of {}", job.name));
        pb.finish_and_clear();
        records.push(rec?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&records)?);
    } else {
        for r in &records {
            print_record(r);
        }
    }
    let failed: Vec<&str> = records.iter().filter(|r| r.verdict != fpga::Verdict::Proven).map(|r| r.name.as_str()).collect();
    if !failed.is_empty() {
        anyhow::bail!("not proven, counterexample found: {}", failed.join("; "));
    }
    Ok(())
}

fn print_record(r: &fpga::ProofRecord) {
    match &r.counterexample {
        None => println!("PROVEN {} ({:.1} s): {}", r.name, r.seconds, r.claim),
        Some(cex) => {
            println!("COUNTEREXAMPLE {} ({:.1} s): {}", r.name, r.seconds, r.claim);
            for c in &cex.trace {
                let ins: Vec<String> = c.inputs.iter().map(|(n, v)| format!("{n}=0x{v}")).collect();
                println!("  cycle {}: {}", c.cycle, ins.join(" "));
                for (n, gold, gate) in &c.differs {
                    println!("    {n}: spec 0x{gold}, block 0x{gate}");
                }
            }
            println!("  VCD: {}", cex.vcd.display());
        }
    }
}
