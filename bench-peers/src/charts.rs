//! The SVG charts: each side's distribution as a cumulative curve
//! (x: time, y: share of samples at or below it).

use std::path::Path;
use std::time::Duration;

use plotters::prelude::*;

/// One curve: its name and its samples, sorted.
pub(crate) struct Series<'a> {
    pub(crate) name: &'a str,
    pub(crate) sorted: &'a [Duration],
}

const COLORS: [RGBColor; 6] = [
    RGBColor(0xd6, 0x27, 0x28), // attestwire: red, drawn last (on top)
    RGBColor(0xff, 0x7f, 0x0e), // attestwire's header flow: orange
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x7f, 0x7f, 0x7f), // the floor: grey
];

/// Writes a cumulative-distribution chart to `path`. `unit` is the x
/// axis's unit in seconds (1e-6 for µs); `log_x` for a log-scale x axis.
/// x runs from the smallest sample to the largest p99.9 (less outliers).
pub(crate) fn cdf(
    path: &Path,
    title: &str,
    x_label: &str,
    unit: f64,
    log_x: bool,
    series: &[Series<'_>],
) -> Result<(), Box<dyn std::error::Error>> {
    let value = |d: Duration| d.as_secs_f64() / unit;
    let lo = series
        .iter()
        .filter_map(|s| s.sorted.first().copied())
        .map(value)
        .fold(f64::INFINITY, f64::min);
    let hi = series
        .iter()
        .map(|s| value(crate::measure::percentile(s.sorted, 99.9)))
        .fold(0.0, f64::max);
    let (lo, hi) = if log_x {
        (lo * 0.8, hi * 1.25)
    } else {
        let pad = (hi - lo).max(1e-9) * 0.05;
        (lo - pad, hi + pad)
    };
    let root = SVGBackend::new(path, (960, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(title, ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(60);
    // Curves are drawn in reverse so that the first series ends on top.
    let curves: Vec<_> = series
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (i, s, points(s.sorted, |d| value(d).clamp(lo, hi))))
        .collect();
    if log_x {
        let mut chart = builder.build_cartesian_2d((lo..hi).log_scale(), 0f64..100f64)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("% of round trips at or below")
            .draw()?;
        for (i, s, pts) in curves {
            let color = COLORS[i % COLORS.len()];
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
                .label(s.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        legend(&mut chart)?;
    } else {
        let mut chart = builder.build_cartesian_2d(lo..hi, 0f64..100f64)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("% of samples at or below")
            .draw()?;
        for (i, s, pts) in curves {
            let color = COLORS[i % COLORS.len()];
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
                .label(s.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        legend(&mut chart)?;
    }
    root.present()?;
    Ok(())
}

fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// The curve at 0.25 % steps (401 points), so the files stay small.
fn points(sorted: &[Duration], value: impl Fn(Duration) -> f64) -> Vec<(f64, f64)> {
    (0..=400)
        .map(|step| {
            let p = step as f64 / 4.0;
            (value(crate::measure::percentile(sorted, p)), p)
        })
        .collect()
}
