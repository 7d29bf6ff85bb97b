//! # golden: the software BitNet b1.58 model
//!
//! The reference every other part of tern is checked against: checkpoint loaders and
//! writers, synthetic models, the llama2.c tokenizer, the forward pass with a KV cache, the
//! sampler, and the exact integer BitLinear.
//!
//! The forward pass ([`forward::Transformer::forward`]) never multiplies a ternary matrix
//! itself: each BitLinear quantizes its input to int8 per token ([`quant`]), asks a
//! [`backend::BitLinearBackend`] for the exact i32 accumulators and dequantizes them. The
//! [`backend::SoftwareBackend`] is the reference; the simulated hardware implements the same
//! trait and must return the same integers.
//!
//! Checkpoint formats and the numeric semantics each one follows:
//! - [`checkpoint::llama2c`]: the bitllama2.c export (shared/models/bitllama2c), bit-exact
//!   against its C reference;
//! - [`checkpoint::hf`]: Hugging Face BitNet (2B4T packed U8 layout; 1bitLLM full precision
//!   quantized on load), loader and writer;
//! - [`synthetic`]: named shapes (tiny .. 70b) with deterministic random weights.
//!
//! Two numerics profiles run the same seam: `float` ([`forward`], each checkpoint's own
//! arithmetic) and `int` ([`int`], the chip's integer-only arithmetic, specified in
//! `docs/numerics.md`).

pub mod backend;
pub mod checkpoint;
pub mod config;
pub mod error;
pub mod eval;
pub mod forward;
pub mod generate;
pub mod int;
pub mod model;
pub mod quant;
pub mod sampler;
pub mod synthetic;
pub mod ternary;
pub mod tokenizer;

pub use backend::{BitLinearBackend, MatmulSite, SoftwareBackend};
pub use checkpoint::{load_model, ModelSource};
pub use config::{LinearKind, ModelConfig};
pub use error::{GoldenError, Result};
pub use forward::Transformer;
pub use generate::{generate, GenerateOptions, Generation};
pub use int::{IntModel, IntTransformer, KvBits, Numerics};
pub use model::Model;
pub use ternary::TernaryMatrix;
pub use tokenizer::Tokenizer;
