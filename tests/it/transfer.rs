//! Files up to the server over streams of their own (issue 15's first part), with the
//! server's default limits unless a test is about a limit: a 50 MiB file arrives with the same
//! BLAKE3 hash and bytes, a second upload of it costs nothing, one cut off carries on from
//! where it stopped, hostile uploads (wrong hash, lying size, too large) are refused with
//! their code and nothing is kept, and chat stays quick while a large file is on its way.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anseo_shared::client::{Event, TransferError};
use anseo_shared::protocol::{
    ErrorCode, FrameCodec, MAX_TRANSFER_FRAME, ServerMsg, TransferReply, TransferRequest, encode_frame,
};
use anseo_shared::transport::client_config;
use futures_util::StreamExt;
use tokio_util::codec::FramedRead;

use crate::support::{MIB, TestServer, WAIT, expect_event, make_file};

/// What the server stored under `hash`, if anything.
fn stored(server: &TestServer, hash: &[u8; 32]) -> Option<Vec<u8>> {
    let name: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::read(server.data_dir().join("blobs").join(name)).ok()
}

#[tokio::test]
async fn a_file_arrives_verified_and_a_second_upload_costs_nothing() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let path = make_file(files.path(), "play.mp4", 50 * MIB, 1);
    let ann = server.login("ann").await;
    let uploaded = ann.client.upload(&path, |_, _| {}).await.expect("upload");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(uploaded.hash, *blake3::hash(&bytes).as_bytes());
    assert_eq!((uploaded.size, uploaded.sent), (bytes.len() as u64, bytes.len() as u64));
    assert!(stored(&server, &uploaded.hash) == Some(bytes), "the server keeps the same bytes");

    let bob = server.login("bob").await;
    let again = bob.client.upload(&path, |_, _| {}).await.expect("upload again");
    assert_eq!((again.hash, again.sent), (uploaded.hash, 0), "known bytes are not sent again");
}

#[tokio::test]
async fn an_upload_cut_off_carries_on_from_where_it_stopped() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let path = make_file(files.path(), "homework.pdf", 50 * MIB, 2);
    let size = 50 * MIB as u64;

    // The first try ends (the laptop's lid closes) once 20 MiB are out.
    let ann = server.login("ann").await;
    let sent_first = Arc::new(AtomicU64::new(0));
    let (cut, mut cut_now) = tokio::sync::mpsc::channel::<()>(1);
    let seen = sent_first.clone();
    let upload = ann.client.upload(&path, move |done, _| {
        seen.store(done, Ordering::Relaxed);
        if done >= 20 * MIB as u64 {
            let _ = cut.try_send(());
        }
    });
    tokio::select! {
        result = upload => panic!("the upload ended before the cut: {result:?}"),
        _ = cut_now.recv() => {}
    }
    ann.client.quit().await;
    let first = sent_first.load(Ordering::Relaxed);

    // The next try, on a new connection, sends only the rest.
    let ann = server.login("ann").await;
    let mut from = None;
    let uploaded = ann
        .client
        .upload(&path, |done, _| {
            from.get_or_insert(done);
        })
        .await
        .expect("the upload carries on");
    let carried_on_from = from.unwrap();
    assert!(carried_on_from > 0, "the second try started over");
    assert_eq!(uploaded.sent, size - carried_on_from);
    let total = first + uploaded.sent;
    assert!(total < size * 3 / 2, "{total} bytes sent in all for a file of {size}");
    assert!(stored(&server, &uploaded.hash) == Some(std::fs::read(&path).unwrap()));
}

/// A raw transfer stream: the request, then `body`; the server's answers.
async fn raw_upload(server: &TestServer, hash: [u8; 32], size: u64, body: &[u8]) -> Vec<TransferReply> {
    let (config, _seen) = client_config(Some(server.fingerprint));
    let endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    let connection =
        endpoint.connect_with(config, server.addr.parse().unwrap(), "localhost").unwrap().await.unwrap();
    let (mut chat, chat_recv) = connection.open_bi().await.unwrap();
    let hello = anseo_shared::protocol::ClientMsg::Hello {
        version: anseo_shared::protocol::PROTOCOL_VERSION,
        name: format!("raw{}", size % 1000),
    };
    chat.write_all(&encode_frame(&hello).unwrap()).await.unwrap();
    let mut replies = FramedRead::new(chat_recv, FrameCodec::<ServerMsg, ()>::default());
    assert!(matches!(replies.next().await, Some(Ok(ServerMsg::Welcome(_)))));
    let (mut send, recv) = connection.open_bi().await.unwrap();
    send.write_all(&encode_frame(&TransferRequest::Upload { hash, size }).unwrap()).await.unwrap();
    let mut answers = FramedRead::new(recv, FrameCodec::<TransferReply, ()>::new(MAX_TRANSFER_FRAME));
    let mut seen = vec![answers.next().await.expect("an answer").expect("a reply")];
    if matches!(seen[0], TransferReply::SendFrom { .. }) {
        let _ = send.write_all(body).await;
        let _ = send.finish();
        if let Some(Ok(reply)) = tokio::time::timeout(WAIT, answers.next()).await.expect("the verdict") {
            seen.push(reply);
        }
    }
    seen
}

fn refused(replies: &[TransferReply]) -> ErrorCode {
    match replies.last() {
        Some(TransferReply::Refused { code, .. }) => *code,
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test]
async fn wrong_hashes_lying_sizes_and_oversized_files_are_refused_and_nothing_is_kept() {
    let server = TestServer::start_with(&["--max-file-mib", "1"]);
    let body = vec![7u8; 4096];
    let right = *blake3::hash(&body).as_bytes();

    let wrong = raw_upload(&server, *blake3::hash(b"other").as_bytes(), 4096, &body).await;
    assert_eq!(refused(&wrong), ErrorCode::WrongHash);
    let lying = raw_upload(&server, right, 1000, &body).await;
    assert_eq!(refused(&lying), ErrorCode::WrongHash);
    let short = raw_upload(&server, right, 8192, &body).await;
    assert_eq!(refused(&short), ErrorCode::WrongHash);
    let big = raw_upload(&server, [9; 32], 2 * MIB as u64, &[]).await;
    assert_eq!(refused(&big), ErrorCode::TooLarge);
    match big.last() {
        Some(TransferReply::Refused { message, .. }) => assert_eq!(message, "the file is larger than 1 MiB"),
        other => panic!("{other:?}"),
    }
    assert_eq!(stored(&server, &right), None);
    assert_eq!(stored(&server, blake3::hash(b"other").as_bytes()), None);

    // Chat went on meanwhile, and a good upload still works.
    let mut bob = server.login("bob").await;
    let ann = server.login("ann").await;
    ann.client.say("lobby", "still chatting").await.unwrap();
    expect_event(&mut bob.events, "ann's message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "still chatting" => Some(()),
        _ => None,
    })
    .await;
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("ok.bin");
    std::fs::write(&path, &body).unwrap();
    assert_eq!(ann.client.upload(&path, |_, _| {}).await.expect("a good upload").hash, right);
    let too_big = make_file(files.path(), "big.bin", 2 * MIB, 3);
    match ann.client.upload(&too_big, |_, _| {}).await {
        Err(TransferError::Refused { code: ErrorCode::TooLarge, message }) => {
            assert_eq!(message, "the file is larger than 1 MiB")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_chat_message_is_quick_while_a_large_file_is_on_its_way() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let path = make_file(files.path(), "video.mkv", 200 * MIB, 4);
    let ann = server.login("ann").await;
    let mut bob = server.login("bob").await;
    let (half, mut halfway) = tokio::sync::mpsc::channel::<()>(1);
    let upload = ann.client.upload(&path, move |done, size| {
        if done >= size / 4 {
            let _ = half.try_send(());
        }
    });
    tokio::pin!(upload);
    tokio::select! {
        result = &mut upload => panic!("the upload ended early: {result:?}"),
        _ = halfway.recv() => {}
    }
    let sent_at = Instant::now();
    let chat = async {
        ann.client.say("lobby", "during the upload").await.unwrap();
        expect_event(&mut bob.events, "the message", |e| match e {
            Event::Server(ServerMsg::Message(m)) if m.text == "during the upload" => Some(()),
            _ => None,
        })
        .await;
        sent_at.elapsed()
    };
    let (took, uploaded) = tokio::join!(chat, &mut upload);
    uploaded.expect("the upload");
    assert!(took < Duration::from_millis(200), "a chat message took {took:?} during the upload");
}
