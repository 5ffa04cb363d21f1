//! `--report DIR`: each run adds its result to `DIR/results.json` (a JSON array, one object
//! per target and scenario; a rerun replaces its own entry), then the Markdown table
//! `DIR/report.md` and the latency plots `DIR/latency-SCENARIO.png` are rewritten from all
//! of them, so runs against different servers end up compared side by side.

mod markdown;
mod plot;

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

pub fn add_and_write(dir: &Path, result: Value) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let path = dir.join("results.json");
    let mut results: Vec<Value> = match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).with_context(|| format!("{} is not a JSON array", path.display()))?
        }
        Err(_) => Vec::new(),
    };
    let same = |a: &Value| a["scenario"] == result["scenario"] && a["label"] == result["label"];
    results.retain(|r| !same(r));
    results.push(result);
    let json = serde_json::to_string_pretty(&results).context("serialize the results")?;
    std::fs::write(&path, json + "\n").with_context(|| format!("write {}", path.display()))?;
    write_tables_and_plots(dir, &results)
}

/// Rewrites the Markdown table and plots of `dir` from its `results.json` (the `report`
/// subcommand), e.g. after editing the results or for results kept in the repository.
pub fn rewrite(dir: &Path) -> anyhow::Result<()> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    let results: Vec<Value> =
        serde_json::from_str(&text).with_context(|| format!("{} is not a JSON array", path.display()))?;
    write_tables_and_plots(dir, &results)
}

fn write_tables_and_plots(dir: &Path, results: &[Value]) -> anyhow::Result<()> {
    let table = markdown::table(results);
    std::fs::write(dir.join("report.md"), table).context("write report.md")?;
    let mut scenarios: Vec<&str> = results.iter().filter_map(|r| r["scenario"].as_str()).collect();
    scenarios.sort_unstable();
    scenarios.dedup();
    for scenario in scenarios {
        let runs: Vec<&Value> = results.iter().filter(|r| r["scenario"] == scenario).collect();
        let png = dir.join(format!("latency-{scenario}.png"));
        plot::latency(&png, scenario, &runs).with_context(|| format!("draw {}", png.display()))?;
    }
    Ok(())
}
