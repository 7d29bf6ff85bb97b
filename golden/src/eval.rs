//! The quality of the `int` profile against `float`, measured on a text: teacher-forced
//! perplexity of both, top-1 agreement (all positions, and the clear ones whose float top two
//! differ by at least [`CLEAR_GAP`]), and how long their greedy continuations from BOS agree.

use serde::Serialize;

use crate::backend::SoftwareBackend;
use crate::error::{GoldenError, Result};
use crate::forward::Transformer;
use crate::int::mixed::{Hooks, IntOp};
use crate::int::{self, IntModel, IntTransformer};
use crate::model::Model;
use crate::sampler::argmax;
use crate::tokenizer::BOS;

/// Float top-two gap at or above which a position counts as clear.
pub const CLEAR_GAP: f32 = 0.1;
/// Float top-two gap below which a greedy step is a near tie.
pub const NEAR_TIE_GAP: f32 = 0.05;
/// Length of the greedy continuations compared.
pub const GREEDY_STEPS: usize = 64;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalReport {
    /// Positions scored (each predicts the next token of the text).
    pub tokens: usize,
    pub float_perplexity: f64,
    pub int_perplexity: f64,
    /// int / float
    pub perplexity_ratio: f64,
    /// Share of positions where int's argmax equals float's.
    pub top1_agreement: f64,
    pub clear_positions: usize,
    pub top1_agreement_clear: f64,
    pub greedy_steps: usize,
    /// Length of the common prefix of the two greedy continuations from BOS.
    pub greedy_match: usize,
    /// The first greedy step (0-based) whose float top-two gap is below [`NEAR_TIE_GAP`].
    pub first_near_tie: Option<usize>,
    pub kv_bits: u32,
    /// Residual fraction bits the int model calibrated.
    pub residual_frac: i32,
    /// Values that saturated in the int runs (0 means none was clamped).
    pub int_saturations: u64,
}

/// The float pass with one int op swapped in, scored like the int profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpReport {
    pub op: IntOp,
    #[serde(flatten)]
    pub report: EvalReport,
}

/// `tern eval`'s JSON: the int profile's report, and each op alone when asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalOutput {
    #[serde(flatten)]
    pub all: EvalReport,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_op: Vec<OpReport>,
}

/// The top value and the gap to the second (f32 logits).
fn top_two_gap(logits: &[f32]) -> f32 {
    let (mut a, mut b) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for &v in logits {
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    a - b
}

/// `-log softmax(logits)[target]`, in f64.
fn nll(logits: &[f32], target: u32) -> f64 {
    let max = logits.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
    let sum: f64 = logits.iter().map(|&v| (v as f64 - max).exp()).sum();
    -(logits[target as usize] as f64 - max - sum.ln())
}

/// What is compared with float: the int profile, or the float pass with one int op swapped in.
enum Candidate<'m> {
    Int(IntTransformer<'m>),
    Mixed(Transformer<'m>),
}

impl<'m> Candidate<'m> {
    fn new(float: &'m Model, int: &'m IntModel, op: Option<IntOp>) -> Self {
        match op {
            None => Candidate::Int(IntTransformer::new(int)),
            Some(op) => Candidate::Mixed(Transformer::with_int_op(float, Hooks::new(int, op))),
        }
    }

    /// Runs one token; returns its argmax (the int profile's own integer argmax) and leaves
    /// the logits, as f32, in `logits`.
    fn step(&mut self, token: u32, pos: usize, logits: &mut Vec<f32>) -> Result<usize> {
        match self {
            Candidate::Int(t) => {
                let l = t.forward(&mut SoftwareBackend, &[token], pos)?;
                int::dequantize_logits(l, logits);
                Ok(int::ops::argmax(l))
            }
            Candidate::Mixed(t) => {
                let l = t.forward(&mut SoftwareBackend, &[token], pos)?;
                logits.clear();
                logits.extend_from_slice(l);
                Ok(argmax(l))
            }
        }
    }

    fn saturations(&self) -> u64 {
        match self {
            Candidate::Int(t) => t.stats.saturations(),
            Candidate::Mixed(_) => 0,
        }
    }
}

/// Teacher-forces `tokens` (BOS first) through both profiles, in windows of the model's
/// context, and compares greedy continuations of [`GREEDY_STEPS`] (or the context less one).
pub fn evaluate(float: &Model, int: &IntModel, tokens: &[u32]) -> Result<EvalReport> {
    compare(float, int, None, tokens)
}

/// [`evaluate`] for the float pass with the one int op `op` swapped in: what that op costs alone.
pub fn evaluate_op(float: &Model, int: &IntModel, op: IntOp, tokens: &[u32]) -> Result<EvalReport> {
    compare(float, int, Some(op), tokens)
}

fn compare(float: &Model, int: &IntModel, op: Option<IntOp>, tokens: &[u32]) -> Result<EvalReport> {
    let seq_len = float.config.seq_len;
    if tokens.len() < 2 {
        return Err(GoldenError::BadConfig("the evaluation text has no token after BOS; give a text of at least a few words".into()));
    }
    let (mut nll_f, mut nll_i, mut scored, mut agree, mut clear, mut agree_clear) = (0.0, 0.0, 0usize, 0usize, 0usize, 0usize);
    let mut int_logits = Vec::new();
    let mut saturations = 0;
    for window in tokens.chunks(seq_len) {
        let mut ft = Transformer::new(float);
        let mut it = Candidate::new(float, int, op);
        for (pos, pair) in window.windows(2).enumerate() {
            let fl = ft.forward(&mut SoftwareBackend, &pair[..1], pos)?;
            let same = argmax(fl) == it.step(pair[0], pos, &mut int_logits)?;
            nll_f += nll(fl, pair[1]);
            nll_i += nll(&int_logits, pair[1]);
            scored += 1;
            agree += same as usize;
            if top_two_gap(fl) >= CLEAR_GAP {
                clear += 1;
                agree_clear += same as usize;
            }
        }
        saturations += it.saturations();
    }
    if scored == 0 {
        return Err(GoldenError::BadConfig("no position was scored; the text is shorter than two tokens per window".into()));
    }

    let steps = GREEDY_STEPS.min(seq_len - 1);
    let mut ft = Transformer::new(float);
    let mut it = Candidate::new(float, int, op);
    let (mut f_tok, mut i_tok) = (BOS, BOS);
    let (mut same_prefix, mut diverged, mut first_near_tie) = (0, false, None);
    for step in 0..steps {
        let fl = ft.forward(&mut SoftwareBackend, &[f_tok], step)?;
        if first_near_tie.is_none() && top_two_gap(fl) < NEAR_TIE_GAP {
            first_near_tie = Some(step);
        }
        f_tok = argmax(fl) as u32;
        i_tok = it.step(i_tok, step, &mut int_logits)? as u32;
        diverged |= f_tok != i_tok;
        if !diverged {
            same_prefix += 1;
        }
    }
    saturations += it.saturations();

    let (fp, ip) = ((nll_f / scored as f64).exp(), (nll_i / scored as f64).exp());
    Ok(EvalReport {
        tokens: scored,
        float_perplexity: fp,
        int_perplexity: ip,
        perplexity_ratio: ip / fp,
        top1_agreement: agree as f64 / scored as f64,
        clear_positions: clear,
        top1_agreement_clear: if clear == 0 { 1.0 } else { agree_clear as f64 / clear as f64 },
        greedy_steps: steps,
        greedy_match: same_prefix,
        first_near_tie,
        kv_bits: int.kv_bits.bits(),
        residual_frac: int.residual_frac,
        int_saturations: saturations,
    })
}
