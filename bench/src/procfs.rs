//! The server under test as seen from /proc (through the `procfs` crate): CPU time (user +
//! system, all threads) and resident memory of one process, and the kernel's socket memory
//! from /proc/net/sockstat.

use procfs::process::Process;

/// Reads one process's figures. A probe without a process returns `None` everywhere.
#[derive(Debug, Clone)]
pub struct Probe {
    pid: Option<u32>,
}

/// One reading of the server process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub cpu_us: u64,
    pub rss_bytes: u64,
}

impl Probe {
    pub fn new(pid: Option<u32>) -> Self {
        Probe { pid }
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// CPU time (user + system, all threads) and RSS now, or `None` with no process or when
    /// /proc cannot be read.
    pub fn sample(&self) -> Option<Sample> {
        let process = Process::new(i32::try_from(self.pid?).ok()?).ok()?;
        let stat = process.stat().ok()?;
        let ticks = stat.utime + stat.stime;
        let rss_bytes = process.status().ok()?.vmrss? * 1024;
        Some(Sample { cpu_us: ticks * 1_000_000 / procfs::ticks_per_second().max(1), rss_bytes })
    }
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
    fn reads_this_process() {
        let probe = Probe::new(Some(std::process::id()));
        let before = probe.sample().expect("own /proc entry");
        assert!(before.rss_bytes > 0);
        // Burn some CPU: the reading grows.
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(50) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        assert!(x > 0);
        assert!(probe.sample().expect("own /proc entry").cpu_us > before.cpu_us);
    }
}
