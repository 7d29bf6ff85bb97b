//! Checkpoint writers and loaders give back the same model, to the bit.

mod common;

use golden::checkpoint::{hf, llama2c};
use golden::{synthetic, SoftwareBackend, Transformer};

fn logits(model: &golden::Model, tokens: &[u32]) -> Vec<f32> {
    Transformer::new(model).forward(&mut SoftwareBackend, tokens, 0).unwrap().to_vec()
}

#[test]
fn synthetic_hf_model_round_trips_through_packed_safetensors() {
    let model = synthetic::model("tiny-hf", 5).unwrap();
    let dir = common::tmpdir("hf-packed");
    hf::save(&model, &dir, hf::HfLayout::Packed).unwrap();
    let back = golden::load_model(dir.to_str().unwrap()).unwrap();
    assert_eq!(back, model);
    let toks = [1, 300, 42, 511, 7];
    assert_eq!(logits(&back, &toks), logits(&model, &toks));
}

#[test]
fn synthetic_hf_model_round_trips_through_full_precision_absmean() {
    let model = synthetic::model("tiny-hf", 6).unwrap();
    let dir = common::tmpdir("hf-fp");
    hf::save(&model, &dir, hf::HfLayout::FullPrecision).unwrap();
    let back = golden::load_model(dir.join("model.safetensors").to_str().unwrap()).unwrap();
    // Absmean quantization on load recovers every code exactly. The scale is a mean of f32
    // weights, and near a power of two no f32 weight has a mean that rounds to it exactly,
    // so a scale may come back one ulp away (the format cannot say more); norms and the
    // embedding are stored as they are.
    assert_eq!(back.config, model.config);
    assert_eq!(back.embedding, model.embedding);
    let mut exact = 0;
    for (a, b) in model.layers.iter().zip(&back.layers) {
        assert_eq!(a.attn_sub_norm, b.attn_sub_norm);
        for k in golden::LinearKind::ALL {
            let (x, y) = (a.linear(k), b.linear(k));
            assert_eq!(x.to_weights(), y.to_weights(), "{k} codes");
            let ulps = (x.scale.to_bits() as i64 - y.scale.to_bits() as i64).abs();
            assert!(ulps <= 1, "{k} scale {} came back as {}", x.scale, y.scale);
            exact += (ulps == 0) as usize;
        }
    }
    assert!(exact >= 12, "only {exact} of 14 scales came back exactly");
}

#[test]
fn llama2c_export_round_trips_and_matches_the_shared_file_byte_for_byte() {
    let model = synthetic::model("tiny", 3).unwrap();
    let bytes = llama2c::to_bytes(&model).unwrap();
    assert_eq!(bytes.len() as u64, llama2c::file_size(&model.config));
    assert_eq!(llama2c::parse(&bytes, "mem").unwrap(), model);
    // the real export: parse then write gives the same bytes
    let real = std::fs::read(common::bitllama2c().join("tinystories-1m.bin")).unwrap();
    let m = llama2c::parse(&real, "1m").unwrap();
    assert_eq!(llama2c::to_bytes(&m).unwrap(), real);
    assert!((0.35..0.37).contains(&m.ternary_zero_fraction()));
}

#[test]
fn packing_2b4t_matches_the_design_formula_on_a_hand_made_example() {
    // out = 8 rows, in = 2 columns: P is [2, 2]; W[i*2 + r, c] = ((P[r, c] >> 2i) & 3) - 1
    let p: [u8; 4] = [
        0b10_01_00_10, // r0 c0: i0 code 2 (+1), i1 code 0 (-1), i2 code 1 (0), i3 code 2 (+1)
        0b00_00_00_00, // r0 c1: all -1
        0b01_01_01_01, // r1 c0: all 0
        0b00_10_01_00, // r1 c1: -1, 0, +1, -1
    ];
    let w = hf::unpack_2b4t(&p, 8, 2, 1.0, "t").unwrap();
    let rows: Vec<[i8; 2]> = (0..8).map(|r| [w.get(r, 0), w.get(r, 1)]).collect();
    assert_eq!(
        rows,
        vec![[1, -1], [0, -1], [-1, -1], [0, 0], [0, -1], [0, 1], [1, -1], [0, -1]],
        "rows are i*2 + r"
    );
    assert_eq!(hf::pack_2b4t(&w), p);
}

#[test]
fn sharded_checkpoint_loads_through_its_index() {
    let model = synthetic::model("tiny-hf", 8).unwrap();
    let dir = common::tmpdir("hf-sharded");
    hf::save(&model, &dir, hf::HfLayout::Packed).unwrap();
    std::fs::rename(dir.join("model.safetensors"), dir.join("model-00001-of-00001.safetensors")).unwrap();
    // without the index the single file is not found
    let e = golden::load_model(dir.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("model.safetensors: No such file"), "{e}");
    let bytes = std::fs::read(dir.join("model-00001-of-00001.safetensors")).unwrap();
    let names: Vec<String> = safetensors::SafeTensors::deserialize(&bytes).unwrap().names().into_iter().cloned().collect();
    let map: serde_json::Map<String, serde_json::Value> = names.into_iter().map(|n| (n, "model-00001-of-00001.safetensors".into())).collect();
    std::fs::write(dir.join("model.safetensors.index.json"), serde_json::json!({"metadata": {}, "weight_map": map}).to_string()).unwrap();
    assert_eq!(golden::load_model(dir.to_str().unwrap()).unwrap(), model);
}
