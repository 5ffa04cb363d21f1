//! The startup banner on stdout: where the server listens, the addresses people can type into
//! a client, the certificate fingerprint, and how to connect.

use std::net::{IpAddr, SocketAddr};

use anseo_shared::trust::Fingerprint;

use crate::invite;

/// The machine's non-loopback addresses that a client elsewhere on the network can use
/// (IPv6 link-local addresses are left out: they need an interface name to be typed).
pub fn network_addresses() -> Vec<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().unwrap_or_default();
    let mut addresses: Vec<IpAddr> = interfaces
        .iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local())
        .map(if_addrs::Interface::ip)
        .collect();
    addresses.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    addresses.dedup();
    addresses
}

/// The addresses to show for a server bound to `bound`: itself when it names one address, or
/// the machine's network addresses of the families it accepts when it is a wildcard.
pub fn reachable_at(bound: SocketAddr, network: &[IpAddr]) -> Vec<SocketAddr> {
    if !bound.ip().is_unspecified() {
        return vec![bound];
    }
    // A wildcard IPv6 socket is dual-stack (see `server::bind`), so it takes both families.
    let accepts = |ip: &IpAddr| bound.is_ipv6() || ip.is_ipv4();
    network.iter().filter(|ip| accepts(ip)).map(|ip| SocketAddr::new(*ip, bound.port())).collect()
}

/// The banner's lines, with `web` (the web client's, from [`web_lines`]) before the
/// fingerprint they refer to. The first names the bound address; the harness and scripts
/// read it.
pub fn lines(
    bound: SocketAddr,
    reachable: &[SocketAddr],
    fingerprint: &Fingerprint,
    web: &[String],
) -> Vec<String> {
    let mut lines = vec![format!("Anseo server listening on {bound}")];
    if bound.ip().is_unspecified() {
        for address in reachable {
            lines.push(format!("  reach it at {address}"));
        }
        if reachable.is_empty() {
            lines.push(format!("  reach it at 127.0.0.1:{} (no network address found)", bound.port()));
        }
    }
    let hint = reachable.first().map_or_else(|| format!("127.0.0.1:{}", bound.port()), ToString::to_string);
    lines.extend_from_slice(web);
    let invites = invite::invites(&invite_addresses(bound, reachable), *fingerprint);
    lines.extend(invite::lines(&invites));
    lines.push(format!("  certificate fingerprint (SHA-256): {fingerprint}"));
    lines.push(format!("  connect: anseo-cli --server {hint} --name YOUR_NAME --fingerprint {fingerprint}"));
    lines.push(format!("      or:  anseo --server {hint} --fingerprint {fingerprint}"));
    if let Some(first) = invites.first() {
        match invite::terminal_qr(&first.web_link()) {
            Ok(qr) => {
                lines.push(format!("  scan to join ({}):", first.server));
                lines.extend(qr);
            }
            Err(error) => tracing::warn!(%error, "no QR code for the invite link"),
        }
    }
    lines
}

/// The addresses invites name: those reachable, else loopback on the port.
pub fn invite_addresses(bound: SocketAddr, reachable: &[SocketAddr]) -> Vec<SocketAddr> {
    if reachable.is_empty() {
        vec![SocketAddr::from(([127, 0, 0, 1], bound.port()))]
    } else {
        reachable.to_vec()
    }
}

/// The banner's lines about the web client served on `web` (TCP), reachable at `reachable`.
pub fn web_lines(reachable: &[SocketAddr], web: SocketAddr) -> Vec<String> {
    let mut lines: Vec<String> = if reachable.is_empty() || !web.ip().is_unspecified() {
        let shown =
            if web.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], web.port())) } else { web };
        vec![format!("  from a browser: https://{shown}/")]
    } else {
        reachable.iter().map(|address| format!("  from a browser: https://{address}/")).collect()
    };
    lines.push(
        "    (the browser warns once about the certificate: its viewer shows the fingerprint below)"
            .to_string(),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp() -> Fingerprint {
        Fingerprint::of_der(b"abc")
    }

    #[test]
    fn specific_address_is_shown_as_bound() {
        let bound: SocketAddr = "127.0.0.1:4433".parse().unwrap();
        let reachable = reachable_at(bound, &["192.168.1.5".parse().unwrap()]);
        assert_eq!(reachable, vec![bound]);
        let lines = lines(bound, &reachable, &fp(), &[]);
        assert_eq!(lines[0], "Anseo server listening on 127.0.0.1:4433");
        assert_eq!(lines[1], format!("  invite: https://127.0.0.1:4433/join#fp={}", fp().to_hex()));
        assert_eq!(lines[2], format!("      or: anseo://127.0.0.1:4433?fp={}", fp().to_hex()));
        assert!(lines[3].ends_with(&fp().to_hex()));
        assert!(lines[4].contains("--server 127.0.0.1:4433 --name YOUR_NAME"));
        assert_eq!(lines[6], "  scan to join (127.0.0.1:4433):");
    }

    #[test]
    fn wildcard_lists_network_addresses_of_accepted_families() {
        let network: Vec<IpAddr> = vec!["192.168.1.5".parse().unwrap(), "fd00::5".parse().unwrap()];
        let v6: SocketAddr = "[::]:4433".parse().unwrap();
        let v4: SocketAddr = "0.0.0.0:4433".parse().unwrap();
        assert_eq!(reachable_at(v6, &network).len(), 2);
        assert_eq!(reachable_at(v4, &network), vec!["192.168.1.5:4433".parse::<SocketAddr>().unwrap()]);
        let lines = lines(v6, &reachable_at(v6, &network), &fp(), &[]);
        assert_eq!(lines[1], "  reach it at 192.168.1.5:4433");
        assert_eq!(lines[2], "  reach it at [fd00::5]:4433");
        assert!(lines[3].contains("invite: https://192.168.1.5:4433/join#fp="));
        assert!(lines[8].contains("--server 192.168.1.5:4433"));
    }
}
