//! The server under test as seen from /proc: CPU time (user + system, all threads) and
//! resident memory of one process, and the kernel's socket memory from /proc/net/sockstat.

use std::path::PathBuf;

use anyhow::{Context, bail};

/// Reads one process's figures. A probe without a process returns `None` everywhere.
#[derive(Debug, Clone)]
pub struct Probe {
    pid: Option<u32>,
    ticks_per_sec: u64,
}

/// One reading of the server process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub cpu_us: u64,
    pub rss_bytes: u64,
}

impl Probe {
    pub fn new(pid: Option<u32>) -> Self {
        // SAFETY: sysconf has no preconditions; it only reads a constant.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        Probe { pid, ticks_per_sec: if ticks > 0 { ticks as u64 } else { 100 } }
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// CPU time and RSS now, or `None` with no process or when /proc cannot be read.
    pub fn sample(&self) -> Option<Sample> {
        let pid = self.pid?;
        let stat = std::fs::read_to_string(proc_path(pid, "stat")).ok()?;
        let status = std::fs::read_to_string(proc_path(pid, "status")).ok()?;
        let ticks = parse_cpu_ticks(&stat).ok()?;
        let rss_bytes = parse_status_kib(&status, "VmRSS:")? * 1024;
        Some(Sample { cpu_us: ticks * 1_000_000 / self.ticks_per_sec, rss_bytes })
    }
}

fn proc_path(pid: u32, file: &str) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/{file}"))
}

/// utime + stime (fields 14 and 15) from /proc/PID/stat. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from the last ')'.
fn parse_cpu_ticks(stat: &str) -> anyhow::Result<u64> {
    let after = stat.rfind(')').context("no ')' in /proc/PID/stat")?;
    let fields: Vec<&str> = stat[after + 1..].split_whitespace().collect();
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    if fields.len() < 13 {
        bail!("/proc/PID/stat has too few fields");
    }
    let utime: u64 = fields[11].parse().context("utime")?;
    let stime: u64 = fields[12].parse().context("stime")?;
    Ok(utime + stime)
}

fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// Kernel memory of all TCP and UDP sockets (`mem` of /proc/net/sockstat, in pages), in bytes.
pub fn socket_memory_bytes() -> Option<u64> {
    let sockstat = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let page = 4096;
    let mut total = 0;
    for line in sockstat.lines().filter(|l| l.starts_with("TCP:") || l.starts_with("UDP:")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| *w == "mem") {
            total += words.get(i + 1)?.parse::<u64>().ok()? * page;
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_skip_a_command_name_with_spaces() {
        let stat = "42 (anseo (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 100 0 0";
        assert_eq!(parse_cpu_ticks(stat).unwrap(), 300);
    }

    #[test]
    fn reads_this_process() {
        let probe = Probe::new(Some(std::process::id()));
        let sample = probe.sample().expect("own /proc entry");
        assert!(sample.rss_bytes > 0);
    }
}
