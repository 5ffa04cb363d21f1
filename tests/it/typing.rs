//! "is typing": passed on at once to the others in the room (or the one user written to),
//! never to anyone else, at most once every 3 s per person, and never stored.

use std::time::{Duration, Instant};

use anseo_shared::protocol::Place;
use serde_json::json;

use crate::support::{Cli, TestServer};

#[tokio::test]
async fn typing_reaches_the_room_or_the_one_written_to_at_most_every_three_seconds() {
    let server = TestServer::start();
    let alice = server.login("alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let mut carol = Cli::login(&server, "carol").await;

    let sent = Instant::now();
    alice.client.typing(Place::Room("lobby".into())).await.unwrap();
    let seen = bob.expect_json("alice typing", |v| (v["type"] == "typing").then(|| v.clone())).await;
    assert!(sent.elapsed() < Duration::from_secs(1), "took {:?}", sent.elapsed());
    assert_eq!((&seen["from"], &seen["room"]), (&json!("alice"), &json!("lobby")));
    // Faster than every 3 s: dropped. Then a direct one to bob only.
    alice.client.typing(Place::Room("lobby".into())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3000)).await;
    alice.client.typing(Place::Direct("bob".into())).await.unwrap();
    alice.client.say("lobby", "done typing").await.unwrap();
    let next = bob.expect_json("alice typing to bob", |v| (v["type"] == "typing").then(|| v.clone())).await;
    assert_eq!((&next["from"], &next["direct"], &next.get("room")), (&json!("alice"), &json!(true), &None));
    let until_message =
        carol.json_until("alice's message", |v| v["type"] == "message" && v["text"] == "done typing").await;
    let typing: Vec<_> = until_message.iter().filter(|v| v["type"] == "typing").collect();
    assert_eq!(typing.len(), 1, "carol sees the room's one, not the direct one: {typing:?}");
    // Nothing of it was kept: a newcomer hears of no typing.
    let mut dan = Cli::login(&server, "dan").await;
    dan.send("/users").await;
    let before_users = dan.json_until("the user list", |v| v["type"] == "users").await;
    assert!(before_users.iter().all(|v| v["type"] != "typing"), "{before_users:?}");
}
