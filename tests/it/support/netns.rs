//! Test networks: a network namespace with a veth pair, one end with a private address and
//! multicast on, so that mDNS has a real interface (needs root, which CI has), and servers
//! and programs run inside it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{WAIT, binary};

/// A network namespace with a veth pair, one end at 10.77.`net`.1/24; deleted when dropped.
pub struct TestNetwork {
    pub name: String,
    pub address: String,
}

impl TestNetwork {
    pub fn new(net: u8) -> TestNetwork {
        let name = format!("anseo-{}-{net}", std::process::id());
        let address = format!("10.77.{net}.1");
        ip(&["netns", "add", &name]);
        let network = TestNetwork { name, address };
        network.ip(&["link", "set", "lo", "up"]);
        network.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
        network.ip(&["link", "set", "v0", "multicast", "on"]);
        network.ip(&["addr", "add", &format!("{}/24", network.address), "dev", "v0"]);
        network.ip(&["link", "set", "v0", "up"]);
        network.ip(&["link", "set", "v1", "up"]);
        network.ip(&["route", "add", "224.0.0.0/4", "dev", "v0"]);
        network
    }

    /// Runs `ip` inside the namespace.
    fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// `program` to run inside the namespace.
    pub fn command(&self, program: &Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }

    /// Starts a server on `port` in the namespace with `args`; returns it and its fingerprint.
    pub fn server(&self, port: u16, args: &[&str]) -> (Server, String) {
        let dir = tempfile::tempdir().unwrap();
        let child = self
            .command(&binary("anseo-server"))
            .args(["--listen", &format!("{}:{port}", self.address), "--no-web"])
            .arg("--cert-dir")
            .arg(dir.path().join("certs"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start anseo-server in the namespace");
        let cert = dir.path().join("certs/cert.pem");
        let deadline = Instant::now() + WAIT;
        while !cert.exists() {
            assert!(Instant::now() < deadline, "the server made no certificate");
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = Command::new(binary("anseo-server"))
            .args(["fingerprint", "--cert-dir"])
            .arg(dir.path().join("certs"))
            .output()
            .expect("run anseo-server fingerprint");
        let fingerprint = String::from_utf8(output.stdout).unwrap().trim().to_string();
        (Server { child, _dir: dir }, fingerprint)
    }

    /// Runs `work` on a thread of its own inside the namespace (a network namespace is per
    /// thread; the threads it starts, such as mDNS's, inherit it).
    pub fn run_inside<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let path = format!("/var/run/netns/{}", self.name);
        std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            let namespace = std::fs::File::open(&path).expect("open the network namespace");
            // SAFETY: setns only changes this thread's network namespace; the fd is open.
            let entered = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(entered, 0, "setns: {}", std::io::Error::last_os_error());
            work()
        })
        .join()
        .expect("the thread in the namespace")
    }

    /// What `anseo-cli discover --json` finds in the namespace within 3 s.
    pub fn discover(&self) -> Vec<Value> {
        let output = self
            .command(&binary("anseo-cli"))
            .args(["discover", "--json", "--timeout", "3"])
            .output()
            .expect("run anseo-cli discover");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).unwrap();
        stdout.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
    }
}

fn ip(args: &[&str]) {
    let status = Command::new("ip").args(args).status().expect("run ip (iproute2)");
    assert!(status.success(), "ip {args:?} failed (network namespaces need root)");
}

/// A server in a namespace; killed when dropped.
pub struct Server {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
