//! A logged-in client's transfers: each on a bidirectional stream of its own, beside the chat
//! stream, so a file in flight never holds up a chat message (see
//! [`anseo_shared::protocol::TransferRequest`]). At most `--uploads-per-client` run at once
//! per connection; a stream beyond that waits for its turn.
//!
//! An upload is written into the blob store as it arrives, a megabyte at a time off the async
//! threads, and stored once complete and verified; one that breaks off, or sends nothing for
//! [`UPLOAD_STALL`], keeps what arrived, so the client's next try carries on from there.
//!
//! A download is read from the store a megabyte at a time, from the offset the client asks,
//! for a user who may see the file: it is attached to a message in a room they are in now,
//! or to a direct message they sent or received. Transfer streams yield to the chat stream
//! (a lower send priority), so a download never holds up a chat message either.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Duration;

use anseo_shared::protocol::{
    ErrorCode, FileHash, FrameCodec, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, encode_frame,
};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::sync::Semaphore;
use tokio_util::codec::FramedRead;

use crate::blobs::{BlobError, BlobStore, PartialBlob, Upload};
use crate::cmd::CommandError;
use crate::hub::ClientId;
use crate::link::{ClientConnection, FrameSink};
use crate::shared::Shared;

/// How long a transfer stream may take to say what it is.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// An upload that sends nothing for this long ends (keeping what arrived), so a stalled
/// client does not hold its reservation of the store.
const UPLOAD_STALL: Duration = Duration::from_secs(30);

/// Bytes gathered before they are written to disk (and read at a time for a download).
const WRITE_CHUNK: usize = 1024 * 1024;

/// Transfers running at once on the whole server, at most: each holds a [`WRITE_CHUNK`]
/// buffer, so however many clients connect, transfers hold at most this many megabytes; a
/// stream beyond it waits for a turn (holding no buffer).
pub const MAX_TRANSFERS: usize = 128;

/// Serves the transfer streams `connection` (logged in as `me`) opens, until it closes.
pub async fn serve(connection: impl ClientConnection, shared: Arc<Shared>, me: ClientId) {
    let turns = Arc::new(Semaphore::new(shared.files.uploads_per_client));
    connection.allow_transfers(shared.files.uploads_per_client as u32);
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let Ok(turn) = turns.clone().acquire_owned().await else { return };
        let Ok((send, recv)) = connection.accept_transfer().await else { break };
        let shared = shared.clone();
        tasks.spawn(async move {
            if let Ok(_slot) = shared.transfer_slots.acquire().await {
                serve_one(send, recv, &shared, me).await;
            }
            drop(turn);
        });
        // Forget the ones that ended.
        while tasks.try_join_next().is_some() {}
    }
}

/// One transfer stream: its request, then the transfer.
async fn serve_one<S: FrameSink, R: tokio::io::AsyncRead + Unpin>(
    mut send: S,
    recv: R,
    shared: &Shared,
    me: ClientId,
) {
    send.yield_to_chat();
    let mut requests =
        FramedRead::new(recv, FrameCodec::<TransferRequest, TransferReply>::new(MAX_TRANSFER_FRAME));
    let request = match tokio::time::timeout(REQUEST_TIMEOUT, requests.next()).await {
        Ok(Some(Ok(request))) => request,
        _ => return refuse(&mut send, ErrorCode::Protocol, "expected a transfer request").await,
    };
    let Some(blobs) = shared.hub.blobs() else {
        // Refused for good (not `Unavailable`, which clients try again).
        let why = "this server keeps no files (it runs with --no-store)";
        return refuse(&mut send, ErrorCode::NotAllowed, why).await;
    };
    match request {
        TransferRequest::Upload { hash, size } => {
            let leftover = requests.read_buffer().clone().freeze();
            let recv = requests.into_inner();
            upload(blobs, hash, size, leftover, recv, &mut send).await;
        }
        TransferRequest::Download { hash, offset } => {
            if let Ok(None) = blobs.size_of(&hash) {
                return refuse(&mut send, ErrorCode::NotFound, "no such file on the server").await;
            }
            if let Err(refusal) = may_download(shared, me, hash).await {
                return refuse(&mut send, refusal.code, &refusal.message).await;
            }
            download(blobs, hash, offset, &mut send).await;
        }
    }
}

/// Whether the user `me` may download the file `hash`: it is attached to a message in a
/// room they are in, or to a direct message they sent or received.
async fn may_download(shared: &Shared, me: ClientId, hash: FileHash) -> Result<(), CommandError> {
    let Some(name) = shared.hub.lock().user(me).map(|user| user.name.clone()) else {
        return Err(CommandError::new(ErrorCode::NotAllowed, "you are not logged in"));
    };
    let Some(history) = shared.hub.history() else {
        return Err(CommandError::new(ErrorCode::Unavailable, "this server keeps no files"));
    };
    let places = history.attached_to(hash, name).await.map_err(|_| {
        CommandError::new(ErrorCode::Unavailable, "the server cannot look up the file now; try again")
    })?;
    let state = shared.hub.lock();
    let in_a_room = places.rooms.iter().any(|room| state.room(room).is_some_and(|r| r.members.contains(&me)));
    if in_a_room || places.direct_of_user {
        return Ok(());
    }
    let why = if places.rooms.is_empty() {
        "this file was not shared with you".to_string()
    } else {
        format!("this file was shared in '{}'; join it to download the file", places.rooms[0])
    };
    Err(CommandError::new(ErrorCode::NotAllowed, why))
}

/// Sends the stored file `hash` from `offset` on.
async fn download<S: FrameSink>(blobs: &BlobStore, hash: FileHash, offset: u64, send: &mut S) {
    let store = blobs.clone();
    let opened = tokio::task::spawn_blocking(move || store.open_blob(&hash)).await;
    let (mut file, size) = match opened.unwrap_or_else(|e| Err(io::Error::other(e))) {
        Ok(Some(blob)) => blob,
        Ok(None) => return refuse(send, ErrorCode::NotFound, "no such file on the server").await,
        Err(error) => {
            tracing::error!("reading a file: {error}");
            return refuse(send, ErrorCode::Unavailable, "the server cannot read the file now").await;
        }
    };
    if offset > size {
        return refuse(send, ErrorCode::Protocol, "the offset is beyond the end of the file").await;
    }
    reply(send, &TransferReply::Sending { size }).await;
    let mut position = offset;
    while position < size {
        let want = (size - position).min(WRITE_CHUNK as u64) as usize;
        let read = tokio::task::spawn_blocking(move || {
            let mut chunk = vec![0; want];
            file.seek(SeekFrom::Start(position))?;
            file.read_exact(&mut chunk)?;
            Ok::<_, io::Error>((file, chunk))
        })
        .await;
        let chunk;
        (file, chunk) = match read.unwrap_or_else(|e| Err(io::Error::other(e))) {
            Ok(read) => read,
            Err(error) => {
                tracing::error!("reading a file: {error}");
                return;
            }
        };
        position += chunk.len() as u64;
        if send.write_chunk(Bytes::from(chunk)).await.is_err() {
            // The client is gone; it asks again from what it kept.
            return;
        }
    }
    send.finish();
    send.delivered().await;
}

/// Receives an upload into the store.
async fn upload<S: FrameSink, R: tokio::io::AsyncRead + Unpin>(
    blobs: &BlobStore,
    hash: FileHash,
    size: u64,
    leftover: Bytes,
    mut recv: R,
    send: &mut S,
) {
    let store = blobs.clone();
    let begun = tokio::task::spawn_blocking(move || store.begin_upload(hash, size)).await;
    let mut partial = match begun.unwrap_or_else(|e| Err(BlobError::Io(io::Error::other(e)))) {
        Ok(Upload::Stored) => return reply(send, &TransferReply::Stored).await,
        Ok(Upload::Write(partial)) => partial,
        Err(error) => return refuse_for(send, &error).await,
    };
    reply(send, &TransferReply::SendFrom { offset: partial.offset() }).await;
    let mut chunk = leftover.to_vec();
    let mut ended = false;
    while !ended {
        chunk.reserve(WRITE_CHUNK.saturating_sub(chunk.len()));
        while chunk.len() < WRITE_CHUNK {
            match tokio::time::timeout(UPLOAD_STALL, recv.read_buf(&mut chunk)).await {
                Ok(Ok(0)) => {
                    ended = true;
                    break;
                }
                Ok(Ok(_)) => {}
                // The client is gone, or stalled: what arrived stays for its next try.
                Ok(Err(_)) | Err(_) => return keep_written(partial, chunk).await,
            }
        }
        let full = std::mem::take(&mut chunk);
        partial = match write(partial, full).await {
            Ok(partial) => partial,
            Err(error) => return refuse_for(send, &error).await,
        };
    }
    let finished = tokio::task::spawn_blocking(move || partial.finish()).await;
    match finished.unwrap_or_else(|e| Err(BlobError::Io(io::Error::other(e)))) {
        Ok(()) => reply(send, &TransferReply::Stored).await,
        Err(error) => refuse_for(send, &error).await,
    }
}

/// Writes `bytes` to the upload, off the async threads.
async fn write(mut partial: Box<PartialBlob>, bytes: Vec<u8>) -> Result<Box<PartialBlob>, BlobError> {
    let written = tokio::task::spawn_blocking(move || partial.write(&bytes).map(|()| partial)).await;
    written.unwrap_or_else(|e| Err(BlobError::Io(io::Error::other(e))))
}

/// Keeps what arrived of an upload that broke off.
async fn keep_written(partial: Box<PartialBlob>, bytes: Vec<u8>) {
    if let Ok(partial) = write(partial, bytes).await {
        // Dropped off the async threads: it closes its file.
        let _ = tokio::task::spawn_blocking(move || drop(partial)).await;
    }
}

async fn refuse_for<S: FrameSink>(send: &mut S, error: &BlobError) {
    let code = match error {
        BlobError::TooLarge { .. } => ErrorCode::TooLarge,
        BlobError::StorageFull { .. } | BlobError::DiskFull => ErrorCode::StorageFull,
        BlobError::WrongHash | BlobError::TooManyBytes { .. } | BlobError::Incomplete { .. } => {
            ErrorCode::WrongHash
        }
        BlobError::Busy | BlobError::Io(_) => ErrorCode::Unavailable,
    };
    if let BlobError::Io(io) = error {
        tracing::error!("storing a file: {io}");
    }
    refuse(send, code, &error.to_string()).await;
}

async fn refuse<S: FrameSink>(send: &mut S, code: ErrorCode, message: &str) {
    reply(send, &TransferReply::Refused { code, message: message.to_string() }).await;
}

/// Sends `reply`; the last one ends the stream (bytes follow `SendFrom` and `Sending`).
async fn reply<S: FrameSink>(send: &mut S, reply: &TransferReply) {
    let Ok(frame) = encode_frame(reply) else { return };
    let last = !matches!(reply, TransferReply::SendFrom { .. } | TransferReply::Sending { .. });
    if send.write_chunk(frame).await.is_ok() && last {
        send.finish();
        send.delivered().await;
    }
}
