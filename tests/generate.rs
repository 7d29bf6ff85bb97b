//! End-to-end tests of `tern generate`.

mod common;

use common::*;


#[test]
fn tinystories_1m_prints_the_reference_ids_and_text() {
    let d = shared();
    let (m, t) = (d.join("tinystories-1m.bin"), d.join("tokenizer.bin"));
    let base = ["generate", "--model", m.to_str().unwrap(), "--tokenizer", t.to_str().unwrap(), "--steps", "64", "--temperature", "0"];
    let (ok, out, err) = tern(&[&base[..], &["--print-ids"]].concat());
    assert!(ok, "{err}");
    assert_eq!(out.trim_end(), REFERENCE_IDS);
    let (ok, out, err) = tern(&base);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim_end(),
        "Once upon a time, there was a little girl named Lily. She loved to play with her toys and run around in the sky. One day, she saw a big, shiny rock on the ground. She wanted to"
    );
}

#[test]
fn prompt_continues_the_story_and_synthetic_models_need_no_files() {
    let d = shared();
    let (m, t) = (d.join("tinystories-1m.bin"), d.join("tokenizer.bin"));
    let (ok, out, err) = tern(&["generate", "--model", m.to_str().unwrap(), "--tokenizer", t.to_str().unwrap(), "--prompt", "Once upon a time", "--steps", "12", "--temperature", "0"]);
    assert!(ok, "{err}");
    // the prompt is echoed, then the greedy continuation is the reference story's
    assert_eq!(out.trim_end(), "Once upon a time, there was a little girl");

    let (ok, a, err) = tern(&["generate", "--model", "synthetic:tiny", "--steps", "30", "--seed", "3", "--print-ids"]);
    assert!(ok, "{err}");
    let ids: Vec<u32> = a.split_whitespace().map(|s| s.parse().unwrap()).collect();
    assert_eq!(ids.len(), 30);
    assert!(ids.iter().all(|&i| i < 512));
    let (_, b, _) = tern(&["generate", "--model", "synthetic:tiny", "--steps", "30", "--seed", "3", "--print-ids"]);
    assert_eq!(a, b, "same seed, same tokens");
}

#[test]
fn bad_input_is_one_clear_error_line() {
    let d = shared();
    let m1 = d.join("tinystories-1m.bin");
    let cases: [(&[&str], &str); 5] = [
        (&["generate", "--model", "/no/such/model.bin", "--tokenizer", "x"], "error: loading model /no/such/model.bin: cannot read /no/such/model.bin: No such file or directory"),
        (&["generate", "--model", "synthetic:huge"], "error: unknown synthetic model shape 'huge'; known shapes: tiny, tiny-hf"),
        (&["generate", "--model", "synthetic:70b"], "shape-only"),
        (&["generate", "--model", m1.to_str().unwrap()], "error: --tokenizer is needed for a checkpoint"),
        (&["generate", "--model", "synthetic:tiny", "--steps", "9999"], "error: --steps 9999 is outside 1..=256, the model's context"),
    ];
    for (args, want) in cases {
        let (ok, _, err) = tern(args);
        assert!(!ok, "{args:?} should fail");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // a tokenizer of another vocabulary
    let tok = std::env::temp_dir().join(format!("tern-tok-{}.bin", std::process::id()));
    std::fs::write(&tok, golden::Tokenizer::synthetic(300).to_bytes()).unwrap();
    let (ok, _, err) = tern(&["generate", "--model", d.join("tinystories-1m.bin").to_str().unwrap(), "--tokenizer", tok.to_str().unwrap()]);
    assert!(!ok);
    assert_eq!(err.trim_end(), "error: the tokenizer has 300 tokens but the model's vocabulary has 512; pass the tokenizer that was trained with this model");
}

#[test]
fn exported_synthetic_checkpoints_generate_the_same_tokens() {
    let dir = std::env::temp_dir().join(format!("tern-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ids = |model: &str, tok: Option<&str>| {
        let mut args = vec!["generate", "--model", model, "--steps", "20", "--seed", "5", "--print-ids"];
        if let Some(t) = tok {
            args.extend(["--tokenizer", t]);
        }
        let (ok, out, err) = tern(&args);
        assert!(ok, "{err}");
        out
    };
    // llama2.c export of the tiny shape
    let bin = dir.join("tiny.bin");
    let (ok, out, err) = tern(&["export", "--model", "synthetic:tiny", "--format", "llama2c", "--out", bin.to_str().unwrap(), "--tokenizer"]);
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("wrote {} (Llama2c): 2 layers, dim 64", bin.display())), "{out}");
    let tok = dir.join("tokenizer.bin");
    assert_eq!(ids(bin.to_str().unwrap(), Some(tok.to_str().unwrap())), ids("synthetic:tiny", None));
    // Hugging Face packed folder of the tiny-hf shape
    let hf = dir.join("tiny-hf");
    let (ok, _, err) = tern(&["export", "--model", "synthetic:tiny-hf", "--format", "hf-packed", "--out", hf.to_str().unwrap(), "--tokenizer"]);
    assert!(ok, "{err}");
    assert_eq!(ids(hf.to_str().unwrap(), Some(hf.join("tokenizer.bin").to_str().unwrap())), ids("synthetic:tiny-hf", None));
    // a llama2.c-architecture model does not fit the HF layout, and says so
    let (ok, _, err) = tern(&["export", "--model", "synthetic:tiny", "--format", "hf-packed", "--out", dir.join("x").to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("only Hugging Face-architecture models"), "{err}");
}
