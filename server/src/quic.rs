//! One incoming QUIC connection: admission (connections per address and in all), the
//! handshake, then its session: a native client's directly, a browser's (HTTP/3) through its
//! WebTransport session.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use anseo_shared::protocol::close_code;

use crate::session::{release, serve_admitted};
use crate::shared::Shared;
use crate::web::webtransport;

/// Serves one incoming QUIC connection to its end.
pub async fn serve(incoming: quinn::Incoming, shared: Arc<Shared>) {
    let peer = incoming.remote_address();
    let admitted = shared.admission.lock().unwrap_or_else(|e| e.into_inner()).admit(peer.ip());
    shared.handshakes.fetch_add(1, Ordering::Relaxed);
    let handshake = incoming.await;
    shared.handshakes.fetch_sub(1, Ordering::Relaxed);
    let connection = match handshake {
        Ok(connection) => connection,
        Err(error) => {
            tracing::info!("handshake with {peer} failed: {error}");
            if admitted.is_ok() {
                release(&shared, peer);
            }
            return;
        }
    };
    if let Err(refusal) = admitted {
        // Completing the handshake first lets the client read why it was refused.
        tracing::warn!("refused {peer}: {refusal}");
        connection.close(close_code::REJECTED.into(), refusal.to_string().as_bytes());
        return;
    }
    // Boxed: the task of every connection, idle ones included, is as large as its largest
    // state, and each path's own states are only allocated while it runs.
    if webtransport::is_http3(&connection) {
        Box::pin(webtransport::serve(connection, &shared)).await;
    } else {
        Box::pin(serve_admitted(connection, &shared)).await;
    }
    release(&shared, peer);
}
