//! `anseo-cli discover`: the servers announcing themselves on this network, one per line
//! (`--json`: one object each). A found server is not trusted for being found: connect with
//! its `--fingerprint` after comparing it, or with an invite link.

use std::time::Duration;

use anseo_shared::client::{Found, discover};
use serde::Serialize;

use crate::status::Status;

/// A found server as `--json` prints it.
#[derive(Debug, Serialize)]
struct FoundJson {
    name: String,
    addresses: Vec<String>,
    port: u16,
    fingerprint: Option<String>,
    version: Option<u16>,
}

/// Listens for `timeout` seconds and prints what answered.
pub async fn run(timeout: f64, json: bool) -> Status {
    let Ok(timeout) = Duration::try_from_secs_f64(timeout.max(0.0)) else {
        eprintln!("anseo-cli: --timeout must be a number of seconds");
        return Status::BadArguments;
    };
    let found = match discover(timeout).await {
        Ok(found) => found,
        Err(reason) => {
            eprintln!("anseo-cli: {reason}");
            return Status::Other;
        }
    };
    if found.is_empty() && !json {
        eprintln!(
            "no Anseo server answered within {} s (is it on this network? Some Wi-Fi networks keep \
             devices apart: use an invite link or the address instead)",
            timeout.as_secs_f64()
        );
    }
    for server in found {
        if json {
            match serde_json::to_string(&as_json(server)) {
                Ok(line) => println!("{line}"),
                Err(error) => eprintln!("anseo-cli: {error}"),
            }
        } else {
            println!("{}", as_line(&server));
        }
    }
    Status::Left
}

fn as_json(server: Found) -> FoundJson {
    FoundJson {
        name: server.name,
        addresses: server.addresses.iter().map(ToString::to_string).collect(),
        port: server.port,
        fingerprint: server.fingerprint.map(|fp| fp.to_hex()),
        version: server.version,
    }
}

/// `NAME  HOST:PORT  fingerprint HEX`.
fn as_line(server: &Found) -> String {
    let address = server.server().unwrap_or_else(|| format!("(no address):{}", server.port));
    let fingerprint = server
        .fingerprint
        .map_or_else(|| "no fingerprint announced".to_string(), |fp| format!("fingerprint {fp}"));
    format!("{}  {address}  {fingerprint}", server.name)
}
