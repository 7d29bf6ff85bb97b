//! Software BitNet b1.58 golden model.
