//! A real `anseo-server` process on `127.0.0.1:0` with its own certificate and data folders.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anseo_shared::client::{ConnectOptions, Connected, Trust, connect};
use anseo_shared::trust::Fingerprint;

use super::{WAIT, binary};

/// A running server. Killed when dropped.
pub struct TestServer {
    child: Child,
    /// `127.0.0.1:PORT` as printed in the banner.
    pub addr: String,
    pub fingerprint: Fingerprint,
    /// Holds `certs/`, `data/` and `server.log` (the server's stderr).
    pub dir: tempfile::TempDir,
    /// Every stdout line of the banner.
    pub banner: Vec<String>,
}

impl TestServer {
    /// Starts a server with default settings.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts a server with extra command-line arguments.
    pub fn start_with(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, args)
    }

    /// Starts a server whose certificate and data live in `dir` (reused across restarts).
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Self {
        Self::start_at(dir, "127.0.0.1:0", args)
    }

    /// Like [`TestServer::start_in`], listening on `listen` (e.g. the address of the server it
    /// replaces, so that its clients find it again).
    pub fn start_at(dir: tempfile::TempDir, listen: &str, args: &[&str]) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("server.log"))
            .expect("server log");
        let mut child = Command::new(binary("anseo-server"))
            .arg("--listen")
            .arg(listen)
            .arg("--cert-dir")
            .arg(dir.path().join("certs"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start anseo-server");
        let (addr, fingerprint, banner) = read_banner(&mut child, dir.path());
        TestServer { child, addr, fingerprint, dir, banner }
    }

    /// Trust that pins this server's fingerprint.
    pub fn trust(&self) -> Trust {
        Trust::Pinned(self.fingerprint)
    }

    /// Logs in as `name`, panicking with the reason if that fails.
    pub async fn login(&self, name: &str) -> Connected {
        match connect(&ConnectOptions::new(&self.addr, name, self.trust())).await {
            Ok(connected) => connected,
            Err(e) => panic!("login as {name} failed: {e}\nserver log:\n{}", self.log()),
        }
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -TERM failed");
        wait_with_timeout(&mut self.child)
    }

    /// Kills the server at once (SIGKILL), returning its folder for a restart.
    pub fn kill(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, dir)
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The certificate folder.
    pub fn cert_dir(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// The data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_timeout(child: &mut Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for server") {
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "server did not exit within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads the banner until the address and fingerprint lines have been seen; keeps draining
/// stdout afterwards so the server never blocks on a full pipe.
fn read_banner(child: &mut Child, dir: &Path) -> (String, Fingerprint, Vec<String>) {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                // Nobody listens any more: keep draining.
                continue;
            }
        }
    });
    let mut banner = Vec::new();
    let (mut addr, mut fingerprint) = (None, None);
    let deadline = std::time::Instant::now() + WAIT;
    while addr.is_none() || fingerprint.is_none() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("server banner incomplete after {WAIT:?}: {banner:?}\nserver log:\n{log}");
        };
        if let Some(rest) = line.split("listening on ").nth(1) {
            addr.get_or_insert_with(|| rest.split_whitespace().next().unwrap_or_default().to_string());
        }
        if line.contains("fingerprint") {
            let hex = line.split_whitespace().find(|w| w.len() == 64);
            if let Some(parsed) = hex.and_then(|h| h.parse().ok()) {
                fingerprint.get_or_insert(parsed);
            }
        }
        banner.push(line);
    }
    (addr.unwrap(), fingerprint.unwrap(), banner)
}
