//! Lists that grow with the server never lock anyone out: a room list larger than a frame
//! (999 rooms with long names of 4-byte letters and long topics) still lets everyone log in,
//! also after a restart, and `/rooms` pages through all of it; and one name may create only so
//! many rooms an hour.

use anseo_shared::client::Event;
use anseo_shared::protocol::{ErrorCode, ServerMsg};
use serde_json::Value;

use crate::support::{Cli, TestServer, expect_event};

/// Rooms filled: with the lobby, the default cap of 1,000; on the wire about 1.05 MB, more than
/// a frame from the server may hold (1 MiB).
const ROOMS: usize = 999;

/// A room name of 64 characters, 4 bytes each but the number.
fn long_room(n: usize) -> String {
    format!("{n:04}{}", "\u{10348}".repeat(60))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_list_larger_than_a_frame_locks_nobody_out_and_pages_through() {
    // This test fills the room list; the limits on how fast that may happen are not its subject.
    let args = [
        "--rate-limit-burst",
        "100000",
        "--rate-limit-per-sec",
        "100000",
        "--rooms-created-per-hour",
        "100000",
        "--rooms-created-per-hour-per-address",
        "100000",
    ];
    let mut server = TestServer::start_with(&args);
    let topic = "\u{1f600}".repeat(200);
    let mut filler = server.login("filler").await;
    for n in 0..ROOMS {
        let room = long_room(n);
        filler.client.join(&room, Some(&topic)).await.unwrap();
        filler.client.leave(&room).await.unwrap();
    }
    let last = long_room(ROOMS - 1);
    expect_event(&mut filler.events, "the last leave", |e| match e {
        Event::Server(ServerMsg::Left { room, .. }) if *room == last => Some(()),
        Event::Server(ServerMsg::Error(error)) => panic!("refused: {error:?}"),
        _ => None,
    })
    .await;

    // A newcomer logs in; its Welcome carries the first page and the count.
    let newcomer = server.login("newcomer").await;
    let welcome = &newcomer.welcome;
    assert_eq!(welcome.rooms_total as usize, ROOMS + 1, "the lobby and the filled rooms");
    assert!(welcome.rooms.len() < ROOMS, "the Welcome holds a page, not {} rooms", welcome.rooms.len());
    assert_eq!(welcome.rooms[0].name, long_room(0));
    assert_eq!(welcome.users_online, 2);

    // The terminal client lists every room, in order, in one answer.
    let mut cli = Cli::login(&server, "lister").await;
    cli.send("/rooms").await;
    let rooms: Vec<String> = cli
        .expect_json("the room list", |v| (v["type"] == "rooms").then(|| v["rooms"].as_array().cloned()))
        .await
        .expect("a list")
        .iter()
        .map(|room| room["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut expected: Vec<String> = (0..ROOMS).map(long_room).collect();
    expected.push("lobby".into());
    assert_eq!(rooms, expected);
    drop(cli);
    drop(newcomer);
    drop(filler);

    // And after a restart, with the rooms read back from the store.
    assert!(server.terminate().success());
    let server = TestServer::start_in(server.kill(), &args);
    let later = server.login("later").await;
    assert_eq!(later.welcome.rooms_total as usize, ROOMS + 1);
}

#[tokio::test]
async fn one_name_may_create_only_so_many_rooms_an_hour() {
    let server = TestServer::start();
    let mut cli = Cli::login(&server, "maker").await;
    for n in 1..=21 {
        cli.send(&format!("/join room{n}")).await;
        cli.send(&format!("/leave room{n}")).await;
    }
    let error: Value = cli.expect_json("the refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], ErrorCode::TooManyRooms.as_str());
    assert!(
        error["message"].as_str().unwrap_or_default().contains("created too many rooms lately"),
        "{error}"
    );
    // The refusal came for the 21st room: the first 20 exist.
    cli.send("/rooms").await;
    let rooms = cli
        .expect_json("the room list", |v| (v["type"] == "rooms").then(|| v["rooms"].as_array().cloned()))
        .await
        .expect("a list");
    assert_eq!(rooms.len(), 21, "the lobby and 20 rooms: {rooms:?}");
    // Someone else may still create one.
    let mut other = Cli::login(&server, "other").await;
    other.send("/join theirs").await;
    other.expect_json("the join", |v| (v["type"] == "joined" && v["room"] == "theirs").then_some(())).await;
}
