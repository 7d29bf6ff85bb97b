//! llama2.c's tokenizer: `tokenizer.bin` (i32 max_token_length, then per token an f32 score,
//! an i32 byte length and the bytes), BPE encoding by merge score, byte-fallback decoding.
//! Token 0 is `<unk>`, 1 BOS, 2 EOS, 3..258 the bytes `<0x00>`..`<0xFF>`.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{GoldenError, Result};

pub const BOS: u32 = 1;
pub const EOS: u32 = 2;

#[derive(Clone, Debug)]
pub struct Tokenizer {
    vocab: Vec<Vec<u8>>,
    scores: Vec<f32>,
    max_token_length: u32,
    lookup: HashMap<Vec<u8>, u32>,
}

impl Tokenizer {
    pub fn new(vocab: Vec<Vec<u8>>, scores: Vec<f32>, max_token_length: u32) -> Tokenizer {
        let mut lookup = HashMap::with_capacity(vocab.len());
        for (i, piece) in vocab.iter().enumerate().rev() {
            lookup.insert(piece.clone(), i as u32); // the lowest id wins for duplicates
        }
        Tokenizer { vocab, scores, max_token_length, lookup }
    }

    pub fn load(path: &Path) -> Result<Tokenizer> {
        let bytes = std::fs::read(path).map_err(|e| GoldenError::io(path, e))?;
        Self::parse(&bytes, &path.display().to_string())
    }

    pub fn parse(bytes: &[u8], what: &str) -> Result<Tokenizer> {
        let bad = |detail: String| GoldenError::BadTokenizer { what: what.into(), detail };
        let mut rest = bytes;
        let mut take = |n: usize, field: &str, index: usize| -> Result<&[u8]> {
            if n > rest.len() {
                return Err(bad(format!("it ends inside the {field} of token {index}")));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let max_token_length = u32::from_le_bytes(take(4, "header", 0)?.try_into().unwrap());
        let (mut vocab, mut scores) = (Vec::new(), Vec::new());
        let total = bytes.len();
        let mut used = 4;
        while used < total {
            let i = vocab.len();
            let score = f32::from_le_bytes(take(4, "score", i)?.try_into().unwrap());
            let len = i32::from_le_bytes(take(4, "length", i)?.try_into().unwrap());
            if len < 0 || len as u64 > max_token_length.max(16) as u64 * 4 {
                return Err(bad(format!("token {i} claims a length of {len} bytes")));
            }
            vocab.push(take(len as usize, "bytes", i)?.to_vec());
            scores.push(score);
            used += 8 + len as usize;
        }
        if vocab.len() < 259 {
            return Err(bad(format!(
                "it holds {} tokens; a llama2.c tokenizer has at least 259 (<unk>, BOS, EOS and the 256 byte tokens)",
                vocab.len()
            )));
        }
        Ok(Tokenizer::new(vocab, scores, max_token_length))
    }

    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Refuses a tokenizer made for another model.
    pub fn check_vocab(&self, model_vocab: usize) -> Result<()> {
        if self.vocab.len() != model_vocab {
            return Err(GoldenError::VocabMismatch { model: model_vocab, tokenizer: self.vocab.len() });
        }
        Ok(())
    }

    pub fn piece(&self, token: u32) -> &[u8] {
        &self.vocab[token as usize]
    }

    /// The token ids of `text`, as llama2.c encodes them: optional BOS, a dummy-prefix space
    /// token for non-empty text, one token per UTF-8 code point (or its bytes as byte
    /// tokens), then repeated merges of the adjacent pair whose merged piece scores best.
    pub fn encode(&self, text: &str, bos: bool, eos: bool) -> Vec<u32> {
        let mut tokens = Vec::new();
        if bos {
            tokens.push(BOS);
        }
        if !text.is_empty() {
            self.push_piece(b" ", &mut tokens);
        }
        let mut buf = [0u8; 4];
        for ch in text.chars() {
            self.push_piece(ch.encode_utf8(&mut buf).as_bytes(), &mut tokens);
        }
        let start = usize::from(bos);
        loop {
            let mut best: Option<(f32, u32, usize)> = None;
            for i in start..tokens.len().saturating_sub(1) {
                let mut merged = self.vocab[tokens[i] as usize].clone();
                merged.extend_from_slice(&self.vocab[tokens[i + 1] as usize]);
                if let Some(&id) = self.lookup.get(&merged) {
                    let score = self.scores[id as usize];
                    if best.is_none_or(|(s, _, _)| score > s) {
                        best = Some((score, id, i));
                    }
                }
            }
            let Some((_, id, i)) = best else { break };
            tokens[i] = id;
            tokens.remove(i + 1);
        }
        if eos {
            tokens.push(EOS);
        }
        tokens
    }

    fn push_piece(&self, piece: &[u8], tokens: &mut Vec<u32>) {
        match self.lookup.get(piece) {
            Some(&id) => tokens.push(id),
            // byte fallback; a vocabulary too small to hold byte tokens gets <unk>
            None => tokens.extend(piece.iter().map(|&b| if (b as usize + 3) < self.vocab.len() { b as u32 + 3 } else { 0 })),
        }
    }

    /// The bytes token `token` stands for after `prev`: a leading space is dropped right
    /// after BOS, and byte tokens `<0xAB>` become the byte itself.
    pub fn decode(&self, prev: u32, token: u32) -> Vec<u8> {
        let mut piece = self.piece(token);
        if prev == BOS && piece.first() == Some(&b' ') {
            piece = &piece[1..];
        }
        if let Some(b) = byte_token(piece) {
            return vec![b];
        }
        piece.to_vec()
    }

    /// [`decode`](Self::decode) as llama2.c prints it: a lone control byte is dropped (unlike
    /// llama2.c, bytes of multi-byte UTF-8 characters are kept, so they print whole).
    pub fn decode_printable(&self, prev: u32, token: u32) -> Vec<u8> {
        let p = self.decode(prev, token);
        match p[..] {
            [b] if !(b.is_ascii_graphic() || b.is_ascii_whitespace() || b >= 0x80) => Vec::new(),
            _ => p,
        }
    }

    /// The text of a token sequence that follows `prev` (BOS for a fresh sequence).
    pub fn decode_all(&self, mut prev: u32, tokens: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &t in tokens {
            bytes.extend(self.decode_printable(prev, t));
            prev = t;
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A tokenizer for synthetic models: the special and byte tokens at llama2.c's ids, the
    /// space, printable ASCII, then every string over " etaoinshrdlucmfwypvbgkjqxz" of length
    /// 2, 3, ... until `vocab_size` tokens, scored so shorter merges come first.
    pub fn synthetic(vocab_size: usize) -> Tokenizer {
        let mut vocab: Vec<Vec<u8>> = vec![b"<unk>".to_vec(), b"\n<s>\n".to_vec(), b"\n</s>\n".to_vec()];
        vocab.extend((0..=255u8).map(|b| format!("<0x{b:02X}>").into_bytes()));
        vocab.extend((b' '..=b'~').map(|c| vec![c]));
        let letters = b" etaoinshrdlucmfwypvbgkjqxz";
        let mut level: Vec<Vec<u8>> = letters.iter().map(|&c| vec![c]).collect();
        while vocab.len() < vocab_size {
            let next: Vec<Vec<u8>> = level
                .iter()
                .flat_map(|p| letters.iter().map(move |&c| [p.as_slice(), &[c]].concat()))
                .filter(|p| !p.ends_with(b"  ") && !p.starts_with(b"  "))
                .collect();
            vocab.extend(next.iter().take(vocab_size - vocab.len()).cloned());
            level = next;
        }
        vocab.truncate(vocab_size);
        let scores = (0..vocab.len()).map(|i| if i < 259 { 0.0 } else { -(i as f32) }).collect();
        let max_len = vocab.iter().map(|p| p.len()).max().unwrap_or(1) as u32;
        Tokenizer::new(vocab, scores, max_len)
    }

    /// Serializes in the tokenizer.bin format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.max_token_length.to_le_bytes().to_vec();
        for (p, s) in self.vocab.iter().zip(&self.scores) {
            out.extend(s.to_le_bytes());
            out.extend((p.len() as i32).to_le_bytes());
            out.extend(p);
        }
        out
    }
}

/// The byte of a `<0xAB>` piece.
fn byte_token(piece: &[u8]) -> Option<u8> {
    match piece {
        [b'<', b'0', b'x', h, l, b'>'] => u8::from_str_radix(std::str::from_utf8(&[*h, *l]).ok()?, 16).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_tokenizer_round_trips_text() {
        let t = Tokenizer::synthetic(512);
        assert_eq!(t.vocab_size(), 512);
        let ids = t.encode("the cat sat", true, false);
        assert_eq!(ids[0], BOS);
        assert!(ids.len() < 12, "merges happened: {ids:?}");
        assert_eq!(t.decode_all(BOS, &ids[1..]), "the cat sat");
        // a character outside the vocabulary falls back to its UTF-8 bytes
        let ids = t.encode("é", false, false);
        assert_eq!(&ids[1..], &[0xC3 + 3, 0xA9 + 3]);
        assert_eq!(t.decode_all(BOS, &ids), "é");
    }

    #[test]
    fn bin_format_round_trips_and_truncation_is_reported() {
        let t = Tokenizer::synthetic(300);
        let bytes = t.to_bytes();
        let u = Tokenizer::parse(&bytes, "t").unwrap();
        assert_eq!(u.vocab, t.vocab);
        let e = Tokenizer::parse(&bytes[..bytes.len() - 1], "t.bin").unwrap_err().to_string();
        assert!(e.contains("tokenizer t.bin is malformed: it ends inside the bytes of token 299"), "{e}");
    }
}
