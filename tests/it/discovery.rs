//! Finding servers on the local network, as a phone would: in a network namespace the test
//! makes itself (a veth pair, one end with a private address and multicast on, so mDNS has a
//! real interface; needs root, which CI has), `anseo-cli discover --json` finds a server with
//! its port, fingerprint and display name, finds none that runs with `--no-discovery`, and
//! finds two at once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{WAIT, binary};

/// A network namespace with a veth pair, one end at 10.77.`net`.1/24; deleted when dropped.
struct TestNetwork {
    name: String,
    address: String,
}

impl TestNetwork {
    fn new(net: u8) -> TestNetwork {
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
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }

    /// Starts a server on `port` in the namespace with `args`; returns it and its fingerprint.
    fn server(&self, port: u16, args: &[&str]) -> (Server, String) {
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

    /// What `anseo-cli discover --json` finds in the namespace within 3 s.
    fn discover(&self) -> Vec<Value> {
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
struct Server {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_server_on_the_network_is_found_with_its_port_fingerprint_and_name() {
    let network = TestNetwork::new(1);
    let (_server, fingerprint) = network.server(4433, &["--display-name", "Room 12"]);
    let found = network.discover();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["name"], "Room 12");
    assert_eq!(found[0]["port"], 4433);
    assert_eq!(found[0]["fingerprint"], fingerprint.as_str());
    assert_eq!(found[0]["version"], anseo_shared::protocol::PROTOCOL_VERSION);
    assert_eq!(found[0]["addresses"], serde_json::json!([network.address]));
}

#[test]
fn a_server_with_no_discovery_is_not_found() {
    let network = TestNetwork::new(2);
    let (_server, _) = network.server(4433, &["--no-discovery"]);
    assert_eq!(network.discover(), Vec::<Value>::new());
}

#[test]
fn two_servers_are_both_found() {
    let network = TestNetwork::new(3);
    let (_first, first) = network.server(4433, &["--display-name", "Maths"]);
    let (_second, second) = network.server(4434, &["--display-name", "Music"]);
    let mut found: Vec<(String, u64, String)> = network
        .discover()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().into(),
                v["port"].as_u64().unwrap(),
                v["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, [("Maths".into(), 4433, first), ("Music".into(), 4434, second)]);
}
