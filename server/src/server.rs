//! The endpoint: bind the UDP socket (dual-stack for `[::]`), print the banner, accept
//! connections (one [`session`](crate::session) task each) until told to shut down, then tell
//! every client the server is going away and wait for the goodbyes to be delivered.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use anseo_shared::protocol::{ALPN, close_code};
use anseo_shared::transport::{certified_key, quic_server_config, server_endpoint_config, server_tls};
use rustls::pki_types::PrivateKeyDer;
use socket2::{Domain, Protocol, Socket, Type};

use crate::accounts::{Accounts, WaitingDirects};
use crate::banner;
use crate::blobs::{BlobError, BlobLimits, BlobStore, human_size};
use crate::cert::{self, CertError};
use crate::config::{Config, WebListen};
use crate::discovery::Announcement;
use crate::history::HistoryReader;
use crate::hub::{Hub, Restored, Storage};
use crate::limits::{Budgets, ConnectionCounter};
use crate::quic;
use crate::shared::Shared;
use crate::store::{FolderLock, Store, StoreError, StoreWriter};
use crate::web::short_cert::{CertByAlpn, CertMakingError, H3, ShortLivedCert};
use crate::web::{self, WebListener};
use anseo_shared::trust::Fingerprint;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error("the certificate or key is unusable: {0}")]
    Tls(#[from] rustls::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error(
        "cannot listen on {addr} (TCP, for the web client): {source}; pick another address with --web-listen, or turn the web client off with --no-web"
    )]
    WebBind { addr: SocketAddr, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot open the store of files: {0}")]
    Blobs(#[from] BlobError),
    #[error("cannot make the certificate for browsers' WebTransport: {0}")]
    WebTransportCert(#[from] CertMakingError),
}

pub use crate::link::SHUTDOWN_REASON;

/// How long shutdown waits for clients to acknowledge the close.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(3);

/// Runs the server until `shutdown` completes, then closes every connection with
/// [`close_code::SHUTDOWN`] and returns.
pub async fn run(config: Config, shutdown: impl Future) -> Result<(), ServerError> {
    // The store first: a second server on the same data folder stops here, before it binds.
    let (hub, store_thread) = open_hub(&config)?;
    let identity = cert::load_or_generate(&config.cert)?;
    let fingerprint = identity.fingerprint;
    let native = certified_key(identity.chain, identity.key.clone_key())?;
    let web_tls = web::tls_config(native.clone())?;
    // Browsers get WebTransport where the web client is served.
    let web_transport = match config.web {
        WebListen::Off => None,
        WebListen::SamePort | WebListen::At(_) => Some(ShortLivedCert::generate()?),
    };
    let renewing = web_transport.as_ref().map(ShortLivedCert::keep_renewed);
    let certs = CertByAlpn { native, web_transport: web_transport.clone() };
    let endpoint = bind(&config, &identity.key, certs)?;
    let bound = endpoint.local_addr().map_err(|source| ServerError::Bind { addr: config.listen, source })?;
    let shared = Arc::new(Shared {
        hub,
        settings: config.session,
        connections: AtomicUsize::new(0),
        admission: Mutex::new(ConnectionCounter::new(
            config.connections.max_per_address,
            config.connections.max_total,
        )),
        handshakes: AtomicUsize::new(0),
        limits: config.connections,
        budgets: Mutex::new(Budgets::new(config.session.budgets())),
        retries: AtomicU64::new(0),
        files: config.files,
        transfer_slots: tokio::sync::Semaphore::new(crate::transfer::MAX_TRANSFERS),
    });
    let web_transport = web_transport.map(|cert| web::WebTransport { port: bound.port(), cert });
    let web = bind_web(&config, bound, web_tls, fingerprint, web_transport, &shared)?;
    let web_bound = web.as_ref().map(WebListener::local_addr).transpose();
    let web_bound = web_bound.map_err(|source| ServerError::Bind { addr: bound, source })?;
    let network = banner::network_addresses();
    let reachable = banner::reachable_at(bound, &network);
    let web_lines = web_bound.map(|web| banner::web_lines(&banner::reachable_at(web, &network), web));
    print_banner(&banner::lines(bound, &reachable, &fingerprint, &web_lines.unwrap_or_default()));
    tracing::info!("listening on {bound}, certificate fingerprint {fingerprint}");
    let _announcement = config.discovery.as_deref().and_then(|name| {
        Announcement::start(bound.port(), fingerprint, name)
            .inspect(|_| tracing::info!("announced on the local network as {name:?}"))
            .map_err(|error| tracing::warn!(%error, "cannot announce the server on the local network"))
            .ok()
    });
    let web = web.map(WebListener::serve);
    let counting = tokio::spawn(crate::hub::counts::keep_counting(shared.hub.handle()));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            incoming = endpoint.accept() => match incoming {
                Some(incoming) => accept(incoming, &shared),
                None => break,
            },
            _ = &mut shutdown => break,
        }
    }

    if let Some(renewing) = renewing {
        renewing.abort();
    }
    counting.abort();
    let online = shared.hub.lock().online();
    tracing::info!("shutting down ({online} online)");
    endpoint.close(close_code::SHUTDOWN.into(), SHUTDOWN_REASON.as_bytes());
    let browsers = async {
        if let Some(web) = web {
            web.shutdown(SHUTDOWN_WAIT).await;
        }
    };
    let (quic, ()) = tokio::join!(tokio::time::timeout(SHUTDOWN_WAIT, endpoint.wait_idle()), browsers);
    if quic.is_err() {
        tracing::warn!("some clients did not acknowledge the shutdown within {SHUTDOWN_WAIT:?}");
    }
    // Sessions end with their connections; once the last one lets go of the hub, the store
    // writer finishes its queue and stops.
    drop(shared);
    if let Some(StoreThread { thread, lock }) = store_thread {
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        // The folder stays locked until everything is written.
        drop(lock);
    }
    Ok(())
}

/// The web listener that `config` asks for. By default it takes TCP on the QUIC listener's
/// port; when that port was picked by the system (`--listen` with port 0) and is taken on
/// TCP, any free port does.
fn bind_web(
    config: &Config,
    bound: SocketAddr,
    tls: Arc<rustls::ServerConfig>,
    fingerprint: Fingerprint,
    web_transport: Option<web::WebTransport>,
    shared: &Arc<Shared>,
) -> Result<Option<WebListener>, ServerError> {
    let addr = match config.web {
        WebListen::Off => return Ok(None),
        WebListen::At(addr) => addr,
        WebListen::SamePort => SocketAddr::new(config.listen.ip(), bound.port()),
    };
    let facts = web::Facts { fingerprint, web_transport };
    let listen =
        |addr| WebListener::bind(addr, tls.clone(), facts.clone(), shared.clone(), config.idle_timeout);
    let listener = match listen(addr) {
        Err(error) if config.web == WebListen::SamePort && config.listen.port() == 0 => {
            tracing::debug!("TCP port {} is taken ({error}); the web client takes another", addr.port());
            listen(SocketAddr::new(addr.ip(), 0))
        }
        other => other,
    };
    listener.map(Some).map_err(|source| ServerError::WebBind { addr, source })
}

/// The store of people's files, in the data folder `dir`.
fn open_blobs(config: &Config, dir: &Path) -> Result<BlobStore, ServerError> {
    let limits = BlobLimits { max_file: config.files.max_file, max_total: config.files.max_storage };
    let blobs = BlobStore::open(dir, limits)?;
    tracing::info!("files: {} stored in {}", human_size(blobs.used()), dir.join("blobs").display());
    Ok(blobs)
}

/// The store's writer thread, and the lock on its folder that this server holds.
struct StoreThread {
    thread: std::thread::JoinHandle<()>,
    lock: FolderLock,
}

/// The hub, restored from the store and writing to it (or in memory with `--no-store`).
fn open_hub(config: &Config) -> Result<(Hub, Option<StoreThread>), ServerError> {
    let Some(dir) = &config.store else {
        tracing::info!("no store: messages and rooms are kept in memory only");
        return Ok((Hub::new(config.hub), None));
    };
    let lock = FolderLock::acquire(dir)?;
    let store = Store::open(dir)?;
    let blobs = open_blobs(config, dir)?;
    let restored = Restored {
        rooms: store.rooms()?,
        last_message_id: store.last_message_id()?,
        claimed: store.claimed_names()?,
        sent: store.sent_by_instance()?,
        strokes: store.strokes()?,
        roles: store.roles()?,
    };
    tracing::info!("store {} ({} rooms)", dir.join("anseo.db").display(), restored.rooms.len());
    let waiting = WaitingDirects::restore(store.waiting_counts()?);
    let reader = store.reopen()?;
    let accounts_reader = store.reopen()?;
    let (writer, thread) = StoreWriter::spawn(store);
    let storage = Storage {
        history: HistoryReader::new(reader, writer.clone()),
        accounts: Accounts::new(accounts_reader, writer.clone(), waiting, config.require_accounts),
        writer,
        blobs,
    };
    let hub = Hub::restore(config.hub, restored, Some(storage));
    hub.lock().set_admins(config.admins.iter().cloned());
    Ok((hub, Some(StoreThread { thread, lock })))
}

/// Starts serving a new connection, unless too many handshakes are already in progress and
/// the client has not proved its address yet: then it gets a QUIC retry (a stateless token
/// round trip that a spoofed source address cannot answer).
fn accept(incoming: quinn::Incoming, shared: &Arc<Shared>) {
    let in_progress = shared.handshakes.load(Ordering::Relaxed);
    if in_progress >= shared.limits.retry_above_handshakes
        && !incoming.remote_address_validated()
        && incoming.may_retry()
    {
        let retries = shared.retries.fetch_add(1, Ordering::Relaxed) + 1;
        if retries == 1 || retries.is_multiple_of(1000) {
            tracing::info!(
                "address validation (QUIC retry) on: {in_progress} handshakes in progress, {retries} retries so far"
            );
        }
        let _ = incoming.retry();
        return;
    }
    tokio::spawn(quic::serve(incoming, shared.clone()));
}

/// Prints the banner on stdout. A closed stdout (the reader went away) is no reason to stop.
fn print_banner(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

/// The QUIC endpoint on `config.listen`, with the server's certificate for native clients
/// and, when browsers are served, HTTP/3 with the short-lived one (see [`CertByAlpn`]).
fn bind(config: &Config, key: &PrivateKeyDer<'_>, certs: CertByAlpn) -> Result<quinn::Endpoint, ServerError> {
    let endpoint = server_endpoint_config(key);
    let alpn: &[&[u8]] = if certs.web_transport.is_some() { &[ALPN, H3] } else { &[ALPN] };
    let mut server = quic_server_config(server_tls(Arc::new(certs), &[&rustls::version::TLS13], alpn)?)?;
    let transport = Arc::get_mut(&mut server.transport).expect("a fresh server config is not shared");
    let idle = quinn::IdleTimeout::try_from(config.idle_timeout).unwrap_or(quinn::VarInt::MAX.into());
    transport.max_idle_timeout(Some(idle)).keep_alive_interval(Some(config.idle_timeout / 3));
    // quinn keeps a slot for every stream a client may open, 100 of each kind by default:
    // several KiB per idle connection. Before login a client opens its chat stream (a
    // browser: its CONNECT request too, and HTTP/3's control and QPACK streams); the login
    // then allows the transfers (`ClientLink::allow_transfers`).
    transport
        .max_concurrent_bidi_streams(INITIAL_BIDI_STREAMS.into())
        .max_concurrent_uni_streams(INITIAL_UNI_STREAMS.into());
    let bind_error = |source| ServerError::Bind { addr: config.listen, source };
    let socket = udp_socket(config.listen).map_err(bind_error)?;
    let runtime = Arc::new(quinn::TokioRuntime);
    quinn::Endpoint::new(endpoint, Some(server), socket, runtime).map_err(bind_error)
}

/// Streams a client may open in both directions before it logs in: the chat stream, and a
/// browser's WebTransport CONNECT request.
const INITIAL_BIDI_STREAMS: u32 = 2;
/// Streams a client may open towards the server: none for the native protocol; HTTP/3's
/// control stream and the two QPACK streams for a browser, and one to spare.
const INITIAL_UNI_STREAMS: u32 = 4;

/// Kernel buffer asked for the UDP socket, each way. Every client's packets arrive on this
/// one socket: the default (~200 KiB) overflows, and drops packets, as soon as the runtime
/// is busy for a millisecond with a room of hundreds. The kernel caps it at
/// `net.core.rmem_max` / `wmem_max`; memory is only used while packets wait.
const SOCKET_BUFFER: usize = 4 * 1024 * 1024;

/// A UDP socket bound to `addr`. An IPv6 socket is made dual-stack explicitly (not left to
/// the system default), so `[::]` serves IPv4 clients too.
fn udp_socket(addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    // Best effort: a smaller buffer still works, it only drops sooner under a burst.
    let _ = socket.set_recv_buffer_size(SOCKET_BUFFER);
    let _ = socket.set_send_buffer_size(SOCKET_BUFFER);
    socket.bind(&addr.into())?;
    Ok(socket.into())
}
