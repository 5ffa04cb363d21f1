//! The report's Markdown: one row per result, the figures people compare.

use std::fmt::Write;

use serde_json::Value;

/// (header, key, how to show it)
const COLUMNS: &[(&str, &str, Show)] = &[
    ("rate msg/s", "rate", Show::Number),
    ("deliveries/s", "deliveries_per_sec", Show::Number),
    ("p50 ms", "p50_us", Show::Millis),
    ("p99 ms", "p99_us", Show::Millis),
    ("p99.9 ms", "p999_us", Show::Millis),
    ("max ms", "max_us", Show::Millis),
    ("p99 ms at half rate", "p99_us_at_half_rate", Show::Millis),
    ("lost", "lost", Show::Number),
    ("disconnects", "disconnects", Show::Number),
    ("logins/s", "logins_per_sec", Show::Number),
    ("login p99 ms", "login_p99_us", Show::Millis),
    ("server CPU us/delivery", "server_cpu_us_per_delivery", Show::Number),
    ("server CPU us/login", "server_cpu_us_per_login", Show::Number),
    ("server RSS MiB", "server_rss_bytes", Show::Mebibytes),
    ("server KiB/client", "server_bytes_per_client", Show::Kibibytes),
    ("up MB/s", "upload_mb_per_sec", Show::Number),
    ("down MB/s", "download_mb_per_sec", Show::Number),
    ("chat p99 ms idle", "chat_p99_idle_us", Show::Millis),
    ("chat p99 ms during upload", "chat_p99_during_upload_us", Show::Millis),
    ("chat p99 ms during download", "chat_p99_during_download_us", Show::Millis),
];

#[derive(Clone, Copy)]
enum Show {
    Number,
    Millis,
    Mebibytes,
    Kibibytes,
}

pub fn table(results: &[Value]) -> String {
    let mut out = String::from("# anseo-bench results\n\n");
    let mut scenarios: Vec<&str> = results.iter().filter_map(|r| r["scenario"].as_str()).collect();
    scenarios.dedup();
    for scenario in scenarios {
        let rows: Vec<&Value> = results.iter().filter(|r| r["scenario"] == scenario).collect();
        // Only the columns some row has a figure for.
        let columns: Vec<_> =
            COLUMNS.iter().filter(|(_, key, _)| rows.iter().any(|r| !r[*key].is_null())).collect();
        let _ = writeln!(out, "## {scenario}\n");
        let _ = writeln!(out, "{}\n", parameters(rows[0]));
        let _ = write!(out, "| target |");
        for (header, _, _) in &columns {
            let _ = write!(out, " {header} |");
        }
        let _ = write!(out, "\n|---|");
        for _ in &columns {
            let _ = write!(out, "---:|");
        }
        out.push('\n');
        for row in rows {
            let label = row["label"].as_str().unwrap_or("?");
            let _ = write!(out, "| {label} |");
            for (_, key, show) in &columns {
                let _ = write!(out, " {} |", cell(&row[*key], *show));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The scenario's parameters, as a line.
fn parameters(result: &Value) -> String {
    let keys =
        ["clients", "rooms", "senders", "size", "duration_secs", "warmup_secs", "find_max", "arrival_rate"];
    let parts: Vec<String> =
        keys.iter().filter(|k| !result[**k].is_null()).map(|k| format!("{k} = {}", result[*k])).collect();
    format!("Parameters: {}.", parts.join(", "))
}

fn cell(value: &Value, show: Show) -> String {
    let Some(number) = value.as_f64() else { return "-".into() };
    match show {
        Show::Number if number.fract() == 0.0 => format!("{number:.0}"),
        Show::Number => format!("{number:.2}"),
        Show::Millis => format!("{:.2}", number / 1000.0),
        Show::Mebibytes => format!("{:.1}", number / 1_048_576.0),
        Show::Kibibytes => format!("{:.1}", number / 1024.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_target_with_nulls_as_dashes() {
        let results = vec![
            serde_json::json!({"scenario": "fanout", "label": "anseo", "clients": 100, "deliveries_per_sec": 1000.0, "p99_us": 2500, "lost": 0, "logins_per_sec": null}),
            serde_json::json!({"scenario": "fanout", "label": "irc", "clients": 100, "deliveries_per_sec": 2000.0, "p99_us": null, "lost": 3, "logins_per_sec": null}),
        ];
        let text = table(&results);
        assert!(text.contains("| anseo | 1000 | 2.50 | 0 |"), "{text}");
        assert!(text.contains("| irc | 2000 | - | 3 |"), "{text}");
        assert!(!text.contains("logins/s"), "{text}");
    }
}
