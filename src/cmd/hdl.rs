//! `tern hdl`: emit the ternary accumulate array as Verilog.

use anyhow::Context;
use std::path::PathBuf;

use super::array::ArrayArgs;

#[derive(Debug, clap::Args)]
pub struct HdlArgs {
    #[command(flatten)]
    pub array: ArrayArgs,
    /// Emit the streaming top (`tern_stream`, with the array inside) instead of the bare array.
    #[arg(long)]
    pub stream: bool,
    /// Verilog file to write.
    #[arg(long, default_value = "tern_array.v")]
    pub out: PathBuf,
}

pub fn run(args: HdlArgs, given: &super::errors::Given) -> anyhow::Result<()> {
    given.refuse_unless(args.stream, &super::array::STREAM_IDS, "sets the streaming top's memory port: add --stream")?;
    super::errors::writable("--out", &args.out)?;
    let cfg = args.array.config(8192);
    let (verilog, top) = super::synth::emit_design(&cfg, args.stream)?;
    std::fs::write(&args.out, &verilog).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("{}", serde_json::to_string_pretty(&cfg)?);
    println!(
        "wrote {} (top module {}, {} lines); a {}x{} matvec takes {} cycles",
        args.out.display(),
        top,
        verilog.lines().count(),
        cfg.rows,
        cfg.lanes,
        cfg.matvec_cycles(cfg.rows, cfg.lanes)
    );
    Ok(())
}
