//! Smoke tests of the load generator: each scenario for a second or two against a real server
//! that `anseo-bench --spawn-server` starts, with a handful of clients. They check that the
//! result is one JSON object with every key and sane values; they never judge speed.

use std::process::Command;

use serde_json::Value;

use crate::support::binary;

/// Keys every result has (null where a figure does not apply).
const KEYS: &[&str] = &[
    "scenario",
    "target",
    "deliveries_per_sec",
    "sent",
    "delivered",
    "lost",
    "disconnects",
    "p50_us",
    "p99_us",
    "p999_us",
    "max_us",
    "logins_per_sec",
    "login_p99_us",
    "server_cpu_us_per_delivery",
    "server_cpu_us_per_login",
    "server_rss_bytes",
    "server_bytes_per_client",
];

/// Runs `anseo-bench SCENARIO ARGS --spawn-server anseo-server` and returns its JSON result.
fn bench(scenario: &str, args: &[&str]) -> Value {
    let output = Command::new(binary("anseo-bench"))
        .arg(scenario)
        .args(args)
        .arg("--spawn-server")
        .arg(binary("anseo-server"))
        .output()
        .expect("run anseo-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "anseo-bench {scenario} failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "stdout should be one JSON line:\n{stdout}\nstderr:\n{stderr}");
    let result: Value = serde_json::from_str(lines[0]).expect("stdout is JSON");
    for key in KEYS {
        assert!(result.get(key).is_some(), "{scenario}: no `{key}` in {result}");
    }
    assert_eq!(result["scenario"], scenario);
    assert!(result["target"].as_str().unwrap().starts_with("anseo://127.0.0.1:"), "{result}");
    assert!(result["server_rss_bytes"].as_u64().unwrap() > 0, "the server's RSS was not read: {result}");
    result
}

fn u64_of(result: &Value, key: &str) -> u64 {
    result[key].as_u64().unwrap_or_else(|| panic!("`{key}` is not a number in {result}"))
}

#[test]
fn fanout_delivers_everything_at_a_low_rate() {
    let result = bench(
        "fanout",
        &["--clients", "5", "--rate", "200", "--duration", "1.5", "--warmup", "0.3", "--drain", "2"],
    );
    let (sent, delivered) = (u64_of(&result, "sent"), u64_of(&result, "delivered"));
    assert!(sent > 0 && delivered > 0, "{result}");
    assert_eq!(delivered, sent * 4, "every message reaches the 4 other clients: {result}");
    assert_eq!(u64_of(&result, "lost"), 0, "{result}");
    assert_eq!(u64_of(&result, "disconnects"), 0, "{result}");
    assert!(u64_of(&result, "p50_us") <= u64_of(&result, "p99_us"), "{result}");
    assert!(u64_of(&result, "p99_us") <= u64_of(&result, "max_us"), "{result}");
    assert!(result["server_cpu_us_per_delivery"].as_f64().is_some(), "{result}");
    assert!(result["deliveries_per_sec"].as_f64().unwrap() > 0.0, "{result}");
}

#[test]
fn fanout_find_max_reports_its_steps() {
    let result = bench(
        "fanout",
        &[
            "--clients",
            "3",
            "--rate",
            "100",
            "--step",
            "2",
            "--max-steps",
            "2",
            "--find-max",
            "--duration",
            "0.6",
            "--warmup",
            "0.2",
            "--drain",
            "1",
        ],
    );
    let steps = result["steps"].as_array().expect("a steps array");
    assert!(!steps.is_empty() && steps.len() <= 2, "{result}");
    assert!(result["find_max"] == true, "{result}");
}

#[test]
fn mix_sends_room_and_direct_messages() {
    let result = bench(
        "mix",
        &[
            "--clients",
            "8",
            "--rooms",
            "2",
            "--rate-per-client",
            "10",
            "--direct-percent",
            "30",
            "--presence-percent",
            "20",
            "--duration",
            "1.5",
            "--warmup",
            "0.3",
        ],
    );
    assert!(u64_of(&result, "delivered") > 0, "{result}");
    assert_eq!(u64_of(&result, "lost"), 0, "{result}");
    assert_eq!(u64_of(&result, "disconnects"), 0, "{result}");
}

#[test]
fn storm_logs_everyone_in() {
    let result = bench("storm", &["--clients", "20", "--arrival-rate", "100", "--hold", "0.2"]);
    assert!(result["logins_per_sec"].as_f64().unwrap() > 0.0, "{result}");
    assert!(u64_of(&result, "login_p99_us") > 0, "{result}");
    assert_eq!(u64_of(&result, "logins_ok"), 20, "{result}");
    assert!(result["server_cpu_us_per_login"].as_f64().is_some(), "{result}");
}

#[test]
fn idle_reports_memory_per_client() {
    let result = bench("idle", &["--clients", "10", "--settle", "0.3"]);
    assert!(result["server_bytes_per_client"].as_f64().is_some(), "{result}");
    assert_eq!(u64_of(&result, "disconnects"), 0, "{result}");
    assert!(result["deliveries_per_sec"].is_null(), "{result}");
}

#[test]
fn slow_reports_the_stall() {
    let result = bench(
        "slow",
        &[
            "--clients",
            "4",
            "--rate",
            "200",
            "--size",
            "256",
            "--stall",
            "2",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--drain",
            "1",
            "--server-arg=--max-queued-bytes=65536",
        ],
    );
    assert!(result["slow_client_disconnected"].is_boolean(), "{result}");
    assert!(u64_of(&result, "delivered") > 0, "{result}");
    assert!(result["baseline_p99_us"].as_u64().is_some(), "{result}");
}

#[test]
fn joinstorm_settles() {
    let result = bench("joinstorm", &["--clients", "8", "--within", "0.5", "--timeout", "10"]);
    assert_eq!(u64_of(&result, "settled_clients"), 8, "{result}");
    assert!(result["settle_ms"].as_f64().is_some(), "{result}");
}

#[test]
fn board_reports_latency_and_cpu_per_operation() {
    let result = bench("board", &["--clients", "4", "--drawers", "2", "--warmup", "0.3", "--duration", "1"]);
    assert!(u64_of(&result, "board_ops") > 20, "{result}");
    // Each batch reaches all 4 clients (its drawer's echo too).
    assert!(u64_of(&result, "delivered") >= 4 * 20, "{result}");
    assert!(u64_of(&result, "p99_us") > 0, "{result}");
    assert!(result["server_cpu_us_per_board_op"].as_f64().is_some(), "{result}");
}
