//! What the web listener answers: the page and the web client's files (embedded, see
//! [`assets`](super::assets)), the server's facts (`/server.json`), the WebSocket a browser
//! chats over (`/ws`), and on plain HTTP a redirect to the same address over HTTPS.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::routing::get;
use tokio_util::task::TaskTracker;

use super::socket::{MAX_MESSAGE, WebSocketLink};
use super::{Web, assets};
use crate::link::ClientLink;
use crate::session;
use anseo_shared::protocol::{SERVER_FACTS_PATH, ServerFacts, WEBSOCKET_PATH, WebTransportFacts, close_code};
use anseo_shared::trust::JOIN_PATH;

/// The routes of the HTTPS side, for a connection from `peer`.
pub fn router(web: Arc<Web>, peer: SocketAddr) -> Router {
    Router::new()
        .route("/", get(index))
        // An invite link's page: the web client, which checks the link's fingerprint.
        .route(JOIN_PATH, get(index))
        .route(SERVER_FACTS_PATH, get(server_facts))
        .route(WEBSOCKET_PATH, get(websocket))
        .route("/{*file}", get(file))
        .layer(Extension(peer))
        .with_state(web)
}

/// The routes of plain HTTP: every GET goes to HTTPS.
pub fn redirect() -> Router {
    Router::new().fallback(to_https)
}

async fn to_https(headers: HeaderMap, uri: Uri) -> Response {
    let Some(host) = headers.get(header::HOST).and_then(|host| host.to_str().ok()) else {
        return (StatusCode::BAD_REQUEST, "this server speaks HTTPS: open https:// and its address\n")
            .into_response();
    };
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    Redirect::permanent(&format!("https://{host}{path}")).into_response()
}

/// Said instead of the page by a server built without the web client.
const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Anseo</title>\
    <p>This Anseo server was built without its web client: build it with \
    <code>scripts/build-web.sh</code>, then build the server again \
    (<code>scripts/run.sh</code> does both).</p>";

async fn index(State(web): State<Arc<Web>>) -> Response {
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    ];
    match assets::page(&web.facts.fingerprint) {
        Some(page) => (headers, Html(page)).into_response(),
        None => (StatusCode::NOT_FOUND, headers, Html(NOT_BUILT)).into_response(),
    }
}

/// One of the web client's files; revalidated on each load (they change with the server).
async fn file(Path(name): Path<String>) -> Response {
    let Some(asset) = assets::find(&name).filter(|_| name != "index.html") else {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(asset.media_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, asset.bytes).into_response()
}

/// What the page needs to know of the server: its certificate fingerprint, to show, and
/// where its WebTransport is with the hash of the certificate presented there. Fetched
/// before each connection (the certificate is renewed every few days), never cached.
async fn server_facts(State(web): State<Arc<Web>>) -> Response {
    let facts = &web.facts;
    let web_transport = facts.web_transport.as_ref().map(|wt| WebTransportFacts {
        port: wt.port,
        certificate_hash: wt.cert.hash().iter().map(|byte| format!("{byte:02x}")).collect(),
    });
    let body = ServerFacts { fingerprint: facts.fingerprint.to_hex(), web_transport };
    let headers = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    (headers, Json(body)).into_response()
}

async fn websocket(
    State(web): State<Arc<Web>>,
    Extension(peer): Extension<SocketAddr>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let tasks: TaskTracker = web.tasks.clone();
    upgrade
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| tasks.track_future(serve_socket(socket, peer, web)))
}

/// A browser's session over its WebSocket, within the same connection caps as QUIC clients.
async fn serve_socket(socket: WebSocket, peer: SocketAddr, web: Arc<Web>) {
    let admitted = web.shared.admission.lock().unwrap_or_else(|e| e.into_inner()).admit(peer.ip());
    let (link, writer) = WebSocketLink::start(socket, peer, web.idle, web.shutdown.clone());
    match admitted {
        Ok(()) => {
            session::serve_admitted(link.clone(), &web.shared).await;
            session::release(&web.shared, peer);
            link.close(close_code::NORMAL, "bye");
        }
        Err(refusal) => {
            tracing::warn!("refused {peer}: {refusal}");
            link.close(close_code::REJECTED, &refusal.to_string());
        }
    }
    let _ = writer.await;
}
