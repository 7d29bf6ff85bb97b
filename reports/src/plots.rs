//! SVG plots drawn with plotters' SVG backend (text becomes SVG `<text>`, so no font library
//! is needed): the scaling study, the energy breakdown, LUTs against array size, and the
//! sweep's Pareto front.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::array::{macs_per_cycle, ArrayConfig};
use crate::error::{ReportError, Result};
use crate::luts::xc7_luts;
use crate::report::Report;
use crate::scaling::ScalingRow;
use crate::sweep::SweepPoint;

/// One plot: a file name stem, a title, and the SVG text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plot {
    pub name: String,
    pub title: String,
    pub svg: String,
}

const SIZE: (u32, u32) = (900, 420);

/// Reads one ratio of a scaling row (None where the paper has no figure).
type RatioOf = fn(&ScalingRow) -> Option<f64>;
const SERIES: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn err(plot: &str) -> impl Fn(Box<dyn std::error::Error>) -> ReportError + '_ {
    move |e| ReportError::Plot { plot: plot.into(), message: e.to_string() }
}

/// Draw with `f` on a fresh SVG canvas and return the text.
fn svg(name: &str, f: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> std::result::Result<(), Box<dyn std::error::Error>>) -> Result<String> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(name)(Box::new(e)))?;
        f(&root).map_err(err(name))?;
        root.present().map_err(|e| err(name)(Box::new(e)))?;
    }
    Ok(s)
}

/// (min, max) of positive values, widened by a factor for a log axis.
/// A log-axis label only at 1, 2 and 5 times a power of ten (the others crowd the axis).
fn round_label(v: &f64) -> String {
    let lead = *v / 10f64.powf(v.abs().log10().floor());
    if [1.0, 2.0, 5.0].iter().any(|d| (lead - d).abs() < 1e-6) {
        crate::figure::format_value(*v)
    } else {
        String::new()
    }
}

fn log_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.filter(|v| *v > 0.0 && v.is_finite()).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        return 0.1..10.0;
    }
    // a series within one decade gets the whole decades around it: a log axis labels nothing
    // narrower, and the flatness is then plain to see
    if hi / lo < 10.0 {
        return 10f64.powf(lo.log10().floor())..10f64.powf(hi.log10().floor() + 1.0);
    }
    // otherwise pad by a factor that grows with the spread
    let pad = (hi / lo).powf(0.1).clamp(1.02, 2.0);
    (lo / pad)..(hi * pad)
}

/// Scaling: ms/token of both designs against parameters, and the FP16/ternary ratios beside
/// the paper's.
pub fn scaling_plot(r: &Report) -> Result<Plot> {
    let rows = &r.scaling.rows;
    let svg = svg("scaling", |root| {
        let (left, right) = root.split_horizontally(450);
        let x = log_range(rows.iter().map(|s| s.params.value));
        let y = log_range(rows.iter().flat_map(|s| [s.ternary.ms_per_token.value, s.fp16.ms_per_token.value]));
        let mut c = ChartBuilder::on(&left)
            .caption(format!("decode latency at {} (modeled)", r.scaling.bandwidth), ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x.clone().log_scale(), y.log_scale())?;
        c.configure_mesh().x_desc("parameters").y_desc("ms / token").x_label_formatter(&|v| format!("{:.0e}", v)).draw()?;
        for (i, (label, get)) in [
            ("ternary", (|s: &ScalingRow| s.ternary.ms_per_token.value) as fn(&ScalingRow) -> f64),
            ("FP16", |s| s.fp16.ms_per_token.value),
        ]
        .into_iter()
        .enumerate()
        {
            let pts: Vec<(f64, f64)> = rows.iter().map(|s| (s.params.value, get(s))).collect();
            let color = SERIES[i];
            c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?.label(label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        }
        c.configure_series_labels().border_style(BLACK).background_style(WHITE).position(SeriesLabelPosition::UpperLeft).draw()?;

        let yr = rows.iter().flat_map(|s| [s.memory_ratio.value, s.latency_ratio.value]).fold(1.0f64, f64::max) * 1.15;
        let mut c = ChartBuilder::on(&right)
            .caption("FP16 / ternary: model vs paper Table 1", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(x.log_scale(), 0.0..yr)?;
        c.configure_mesh().x_desc("parameters").y_desc("ratio (x)").x_label_formatter(&|v| format!("{:.0e}", v)).draw()?;
        let lines: [(&str, RatioOf, usize, bool); 4] = [
            ("memory (model)", |s| Some(s.memory_ratio.value), 0, false),
            ("latency (model)", |s| Some(s.latency_ratio.value), 1, false),
            ("memory (paper)", |s| s.paper_memory_ratio.as_ref().map(|f| f.value), 2, true),
            ("latency (paper)", |s| s.paper_latency_ratio.as_ref().map(|f| f.value), 3, true),
        ];
        for (label, get, ci, points_only) in lines {
            let pts: Vec<(f64, f64)> = rows.iter().filter_map(|s| get(s).map(|v| (s.params.value, v))).collect();
            let color = SERIES[ci];
            if points_only {
                c.draw_series(pts.into_iter().map(|p| TriangleMarker::new(p, 6, color.filled())))?
                    .label(label)
                    .legend(move |(x, y)| TriangleMarker::new((x + 8, y), 5, color.filled()));
            } else {
                c.draw_series(LineSeries::new(pts, color.stroke_width(2)))?.label(label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            }
        }
        c.configure_series_labels().border_style(BLACK).background_style(WHITE).position(SeriesLabelPosition::LowerRight).draw()?;
        Ok(())
    })?;
    Ok(Plot { name: "scaling".into(), title: "Scaling: ternary vs FP16 (modeled) beside the paper's Table 1 ratios (cited)".into(), svg })
}

/// Energy per token by part, both designs at both nodes (log scale: DRAM dwarfs arithmetic).
pub fn energy_plot(r: &Report) -> Result<Plot> {
    let b = &r.energy.breakdowns;
    let mut parts: Vec<String> = vec![];
    for br in b {
        for p in &br.parts {
            if !parts.contains(&p.name) && p.energy.value > 0.0 {
                parts.push(p.name.clone());
            }
        }
    }
    let svg = svg("energy", |root| {
        let y = log_range(b.iter().flat_map(|br| br.parts.iter().map(|p| p.energy.value)));
        let n = parts.len() as f64;
        let mut c = ChartBuilder::on(root)
            .caption(format!("energy per decode token by part (modeled), {}", r.model.name), ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..n, y.clone().log_scale())?;
        let names = parts.clone();
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(parts.len() * 2 + 1)
            .x_label_formatter(&|v| {
                let i = v.floor() as usize;
                if (v - v.floor() - 0.5).abs() < 0.26 && i < names.len() { names[i].clone() } else { String::new() }
            })
            .y_desc("J / token")
            .y_label_formatter(&|v| format!("{:.0e}", v))
            .draw()?;
        for (si, br) in b.iter().enumerate() {
            let color = SERIES[si % SERIES.len()];
            let bars: Vec<Rectangle<(f64, f64)>> = br
                .parts
                .iter()
                .filter(|p| p.energy.value > 0.0)
                .filter_map(|p| parts.iter().position(|x| *x == p.name).map(|i| (i, p.energy.value)))
                .map(|(i, v)| {
                    let x0 = i as f64 + 0.1 + 0.2 * si as f64;
                    Rectangle::new([(x0, y.start), (x0 + 0.18, v)], color.filled())
                })
                .collect();
            let label = format!("{} {}", br.design.name(), br.node.name());
            c.draw_series(bars)?.label(label).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        }
        c.configure_series_labels().border_style(BLACK).background_style(WHITE).position(SeriesLabelPosition::UpperLeft).draw()?;
        Ok(())
    })?;
    Ok(Plot { name: "energy".into(), title: "Energy per token by part: ternary vs FP16 at 45nm and 7nm (modeled)".into(), svg })
}

/// The arrays of the modeled LUT curve: squares and 1:4 rectangles from 8 to 4096 MACs.
fn lut_curve(a: &ArrayConfig) -> Vec<ArrayConfig> {
    [(1, 8), (2, 8), (2, 16), (4, 16), (4, 32), (8, 32), (8, 64), (16, 64), (32, 64), (32, 128), (64, 64)]
        .into_iter()
        .map(|(r, l)| ArrayConfig { rows: r, lanes: l, pipeline_depth: a.pipeline_depth.min(l), ..a.clone() })
        .collect()
}

/// LUTs against rows x lanes: the structural model as a line, Yosys-measured arrays as points.
pub fn luts_plot(r: &Report) -> Result<Plot> {
    let curve: Vec<(f64, f64)> = lut_curve(&r.array).iter().map(|s| (macs_per_cycle(s) as f64, xc7_luts(s).total as f64)).collect();
    let modeled: Vec<(f64, f64)> = r.resources.lut_points.iter().map(|p| (p.macs as f64, p.modeled.value)).collect();
    let measured: Vec<(f64, f64)> = r.resources.lut_points.iter().filter_map(|p| p.measured.as_ref().map(|m| (p.macs as f64, m.value))).collect();
    let svg = svg("luts", |root| {
        let x = log_range(curve.iter().chain(&measured).map(|p| p.0));
        let y = log_range(curve.iter().chain(&measured).map(|p| p.1));
        let mut c = ChartBuilder::on(root)
            .caption(format!("xc7 LUTs vs array size ({} packing, {}-bit accumulators)", r.array.packing.name(), r.array.accumulator_bits), ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(x.log_scale(), y.log_scale())?;
        c.configure_mesh().x_desc("MACs = rows x lanes").y_desc("LUTs").draw()?;
        let (c0, c1, c2) = (SERIES[0], SERIES[1], SERIES[2]);
        c.draw_series(LineSeries::new(curve, c0.stroke_width(2)))?.label("model (structural)").legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c0));
        c.draw_series(modeled.into_iter().map(|p| Cross::new(p, 5, c2.stroke_width(2))))?.label("model at the synthesized arrays").legend(move |(x, y)| Cross::new((x + 8, y), 4, c2));
        c.draw_series(measured.into_iter().map(|p| Circle::new(p, 5, c1.filled())))?.label("Yosys synth_xilinx (measured)").legend(move |(x, y)| Circle::new((x + 8, y), 4, c1.filled()));
        c.configure_series_labels().border_style(BLACK).background_style(WHITE).position(SeriesLabelPosition::UpperLeft).draw()?;
        Ok(())
    })?;
    Ok(Plot { name: "luts".into(), title: "LUTs vs array size: structural model and Yosys".into(), svg })
}

/// The report's plots.
pub fn report_plots(r: &Report) -> Result<Vec<Plot>> {
    Ok(vec![scaling_plot(r)?, energy_plot(r)?, luts_plot(r)?])
}

/// The sweep's Pareto front: size against tokens/s (left) and J/token (right), one colour per
/// target and bandwidth; Pareto-optimal points are joined by a line.
pub fn pareto_plot(points: &[SweepPoint], model: &str) -> Result<Plot> {
    let series = |p: &SweepPoint| format!("{} {}", p.target, p.bandwidth);
    let mut bws: Vec<String> = vec![];
    for p in points {
        if !bws.contains(&series(p)) {
            bws.push(series(p));
        }
    }
    let size_unit = if points.iter().all(|p| p.target == "asic") { "NAND2 eq" } else if points.iter().any(|p| p.target == "asic") { "LUTs / NAND2 eq (asic)" } else { "LUTs" };
    let svg = svg("pareto", |root| {
        let (left, right) = root.split_horizontally(450);
        let x = log_range(points.iter().map(|p| p.luts.value));
        for (panel, area, ylabel, get) in [
            (0, &left, "tokens / s", (|p: &SweepPoint| p.tokens_per_s.value) as fn(&SweepPoint) -> f64),
            (1, &right, "J / token (7nm)", |p| p.j_per_token.value),
        ] {
            let y = log_range(points.iter().map(get));
            // the values' span in the caption: a log axis labels only whole powers of ten
            let (lo, hi) = points.iter().map(get).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
            let span = format!("{} .. {}", crate::figure::format_value(lo), crate::figure::format_value(hi));
            let mut c = ChartBuilder::on(area)
                .caption(format!("{model}: {size_unit} vs {ylabel} ({span})"), ("sans-serif", 14))
                .margin(10)
                .x_label_area_size(36)
                .y_label_area_size(60)
                .build_cartesian_2d(x.clone().log_scale(), y.log_scale())?;
            c.configure_mesh().x_desc(size_unit).x_label_formatter(&round_label).y_desc(ylabel).y_label_formatter(&round_label).draw()?;
            for (i, bw) in bws.iter().enumerate() {
                let color = SERIES[i % SERIES.len()];
                let mine: Vec<&SweepPoint> = points.iter().filter(|p| &series(p) == bw).collect();
                c.draw_series(mine.iter().map(|p| Circle::new((p.luts.value, get(p)), 3, color.mix(0.5).filled())))?;
                let mut front: Vec<(f64, f64)> = mine.iter().filter(|p| p.pareto).map(|p| (p.luts.value, get(p))).collect();
                front.sort_by(|a, b| a.0.total_cmp(&b.0));
                let s = c.draw_series(LineSeries::new(front, color.stroke_width(2)))?;
                if panel == 0 {
                    s.label(format!("{bw} Pareto front")).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
                }
            }
            if panel == 0 {
                c.configure_series_labels().border_style(BLACK).background_style(WHITE).position(SeriesLabelPosition::LowerRight).draw()?;
            }
        }
        Ok(())
    })?;
    Ok(Plot { name: "pareto".into(), title: "Array sweep: size vs tokens/s vs J/token per target and bandwidth".into(), svg })
}
