//! The array options every command that builds hardware shares, and the one place they
//! become an [`ArrayConfig`].

use hdl::config::{ArrayConfig, Packing};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum PackingArg {
    /// 2 bits per ternary weight (1 bit per binary weight).
    #[value(name = "2bit")]
    TwoBit,
    /// 5 ternary weights per byte, base 3.
    Base3,
}

impl From<PackingArg> for Packing {
    fn from(p: PackingArg) -> Packing {
        match p {
            PackingArg::TwoBit => Packing::TwoBit,
            PackingArg::Base3 => Packing::Base3,
        }
    }
}

#[derive(Clone, Debug, clap::Args)]
pub struct ArrayArgs {
    /// Output rows computed in parallel.
    #[arg(long, default_value_t = 16)]
    pub rows: usize,
    /// Activations per slice (dot-product width per cycle).
    #[arg(long, default_value_t = 64)]
    pub lanes: usize,
    /// Weight stream format.
    #[arg(long, value_enum, default_value = "2bit")]
    pub packing: PackingArg,
    /// Binary {-1, +1} weights instead of ternary.
    #[arg(long)]
    pub binary: bool,
    /// Longest dot product K the array must compute exactly (default: 8192, or the model's
    /// longest row when a model is given).
    #[arg(long)]
    pub max_k: Option<usize>,
    /// Activation width in bits (2..=8).
    #[arg(long, default_value_t = 8)]
    pub activation_bits: usize,
    /// Systolic segments per row (register stages before the accumulator).
    #[arg(long, default_value_t = 4)]
    pub pipeline_depth: usize,
    /// Accumulator width; default: the narrowest exact one for --max-k.
    #[arg(long)]
    pub accumulator_bits: Option<usize>,
    /// Accumulator slots per row: a prefill holds each weight tile for this many token
    /// vectors (weight reuse). 1 = no reuse.
    #[arg(long, default_value_t = 1)]
    pub slots: usize,
    /// Memory port of the streaming top in bytes per cycle (0 = one weight tile per cycle).
    #[arg(long, default_value_t = 0)]
    pub port_bytes: usize,
    /// Weight tiles buffered between the memory port and the array.
    #[arg(long, default_value_t = 4)]
    pub fifo_tiles: usize,
    /// Rows served by one copy of the activation registers and, in the streaming top, by one
    /// FIFO slice (register replication that bounds the broadcast fanout).
    #[arg(long, default_value_t = 16)]
    pub group_rows: usize,
}

/// The clap ids of the array options, and of those only the streaming top has.
pub const ARRAY_IDS: [&str; 12] =
    ["rows", "lanes", "packing", "binary", "max_k", "activation_bits", "pipeline_depth", "accumulator_bits", "slots", "port_bytes", "fifo_tiles", "group_rows"];
pub const STREAM_IDS: [&str; 2] = ["port_bytes", "fifo_tiles"];

impl ArrayArgs {
    /// The configuration these arguments describe; `default_max_k` when --max-k is absent.
    pub fn config(&self, default_max_k: usize) -> ArrayConfig {
        let mut cfg = ArrayConfig {
            rows: self.rows,
            lanes: self.lanes,
            activation_bits: self.activation_bits,
            packing: self.packing.into(),
            binary: self.binary,
            pipeline_depth: self.pipeline_depth,
            accumulator_bits: 0,
            max_k: self.max_k.unwrap_or(default_max_k),
            slots: self.slots,
            port_bytes: self.port_bytes,
            fifo_tiles: self.fifo_tiles,
            group_rows: self.group_rows,
        };
        cfg.accumulator_bits = self.accumulator_bits.unwrap_or_else(|| cfg.min_accumulator_bits());
        cfg
    }

    /// For a model: max K defaults to the longest input of any of its projections.
    pub fn config_for(&self, model: &golden::ModelConfig) -> ArrayConfig {
        let k = golden::LinearKind::ALL.iter().map(|&kind| model.linear_shape(kind).1).max().unwrap_or(1);
        self.config(k)
    }
}
