//! Local wall-clock time for the human-readable output.

use chrono::{Local, TimeZone};

/// `HH:MM:SS` in local time for a server timestamp in milliseconds since the Unix epoch.
pub fn local_hms(ts_millis: u64) -> String {
    match i64::try_from(ts_millis).ok().and_then(|ms| Local.timestamp_millis_opt(ms).single()) {
        Some(time) => time.format("%H:%M:%S").to_string(),
        None => now_hms(),
    }
}

/// `HH:MM:SS` now, in local time.
pub fn now_hms() -> String {
    Local::now().format("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_hours_minutes_seconds() {
        let text = local_hms(1_700_000_000_000);
        assert_eq!(text.len(), 8, "{text}");
        assert_eq!(text.as_bytes()[2], b':');
        assert_eq!(text.as_bytes()[5], b':');
    }
}
