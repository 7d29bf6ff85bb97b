//! Text generation: prefill the prompt, then sample one token at a time, under either
//! numerics profile. Under `int` the greedy choice is the integer argmax of the i32 logits;
//! sampling at a temperature dequantizes the logits on the host.

use crate::backend::BitLinearBackend;
use crate::error::{GoldenError, Result};
use crate::forward::Transformer;
use crate::int::{self, IntModel, IntStats, IntTransformer};
use crate::model::Model;
use crate::sampler::Sampler;
use crate::tokenizer::{Tokenizer, BOS};

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// Positions to run, prompt included (llama2.c's `-n`).
    pub steps: usize,
    pub temperature: f32,
    pub topp: f32,
    pub seed: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// BOS and the prompt's tokens.
    pub prompt: Vec<u32>,
    /// The sampled tokens, in order.
    pub generated: Vec<u32>,
    /// Under `int`: the saturations and largest residual of the run.
    pub int_stats: Option<IntStats>,
}

impl GenerateOptions {
    /// Refuses steps outside the context and sampling parameters that mean nothing.
    pub fn validate(&self, seq_len: usize) -> Result<()> {
        if self.steps == 0 || self.steps > seq_len {
            return Err(GoldenError::BadRequest(format!("--steps {} is outside 1..={seq_len}, the model's context", self.steps)));
        }
        self.validate_sampling()
    }

    /// Refuses a temperature or top-p that means nothing (checked before a model is loaded).
    pub fn validate_sampling(&self) -> Result<()> {
        let bad = |m: String| Err(GoldenError::BadRequest(m));
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return bad(format!("--temperature {} must be 0 (greedy) or a positive finite number", self.temperature));
        }
        if !(self.topp.is_finite() && (0.0..=1.0).contains(&self.topp)) {
            return bad(format!("--topp {} must be in 0..=1 (0 or 1 samples from the whole distribution)", self.topp));
        }
        Ok(())
    }
}

/// The model a generation runs: float (the checkpoint's arithmetic) or integer.
#[derive(Clone, Copy)]
pub enum Weights<'m> {
    Float(&'m Model),
    Int(&'m IntModel),
}

impl<'m> From<&'m Model> for Weights<'m> {
    fn from(m: &'m Model) -> Self {
        Weights::Float(m)
    }
}

impl<'m> From<&'m IntModel> for Weights<'m> {
    fn from(m: &'m IntModel) -> Self {
        Weights::Int(m)
    }
}

impl Weights<'_> {
    pub fn config(&self) -> &crate::config::ModelConfig {
        match self {
            Weights::Float(m) => &m.config,
            Weights::Int(m) => &m.config,
        }
    }
}

/// A sequence under either profile: forward a token (or a prefill) and pick the next one.
enum Runner<'m> {
    Float(Transformer<'m>, Vec<f32>),
    Int(IntTransformer<'m>, Vec<f32>),
}

impl Runner<'_> {
    fn step(&mut self, backend: &mut dyn BitLinearBackend, tokens: &[u32], pos: usize, sampler: &mut Sampler) -> Result<u32> {
        match self {
            Runner::Float(t, logits) => {
                logits.clear();
                logits.extend_from_slice(t.forward(backend, tokens, pos)?);
                Ok(sampler.sample(logits))
            }
            Runner::Int(t, logits) => {
                let l = t.forward(backend, tokens, pos)?;
                if sampler.temperature == 0.0 {
                    return Ok(int::ops::argmax(l) as u32);
                }
                int::dequantize_logits(l, logits);
                Ok(sampler.sample(logits))
            }
        }
    }
}

/// Runs the prompt (as one prefill) and samples until `steps` positions have run or the model
/// emits BOS. `on_token(prev, token)` sees every prompt token after BOS, then every sampled
/// token, as it is decided.
pub fn generate<'m>(
    model: impl Into<Weights<'m>>,
    tokenizer: &Tokenizer,
    backend: &mut dyn BitLinearBackend,
    prompt: &str,
    opts: &GenerateOptions,
    mut on_token: impl FnMut(u32, u32),
) -> Result<Generation> {
    let model = model.into();
    let seq_len = model.config().seq_len;
    opts.validate(seq_len)?;
    let prompt_ids = tokenizer.encode(prompt, true, false);
    if prompt_ids.len() > seq_len {
        return Err(GoldenError::BadRequest(format!(
            "the prompt is {} tokens (with BOS) but the model's context is {seq_len}; shorten the prompt",
            prompt_ids.len()
        )));
    }
    if prompt_ids.len() > opts.steps {
        return Err(GoldenError::BadRequest(format!(
            "the prompt is {} tokens (with BOS) but --steps is {}; raise --steps to at least {} (the context allows up to {seq_len})",
            prompt_ids.len(),
            opts.steps,
            prompt_ids.len()
        )));
    }
    for w in prompt_ids.windows(2) {
        on_token(w[0], w[1]);
    }
    let mut runner = match model {
        Weights::Float(m) => Runner::Float(Transformer::new(m), Vec::new()),
        Weights::Int(m) => Runner::Int(IntTransformer::new(m), Vec::new()),
    };
    let mut sampler = Sampler::new(opts.temperature, opts.topp, opts.seed);
    let mut generated = Vec::new();
    let mut pos = prompt_ids.len() - 1;
    let mut prev = *prompt_ids.last().unwrap();
    let mut next = runner.step(backend, &prompt_ids, 0, &mut sampler)?;
    loop {
        if next == BOS {
            break;
        }
        on_token(prev, next);
        generated.push(next);
        pos += 1;
        if pos >= opts.steps {
            break;
        }
        prev = next;
        next = runner.step(backend, &[next], pos, &mut sampler)?;
    }
    let int_stats = match &runner {
        Runner::Int(t, _) => Some(t.stats),
        Runner::Float(..) => None,
    };
    Ok(Generation { prompt: prompt_ids, generated, int_stats })
}
