//! [`Figure`]: a number with its unit, whether it was measured or modeled, and where it
//! comes from. Every number a report states is one of these.

use serde::{Deserialize, Serialize};

/// How a figure was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Counted by a tool run on the design: Verilator cycle simulation, Yosys, nextpnr.
    Measured,
    /// Computed from formulas, cited constants or the model configuration.
    Modeled,
    /// Quoted from a publication (e.g. the BitNet b1.58 paper's GPU measurements), not
    /// computed or measured here.
    Cited,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Measured => "measured",
            Kind::Modeled => "modeled",
            Kind::Cited => "cited",
        })
    }
}

/// One reported number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: f64,
    pub unit: String,
    pub kind: Kind,
    /// The tool run, formula or table the value comes from.
    pub source: String,
}

impl Figure {
    pub fn measured(value: f64, unit: &str, source: impl Into<String>) -> Self {
        Figure { value, unit: unit.into(), kind: Kind::Measured, source: source.into() }
    }

    pub fn modeled(value: f64, unit: &str, source: impl Into<String>) -> Self {
        Figure { value, unit: unit.into(), kind: Kind::Modeled, source: source.into() }
    }

    /// A figure from a tool record: measured when the record's provenance says so (its source
    /// starts with "measured"), modeled otherwise (e.g. a record built by hand).
    pub fn from_record(value: f64, unit: &str, source: &str) -> Self {
        let kind = if source.trim_start().to_ascii_lowercase().starts_with("measured") { Kind::Measured } else { Kind::Modeled };
        Figure { value, unit: unit.into(), kind, source: source.into() }
    }

    pub fn cited(value: f64, unit: &str, source: impl Into<String>) -> Self {
        Figure { value, unit: unit.into(), kind: Kind::Cited, source: source.into() }
    }

    /// The same figure with another value computed from it: measured only if `other` is too.
    pub fn derived(&self, value: f64, unit: &str, other: &Figure, how: &str) -> Figure {
        let kind = if self.kind == Kind::Measured && other.kind == Kind::Measured { Kind::Measured } else { Kind::Modeled };
        Figure { value, unit: unit.into(), kind, source: format!("{how}: {} ({}); {} ({})", self.source, self.kind, other.source, other.kind) }
    }

    /// Value with a sensible number of significant digits, then the unit.
    pub fn display(&self) -> String {
        let v = format_value(self.value);
        if self.unit.is_empty() {
            v
        } else {
            format!("{v} {}", self.unit)
        }
    }
}

/// Four significant digits, plain notation between 1e-3 and 1e7, scientific outside.
pub fn format_value(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if !(1e-3..1e7).contains(&a) {
        return format!("{v:.3e}");
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_kinds() {
        assert_eq!(format_value(71.428571), "71.43");
        assert_eq!(format_value(19.2), "19.2");
        assert_eq!(format_value(123456.0), "123456");
        assert_eq!(format_value(0.0123456), "0.01235");
        assert_eq!(format_value(2.5e-5), "2.500e-5");
        let m = Figure::measured(2.0, "cycles", "verilator");
        let c = Figure::modeled(4.0, "MHz", "given");
        assert_eq!(m.derived(0.5, "us", &c, "cycles / clock").kind, Kind::Modeled);
        assert_eq!(m.derived(1.0, "", &m, "x").kind, Kind::Measured);
        assert_eq!(c.display(), "4 MHz");
        assert_eq!(serde_json::to_value(Kind::Measured).unwrap(), "measured");
    }
}
