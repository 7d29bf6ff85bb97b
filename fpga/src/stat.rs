//! Parsing Yosys `stat -json` output and totalling cell counts over the hierarchy.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{FpgaError, Result};

/// Cell counts by type, e.g. {"LUT6": 12, "CARRY4": 3}.
pub type CellCounts = BTreeMap<String, u64>;

/// The parts of `stat -json` this crate uses.
#[derive(Debug, Clone, Deserialize)]
pub struct StatJson {
    /// e.g. "Yosys 0.23 (git sha1 7ce5011c24b)".
    #[serde(default)]
    pub creator: String,
    /// Per-module statistics, keyed by Yosys module name (`\name` or `$paramod\name\P=...`).
    #[serde(default)]
    pub modules: BTreeMap<String, ModuleStat>,
    /// Yosys' own whole-design summary (hierarchy-aware when a top module is known).
    #[serde(default)]
    pub design: Option<ModuleStat>,
}

/// One module's (or the design's) statistics.
#[derive(Debug, Clone, Deserialize)]
pub struct ModuleStat {
    #[serde(default)]
    pub num_cells: u64,
    #[serde(default)]
    pub num_cells_by_type: CellCounts,
}

/// Parse the text Yosys wrote with `tee -q -o FILE stat -json`. Anything before the
/// first `{` (a stray warning line) is skipped; only the first JSON value is read.
pub fn parse_stat_json(text: &str) -> Result<StatJson> {
    let start = text.find('{').ok_or_else(|| FpgaError::BadToolOutput {
        what: "yosys stat -json output".into(),
        detail: "no JSON object in it".into(),
    })?;
    let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<StatJson>();
    match stream.next() {
        Some(Ok(stat)) => Ok(stat),
        Some(Err(e)) => Err(FpgaError::BadToolOutput {
            what: "yosys stat -json output".into(),
            detail: e.to_string(),
        }),
        None => Err(FpgaError::BadToolOutput {
            what: "yosys stat -json output".into(),
            detail: "empty".into(),
        }),
    }
}

impl StatJson {
    /// Find a module by the name a user or a cell type uses for it (`top` or `\top`).
    fn module(&self, name: &str) -> Option<&ModuleStat> {
        self.modules
            .get(name)
            .or_else(|| self.modules.get(&format!("\\{name}")))
    }

    /// Leaf cell counts of the whole design below `top`: every instance of a submodule
    /// is replaced by that submodule's own cells, multiplied by the instance count. This
    /// makes hierarchical (non-flattened) and flattened runs comparable.
    pub fn total_cells(&self, top: &str) -> Result<CellCounts> {
        let Some(top_stat) = self.module(top) else {
            return match &self.design {
                // A single-module design may be reported only as "design".
                Some(d) if self.modules.is_empty() => Ok(d.num_cells_by_type.clone()),
                _ => Err(FpgaError::BadToolOutput {
                    what: "yosys stat -json output".into(),
                    detail: format!(
                        "top module `{top}` not among modules {:?}",
                        self.modules.keys().collect::<Vec<_>>()
                    ),
                }),
            };
        };
        let mut totals = CellCounts::new();
        self.add_cells(top_stat, 1, 0, &mut totals)?;
        Ok(totals)
    }

    fn add_cells(&self, m: &ModuleStat, times: u64, depth: usize, totals: &mut CellCounts) -> Result<()> {
        if depth > 64 {
            return Err(FpgaError::BadToolOutput {
                what: "yosys stat -json output".into(),
                detail: "module hierarchy deeper than 64 levels (recursive instantiation?)".into(),
            });
        }
        for (cell_type, &count) in &m.num_cells_by_type {
            match self.module(cell_type) {
                Some(sub) => self.add_cells(sub, times * count, depth + 1, totals)?,
                None => *totals.entry(cell_type.clone()).or_insert(0) += times * count,
            }
        }
        Ok(())
    }
}

/// Sum of the counts of the given cell types.
pub fn count_of(cells: &CellCounts, types: &[&str]) -> u64 {
    types.iter().map(|t| cells.get(*t).copied().unwrap_or(0)).sum()
}

/// Sum of the counts of cell types starting with `prefix`.
pub fn count_prefix(cells: &CellCounts, prefix: &str) -> u64 {
    cells
        .iter()
        .filter(|(t, _)| t.starts_with(prefix))
        .map(|(_, n)| n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAT: &str = r#"{
       "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
       "modules": { "\\counter": { "num_cells": 12,
          "num_cells_by_type": { "CCU2C": 4, "TRELLIS_FF": 8 } } },
       "design": { "num_cells": 12, "num_cells_by_type": { "CCU2C": 4, "TRELLIS_FF": 8 } } }"#;

    #[test]
    fn flat_design_counts() {
        let s = parse_stat_json(FLAT).unwrap();
        let cells = s.total_cells("counter").unwrap();
        assert_eq!(cells.get("CCU2C"), Some(&4));
        assert_eq!(cells.get("TRELLIS_FF"), Some(&8));
        assert_eq!(count_of(&cells, &["CCU2C", "TRELLIS_FF", "LUT4"]), 12);
        assert_eq!(count_prefix(&cells, "TRELLIS"), 8);
    }

    #[test]
    fn leading_noise_and_trailing_text_are_ignored() {
        let text = format!("Warning: something\n{FLAT}\nEnd of script.\n");
        assert_eq!(parse_stat_json(&text).unwrap().modules.len(), 1);
    }

    #[test]
    fn unknown_top_is_an_error() {
        let s = parse_stat_json(FLAT).unwrap();
        let err = s.total_cells("nope").unwrap_err().to_string();
        assert!(err.contains("`nope`"), "{err}");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_stat_json("ERROR: no design").is_err());
        assert!(parse_stat_json("{\"modules\": 3}").is_err());
    }

    #[test]
    fn recursive_hierarchy_is_refused() {
        let text = r#"{"modules": {"\\a": {"num_cells_by_type": {"a": 1}}}}"#;
        assert!(parse_stat_json(text).unwrap().total_cells("a").is_err());
    }
}
