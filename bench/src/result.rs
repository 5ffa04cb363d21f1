//! The result of a run: one JSON object with fixed keys (null where a figure does not apply
//! or could not be read), the scenario's parameters, and figures particular to it.

use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::procfs::Sample;
use crate::stats::Recorder;

/// The fixed part of every result; `params` and `extra` are merged in at the top level.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BenchResult {
    pub scenario: String,
    pub target: String,
    pub label: String,
    #[serde(flatten)]
    pub params: Map<String, Value>,
    pub deliveries_per_sec: Option<f64>,
    pub sent: Option<u64>,
    pub delivered: Option<u64>,
    pub lost: Option<u64>,
    pub disconnects: u64,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    pub p999_us: Option<u64>,
    pub max_us: Option<u64>,
    pub logins_per_sec: Option<f64>,
    pub login_p99_us: Option<u64>,
    pub server_cpu_us_per_delivery: Option<f64>,
    pub server_cpu_us_per_login: Option<f64>,
    pub server_rss_bytes: Option<u64>,
    pub server_bytes_per_client: Option<f64>,
    /// Latency by percentile, `[[percentile, us], ...]`, for the report's plots.
    pub latency_percentiles: Vec<(f64, u64)>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The percentiles plotted: 0 to 99.999 on a log-like scale.
const PLOTTED: &[f64] =
    &[0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.999, 100.0];

impl BenchResult {
    /// Fills the delivery figures from a measurement window's records.
    pub fn set_deliveries(&mut self, records: &Recorder, sent: u64, expected: u64, seconds: f64) {
        self.sent = Some(sent);
        self.delivered = Some(records.delivered);
        self.lost = Some(expected.saturating_sub(records.delivered));
        self.deliveries_per_sec = Some(round(records.delivered as f64 / seconds, 1));
        self.set_latency(&records.latency);
    }

    /// Fills p50/p99/p999/max and the plotted percentiles (all null for an empty histogram).
    pub fn set_latency(&mut self, latency: &Histogram<u64>) {
        if latency.is_empty() {
            return;
        }
        self.p50_us = Some(latency.value_at_quantile(0.50));
        self.p99_us = Some(latency.value_at_quantile(0.99));
        self.p999_us = Some(latency.value_at_quantile(0.999));
        self.max_us = Some(latency.max());
        self.latency_percentiles = PLOTTED.iter().map(|p| (*p, latency.value_at_percentile(*p))).collect();
    }

    /// Server CPU per delivery between two samples.
    pub fn set_cpu_per_delivery(&mut self, before: Option<Sample>, after: Option<Sample>) {
        let delivered = self.delivered.unwrap_or(0);
        if let (Some(before), Some(after), true) = (before, after, delivered > 0) {
            let cpu = after.cpu_us.saturating_sub(before.cpu_us);
            self.server_cpu_us_per_delivery = Some(round(cpu as f64 / delivered as f64, 4));
        }
    }

    pub fn param(&mut self, key: &str, value: impl Into<Value>) {
        self.params.insert(key.into(), value.into());
    }

    pub fn extra(&mut self, key: &str, value: impl Into<Value>) {
        self.extra.insert(key.into(), value.into());
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a result serializes")
    }
}

/// Rounds to `digits` decimals, so the JSON stays readable.
pub fn round(value: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    (value * factor).round() / factor
}

/// Server CPU per login between two samples.
pub fn cpu_per(before: Option<Sample>, after: Option<Sample>, count: usize) -> Option<f64> {
    let (before, after) = (before?, after?);
    (count > 0).then(|| round(after.cpu_us.saturating_sub(before.cpu_us) as f64 / count as f64, 2))
}

/// Memory growth per client between two samples.
pub fn bytes_per_client(before: Option<Sample>, after_rss: Option<u64>, count: usize) -> Option<f64> {
    let (before, after) = (before?, after_rss?);
    (count > 0).then(|| round((after as f64 - before.rss_bytes as f64) / count as f64, 1))
}
