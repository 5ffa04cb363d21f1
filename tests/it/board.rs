//! The shared whiteboard through the real server and `anseo-cli --json`, with the server's
//! default limits: a stroke reaches the others while it is still being drawn, a late joiner
//! gets the whole board, the board survives a SIGKILL (SVG exports compared byte for byte),
//! two people drawing at once end with the same board, undo takes back only your own strokes,
//! only the room's creator clears, a stroke longer than the limit is cut with an error, and a
//! flood of board operations is slowed down while chat goes on.

use std::path::Path;

use anseo_shared::client::Event;
use anseo_shared::protocol::{BoardOp, ErrorCode, Point, ServerMsg, StrokeStyle, Tool};
use serde_json::{Value, json};

use crate::support::{Cli, TestServer, expect_event};

const PEN: StrokeStyle = StrokeStyle { colour: 0x0969da, width: 12, tool: Tool::Pen };

fn points(from: u16, n: u16) -> Vec<Point> {
    (from..from + n).map(|i| Point { x: i, y: 10_000 - i }).collect()
}

fn xy(points: &[Point]) -> Value {
    json!(points.iter().map(|p| [p.x, p.y]).collect::<Vec<_>>())
}

/// The next board object (`stroke_*`, `board_cleared`) `cli` prints.
async fn next_board_event(cli: &mut Cli, what: &str) -> Value {
    cli.expect_json(what, |v| {
        let kind = v["type"].as_str().unwrap_or_default();
        (kind.starts_with("stroke_") || kind == "board_cleared").then(|| v.clone())
    })
    .await
}

/// `/board-export`s the current room's board into `dir` and returns the file's bytes.
async fn export(cli: &mut Cli, dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    cli.send(&format!("/board-export {}", path.display())).await;
    cli.expect_json("the export's note", |v| (v["type"] == "info").then_some(())).await;
    std::fs::read(&path).expect("the exported board")
}

/// The ids of the strokes `cli` saw end, up to `count` of them, in order.
async fn strokes_ended(cli: &mut Cli, count: usize) -> Vec<u64> {
    let mut ended = Vec::new();
    while ended.len() < count {
        let event = next_board_event(cli, "a stroke's end").await;
        if event["type"] == "stroke_end" {
            ended.push(event["stroke"].as_u64().unwrap());
        }
    }
    ended
}

#[tokio::test]
async fn a_stroke_reaches_the_others_while_it_is_drawn_and_a_late_joiner_gets_the_whole_board() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let dir = tempfile::tempdir().unwrap();

    alice.client.draw("lobby", BoardOp::Begin { stroke: 7, style: PEN, points: points(0, 3) }).await.unwrap();
    let begun = next_board_event(&mut bob, "alice's stroke beginning").await;
    assert_eq!(begun["type"], "stroke_begin");
    assert_eq!(
        (&begun["room"], &begun["seq"], &begun["by"], &begun["stroke"]),
        (&json!("lobby"), &json!(1), &json!("alice"), &json!(7))
    );
    assert_eq!(
        (&begun["colour"], &begun["width"], &begun["tool"]),
        (&json!("#0969da"), &json!(12), &json!("pen"))
    );
    assert_eq!(begun["points"], xy(&points(0, 3)));
    // Bob sees the stroke before alice has finished it: she goes on only now.
    alice.client.draw("lobby", BoardOp::Points { stroke: 7, points: points(3, 2) }).await.unwrap();
    alice.client.draw("lobby", BoardOp::End { stroke: 7 }).await.unwrap();
    let more = next_board_event(&mut bob, "more of alice's stroke").await;
    assert_eq!(
        (&more["type"], &more["seq"], &more["points"]),
        (&json!("stroke_points"), &json!(2), &xy(&points(3, 2)))
    );
    let end = next_board_event(&mut bob, "the end of alice's stroke").await;
    assert_eq!((&end["type"], &end["seq"], &end["stroke"]), (&json!("stroke_end"), &json!(3), &json!(7)));

    // Alice's own copy comes back numbered too (the raw client sees the frames).
    let echoed = expect_event(&mut alice.events, "the echo of the end", |e| match e {
        Event::Server(ServerMsg::Board(event)) if event.op == (BoardOp::End { stroke: 7 }) => Some(event.seq),
        _ => None,
    })
    .await;
    assert_eq!(echoed, 3);

    let mut carol = Cli::login(&server, "carol").await;
    let board = carol.expect_json("the lobby's board", |v| (v["type"] == "board").then(|| v.clone())).await;
    assert_eq!(
        board,
        json!({"type": "board", "room": "lobby", "seq": 3, "strokes": 1, "authors": [{"name": "alice", "strokes": 1}]})
    );
    let late = export(&mut carol, dir.path(), "carol.svg").await;
    let live = export(&mut bob, dir.path(), "bob.svg").await;
    assert_eq!(late, live);
    let svg = String::from_utf8(late).unwrap();
    assert!(svg.contains("<path d=\"M0 10000L1 9999L2 9998L3 9997L4 9996\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"12\""), "{svg}");
}

#[tokio::test]
async fn the_board_survives_a_server_kill_and_restart() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/join art").await;
    alice.send("/draw red 30 100,100 2000,2500 4000,100").await;
    alice.send("/draw #00aa00 8 5000,5000").await;
    alice.send("/draw blue 60 9000,9000 8000,8000 7000,9500").await;
    let ended = strokes_ended(&mut alice, 3).await;
    alice.send("/undo").await;
    let deleted = next_board_event(&mut alice, "the undo").await;
    assert_eq!((&deleted["type"], &deleted["stroke"]), (&json!("stroke_deleted"), &json!(ended[2])));
    let dir = tempfile::tempdir().unwrap();
    let before = export(&mut alice, dir.path(), "before.svg").await;
    drop(alice);

    let folder = server.kill();
    let server = TestServer::start_in(folder, &[]);
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("/join art").await;
    let board = bob.expect_json("the board of art", |v| (v["type"] == "board").then(|| v.clone())).await;
    assert_eq!((&board["room"], &board["seq"], &board["strokes"]), (&json!("art"), &json!(7), &json!(2)));
    let after = export(&mut bob, dir.path(), "after.svg").await;
    assert_eq!(String::from_utf8(after).unwrap(), String::from_utf8(before).unwrap());
}

#[tokio::test]
async fn two_people_drawing_at_once_end_with_the_same_board() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    for i in 0..10u32 {
        alice.send(&format!("/draw red 10 {},0 {},5000 {},10000", i * 100, i * 100 + 50, i * 100)).await;
        bob.send(&format!("/draw blue 20 0,{} 5000,{} 10000,{}", i * 100, i * 100 + 50, i * 100)).await;
    }
    // Each sees all 20 strokes end, in the same order.
    let seen_by_alice = strokes_ended(&mut alice, 20).await;
    let seen_by_bob = strokes_ended(&mut bob, 20).await;
    assert_eq!(seen_by_alice, seen_by_bob);
    let dir = tempfile::tempdir().unwrap();
    let a = export(&mut alice, dir.path(), "alice.svg").await;
    let b = export(&mut bob, dir.path(), "bob.svg").await;
    assert_eq!(a, b);
    let svg = String::from_utf8(a).unwrap();
    assert_eq!(svg.matches("stroke=\"#d1242f\"").count(), 10, "{svg}");
    assert_eq!(svg.matches("stroke=\"#0969da\"").count(), 10, "{svg}");
}

#[tokio::test]
async fn undo_takes_back_only_your_own_strokes_and_only_the_rooms_creator_clears() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/join art").await;
    alice.expect_json("alice in art", |v| (v["type"] == "joined").then_some(())).await;
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("/join art").await;
    bob.expect_json("bob in art", |v| (v["type"] == "joined").then_some(())).await;
    alice.send("/draw red 10 1,1 2,2").await;
    let alices = strokes_ended(&mut bob, 1).await[0];
    bob.send("/draw blue 10 3,3 4,4").await;
    let bobs = strokes_ended(&mut bob, 1).await[0];

    // Bob's undo takes his own stroke, never alice's.
    bob.send("/undo").await;
    let undone = next_board_event(&mut bob, "bob's undo").await;
    assert_eq!(
        (&undone["type"], &undone["stroke"], &undone["by"]),
        (&json!("stroke_deleted"), &json!(bobs), &json!("bob"))
    );
    bob.send("/undo").await;
    let nothing = bob.expect_json("nothing to undo", |v| (v["type"] == "info").then(|| v.clone())).await;
    assert_eq!(nothing["message"], "you have no stroke on the board of #art");
    bob.send(&format!("/board-delete {alices}")).await;
    let refused = bob.expect_json("a refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(refused["code"], ErrorCode::NotAllowed.as_str());
    bob.send("/board-clear").await;
    let refused = bob.expect_json("a refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(refused["code"], "not_allowed");
    assert_eq!(
        refused["message"],
        "only the room's creator can delete someone else's stroke or clear the board"
    );

    // The creator may do both.
    bob.send("/draw blue 10 5,5").await;
    let second = strokes_ended(&mut bob, 1).await[0];
    alice.send(&format!("/board-delete {second}")).await;
    let deleted = next_board_event(&mut bob, "alice deletes bob's stroke").await;
    assert_eq!(
        (&deleted["type"], &deleted["stroke"], &deleted["by"]),
        (&json!("stroke_deleted"), &json!(second), &json!("alice"))
    );
    alice.send("/board-clear").await;
    let cleared = next_board_event(&mut bob, "the clear").await;
    assert_eq!(
        (&cleared["type"], &cleared["room"], &cleared["by"]),
        (&json!("board_cleared"), &json!("art"), &json!("alice"))
    );
    bob.send("/board").await;
    let board = bob.expect_json("the empty board", |v| (v["type"] == "board").then(|| v.clone())).await;
    assert_eq!(board["strokes"], 0);
}

#[tokio::test]
async fn an_endless_stroke_is_cut_at_the_limit_and_a_flood_is_slowed_while_chat_goes_on() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let mut bob = Cli::login(&server, "bob").await;

    // The default limit is 5000 points: five batches of 1000 fit, the sixth is cut.
    alice
        .client
        .draw("lobby", BoardOp::Begin { stroke: 1, style: PEN, points: points(0, 1000) })
        .await
        .unwrap();
    for batch in 1..6 {
        alice
            .client
            .draw("lobby", BoardOp::Points { stroke: 1, points: points(batch * 1000, 1000) })
            .await
            .unwrap();
    }
    let cut = expect_event(&mut alice.events, "the cut", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(cut.code, ErrorCode::TooLong);
    assert_eq!(cut.message, "the stroke has 5000 points, the most allowed; it ends there");
    let mut drawn = 0;
    loop {
        let event = next_board_event(&mut bob, "alice's long stroke").await;
        match event["type"].as_str().unwrap() {
            "stroke_begin" | "stroke_points" => drawn += event["points"].as_array().unwrap().len(),
            "stroke_end" => break,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(drawn, 5000);

    // A flood: more operations than the board's budget (burst 120) at once.
    for _ in 0..180 {
        alice.client.draw("lobby", BoardOp::Delete { stroke: 99 }).await.unwrap();
    }
    alice.client.say("lobby", "still here").await.unwrap();
    bob.send("and me").await;
    let mut codes = std::collections::HashMap::<ErrorCode, usize>::new();
    let mut heard = Vec::new();
    while heard.len() < 2 {
        match alice.events.recv().await.expect("alice's session") {
            Event::Server(ServerMsg::Error(error)) => *codes.entry(error.code).or_default() += 1,
            Event::Server(ServerMsg::Message(message)) => heard.push((message.from, message.text)),
            Event::Closed(reason) => panic!("alice was disconnected: {reason}"),
            _ => {}
        }
    }
    heard.sort();
    assert_eq!(
        heard,
        [("alice".to_string(), "still here".to_string()), ("bob".to_string(), "and me".to_string())]
    );
    assert!(codes.get(&ErrorCode::RateLimited).is_some_and(|n| *n >= 50), "{codes:?}");
    assert!(codes.get(&ErrorCode::NotFound).is_some_and(|n| *n >= 100), "{codes:?}");
}

/// A board filled to its limit (the default 60,000 points) refuses more with `board_full`,
/// and someone who logs in afterwards gets the whole board and chats: one person's drawing
/// cannot push the lobby's board past what a newcomer's queue holds.
#[tokio::test]
async fn a_full_board_refuses_more_and_newcomers_still_get_it_and_chat() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    for stroke in 1..=12u64 {
        alice
            .client
            .draw("lobby", BoardOp::Begin { stroke, style: PEN, points: points(0, 1000) })
            .await
            .unwrap();
        for batch in 1..5 {
            alice
                .client
                .draw("lobby", BoardOp::Points { stroke, points: points(batch * 1000, 1000) })
                .await
                .unwrap();
        }
        alice.client.draw("lobby", BoardOp::End { stroke }).await.unwrap();
    }
    alice
        .client
        .draw("lobby", BoardOp::Begin { stroke: 13, style: PEN, points: points(0, 10) })
        .await
        .unwrap();
    let full = expect_event(&mut alice.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(full.code, ErrorCode::BoardFull);
    assert_eq!(
        full.message,
        "the board holds 60000 points, the most allowed; delete some strokes or clear it"
    );

    let mut carol = Cli::login(&server, "carol").await;
    let board = carol.expect_json("the lobby's board", |v| (v["type"] == "board").then(|| v.clone())).await;
    assert_eq!((&board["strokes"], &board["seq"]), (&json!(12), &json!(72)));
    carol.send("I can still talk").await;
    carol
        .expect_json("carol's echo", |v| (v["type"] == "message" && v["from"] == "carol").then_some(()))
        .await;
}
