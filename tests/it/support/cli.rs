//! A real `anseo-cli` process with piped stdin, stdout and stderr: write input lines, wait for
//! JSON (or readable) output lines with a timeout, and wait for the exit code.
//!
//! Each process gets its own empty config folder (`XDG_CONFIG_HOME`, `HOME`), so the default
//! known-servers file of the machine is never read or written.

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{TestServer, WAIT, binary};

/// A running `anseo-cli`. Killed when dropped.
pub struct Cli {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: mpsc::UnboundedReceiver<String>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
    /// Every stdout line read so far, for failure messages.
    seen: Vec<String>,
    /// The `welcome` object, for processes started with [`Cli::login`].
    pub welcome: Value,
    /// How long a line may take before a wait for it fails ([`WAIT`] unless changed).
    patience: std::time::Duration,
    _config: tempfile::TempDir,
}

/// How a process ended.
#[derive(Debug)]
pub struct Exit {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stderr: String,
}

impl Cli {
    /// Starts `anseo-cli ARGS`.
    pub fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Cli {
        let config = tempfile::tempdir().expect("temp config dir");
        let mut child = Command::new(binary("anseo-cli"))
            .args(args)
            .env("XDG_CONFIG_HOME", config.path())
            .env("HOME", config.path())
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start anseo-cli");
        let (lines, stdout) = mpsc::unbounded_channel();
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = out.next_line().await {
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("piped stderr");
        let collected = stderr.clone();
        let stderr_reader = tokio::spawn(async move {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf).await {
                collected.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Cli {
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            stderr_reader: Some(stderr_reader),
            seen: Vec::new(),
            welcome: Value::Null,
            patience: WAIT,
            _config: config,
        }
    }

    /// Starts `anseo-cli --json` as `name` on `server` (fingerprint pinned) plus `extra`
    /// arguments, and waits for its `welcome`.
    pub async fn login_with(server: &TestServer, name: &str, extra: &[&str]) -> Cli {
        let fingerprint = server.fingerprint.to_hex();
        let mut args = vec!["--server", &server.addr, "--name", name, "--fingerprint", &fingerprint];
        args.extend_from_slice(extra);
        let mut cli = Cli::spawn(&args);
        cli.welcome = cli
            .expect_json(&format!("{name}'s welcome"), |v| (v["type"] == "welcome").then(|| v.clone()))
            .await;
        cli
    }

    /// [`Cli::login_with`] in `--json` mode.
    pub async fn login(server: &TestServer, name: &str) -> Cli {
        Self::login_with(server, name, &["--json"]).await
    }

    /// Lets each later line take up to `patience` (for what the client does only after its
    /// own timeouts).
    pub fn set_patience(&mut self, patience: std::time::Duration) {
        self.patience = patience;
    }

    /// Writes one input line.
    pub async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        stdin.write_all(format!("{line}\n").as_bytes()).await.expect("write to anseo-cli");
        stdin.flush().await.expect("flush anseo-cli stdin");
    }

    /// Closes stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next stdout line, or `None` when stdout closed; panics after [`WAIT`].
    async fn next_line(&mut self, what: &str) -> Option<String> {
        match tokio::time::timeout(self.patience, self.stdout.recv()).await {
            Ok(line) => {
                self.seen.extend(line.clone());
                line
            }
            Err(_) => panic!(
                "no {what} within {:?}; stdout so far:\n{}\nstderr:\n{}",
                self.patience,
                self.seen.join("\n"),
                self.stderr()
            ),
        }
    }

    /// Waits for the first readable (non-JSON) line matching `pick`.
    pub async fn expect_line(&mut self, what: &str, mut pick: impl FnMut(&str) -> bool) -> String {
        loop {
            match self.next_line(what).await {
                Some(line) if pick(&line) => return line,
                Some(_) => {}
                None => panic!(
                    "stdout closed before {what}; saw:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.stderr()
                ),
            }
        }
    }

    /// Waits for the first JSON object matching `pick`, skipping others. Every stdout line
    /// must be one JSON object with a `type`.
    pub async fn expect_json<T>(&mut self, what: &str, mut pick: impl FnMut(&Value) -> Option<T>) -> T {
        loop {
            let Some(value) = self.next_json(what).await else {
                panic!(
                    "stdout closed before {what}; saw:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.stderr()
                );
            };
            if let Some(found) = pick(&value) {
                return found;
            }
        }
    }

    /// Every JSON object up to and including the first one matching `last`.
    pub async fn json_until(&mut self, what: &str, mut last: impl FnMut(&Value) -> bool) -> Vec<Value> {
        let mut values = Vec::new();
        loop {
            let Some(value) = self.next_json(what).await else {
                panic!(
                    "stdout closed before {what}; saw:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.stderr()
                );
            };
            let done = last(&value);
            values.push(value);
            if done {
                return values;
            }
        }
    }

    /// Every JSON object still to come until stdout closes (the process is ending).
    pub async fn rest_json(&mut self) -> Vec<Value> {
        let mut values = Vec::new();
        while let Some(value) = self.next_json("the end of stdout").await {
            values.push(value);
        }
        values
    }

    async fn next_json(&mut self, what: &str) -> Option<Value> {
        let line = self.next_line(what).await?;
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line:?}\nwhile waiting for {what}"));
        assert!(value["type"].is_string(), "JSON line without a type: {line}");
        Some(value)
    }

    /// Waits for the process to exit on its own.
    pub async fn wait_exit(&mut self) -> Exit {
        let status = match tokio::time::timeout(WAIT, self.child.wait()).await {
            Ok(status) => status.expect("wait for anseo-cli"),
            Err(_) => panic!("anseo-cli did not exit within {WAIT:?}; stderr:\n{}", self.stderr()),
        };
        if let Some(reader) = self.stderr_reader.take() {
            let _ = tokio::time::timeout(WAIT, reader).await;
        }
        Exit { code: status.code(), stderr: self.stderr() }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}
