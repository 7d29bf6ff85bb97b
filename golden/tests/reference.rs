//! Verification ladder step 1: the golden model against the C reference's output.

mod common;

use golden::{generate, GenerateOptions, SoftwareBackend, Tokenizer, Transformer};

fn greedy(model: &golden::Model, tok: &Tokenizer, steps: usize) -> golden::Generation {
    let opts = GenerateOptions { steps, temperature: 0.0, topp: 0.9, seed: 1 };
    generate(model, tok, &mut SoftwareBackend, "", &opts, |_, _| {}).unwrap()
}

#[test]
fn tinystories_1m_greedy_matches_the_c_reference_ids_and_text() {
    let dir = common::bitllama2c();
    let model = golden::load_model(dir.join("tinystories-1m.bin").to_str().unwrap()).unwrap();
    let tok = Tokenizer::load(&dir.join("tokenizer.bin")).unwrap();
    tok.check_vocab(model.config.vocab_size).unwrap();
    let g = greedy(&model, &tok, 64);
    assert_eq!(g.prompt, vec![1]);
    assert_eq!(g.generated, common::REFERENCE_IDS);
    assert_eq!(tok.decode_all(1, &g.generated), common::REFERENCE_TEXT);
}

#[test]
fn prefill_gives_the_same_logits_as_one_token_at_a_time() {
    let dir = common::bitllama2c();
    let model = golden::load_model(dir.join("tinystories-3m.bin").to_str().unwrap()).unwrap();
    let tokens: Vec<u32> = std::iter::once(1).chain(common::REFERENCE_IDS[..20].iter().copied()).collect();
    let mut one = Transformer::new(&model);
    let mut last = Vec::new();
    for (pos, &t) in tokens.iter().enumerate() {
        last = one.forward(&mut SoftwareBackend, &[t], pos).unwrap().to_vec();
    }
    let mut batch = Transformer::new(&model);
    // a prefill of 13, then the rest as a second prefill: both must continue the cache exactly
    batch.forward(&mut SoftwareBackend, &tokens[..13], 0).unwrap();
    let got = batch.forward(&mut SoftwareBackend, &tokens[13..], 13).unwrap();
    assert_eq!(got, &last[..]);
}

#[test]
fn tokenizer_encodes_and_decodes_the_reference_story() {
    let dir = common::bitllama2c();
    let tok = Tokenizer::load(&dir.join("tokenizer.bin")).unwrap();
    assert_eq!(tok.vocab_size(), 512);
    let ids = tok.encode("Once upon a time", true, false);
    // BOS, then the same tokens the model itself produced for this text
    assert_eq!(ids, vec![1, 403, 407, 261, 378]);
    assert_eq!(tok.decode_all(1, &ids[1..]), "Once upon a time");
    let ids = tok.encode("Lily's 7 cats", false, true);
    assert_eq!(*ids.last().unwrap(), 2);
    assert_eq!(tok.decode_all(1, &ids[..ids.len() - 1]), "Lily's 7 cats");
}
