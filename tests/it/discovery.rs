//! Finding servers on the local network, as a phone would: in a network namespace the test
//! makes itself (a veth pair, one end with a private address and multicast on, so mDNS has a
//! real interface; needs root, which CI has), `anseo-cli discover --json` finds a server with
//! its port, fingerprint and display name, finds none that runs with `--no-discovery`, and
//! finds two at once. A fake announcement (made here, in the namespace, through the client
//! core's own mDNS crate) never makes a server trusted: the client core still asks first.

use std::time::Duration;

use anseo_shared::client::{ConnectError, ConnectOptions, Trust, connect, discover};
use anseo_shared::trust::Fingerprint;
use serde_json::Value;

use crate::support::TestNetwork;

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

/// Announces `_anseo._udp` as `name` at `address:port` with `fingerprint`, as anyone on a
/// network can; withdrawn when the returned daemon is shut down.
fn announce(name: &str, address: &str, port: u16, fingerprint: &str) -> mdns_sd::ServiceDaemon {
    use anseo_shared::protocol::discovery::{SERVICE_TYPE, TXT_FINGERPRINT, TXT_NAME, TXT_VERSION};
    let daemon = mdns_sd::ServiceDaemon::new().expect("an mDNS daemon");
    let version = anseo_shared::protocol::PROTOCOL_VERSION.to_string();
    let properties = [(TXT_VERSION, version.as_str()), (TXT_FINGERPRINT, fingerprint), (TXT_NAME, name)];
    let info =
        mdns_sd::ServiceInfo::new(SERVICE_TYPE, name, "impostor.local.", address, port, &properties[..])
            .expect("a service description");
    daemon.register(info).expect("announce");
    daemon
}

/// What the client core makes of a server it found by `name`: the announced fingerprint, and
/// the refusal a first connection (no pin, an empty known-servers file) ends in.
async fn find_and_connect(name: &str) -> (Option<Fingerprint>, Option<ConnectError>) {
    let found = discover(Duration::from_secs(3)).await.expect("look for servers");
    let server =
        found.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{name} not found in {found:?}"));
    let known = tempfile::tempdir().unwrap();
    let path = known.path().join("known_servers");
    let options = ConnectOptions::new(server.server().unwrap(), "amy", Trust::KnownServers(path.clone()));
    let refusal = connect(&options).await.err();
    assert!(!path.exists(), "nothing may be remembered without the user's yes");
    (server.fingerprint, refusal)
}

#[test]
fn a_fake_announcement_never_makes_a_server_trusted() {
    let network = TestNetwork::new(4);
    let (_real, real) = network.server(4433, &["--no-discovery"]);
    let (_impostor, impostor) = network.server(4434, &["--no-discovery"]);
    let real: Fingerprint = real.parse().unwrap();
    let impostor: Fingerprint = impostor.parse().unwrap();
    let wrong = Fingerprint::of_der(b"a certificate nobody has");
    let address = network.address.clone();
    let (wrong_for_real, impostor_as_real) = network.run_inside(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            // The real server's address with a fingerprint that is not its own.
            let liar = announce("Room 12", &address, 4433, &wrong.to_hex());
            let wrong_for_real = find_and_connect("Room 12").await;
            let _ = liar.shutdown();
            // Another server's address announced with the real server's fingerprint.
            let thief = announce("Room 13", &address, 4434, &real.to_hex());
            let impostor_as_real = find_and_connect("Room 13").await;
            let _ = thief.shutdown();
            (wrong_for_real, impostor_as_real)
        })
    });
    // The announcement is passed on as it was, and the connection still needs the first-use
    // question, which shows what the server really presented.
    assert_eq!(wrong_for_real.0, Some(wrong));
    match wrong_for_real.1 {
        Some(ConnectError::UnknownServer { fingerprint, .. }) => assert_eq!(fingerprint, real),
        other => panic!("expected the first-use question for the real server, got {other:?}"),
    }
    assert_eq!(impostor_as_real.0, Some(real));
    match impostor_as_real.1 {
        Some(ConnectError::UnknownServer { fingerprint, .. }) => assert_eq!(fingerprint, impostor),
        other => panic!("expected the first-use question for the impostor, got {other:?}"),
    }
}
