//! The latency plot: latency by percentile, one line per target, on log scales (HdrHistogram's
//! usual picture: the x axis is 1 / (1 - percentile), so 90, 99, 99.9... are evenly spaced).
//! Text needs a TrueType font from the system (DejaVu Sans and others are looked for); without
//! one the plot is drawn without labels rather than not at all.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::anyhow;
use plotters::prelude::*;
use serde_json::Value;

const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
];

/// Registers the first font found as `sans-serif`; false when there is none.
fn have_font() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        for path in FONTS {
            if let Ok(bytes) = std::fs::read(path) {
                // plotters keeps fonts for the life of the process.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return true;
                }
            }
        }
        false
    })
}

/// A run's name in the legend, with the rate it was measured at where it has one (fan-out
/// runs that searched for their highest rate are each drawn at their own).
fn legend(run: &Value) -> String {
    let label = run["label"].as_str().unwrap_or("?");
    match run["rate"].as_f64() {
        Some(rate) => format!("{label} at {rate:.0} msg/s"),
        None => label.to_string(),
    }
}

/// x position of a percentile: log10(1 / (1 - p)).
fn x_of(percentile: f64) -> f64 {
    (1.0 / (1.0 - percentile.min(99.999) / 100.0)).log10()
}

pub fn latency(path: &Path, scenario: &str, runs: &[&Value]) -> anyhow::Result<()> {
    let series: Vec<(String, Vec<(f64, f64)>)> = runs
        .iter()
        .map(|run| {
            let points = run["latency_percentiles"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()? / 1000.0)))
                        .filter(|(p, _)| *p < 100.0)
                        .map(|(p, ms)| (x_of(p), ms.max(0.001)))
                        .collect()
                })
                .unwrap_or_default();
            (legend(run), points)
        })
        .filter(|(_, points): &(String, Vec<(f64, f64)>)| !points.is_empty())
        .collect();
    let top = series.iter().flat_map(|(_, p)| p.iter().map(|(_, ms)| *ms)).fold(1.0, f64::max) * 1.5;
    let bottom = series.iter().flat_map(|(_, p)| p.iter().map(|(_, ms)| *ms)).fold(top, f64::min) / 1.5;
    let text = have_font();
    let err = |e: &dyn std::fmt::Display| anyhow!("{e}");

    let root = BitMapBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if text {
        builder
            .caption(format!("{scenario}: latency by percentile"), ("sans-serif", 24))
            .x_label_area_size(45)
            .y_label_area_size(70);
    }
    let mut chart =
        builder.build_cartesian_2d(0.0..5.0f64, (bottom..top).log_scale()).map_err(|e| err(&e))?;
    if text {
        chart
            .configure_mesh()
            .x_desc("percentile")
            .y_desc("latency (ms)")
            .x_labels(6)
            .x_label_formatter(&|x| {
                let p = 100.0 * (1.0 - 10f64.powf(-*x));
                format!("{}", (p * 1000.0).round() / 1000.0)
            })
            .y_label_formatter(&|y| format!("{y}"))
            .draw()
            .map_err(|e| err(&e))?;
    }
    for (i, (label, points)) in series.into_iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let drawn = chart.draw_series(LineSeries::new(points, color.stroke_width(3))).map_err(|e| err(&e))?;
        if text {
            drawn
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
        }
    }
    if text {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 18))
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
