//! The int numerics profile on the real checkpoints: its quality against float on the
//! project's own evaluation text, that no float parameter is read after conversion, and that
//! prefill and decode agree.

mod common;

use golden::eval::evaluate;
use golden::{generate, GenerateOptions, IntModel, IntTransformer, KvBits, Model, SoftwareBackend, Tokenizer};

fn eval_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/eval-story.txt")).unwrap()
}

fn checkpoint(name: &str) -> (Model, Tokenizer) {
    let dir = common::bitllama2c();
    let model = golden::load_model(dir.join(name).to_str().unwrap()).unwrap();
    (model, Tokenizer::load(&dir.join("tokenizer.bin")).unwrap())
}

#[test]
fn both_checkpoints_under_int_with_8_bit_kv_meet_the_quality_bar() {
    for name in ["tinystories-1m.bin", "tinystories-3m.bin"] {
        let (model, tok) = checkpoint(name);
        let int = IntModel::from_model(&model, KvBits::Eight).unwrap();
        let tokens = tok.encode(&eval_text(), true, false);
        assert!(tokens.len() > 800, "the evaluation text tokenizes to {} tokens", tokens.len());
        let r = evaluate(&model, &int, &tokens).unwrap();
        assert!(r.perplexity_ratio <= 1.005, "{name}: {r:?}");
        assert!(r.top1_agreement >= 0.98, "{name}: {r:?}");
        assert!(r.top1_agreement_clear >= 0.995, "{name}: {r:?}");
        assert!(r.clear_positions > r.tokens * 9 / 10, "{name}: {r:?}");
        assert!(r.greedy_match >= r.first_near_tie.unwrap_or(r.greedy_steps), "{name}: greedy diverges before the first near tie: {r:?}");
        assert_eq!(r.int_saturations, 0, "{name}: {r:?}");
        // the float side is the reference arithmetic: its perplexity is a property of the model
        assert!(r.float_perplexity > 2.0 && r.float_perplexity < 8.0, "{name}: {r:?}");
    }
}

#[test]
fn a_4_bit_kv_cache_costs_more_than_8_bits_and_stays_close() {
    let (model, tok) = checkpoint("tinystories-1m.bin");
    let tokens = tok.encode(&eval_text(), true, false);
    let r8 = evaluate(&model, &IntModel::from_model(&model, KvBits::Eight).unwrap(), &tokens).unwrap();
    let r4 = evaluate(&model, &IntModel::from_model(&model, KvBits::Four).unwrap(), &tokens).unwrap();
    assert_eq!(r4.kv_bits, 4);
    assert!(r4.perplexity_ratio > r8.perplexity_ratio, "{r4:?} vs {r8:?}");
    assert!(r4.perplexity_ratio < 1.02 && r4.top1_agreement > 0.95, "{r4:?}");
}

fn greedy_ids(int: &IntModel, tok: &Tokenizer, steps: usize) -> Vec<u32> {
    let opts = GenerateOptions { steps, temperature: 0.0, topp: 0.9, seed: 1 };
    generate(int, tok, &mut SoftwareBackend, "Once upon a time", &opts, |_, _| {}).unwrap().generated
}

#[test]
fn no_float_parameter_is_read_after_conversion() {
    let (mut model, tok) = checkpoint("tinystories-1m.bin");
    let mut int = IntModel::from_model(&model, KvBits::Eight).unwrap();
    let before = greedy_ids(&int, &tok, 48);
    assert_eq!(before.len(), 48 - 5 + 1, "BOS and 4 prompt tokens, then one token a position");

    // every float of the loaded model, and every float the int model still carries, to NaN
    model.embedding.fill(f32::NAN);
    if let golden::model::Norm::Rms { weight, eps } = &mut model.final_norm {
        weight.fill(f32::NAN);
        *eps = f32::NAN;
    }
    for layer in &mut model.layers {
        for w in [&mut layer.wq, &mut layer.wk, &mut layer.wv, &mut layer.wo, &mut layer.w1, &mut layer.w2, &mut layer.w3] {
            w.scale = f32::NAN;
        }
    }
    assert!(model.embedding.iter().all(|v| v.is_nan()));
    int.config.norm_eps = f32::NAN;
    int.config.rope_theta = f32::NAN;
    for layer in &mut int.layers {
        for w in &mut layer.w {
            w.scale = f32::NAN;
        }
    }
    assert_eq!(greedy_ids(&int, &tok, 48), before);
}

#[test]
fn int_prefill_gives_the_same_logits_as_one_token_at_a_time() {
    let (model, tok) = checkpoint("tinystories-3m.bin");
    let int = IntModel::from_model(&model, KvBits::Eight).unwrap();
    let tokens = tok.encode("One day, a little bird sat on a tree and sang a song.", true, false);
    let mut one = IntTransformer::new(&int);
    let mut last = Vec::new();
    for (pos, &t) in tokens.iter().enumerate() {
        last = one.forward(&mut SoftwareBackend, &[t], pos).unwrap().to_vec();
    }
    let mut batch = IntTransformer::new(&int);
    batch.forward(&mut SoftwareBackend, &tokens[..7], 0).unwrap();
    assert_eq!(batch.forward(&mut SoftwareBackend, &tokens[7..], 7).unwrap(), &last[..]);
    assert_eq!(one.stats, batch.stats);
}

#[test]
fn synthetic_hf_shape_runs_under_int_without_saturating() {
    // relu2, RMSNorm and sub-norms with weights, GQA, NeoX RoPE, round half to even
    let model = golden::load_model("synthetic:tiny-hf").unwrap();
    let int = IntModel::from_model(&model, KvBits::Eight).unwrap();
    let tok = Tokenizer::synthetic(model.config.vocab_size);
    let tokens = tok.encode(&eval_text(), true, false);
    let r = evaluate(&model, &int, &tokens).unwrap();
    assert_eq!(r.int_saturations, 0, "{r:?}");
    assert!(r.perplexity_ratio < 1.005 && r.top1_agreement_clear >= 0.995, "{r:?}");
}

#[test]
fn each_op_alone_stays_close_to_float_and_the_4_bit_cache_costs_most() {
    use golden::int::mixed::IntOp;
    let (model, tok) = checkpoint("tinystories-1m.bin");
    let tokens = tok.encode(&eval_text(), true, false);
    let int = IntModel::from_model(&model, KvBits::Four).unwrap();
    let mut worst = (IntOp::Embedding, 0.0);
    for op in IntOp::ALL {
        let r = golden::eval::evaluate_op(&model, &int, op, &tokens).unwrap();
        assert!((0.995..=1.01).contains(&r.perplexity_ratio) && r.top1_agreement >= 0.97, "{op:?}: {r:?}");
        if r.perplexity_ratio > worst.1 {
            worst = (op, r.perplexity_ratio);
        }
    }
    assert_eq!(worst.0, IntOp::KvCache, "{worst:?}");
}
