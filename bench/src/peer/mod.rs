//! The servers a scenario can run against, behind one interface: connect as a name, send to a
//! room or a user, join and leave rooms, and read [`Incoming`] events. Scenarios never know
//! which protocol is underneath, so every target gets the same load and the same measurement.
//!
//! - [`anseo`]: `anseo://HOST:PORT`, through the client core (QUIC, pinned fingerprint).
//! - [`irc`]: `irc://HOST:PORT` and `ircs://HOST:PORT` (TLS, pinned fingerprint), any server.
//! - [`nats`]: `nats://HOST:PORT`, rooms as subjects `room.NAME`, users as `user.NAME`.

mod anseo;
mod irc;
mod lines;
mod nats;

use anseo_shared::client::Client;
use anseo_shared::trust::Fingerprint;
use anyhow::{Context, bail};

use lines::{LineReader, LineWriter};

/// A server under test.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: Kind,
    /// `HOST:PORT`.
    pub addr: String,
    /// The certificate to accept (Anseo always, IRC over TLS).
    pub fingerprint: Option<Fingerprint>,
    /// The UDP sockets Anseo clients share.
    pub sockets: anseo::Sockets,
    /// Whether Anseo clients decode presence events (see [`Target::without_presence`]).
    pub presence: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Anseo,
    Irc,
    Ircs,
    Nats,
}

impl Kind {
    pub fn scheme(self) -> &'static str {
        match self {
            Kind::Anseo => "anseo",
            Kind::Irc => "irc",
            Kind::Ircs => "ircs",
            Kind::Nats => "nats",
        }
    }
}

/// Something a connection received, reduced to what the scenarios measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A room or direct message's text.
    Text(String),
    /// Members of a room this client joined; `complete` marks the end of the list (IRC sends
    /// it in pieces).
    Members {
        room: String,
        members: Vec<String>,
        complete: bool,
    },
    Joined {
        room: String,
        user: String,
    },
    Left {
        room: String,
        user: String,
    },
    Offline {
        user: String,
    },
    /// The answer to a NATS PING (how a NATS client knows its SUBs were processed).
    Pong,
    /// A send was refused for speed.
    RateLimited,
    /// A command failed.
    Error(String),
    /// The connection ended; nothing follows.
    Closed(String),
    /// Anything the scenarios do not look at.
    Other,
}

/// A logged-in connection: the sending half and the receiving half.
pub struct Conn {
    pub tx: Sender,
    pub rx: Receiver,
}

/// The sending half; cheap to clone.
#[derive(Clone)]
pub enum Sender {
    Anseo(Client),
    Irc(LineWriter),
    Nats(LineWriter),
}

/// The receiving half.
pub enum Receiver {
    Anseo(tokio::sync::mpsc::Receiver<anseo_shared::client::Event>),
    Irc(LineReader, LineWriter),
    Nats(LineReader, LineWriter),
}

impl Target {
    /// Parses `anseo://HOST:PORT`, `irc://`, `ircs://` or `nats://`; a bare `HOST:PORT` is Anseo.
    pub fn parse(url: &str, fingerprint: Option<Fingerprint>) -> anyhow::Result<Target> {
        let (kind, addr) = match url.split_once("://") {
            None => (Kind::Anseo, url),
            Some(("anseo", addr)) => (Kind::Anseo, addr),
            Some(("irc", addr)) => (Kind::Irc, addr),
            Some(("ircs", addr)) => (Kind::Ircs, addr),
            Some(("nats", addr)) => (Kind::Nats, addr),
            Some((scheme, _)) => {
                bail!("unknown target scheme '{scheme}'; use anseo://, irc://, ircs:// or nats://")
            }
        };
        let addr = addr.trim_end_matches('/').to_string();
        if !addr.contains(':') {
            bail!("the target '{url}' has no port");
        }
        if matches!(kind, Kind::Ircs) && fingerprint.is_none() {
            bail!("ircs:// needs --tls-fingerprint (the SHA-256 of the IRC server's certificate)");
        }
        Ok(Target { kind, addr, fingerprint, sockets: anseo::Sockets::new(1), presence: true })
    }

    /// `scheme://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.kind.scheme(), self.addr)
    }

    /// Lets `per_socket` Anseo clients share one UDP socket (1: a socket each).
    pub fn with_clients_per_socket(mut self, per_socket: usize) -> Self {
        self.sockets = anseo::Sockets::new(per_socket);
        self
    }

    /// Anseo clients that read their presence stream without decoding it: in a login storm
    /// every client hears of every later login, and decoding all of that in one process
    /// limits the load generator long before the server (it used four times the server's
    /// CPU). Scenarios that watch presence keep it.
    pub fn without_presence(mut self) -> Self {
        self.presence = false;
        self
    }

    /// The longest payload the protocol carries in one message.
    pub fn max_payload(&self) -> usize {
        match self.kind {
            // 512-byte IRC lines, less the command and the prefix the server adds.
            Kind::Irc | Kind::Ircs => 400,
            Kind::Anseo | Kind::Nats => 10_000,
        }
    }

    /// Whether the protocol tells a client who joins a room (NATS has no presence).
    pub fn has_presence(&self) -> bool {
        !matches!(self.kind, Kind::Nats)
    }

    /// Connects and logs in as `name`.
    pub async fn connect(&self, name: &str) -> anyhow::Result<Conn> {
        match self.kind {
            Kind::Anseo => {
                let fingerprint =
                    self.fingerprint.context("anseo:// needs --fingerprint or --spawn-server")?;
                anseo::connect(&self.addr, name, fingerprint, &self.sockets, self.presence).await
            }
            Kind::Irc => irc::connect(&self.addr, name, None).await,
            Kind::Ircs => irc::connect(&self.addr, name, self.fingerprint).await,
            Kind::Nats => nats::connect(&self.addr, name).await,
        }
    }
}

impl Sender {
    /// Sends each text to `room`, in one write where the protocol allows.
    pub async fn say(&self, room: &str, texts: &[String]) -> anyhow::Result<()> {
        match self {
            Sender::Anseo(client) => anseo::say(client, room, texts).await,
            Sender::Irc(writer) => irc::say(writer, room, texts).await,
            Sender::Nats(writer) => nats::publish(writer, &nats::room_subject(room), texts).await,
        }
    }

    /// Sends a private message to the user `to`.
    pub async fn direct(&self, to: &str, text: &str) -> anyhow::Result<()> {
        let text = [text.to_string()];
        match self {
            Sender::Anseo(client) => {
                client.direct(to, &text[0]).await.map(drop).context("send a direct message")
            }
            Sender::Irc(writer) => irc::say_to(writer, to, &text).await,
            Sender::Nats(writer) => nats::publish(writer, &nats::user_subject(to), &text).await,
        }
    }

    pub async fn join(&self, room: &str) -> anyhow::Result<()> {
        match self {
            Sender::Anseo(client) => client.join(room, None).await.context("join a room"),
            Sender::Irc(writer) => writer.write(format!("JOIN #{room}\r\n").as_bytes()).await,
            Sender::Nats(writer) => nats::subscribe(writer, room).await,
        }
    }

    pub async fn leave(&self, room: &str) -> anyhow::Result<()> {
        match self {
            Sender::Anseo(client) => client.leave(room).await.context("leave a room"),
            Sender::Irc(writer) => writer.write(format!("PART #{room}\r\n").as_bytes()).await,
            Sender::Nats(writer) => writer.write(format!("UNSUB {room}\r\n").as_bytes()).await,
        }
    }

    /// Leaves the server cleanly.
    pub async fn quit(&self) {
        match self {
            Sender::Anseo(client) => client.quit().await,
            Sender::Irc(writer) => {
                let _ = writer.write(b"QUIT :bye\r\n").await;
                writer.shutdown().await;
            }
            Sender::Nats(writer) => writer.shutdown().await,
        }
    }
}

impl Receiver {
    /// The next event; [`Incoming::Closed`] once the connection is gone (and after that).
    pub async fn next(&mut self) -> Incoming {
        match self {
            Receiver::Anseo(events) => anseo::next(events).await,
            Receiver::Irc(reader, writer) => irc::next(reader, writer).await,
            Receiver::Nats(reader, writer) => nats::next(reader, writer).await,
        }
    }
}

impl Conn {
    /// Joins `room` and waits until the server confirmed it; returns the members it listed.
    pub async fn join_and_wait(&mut self, room: &str) -> anyhow::Result<Vec<String>> {
        self.tx.join(room).await?;
        let nats = matches!(self.tx, Sender::Nats(_));
        if nats {
            self.tx.ping().await?;
        }
        let mut members = Vec::new();
        loop {
            match self.rx.next().await {
                Incoming::Pong if nats => return Ok(members),
                Incoming::Members { room: r, members: m, complete } if r == room => {
                    members.extend(m);
                    if complete {
                        return Ok(members);
                    }
                }
                Incoming::Error(e) => bail!("joining {room} failed: {e}"),
                Incoming::Closed(why) => bail!("disconnected while joining {room}: {why}"),
                _ => {}
            }
        }
    }
}

impl Sender {
    async fn ping(&self) -> anyhow::Result<()> {
        match self {
            Sender::Nats(writer) => writer.write(b"PING\r\n").await,
            _ => Ok(()),
        }
    }
}
