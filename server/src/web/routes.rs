//! What the web listener answers: the page, the server's facts for the page
//! (`/server.json`), the WebSocket a browser chats over (`/ws`), and on plain HTTP a
//! redirect to the same address over HTTPS.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tokio_util::task::TaskTracker;

use super::Web;
use super::socket::{MAX_MESSAGE, WebSocketLink};
use crate::link::ClientLink;
use crate::session;
use anseo_shared::protocol::close_code;

/// The routes of the HTTPS side, for a connection from `peer`.
pub fn router(web: Arc<Web>, peer: SocketAddr) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/server.json", get(server_facts))
        .route("/ws", get(websocket))
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

async fn index() -> Response {
    let page = "<!doctype html><meta charset=utf-8><title>Anseo</title>\
                <p>This Anseo server was built without its web app.</p>";
    ([(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))], Html(page)).into_response()
}

/// What the page needs to know of the server: its certificate fingerprint, to show.
async fn server_facts(State(web): State<Arc<Web>>) -> Response {
    let body = format!("{{\"fingerprint\":\"{}\"}}", web.fingerprint.to_hex());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
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
