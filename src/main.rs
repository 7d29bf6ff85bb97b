//! `tern`: the command line. Thin: it parses arguments and calls the crates.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tern", version, about = "Generator, simulator and estimator for BitNet b1.58 ternary accelerators")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate text with a BitNet b1.58 model (a checkpoint or a synthetic shape).
    Generate(cmd::generate::GenerateArgs),
    /// Quality of the integer profile against float on a text: perplexity, top-1 agreement, greedy match.
    Eval(cmd::eval::EvalArgs),
    /// List the built-in synthetic model shapes.
    Shapes,
    /// Write a model (e.g. a synthetic one) as a llama2.c export or a Hugging Face checkpoint.
    Export(cmd::export::ExportArgs),
    /// Latency, energy, area and scaling report of a model on an array (JSON, Markdown, HTML, SVG).
    Report(cmd::report::ReportArgs),
    /// Many array shapes: LUTs vs tokens/s vs J/token, with the Pareto front.
    Sweep(cmd::sweep::SweepArgs),
    /// Propose the array that just reaches the decode roofline of a memory at a clock.
    Size(cmd::size::SizeArgs),
    /// Emit the ternary accumulate array as Verilog.
    Hdl(cmd::hdl::HdlArgs),
    /// Synthesize Verilog with Yosys (xc7, ice40, ecp5, asic); Fmax from nextpnr for ice40/ecp5.
    Synth(cmd::synth::SynthArgs),
    /// Prove a generated block (array, decoders) equal to an independent specification.
    Prove(cmd::prove::ProveArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(a) => cmd::generate::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Shapes => cmd::generate::shapes(),
        Command::Export(a) => cmd::export::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Prove(a) => cmd::prove::run(a),
        Command::Hdl(a) => cmd::hdl::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Sweep(a) => cmd::sweep::run(a),
        Command::Size(a) => cmd::size::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
