//! `tern hdl`: emit the ternary accumulate array as Verilog.

use anyhow::Context;
use hdl::config::{ArrayConfig, Packing};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum PackingArg {
    /// 2 bits per ternary weight (1 bit per binary weight).
    #[value(name = "2bit")]
    TwoBit,
    /// 5 ternary weights per byte, base 3.
    Base3,
}

#[derive(Debug, clap::Args)]
pub struct HdlArgs {
    /// Output rows computed in parallel.
    #[arg(long, default_value_t = 16)]
    pub rows: usize,
    /// Activations per slice (dot-product width per cycle).
    #[arg(long, default_value_t = 64)]
    pub lanes: usize,
    /// Weight stream format.
    #[arg(long, value_enum, default_value = "2bit")]
    pub packing: PackingArg,
    /// Binary {-1, +1} weights instead of ternary.
    #[arg(long)]
    pub binary: bool,
    /// Longest dot product K the array must compute exactly.
    #[arg(long, default_value_t = 8192)]
    pub max_k: usize,
    /// Activation width in bits (2..=8).
    #[arg(long, default_value_t = 8)]
    pub activation_bits: usize,
    /// Systolic segments per row (register stages before the accumulator).
    #[arg(long, default_value_t = 4)]
    pub pipeline_depth: usize,
    /// Accumulator width; default: the narrowest exact one for --max-k.
    #[arg(long)]
    pub accumulator_bits: Option<usize>,
    /// Verilog file to write.
    #[arg(long, default_value = "tern_array.v")]
    pub out: PathBuf,
}

impl HdlArgs {
    /// The configuration these arguments describe.
    pub fn config(&self) -> ArrayConfig {
        let mut cfg = ArrayConfig {
            rows: self.rows,
            lanes: self.lanes,
            activation_bits: self.activation_bits,
            packing: match self.packing {
                PackingArg::TwoBit => Packing::TwoBit,
                PackingArg::Base3 => Packing::Base3,
            },
            binary: self.binary,
            pipeline_depth: self.pipeline_depth,
            accumulator_bits: 0,
            max_k: self.max_k,
        };
        cfg.accumulator_bits = self.accumulator_bits.unwrap_or_else(|| cfg.min_accumulator_bits());
        cfg
    }
}

pub fn run(args: HdlArgs) -> anyhow::Result<()> {
    let cfg = args.config();
    let verilog = hdl::emit_verilog(&cfg).context("cannot generate the array")?;
    std::fs::write(&args.out, &verilog).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("{}", serde_json::to_string_pretty(&cfg)?);
    println!(
        "wrote {} (top module {}, {} lines); a {}x{} matvec takes {} cycles",
        args.out.display(),
        hdl::verilog::TOP_MODULE,
        verilog.lines().count(),
        cfg.rows,
        cfg.lanes,
        cfg.matvec_cycles(cfg.rows, cfg.lanes)
    );
    Ok(())
}
