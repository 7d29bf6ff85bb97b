//! `tern eval`: the integer profile against float on a text, teacher-forced.

use std::path::PathBuf;

use anyhow::Context;
use golden::eval::{EvalOutput, OpReport};
use golden::int::mixed::IntOp;
use golden::IntModel;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// A llama2.c BitNet export, a Hugging Face BitNet folder, or `synthetic:NAME[:SEED]`
    #[arg(long)]
    pub model: String,
    /// llama2.c tokenizer.bin; synthetic models have a built-in one
    #[arg(long)]
    pub tokenizer: Option<PathBuf>,
    /// The evaluation text (UTF-8), scored as BOS + its tokens, in windows of the context
    #[arg(long)]
    pub text: PathBuf,
    /// Bits per K and V element in the int profile's KV cache (8 or 4)
    #[arg(long, default_value_t = 8, value_parser = super::generate::parse_kv_bits)]
    pub kv_bits: u32,
    /// Also score the float pass with each int op swapped in alone: what each op costs
    #[arg(long)]
    pub per_op: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}


pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    let text = std::fs::read(&a.text).with_context(|| format!("cannot read the evaluation text {}", a.text.display()))?;
    let text = String::from_utf8(text).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text; pass a plain text file", a.text.display()))?;
    let (model, tokenizer) = super::generate::load_with_tokenizer(&a.model, a.tokenizer.as_deref())?;
    let kv = golden::KvBits::from_bits(a.kv_bits).unwrap_or(golden::KvBits::Eight);
    let spinner = super::spinner("converting the model to the integer profile".into());
    let int = IntModel::from_model(&model, kv)?;
    let tokens = tokenizer.encode(&text, true, false);
    spinner.set_message(format!("scoring {} tokens under float and int", tokens.len()));
    let r = golden::eval::evaluate(&model, &int, &tokens)?;
    let mut per_op = vec![];
    if a.per_op {
        for op in IntOp::ALL {
            spinner.set_message(format!("scoring {} tokens with {} alone", tokens.len(), op.name()));
            per_op.push(OpReport { op, report: golden::eval::evaluate_op(&model, &int, op, &tokens)? });
        }
    }
    spinner.finish_and_clear();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&EvalOutput { all: r, per_op })?);
        return Ok(());
    }
    println!("{} ({} positions, int with {}-bit KV cache, residual Q{})", a.model, r.tokens, r.kv_bits, r.residual_frac);
    println!("  {:<28} {:>10}", "float perplexity", format!("{:.4}", r.float_perplexity));
    println!("  {:<28} {:>10}", "int perplexity", format!("{:.4}", r.int_perplexity));
    println!("  {:<28} {:>10}", "perplexity ratio int/float", format!("{:.5}", r.perplexity_ratio));
    println!("  {:<28} {:>10}", "top-1 agreement", format!("{:.4}", r.top1_agreement));
    println!("  {:<28} {:>10}", format!("  on {} clear positions", r.clear_positions), format!("{:.4}", r.top1_agreement_clear));
    println!("  {:<28} {:>10}", "greedy match", format!("{} / {}", r.greedy_match, r.greedy_steps));
    println!("  {:<28} {:>10}", "first float near-tie", r.first_near_tie.map_or("none".into(), |s| format!("step {s}")));
    println!("  {:<28} {:>10}", "int saturations", r.int_saturations);
    if !per_op.is_empty() {
        println!();
        println!("  {:<32} {:>10} {:>8} {:>8} {:>8}", "float with one int op", "ppl ratio", "top-1", "clear", "greedy");
        let row = |name: &str, r: &golden::eval::EvalReport| {
            println!(
                "  {:<32} {:>10.5} {:>8.4} {:>8.4} {:>8}",
                name,
                r.perplexity_ratio,
                r.top1_agreement,
                r.top1_agreement_clear,
                format!("{}/{}", r.greedy_match, r.greedy_steps)
            )
        };
        for o in &per_op {
            row(o.op.name(), &o.report);
        }
        row("all (the int profile)", &r);
    }
    Ok(())
}
