//! `tern`: the command line. Thin: it parses arguments and calls the crates.

mod cmd;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Many array shapes x targets x bandwidths, locally or on Slurm: size vs tokens/s vs J/token, with the Pareto front.
    Sweep(cmd::sweep::SweepArgs),
    /// Run one point of a planned sweep (what each local process and Slurm array task runs).
    SweepPoint(cmd::sweep::SweepPointArgs),
    /// Propose the array that just reaches the decode roofline of a memory at a clock.
    Size(cmd::size::SizeArgs),
    /// Emit the ternary accumulate array as Verilog.
    Hdl(cmd::hdl::HdlArgs),
    /// Synthesize Verilog with Yosys (xc7, ice40, ecp5, asic); Fmax from nextpnr for ice40/ecp5.
    Synth(cmd::synth::SynthArgs),
    /// Prove a generated block (array, decoders, head argmax) equal to an independent specification.
    Prove(cmd::prove::ProveArgs),
    /// Every command and its options, one `COMMAND --OPTION` a line (for the CLI's own tests).
    #[command(hide = true)]
    Options,
}

/// The command line as clap parses it; negative numbers parse as values (and are then
/// refused with their option named), not as unknown flags.
fn command() -> clap::Command {
    let mut c = Cli::command();
    let names: Vec<String> = c.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for n in names {
        c = c.mut_subcommand(n, |s| s.allow_negative_numbers(true));
    }
    c
}

fn main() {
    let parsed = command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(p) => p,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            eprintln!("error: {}", cmd::errors::clap_line(&e));
            std::process::exit(2);
        }
    };
    let given = match matches.subcommand() {
        Some((name, m)) => cmd::errors::Given { matches: m.clone(), command: command().find_subcommand(name).cloned().unwrap_or_else(command) },
        None => cmd::errors::Given { matches: Default::default(), command: command() },
    };
    let result = match cli.command {
        Command::Generate(a) => cmd::generate::run(a, &given),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Shapes => cmd::generate::shapes(),
        Command::Export(a) => cmd::export::run(a),
        Command::Synth(a) => cmd::synth::run(a, &given),
        Command::Prove(a) => cmd::prove::run(a),
        Command::Hdl(a) => cmd::hdl::run(a, &given),
        Command::Report(a) => cmd::report::run(a, &given),
        Command::Sweep(a) => cmd::sweep::run(a, &given),
        Command::SweepPoint(a) => cmd::sweep::run_point(a),
        Command::Size(a) => cmd::size::run(a, &given),
        Command::Options => {
            cmd::errors::print_options(&command());
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("error: {}", cmd::errors::one_line(&e));
        std::process::exit(1);
    }
}
