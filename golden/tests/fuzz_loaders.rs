//! Fuzzing the loaders: mutated real checkpoint bytes must give a model or a typed error,
//! never a panic. `TERN_FUZZ_CASES` raises the case count for a long run.

mod common;

use golden::checkpoint::llama2c;
use golden::Tokenizer;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("TERN_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

/// A mutation: overwrite bytes, truncate, or append.
#[derive(Clone, Debug)]
enum Mutation {
    Set(Vec<(usize, u8)>),
    Truncate(usize),
    Append(Vec<u8>),
}

fn mutation(len: usize) -> impl Strategy<Value = Mutation> {
    // bias writes to the header and the first matrices, where the structure is
    let pos = prop_oneof![2 => 0..300usize, 1 => 0..len];
    prop_oneof![
        4 => proptest::collection::vec((pos, any::<u8>()), 1..8).prop_map(Mutation::Set),
        1 => (0..len).prop_map(Mutation::Truncate),
        1 => proptest::collection::vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
    ]
}

fn apply(mut b: Vec<u8>, m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Set(w) => {
            let len = b.len();
            w.iter().for_each(|&(i, v)| b[i % len] = v)
        }
        Mutation::Truncate(n) => b.truncate(*n),
        Mutation::Append(x) => b.extend(x),
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_llama2c_export_never_panics(m in mutation(558_048)) {
        let real = std::fs::read(common::bitllama2c().join("tinystories-1m.bin")).unwrap();
        let bytes = apply(real, &m);
        if let Ok(model) = llama2c::parse(&bytes, "fuzz") {
            // whatever loads is internally consistent
            prop_assert!(model.check().is_ok());
        }
    }

    #[test]
    fn mutated_tokenizer_never_panics(m in mutation(6_227)) {
        let real = std::fs::read(common::bitllama2c().join("tokenizer.bin")).unwrap();
        if let Ok(t) = Tokenizer::parse(&apply(real, &m), "fuzz") {
            let ids = t.encode("Once upon a time, Lily ran.", true, true);
            let _ = t.decode_all(1, &ids);
        }
    }

    #[test]
    fn mutated_safetensors_never_panic(m in mutation(40_000)) {
        let dir = common::tmpdir("fuzz-hf");
        golden::checkpoint::hf::save(&golden::synthetic::model("tiny-hf", 1).unwrap(), &dir, golden::checkpoint::hf::HfLayout::Packed).unwrap();
        let path = dir.join("model.safetensors");
        let bytes = apply(std::fs::read(&path).unwrap(), &m);
        std::fs::write(&path, bytes).unwrap();
        if let Ok(model) = golden::load_model(dir.to_str().unwrap()) {
            prop_assert!(model.check().is_ok());
        }
    }
}
