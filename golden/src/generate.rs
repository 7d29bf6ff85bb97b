//! Text generation: prefill the prompt, then sample one token at a time.

use crate::backend::BitLinearBackend;
use crate::error::{GoldenError, Result};
use crate::forward::Transformer;
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
}

/// Runs the prompt (as one prefill) and samples until `steps` positions have run or the model
/// emits BOS. `on_token(prev, token)` sees every prompt token after BOS, then every sampled
/// token, as it is decided.
pub fn generate(
    model: &Model,
    tokenizer: &Tokenizer,
    backend: &mut dyn BitLinearBackend,
    prompt: &str,
    opts: &GenerateOptions,
    mut on_token: impl FnMut(u32, u32),
) -> Result<Generation> {
    let seq_len = model.config.seq_len;
    if opts.steps == 0 || opts.steps > seq_len {
        return Err(GoldenError::BadConfig(format!(
            "--steps {} is outside 1..={seq_len}, the model's context",
            opts.steps
        )));
    }
    let prompt_ids = tokenizer.encode(prompt, true, false);
    if prompt_ids.len() > opts.steps {
        return Err(GoldenError::BadConfig(format!(
            "the prompt is {} tokens (with BOS) but --steps is {}; raise --steps",
            prompt_ids.len(),
            opts.steps
        )));
    }
    for w in prompt_ids.windows(2) {
        on_token(w[0], w[1]);
    }
    let mut transformer = Transformer::new(model);
    let mut sampler = Sampler::new(opts.temperature, opts.topp, opts.seed);
    let mut generated = Vec::new();
    let mut pos = prompt_ids.len() - 1;
    let mut prev = *prompt_ids.last().unwrap();
    let mut logits = transformer.forward(backend, &prompt_ids, 0)?.to_vec();
    loop {
        let next = sampler.sample(&mut logits);
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
        logits.copy_from_slice(transformer.forward(backend, &[next], pos)?);
    }
    Ok(Generation { prompt: prompt_ids, generated })
}
