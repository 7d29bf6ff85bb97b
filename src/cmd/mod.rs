pub mod generate;
pub mod synth;
