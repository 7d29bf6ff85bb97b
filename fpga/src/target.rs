//! Synthesis targets and the place-and-route parts they map to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FpgaError;

/// What Yosys maps the design to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// AMD/Xilinx 7-series (`synth_xilinx`, family xc7): LUT6, CARRY4, DSP48E1, RAMB18/36.
    Xc7,
    /// Lattice iCE40 (`synth_ice40`): SB_LUT4, SB_CARRY, SB_RAM40_4K, SB_MAC16 on UltraPlus.
    Ice40,
    /// Lattice ECP5 (`synth_ecp5`): LUT4, CCU2C, DP16KD, MULT18X18D.
    Ecp5,
    /// Generic two-input gate library for ASIC area estimates (`synth` + `abc -g`).
    Asic,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Xc7, Target::Ice40, Target::Ecp5, Target::Asic];

    /// The lowercase name used on the command line and in records.
    pub fn name(self) -> &'static str {
        match self {
            Target::Xc7 => "xc7",
            Target::Ice40 => "ice40",
            Target::Ecp5 => "ecp5",
            Target::Asic => "asic",
        }
    }

    /// The Yosys command that does the mapping.
    pub fn yosys_command(self) -> &'static str {
        match self {
            Target::Xc7 => "synth_xilinx",
            Target::Ice40 => "synth_ice40",
            Target::Ecp5 => "synth_ecp5",
            Target::Asic => "synth + abc -g",
        }
    }

    /// True for the targets with a place-and-route flow (nextpnr).
    pub fn has_place_and_route(self) -> bool {
        matches!(self, Target::Ice40 | Target::Ecp5)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = FpgaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                FpgaError::InvalidInput(format!("unknown target `{s}`: use one of xc7, ice40, ecp5, asic"))
            })
    }
}

/// iCE40 parts nextpnr-ice40 can place on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ice40Device {
    /// iCE40HX8K: 7680 logic cells, 32 SB_RAM40_4K, no DSP. Default package ct256 (206 I/O).
    #[default]
    Hx8k,
    /// iCE40UP5K: 5280 logic cells, 30 SB_RAM40_4K, 8 SB_MAC16 (Yosys runs with `-dsp`).
    /// Default package sg48 (39 I/O).
    Up5k,
}

impl Ice40Device {
    pub fn name(self) -> &'static str {
        match self {
            Ice40Device::Hx8k => "hx8k",
            Ice40Device::Up5k => "up5k",
        }
    }
    pub fn default_package(self) -> &'static str {
        match self {
            Ice40Device::Hx8k => "ct256",
            Ice40Device::Up5k => "sg48",
        }
    }
    /// Whether `synth_ice40` may map multipliers to SB_MAC16 for this part.
    pub fn has_dsp(self) -> bool {
        matches!(self, Ice40Device::Up5k)
    }
}

/// The ECP5 packages nextpnr-ecp5 knows (not every size comes in every one; nextpnr says which).
pub const ECP5_PACKAGES: [&str; 6] = ["CABGA256", "CABGA381", "CABGA554", "CABGA756", "CSFBGA285", "TQFP144"];

impl Ice40Device {
    /// The packages nextpnr-ice40 places this part in.
    pub fn packages(self) -> &'static [&'static str] {
        match self {
            Ice40Device::Hx8k => &["cm81", "cm121", "cm225", "cb132", "ct256", "bg121", "tq144"],
            Ice40Device::Up5k => &["sg48", "uwg30"],
        }
    }
}

impl FromStr for Ice40Device {
    type Err = FpgaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hx8k" => Ok(Ice40Device::Hx8k),
            "up5k" => Ok(Ice40Device::Up5k),
            _ => Err(FpgaError::InvalidInput(format!("unknown iCE40 device `{s}`: use hx8k or up5k"))),
        }
    }
}

/// An ECP5 part for nextpnr-ecp5.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ecp5Part {
    /// LUT count class: "25k", "45k" or "85k" (nextpnr flags `--25k` ...).
    pub size: String,
    /// Speed grade 6, 7 or 8.
    pub speed: u8,
    /// Package, e.g. "CABGA381".
    pub package: String,
}

impl Default for Ecp5Part {
    /// LFE5U-85F, speed 6, CABGA381.
    fn default() -> Self {
        Ecp5Part {
            size: "85k".into(),
            speed: 6,
            package: "CABGA381".into(),
        }
    }
}

impl Ecp5Part {
    /// Check the fields before handing them to nextpnr.
    pub fn validate(&self) -> Result<(), FpgaError> {
        if !["12k", "25k", "45k", "85k"].contains(&self.size.as_str()) {
            return Err(FpgaError::InvalidInput(format!(
                "unknown ECP5 size `{}`: use 12k, 25k, 45k or 85k",
                self.size
            )));
        }
        if !(6..=8).contains(&self.speed) {
            return Err(FpgaError::InvalidInput(format!(
                "ECP5 speed grade {} is not 6, 7 or 8",
                self.speed
            )));
        }
        if !ECP5_PACKAGES.contains(&self.package.as_str()) {
            return Err(FpgaError::InvalidInput(format!("unknown ECP5 package `{}`: use one of {}", self.package, ECP5_PACKAGES.join(", "))));
        }
        Ok(())
    }

    /// Human name, e.g. "LFE5U-85F-6CABGA381".
    pub fn describe(&self) -> String {
        format!(
            "LFE5U-{}F-{}{}",
            self.size.trim_end_matches('k'),
            self.speed,
            self.package
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_round_trip() {
        for t in Target::ALL {
            assert_eq!(t.name().parse::<Target>().unwrap(), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.name()));
        }
        assert!("xc8".parse::<Target>().is_err());
        assert_eq!("ICE40".parse::<Target>().unwrap(), Target::Ice40);
    }

    #[test]
    fn ecp5_part_validation() {
        assert!(Ecp5Part::default().validate().is_ok());
        assert_eq!(Ecp5Part::default().describe(), "LFE5U-85F-6CABGA381");
        let bad = Ecp5Part { speed: 9, ..Ecp5Part::default() };
        assert!(bad.validate().is_err());
        let bad = Ecp5Part { package: "CA BGA".into(), ..Ecp5Part::default() };
        assert!(bad.validate().is_err());
    }
}
