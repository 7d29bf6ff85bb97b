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
    /// List the built-in synthetic model shapes.
    Shapes,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(a) => cmd::generate::run(a),
        Command::Shapes => cmd::generate::shapes(),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
