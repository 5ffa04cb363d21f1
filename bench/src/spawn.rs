//! Starting and stopping the Anseo server under test: `PATH --listen 127.0.0.1:0 --cert-dir
//! DIR [ARGS]`, read the banner for the address and fingerprint, SIGTERM at the end.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anseo_shared::trust::Fingerprint;
use anyhow::{Context, bail};

/// Server options that would otherwise throttle a benchmark: the default per-client rate
/// limit (10 msg/s), the client and connection caps, and the cap per address (every client
/// of the load generator comes from 127.0.0.1). Each is added only when `--server-arg` does
/// not name it.
const BENCH_DEFAULTS: &[(&str, &str)] = &[
    ("--rate-limit-per-sec", "100000000"),
    ("--rate-limit-burst", "100000000"),
    ("--max-clients", "1000000"),
    ("--max-connections", "1000000"),
    ("--max-connections-per-address", "1000000"),
];

/// A server process this tool started. Stopped when dropped.
pub struct SpawnedServer {
    child: Child,
    pub addr: String,
    pub fingerprint: Fingerprint,
    dir: PathBuf,
    stopped: bool,
}

impl SpawnedServer {
    /// Starts `path` on a free loopback port with its certificate in a fresh temp folder.
    pub fn start(path: &Path, extra: &[String], cpu: Option<&str>) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("anseo-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        let log = std::fs::File::create(dir.join("server.log")).context("create the server log")?;
        // taskset execs the server, so the child's pid is the server's.
        let mut command = match cpu {
            Some(cpu) => {
                let mut taskset = Command::new("taskset");
                taskset.arg("-c").arg(cpu).arg(path);
                taskset
            }
            None => Command::new(path),
        };
        command.arg("--listen").arg("127.0.0.1:0").arg("--cert-dir").arg(dir.join("certs"));
        // The store goes in the temp folder too (or nowhere with `--server-arg --no-store`),
        // never in the user's own data folder.
        if !extra.iter().any(|a| a == "--no-store" || a.starts_with("--data-dir")) {
            command.arg("--data-dir").arg(dir.join("data"));
        }
        for (flag, value) in BENCH_DEFAULTS {
            if !extra.iter().any(|a| a == flag || a.starts_with(&format!("{flag}="))) {
                command.arg(flag).arg(value);
            }
        }
        let mut child = command
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("start {}", path.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut server = SpawnedServer {
            child,
            addr: String::new(),
            fingerprint: Fingerprint::of_der(b""),
            dir,
            stopped: false,
        };
        let (addr, fingerprint) = server.read_banner(&lines_rx)?;
        server.addr = addr;
        server.fingerprint = fingerprint;
        Ok(server)
    }

    fn read_banner(&mut self, lines: &mpsc::Receiver<String>) -> anyhow::Result<(String, Fingerprint)> {
        let mut addr = None;
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) {
            if addr.is_none()
                && let Some(at) = line.split("listening on ").nth(1)
            {
                addr = Some(at.split_whitespace().next().unwrap_or_default().to_string());
            }
            if line.contains("fingerprint")
                && let Some(hex) = line.split_whitespace().find(|w| w.len() == 64)
            {
                let fingerprint = hex.parse().context("the banner's fingerprint")?;
                return addr
                    .map(|a| (a, fingerprint))
                    .context("no `listening on` line before the fingerprint");
            }
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        bail!("the server printed no address and fingerprint; its log:\n{log}")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its folder.
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        // SAFETY: kill(2) on our own child's pid; the worst case is ESRCH.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        self.stop();
    }
}
