//! Report files: `report.json` (the [`Report`] as serde writes it), `report.md`, a
//! self-contained `report.html` (plots inline as SVG, styles inline, no external asset) and
//! one `.svg` per plot. Markdown and HTML are rendered from one document model, so they say
//! the same thing; every figure cell carries its kind and a numbered reference to its source.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{ReportError, Result};
use crate::array::label;
use crate::figure::{format_value, Figure, Kind};
use crate::plots::{report_plots, Plot};
use crate::report::Report;
use crate::roofline::bound_name;

/// One table cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Fig(Figure),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.into())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<&Figure> for Cell {
    fn from(f: &Figure) -> Cell {
        Cell::Fig(f.clone())
    }
}

/// A block of the document.
#[derive(Clone, Debug)]
pub enum Block {
    Heading(usize, String),
    Para(String),
    Table { head: Vec<String>, rows: Vec<Vec<Cell>> },
    Plot(Plot),
}

fn table(head: &[&str], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table { head: head.iter().map(|s| s.to_string()).collect(), rows }
}

fn kind_tag(k: Kind) -> &'static str {
    match k {
        Kind::Measured => "measured",
        Kind::Modeled => "modeled",
        Kind::Cited => "cited",
    }
}

/// The document of a report (plots included).
pub fn document(r: &Report, plots: &[Plot]) -> Vec<Block> {
    let mut d = vec![];
    let h = |d: &mut Vec<Block>, l: usize, s: &str| d.push(Block::Heading(l, s.into()));
    h(&mut d, 1, &r.title);
    let c = &r.model.config;
    d.push(Block::Para(format!(
        "Model {}: dim {}, hidden {}, {} layers, {} heads ({} KV), vocab {}, seq_len {}. Array: {} rows x {} lanes, {} weights, pipeline depth {}, {}-bit accumulators, K up to {}. Every figure says whether it is measured (a tool run on this design), modeled (formulas and the cited constants below) or cited (a published number); the numbers in brackets point to its source under each table.",
        r.model.name, c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.seq_len,
        r.array.rows, r.array.lanes, if r.array.binary { "binary" } else { r.array.packing.name() },
        r.array.pipeline_depth, r.array.accumulator_bits, r.array.max_k
    )));

    h(&mut d, 2, "Headline");
    let mut rows: Vec<Vec<Cell>> = vec![
        vec!["ternary weights".into(), (&r.model.ternary_params).into()],
        vec!["decode cycles per token".into(), (&r.cycles.decode_per_token).into()],
        vec!["clock".into(), (&r.latency.clock_mhz).into()],
    ];
    for row in r.latency.decode.iter().filter(|x| x.design == crate::energy::Design::Ternary) {
        let rf = &row.roofline;
        rows.push(vec![format!("decode tokens/s at {} ({}-bound)", rf.bandwidth, bound_name(rf.bound)).into(), (&rf.achieved_tokens_per_s).into()]);
    }
    rows.push(vec!["FP16 MAC / INT8 add energy at 7nm (paper's 71.4x)".into(), (&r.energy.paper_arithmetic_ratio_7nm).into()]);
    for x in &r.energy.ratios {
        rows.push(vec![format!("FP16 / ternary energy per token, whole token, {}", x.node.name()).into(), (&x.whole_token).into()]);
    }
    rows.push(vec!["xc7 LUTs (model)".into(), (&r.resources.modeled_luts).into()]);
    for s in r.resources.synth.iter().filter(|s| s.target != "asic") {
        rows.push(vec![format!("{} LUTs (Yosys{})", s.target, if s.flatten { ", flattened" } else { "" }).into(), (&s.luts).into()]);
    }
    rows.push(vec!["area at 7nm".into(), (&r.area.total_um2_7nm).into()]);
    d.push(table(&["quantity", "value"], rows));

    h(&mut d, 2, "Plots");
    for p in plots {
        d.push(Block::Plot(p.clone()));
    }

    h(&mut d, 2, "Cycles");
    d.push(Block::Para("One slice of `lanes` activations for `rows` outputs per cycle; an N x K projection takes ceil(N/rows) x ceil(K/lanes) slices per vector, plus the pipeline drain (depth + 2) once per call.".into()));
    d.push(table(
        &["projection", "N", "K", "cycles per vector"],
        r.cycles.projections.iter().map(|p| vec![p.kind.name().into(), p.n.to_string().into(), p.k.to_string().into(), (&p.cycles).into()]).collect(),
    ));
    d.push(table(
        &["quantity", "value"],
        vec![
            vec!["decode cycles per token".into(), (&r.cycles.decode_per_token).into()],
            vec!["modeled decode cycles per token".into(), (&r.cycles.modeled_decode_per_token).into()],
            vec![format!("prefill cycles, {} tokens", r.cycles.prompt_tokens).into(), (&r.cycles.prefill_cycles).into()],
            vec!["array utilization (decode)".into(), (&r.cycles.utilization).into()],
        ],
    ));
    if r.cycles.decode_per_layer.iter().any(|l| l.cycles.kind == Kind::Measured) {
        d.push(table(&["layer", "decode cycles per token"], r.cycles.decode_per_layer.iter().map(|l| vec![l.layer.to_string().into(), (&l.cycles).into()]).collect()));
    } else if let Some(l) = r.cycles.decode_per_layer.first() {
        d.push(table(&["every layer", "decode cycles per token"], vec![vec!["0..".to_string().into(), (&l.cycles).into()]]));
    }
    if !r.cycles.check.is_empty() {
        h(&mut d, 3, "Cycle model vs co-simulation");
        d.push(table(
            &["layer", "projection", "calls", "measured", "modeled", "error"],
            r.cycles
                .check
                .iter()
                .map(|x| vec![x.layer.to_string().into(), x.kind.name().into(), x.calls.to_string().into(), (&x.measured).into(), (&x.modeled).into(), (&x.error_percent).into()])
                .collect(),
        ));
    }

    h(&mut d, 2, "Latency and roofline");
    d.push(Block::Para(format!(
        "Decode at context position {}: every weight byte, the head and embedding row, the norm weights and the KV cache are read once per token; head, embedding and KV cache stored as {}. Achieved = min(compute-bound, memory-bound).",
        r.latency.context, r.latency.storage
    )));
    d.push(table(
        &["KV cache", "bytes per token per layer", "bytes per token", "bytes at the context position"],
        r.latency
            .kv_cache
            .iter()
            .map(|k| vec![k.storage.clone().into(), (&k.bytes_per_token_per_layer).into(), (&k.bytes_per_token).into(), (&k.bytes_at_context).into()])
            .collect(),
    ));
    let mut rows: Vec<Vec<Cell>> = r.latency.decode_traffic.iter().map(|t| vec![t.name.clone().into(), (&t.bytes).into()]).collect();
    rows.push(vec!["total (ternary)".into(), (&r.latency.decode_bytes_per_token).into()]);
    rows.push(vec!["total (FP16 design)".into(), (&r.latency.fp16_decode_bytes_per_token).into()]);
    d.push(table(&["DRAM traffic per decode token", "bytes"], rows));
    d.push(table(
        &["bandwidth", "design", "compute-bound", "memory-bound", "achieved", "bound", "latency"],
        r.latency
            .decode
            .iter()
            .map(|x| {
                let f = &x.roofline;
                vec![f.bandwidth.clone().into(), x.design.name().into(), (&f.compute_tokens_per_s).into(), (&f.memory_tokens_per_s).into(), (&f.achieved_tokens_per_s).into(), bound_name(f.bound).into(), (&f.ms_per_token).into()]
            })
            .collect(),
    ));
    h(&mut d, 3, &format!("Prefill of {} tokens", r.cycles.prompt_tokens));
    d.push(table(
        &["bandwidth", "compute-bound", "memory-bound", "achieved", "bound"],
        r.latency
            .prefill
            .iter()
            .map(|f| vec![f.bandwidth.clone().into(), (&f.compute_tokens_per_s).into(), (&f.memory_tokens_per_s).into(), (&f.achieved_tokens_per_s).into(), bound_name(f.bound).into()])
            .collect(),
    ));

    h(&mut d, 2, "Resources");
    let m = &r.resources.model;
    d.push(Block::Para(format!(
        "Structural xc7 LUT model: lanes {} + accumulators {} + base-3 decoders {} + controller {} = {} LUTs.",
        m.lanes, m.accumulators, m.decoders, m.controller, m.total
    )));
    if r.resources.synth.iter().any(|s| s.target != "asic") {
        d.push(table(
            &["target", "LUTs", "LUTs/MAC", "FFs", "carry cells", "BRAMs", "DSPs", "multipliers"],
            r.resources
                .synth
                .iter()
                .filter(|s| s.target != "asic")
                .map(|s| vec![s.target.clone().into(), (&s.luts).into(), (&s.luts_per_mac).into(), (&s.ffs).into(), (&s.carry_cells).into(), (&s.brams).into(), (&s.dsps).into(), (if s.multipliers { "yes" } else { "none" }).into()])
                .collect(),
        ));
    }
    d.push(table(
        &["array", "MACs", "LUTs modeled", "LUTs measured", "error"],
        r.resources
            .lut_points
            .iter()
            .map(|p| {
                let opt = |f: &Option<Figure>| f.as_ref().map_or(Cell::Text("-".into()), |f| f.into());
                vec![label(&p.array).into(), p.macs.to_string().into(), (&p.modeled).into(), opt(&p.measured), opt(&p.error_percent)]
            })
            .collect(),
    ));
    if !r.resources.baseline.is_empty() {
        d.push(Block::Para("Against an int8 x int8 multiply-accumulate array of the same shape and interface (hdl::baseline), synthesized by the same flow:".into()));
        d.push(table(
            &["target", "ternary LUTs", "int8 MAC LUTs", "int8 MAC / ternary LUTs", "ternary DSPs", "int8 MAC DSPs", "int8 MAC / ternary area"],
            r.resources
                .baseline
                .iter()
                .map(|b| {
                    let area = b.area_ratio.as_ref().map_or(Cell::Text("-".into()), |f| f.into());
                    vec![b.target.clone().into(), (&b.ternary.luts).into(), (&b.baseline.luts).into(), (&b.lut_ratio).into(), (&b.ternary.dsps).into(), (&b.baseline.dsps).into(), area]
                })
                .collect(),
        ));
    }
    let mut rows: Vec<Vec<Cell>> = vec![vec!["this array (model)".into(), (&r.resources.modeled_luts_per_mac).into()]];
    rows.extend(r.resources.published_luts_per_mac.iter().map(|(n, f)| vec![n.clone().into(), f.into()]));
    d.push(table(&["LUTs per ternary MAC", "value"], rows));

    h(&mut d, 2, "Energy per decode token");
    d.push(Block::Para(format!(
        "The paper's 71.4x is the FP16 multiply-add against an INT8 add at 7nm: (0.16 + 0.34) / 0.007 = {}. Over a whole token the ratio is set by memory traffic: DRAM reads cost far more than the arithmetic.",
        format_value(r.energy.paper_arithmetic_ratio_7nm.value)
    )));
    let b = &r.energy.breakdowns;
    let mut names: Vec<String> = vec![];
    for br in b {
        for p in &br.parts {
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
        }
    }
    let heads: Vec<String> = std::iter::once("part".to_string()).chain(b.iter().map(|br| format!("{} {}", br.design.name(), br.node.name()))).collect();
    let mut rows: Vec<Vec<Cell>> = names
        .iter()
        .map(|n| {
            std::iter::once(Cell::Text(n.clone()))
                .chain(b.iter().map(|br| br.parts.iter().find(|p| &p.name == n).map_or(Cell::Text("-".into()), |p| (&p.energy).into())))
                .collect()
        })
        .collect();
    rows.push(std::iter::once(Cell::Text("total".into())).chain(b.iter().map(|br| (&br.total).into())).collect());
    d.push(Block::Table { head: heads, rows });
    d.push(table(
        &["node", "projection arithmetic FP16/ternary", "whole token FP16/ternary"],
        r.energy.ratios.iter().map(|x| vec![x.node.name().into(), (&x.matmul_arithmetic).into(), (&x.whole_token).into()]).collect(),
    ));
    d.push(table(&["nonzero weight fraction"], vec![vec![(&r.energy.nonzero_fraction).into()]]));

    h(&mut d, 2, "Area");
    d.push(table(
        &["part", "size", "45nm", "7nm"],
        r.area
            .parts
            .iter()
            .map(|p| vec![p.name.clone().into(), (&p.size).into(), (&p.um2_45nm).into(), (&p.um2_7nm).into()])
            .chain(std::iter::once(vec!["total".into(), "".into(), (&r.area.total_um2_45nm).into(), (&r.area.total_um2_7nm).into()]))
            .collect(),
    ));
    if !r.area.has_logic {
        d.push(Block::Para("No ASIC synthesis record was given, so the logic area is missing: run with --target asic.".into()));
    }

    h(&mut d, 2, "Scaling: ternary vs FP16");
    d.push(Block::Para(format!(
        "The same array at {}, {} DRAM, context {}; beside the BitNet b1.58 paper's Table 1 ratios (GPU measurements, cited).",
        r.scaling.clock_mhz.display(),
        r.scaling.bandwidth,
        r.scaling.context
    )));
    let opt = |f: &Option<Figure>| f.as_ref().map_or(Cell::Text("-".into()), |f| f.into());
    d.push(table(
        &["shape", "params", "memory ternary", "memory FP16", "memory ratio", "paper memory ratio", "latency ternary", "latency FP16", "latency ratio", "paper latency ratio", "energy ratio 7nm"],
        r.scaling
            .rows
            .iter()
            .map(|s| {
                vec![
                    s.shape.clone().into(),
                    (&s.params).into(),
                    (&s.ternary.memory_gb).into(),
                    (&s.fp16.memory_gb).into(),
                    (&s.memory_ratio).into(),
                    opt(&s.paper_memory_ratio),
                    (&s.ternary.ms_per_token).into(),
                    (&s.fp16.ms_per_token).into(),
                    (&s.latency_ratio).into(),
                    opt(&s.paper_latency_ratio),
                    (&s.energy_ratio).into(),
                ]
            })
            .collect(),
    ));
    let paper: Vec<Vec<Cell>> = r
        .scaling
        .rows
        .iter()
        .filter_map(|s| s.paper_figures.as_ref().map(|p| (s, p)))
        .map(|(s, p)| vec![s.shape.clone().into(), (&p.llama_memory_gb).into(), (&p.llama_latency_ms).into(), (&p.bitnet_memory_gb).into(), (&p.bitnet_latency_ms).into()])
        .collect();
    d.push(table(&["paper Table 1", "LLaMA memory", "LLaMA latency", "BitNet b1.58 memory", "BitNet b1.58 latency"], paper));

    if !r.stream.is_empty() {
        h(&mut d, 2, "Achieved vs roofline: tern_stream with the DRAM model (co-simulation)");
        d.push(Block::Para("The array behind its memory port (hdl::stream) runs every BitLinear of the model in Verilator, its weights delivered by the DRAM model (bandwidth, bursts, first-word latency, back-pressure; sim::dram) at the run's clock (a given clock is modeled, a measured Fmax measured: see its source). Decode figures are per token after the first forward pass (which learns the weight schedule the DRAM then prefetches); prefill utilization is MACs / (cycles x rows x lanes) of the multi-token calls. Unless the run was made with --no-check, every accumulator was compared with golden.".into()));
        let f = |x: &Figure| Cell::from(x);
        d.push(table(
            &["model", "array", "DRAM", "clock", "bytes/token", "cycles/token", "achieved tokens/s", "roofline tokens/s", "achieved / roofline", "1.6-bit roofline", "prefill use"],
            r.stream
                .iter()
                .map(|s| {
                    vec![
                        s.model.clone().into(),
                        s.array.clone().into(),
                        s.dram.clone().into(),
                        f(&s.clock_mhz),
                        f(&s.bytes_per_token),
                        f(&s.cycles_per_token),
                        f(&s.achieved_tokens_per_s),
                        f(&s.roofline_tokens_per_s),
                        f(&s.fraction_of_roofline),
                        f(&s.ideal_roofline_tokens_per_s),
                        s.prefill_utilization.as_ref().map_or_else(|| "-".into(), Cell::from),
                    ]
                })
                .collect(),
        ));
    }
    if !r.sweep.is_empty() {
        h(&mut d, 2, "Sweep: LUTs vs decode tokens/s per bandwidth");
        d.push(Block::Para("Rows x lanes around this array: xc7 LUTs (structural model, checked against Yosys) against decode tokens/s (roofline at the report's clock) for each DRAM preset; * marks the Pareto front (fewer LUTs, more tokens/s, less energy) of each bandwidth.".into()));
        d.push(table(
            &["array", "bandwidth", "LUTs", "tokens/s", "bound", "Pareto"],
            r.sweep
                .iter()
                .map(|p| {
                    vec![
                        format!("{}x{}", p.array.rows, p.array.lanes).into(),
                        p.bandwidth.clone().into(),
                        (&p.luts).into(),
                        (&p.tokens_per_s).into(),
                        crate::roofline::bound_name(p.bound).into(),
                        if p.pareto { "*" } else { "" }.into(),
                    ]
                })
                .collect(),
        ));
    }
    h(&mut d, 2, "Constants");
    d.push(table(
        &["constant", "value", "unit", "kind", "source"],
        r.constants
            .iter()
            .map(|k| vec![k.name.clone().into(), format_value(k.value).into(), k.unit.clone().into(), kind_tag(k.kind).into(), k.source.clone().into()])
            .collect(),
    ));
    h(&mut d, 2, "Notes");
    for n in &r.notes {
        d.push(Block::Para(n.clone()));
    }
    d
}

/// The sources of a table's figures, in first-use order, and a lookup for cells.
fn sources(rows: &[Vec<Cell>]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for c in rows.iter().flatten() {
        if let Cell::Fig(f) = c {
            if !out.contains(&f.source) {
                out.push(f.source.clone());
            }
        }
    }
    out
}

fn cell_text(c: &Cell, srcs: &[String]) -> (String, Option<(Kind, usize)>) {
    match c {
        Cell::Text(t) => (t.clone(), None),
        Cell::Fig(f) => (f.display(), Some((f.kind, srcs.iter().position(|s| *s == f.source).unwrap_or(0) + 1))),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown: plots are referenced as the `.svg` files written beside it.
pub fn markdown(doc: &[Block]) -> String {
    let mut s = String::new();
    for b in doc {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(*l), t);
            }
            Block::Para(t) => {
                let _ = writeln!(s, "{t}\n");
            }
            Block::Table { head, rows } => {
                let srcs = sources(rows);
                let _ = writeln!(s, "| {} |", head.iter().map(|h| md_escape(h)).collect::<Vec<_>>().join(" | "));
                let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|c| match cell_text(c, &srcs) {
                            (t, None) => md_escape(&t),
                            (t, Some((k, i))) => format!("{} *{}* [{i}]", md_escape(&t), kind_tag(k)),
                        })
                        .collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
                s.push('\n');
                for (i, src) in srcs.iter().enumerate() {
                    let _ = writeln!(s, "[{}] {}  ", i + 1, md_escape(src));
                }
                if !srcs.is_empty() {
                    s.push('\n');
                }
            }
            Block::Plot(p) => {
                let _ = writeln!(s, "![{}]({}.svg)\n", p.title, p.name);
            }
        }
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left}\
th{background:#eee}.measured{color:#1a7f37;font-weight:bold}.modeled{color:#555}.cited{color:#8250df}\
.k{font-size:75%}.src{font-size:80%;color:#555;margin:0 0 1em 0}figure{margin:1em 0}";

/// Self-contained HTML: styles inline, plots as inline `<svg>`, each figure's source also in
/// its cell's tooltip.
pub fn html(doc: &[Block], title: &str) -> String {
    let mut s = format!("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n", esc(title));
    for b in doc {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(s, "<h{l}>{}</h{l}>", esc(t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "<p>{}</p>", esc(t));
            }
            Block::Table { head, rows } => {
                let srcs = sources(rows);
                s.push_str("<table><tr>");
                for h in head {
                    let _ = write!(s, "<th>{}</th>", esc(h));
                }
                s.push_str("</tr>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for c in row {
                        match cell_text(c, &srcs) {
                            (t, None) => {
                                let _ = write!(s, "<td>{}</td>", esc(&t));
                            }
                            (t, Some((k, i))) => {
                                let _ = write!(
                                    s,
                                    "<td title=\"{}\">{} <span class=\"k {}\">{} [{i}]</span></td>",
                                    esc(&srcs[i - 1]),
                                    esc(&t),
                                    kind_tag(k),
                                    kind_tag(k)
                                );
                            }
                        }
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
                if !srcs.is_empty() {
                    s.push_str("<div class=\"src\">");
                    for (i, src) in srcs.iter().enumerate() {
                        let _ = write!(s, "[{}] {}<br>", i + 1, esc(src));
                    }
                    s.push_str("</div>\n");
                }
            }
            Block::Plot(p) => {
                let _ = writeln!(s, "<figure id=\"plot-{}\">{}<figcaption>{}</figcaption></figure>", p.name, strip_xml_decl(&p.svg), esc(&p.title));
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}

/// Inline SVG must not carry an XML declaration.
fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn write_file(path: PathBuf, text: &str) -> Result<PathBuf> {
    std::fs::write(&path, text).map_err(|source| ReportError::Write { path: path.clone(), source })?;
    Ok(path)
}

/// Write report.json, report.md, report.html and the plots' .svg files into `dir`
/// (created if missing). Returns the paths written.
pub fn write_all(r: &Report, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write { path: dir.to_path_buf(), source })?;
    let plots = report_plots(r)?;
    let doc = document(r, &plots);
    let mut out = vec![
        write_file(dir.join("report.json"), &serde_json::to_string_pretty(r)?)?,
        write_file(dir.join("report.md"), &markdown(&doc))?,
        write_file(dir.join("report.html"), &html(&doc, &r.title))?,
    ];
    for p in &plots {
        out.push(write_file(dir.join(format!("{}.svg", p.name)), &p.svg)?);
    }
    Ok(out)
}

/// Write a sweep: sweep.json (the points), sweep.md (a table) and pareto.svg.
pub fn write_sweep(points: &[crate::sweep::SweepPoint], model: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write { path: dir.to_path_buf(), source })?;
    let plot = crate::plots::pareto_plot(points, model)?;
    let rows: Vec<Vec<Cell>> = points
        .iter()
        .map(|p| {
            vec![
                label(&p.array).into(),
                p.target.clone().into(),
                p.bandwidth.clone().into(),
                (&p.luts).into(),
                (&p.clock_mhz).into(),
                (&p.tokens_per_s).into(),
                bound_name(p.bound).into(),
                (&p.j_per_token).into(),
                (if p.pareto { "yes" } else { "" }).into(),
            ]
        })
        .collect();
    let doc = vec![
        Block::Heading(1, format!("tern sweep: {model}")),
        Block::Para(
            "Decode tokens/s is the roofline of each array at each bandwidth, at the array's measured Fmax where it was placed and routed, else at the given clock; J/token is dynamic energy at 7nm (static power is not modeled), so it changes little between arrays: DRAM traffic, the same for every array, dominates it. Size is LUTs (NAND2 equivalents on asic). Pareto: no other array of the same target and bandwidth is smaller, faster and less energy at once.".into(),
        ),
        table(&["array", "target", "bandwidth", "size", "clock", "tokens/s", "bound", "J/token 7nm", "Pareto"], rows),
        Block::Plot(plot.clone()),
    ];
    Ok(vec![
        write_file(dir.join("sweep.json"), &serde_json::to_string_pretty(points)?)?,
        write_file(dir.join("sweep.md"), &markdown(&doc))?,
        write_file(dir.join("sweep.html"), &html(&doc, &format!("tern sweep: {model}")))?,
        write_file(dir.join("pareto.svg"), &plot.svg)?,
    ])
}
