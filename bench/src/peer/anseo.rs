//! `anseo://`: the client core, exactly as the app and the terminal client use it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anseo_shared::client::{
    ChatEvent, ConnectOptions, Event, PresenceChange, Trust, connect as login, connect_on,
};
use anseo_shared::protocol::ErrorCode;
use anseo_shared::trust::Fingerprint;
use anyhow::Context;
use tokio::sync::mpsc;

use super::{Conn, Incoming, Receiver, Sender};

/// The UDP sockets (QUIC endpoints) the clients of one run share, `per_socket` clients each.
/// One socket per client is what separate devices would have; sharing lets the load
/// generator read many clients' packets per system call, so it runs out of CPU later than
/// the server does. The server sees the same connections either way (QUIC tells them apart
/// by connection id, not by port).
#[derive(Clone)]
pub struct Sockets {
    per_socket: usize,
    /// The socket being filled and how many clients it has.
    current: Arc<Mutex<Option<(quinn::Endpoint, usize)>>>,
}

impl std::fmt::Debug for Sockets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sockets").field("per_socket", &self.per_socket).finish_non_exhaustive()
    }
}

impl Sockets {
    pub fn new(per_socket: usize) -> Self {
        Sockets { per_socket: per_socket.max(1), current: Arc::default() }
    }

    /// The endpoint for the next client, or `None` for a socket of its own.
    fn next(&self, server: SocketAddr) -> anyhow::Result<Option<quinn::Endpoint>> {
        if self.per_socket == 1 {
            return Ok(None);
        }
        // Held only to pick or make an endpoint, never across an await.
        let mut current = self.current.lock().expect("sockets lock");
        if let Some((endpoint, clients)) = current.as_mut()
            && *clients < self.per_socket
        {
            *clients += 1;
            return Ok(Some(endpoint.clone()));
        }
        let endpoint = shared_endpoint(server).context("open a client UDP socket")?;
        *current = Some((endpoint.clone(), 1));
        Ok(Some(endpoint))
    }
}

/// Bytes of kernel receive buffer for a shared socket: a burst for every client on it must
/// fit while the endpoint task waits for the CPU, or the kernel drops packets and QUIC's
/// retransmissions show up as latency that is the load generator's, not the server's.
const SHARED_SOCKET_BUFFER: libc::c_int = 16 * 1024 * 1024;

/// A client endpoint with a large receive buffer (beyond `rmem_max` when running as root).
fn shared_endpoint(server: SocketAddr) -> anyhow::Result<quinn::Endpoint> {
    let any: SocketAddr = match server {
        SocketAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = std::net::UdpSocket::bind(any)?;
    for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: setsockopt on a socket this function owns, with a pointer to a local int of
        // the size passed.
        let set = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&socket),
                libc::SOL_SOCKET,
                option,
                (&SHARED_SOCKET_BUFFER as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if set == 0 {
            break;
        }
    }
    let runtime = Arc::new(quinn::TokioRuntime);
    Ok(quinn::Endpoint::new(quinn::EndpointConfig::default(), None, socket, runtime)?)
}

pub async fn connect(
    addr: &str,
    name: &str,
    fingerprint: Fingerprint,
    sockets: &Sockets,
    presence: bool,
) -> anyhow::Result<Conn> {
    let mut options = ConnectOptions::new(addr, name, Trust::Pinned(fingerprint));
    options.presence = presence;
    let shared = match addr.parse::<SocketAddr>() {
        Ok(server) => sockets.next(server)?,
        Err(_) => None,
    };
    let connected = match shared {
        Some(endpoint) => connect_on(&endpoint, &options).await,
        None => login(&options).await,
    };
    let connected = connected.with_context(|| format!("log in to {addr} as {name}"))?;
    Ok(Conn { tx: Sender::Anseo(connected.client), rx: Receiver::Anseo(connected.events) })
}

pub async fn say(client: &anseo_shared::client::Client, room: &str, texts: &[String]) -> anyhow::Result<()> {
    for text in texts {
        client.say(room, text).await.context("send to a room")?;
    }
    Ok(())
}

pub async fn next(events: &mut mpsc::Receiver<Event>) -> Incoming {
    let Some(event) = events.recv().await else {
        return Incoming::Closed("the session ended".into());
    };
    let Some(event) = event.into_chat_event() else { return Incoming::Other };
    match event {
        ChatEvent::Message { message, .. } => Incoming::Text(message.text),
        ChatEvent::Direct { message, .. } => Incoming::Text(message.text),
        ChatEvent::Joined { room, members, .. } => {
            Incoming::Members { room: room.name, members, complete: true }
        }
        ChatEvent::Refused { code: ErrorCode::RateLimited, .. }
        | ChatEvent::CommandFailed { code: ErrorCode::RateLimited, .. } => Incoming::RateLimited,
        ChatEvent::Refused { message, .. } | ChatEvent::CommandFailed { message, .. } => {
            Incoming::Error(message)
        }
        ChatEvent::Presence(presence) => match presence.change {
            PresenceChange::JoinedRoom { room, user, .. } => Incoming::Joined { room, user },
            PresenceChange::LeftRoom { room, user, .. } => Incoming::Left { room, user },
            PresenceChange::Offline { user } => Incoming::Offline { user },
            _ => Incoming::Other,
        },
        ChatEvent::Closed(why) => Incoming::Closed(why.to_string()),
        _ => Incoming::Other,
    }
}
