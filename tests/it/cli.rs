//! The terminal client as scripts and people use it: real `anseo-cli` processes with piped
//! stdin and stdout against a real server, checked through their JSON lines, their readable
//! lines, their stderr and their exit codes.

use serde_json::{Value, json};

use crate::support::{Cli, TestServer};

/// The JSON objects of `values` with this `type`.
fn of_type<'a>(values: &'a [Value], kind: &str) -> Vec<&'a Value> {
    values.iter().filter(|v| v["type"] == kind).collect()
}

/// `(room, from, text)` of every `message` object.
fn messages(values: &[Value]) -> Vec<(String, String, String)> {
    of_type(values, "message").into_iter().map(|m| (s(&m["room"]), s(&m["from"]), s(&m["text"]))).collect()
}

fn s(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).to_string()
}

fn is_message(text: &str) -> impl Fn(&Value) -> bool + '_ {
    move |v| v["type"] == "message" && v["text"] == text
}

fn triple(room: &str, from: &str, text: &str) -> (String, String, String) {
    (room.into(), from.into(), text.into())
}

#[tokio::test]
async fn two_clis_chat_in_the_lobby_in_order() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    assert_eq!(alice.welcome["name"], "alice");
    assert_eq!(alice.welcome["room"], "lobby");
    assert_eq!(alice.welcome["max_message_chars"], 2000);
    let mut bob = Cli::login(&server, "bob").await;
    assert_eq!(bob.welcome["users"], json!(["alice", "bob"]));
    alice
        .expect_json("bob joining the lobby", |v| {
            (v["type"] == "presence" && v["event"] == "join" && v["user"] == "bob").then_some(())
        })
        .await;

    alice.send("hello bob").await;
    alice.send("second").await;
    let seen = bob.json_until("alice's second message", is_message("second")).await;
    let received: Vec<&Value> = of_type(&seen, "message");
    assert_eq!(received.len(), 2, "{seen:#?}");
    for (message, (text, seq)) in received.iter().zip([("hello bob", 1), ("second", 2)]) {
        assert_eq!(message["room"], "lobby");
        assert_eq!(message["from"], "alice");
        assert_eq!(message["text"], text);
        assert_eq!(message["seq"], seq);
        assert!(message["id"].is_u64() && message["ts"].is_u64(), "{message}");
    }

    bob.send("hi alice").await;
    let seen = alice.json_until("bob's answer", is_message("hi alice")).await;
    assert_eq!(
        messages(&seen),
        [
            triple("lobby", "alice", "hello bob"),
            triple("lobby", "alice", "second"),
            triple("lobby", "bob", "hi alice")
        ]
    );
    let own = of_type(&seen, "message");
    assert_eq!((own[0]["client_msg_id"].clone(), own[1]["client_msg_id"].clone()), (json!(1), json!(2)));
    assert_eq!(own[2]["seq"], 3);
}

#[tokio::test]
async fn join_with_a_topic_then_rooms_lists_it() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/join dev Rust and QUIC").await;
    let joined = alice.expect_json("the joined reply", |v| (v["type"] == "joined").then(|| v.clone())).await;
    assert_eq!(
        joined,
        json!({"type": "joined", "room": "dev", "topic": "Rust and QUIC", "members": ["alice"]})
    );

    alice.send("/rooms").await;
    let rooms =
        alice.expect_json("the room list", |v| (v["type"] == "rooms").then(|| v["rooms"].clone())).await;
    let rooms = rooms.as_array().expect("rooms is a list");
    assert_eq!(rooms.len(), 2, "{rooms:?}");
    assert_eq!(rooms[0], json!({"name": "dev", "topic": "Rust and QUIC", "members": 1}));
    assert_eq!((rooms[1]["name"].clone(), rooms[1]["members"].clone()), (json!("lobby"), json!(1)));
}

#[tokio::test]
async fn switch_decides_where_plain_text_goes() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("/join dev").await;
    bob.expect_json("bob joined dev", |v| (v["type"] == "joined").then_some(())).await;
    alice.send("/join dev").await;
    alice.expect_json("alice joined dev", |v| (v["type"] == "joined").then_some(())).await;

    alice.send("first").await; // /join made dev the current room
    alice.send("/switch lobby").await;
    let switched = alice.expect_json("the switch", |v| (v["type"] == "switched").then(|| v.clone())).await;
    assert_eq!(switched, json!({"type": "switched", "room": "lobby"}));
    alice.send("second").await;
    alice.send("/switch #dev").await;
    alice.send("third").await;

    let seen = bob.json_until("the third message", is_message("third")).await;
    assert_eq!(
        messages(&seen),
        [
            triple("dev", "alice", "first"),
            triple("lobby", "alice", "second"),
            triple("dev", "alice", "third")
        ]
    );
}

#[tokio::test]
async fn msg_reaches_only_the_recipient_and_confirms_to_the_sender() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let mut carol = Cli::login(&server, "carol").await;

    alice.send("/msg bob psst, bob").await;
    let dm = bob.expect_json("alice's DM", |v| (v["type"] == "dm").then(|| v.clone())).await;
    assert_eq!(
        (dm["from"].clone(), dm["to"].clone(), dm["text"].clone()),
        (json!("alice"), json!("bob"), json!("psst, bob"))
    );
    let copy = alice.expect_json("the DM confirmation", |v| (v["type"] == "dm").then(|| v.clone())).await;
    assert_eq!(
        (copy["from"].clone(), copy["to"].clone(), copy["text"].clone()),
        (json!("alice"), json!("bob"), json!("psst, bob"))
    );
    assert_eq!(copy["client_msg_id"], 1);
    assert_eq!(copy["id"], dm["id"]);

    // Carol sees the lobby message sent after the DM, and no DM before it.
    alice.send("public now").await;
    let seen = carol.json_until("the lobby message after the DM", is_message("public now")).await;
    assert!(of_type(&seen, "dm").is_empty(), "carol saw a DM: {seen:#?}");
    let seen = bob.json_until("the lobby message after the DM", is_message("public now")).await;
    assert!(of_type(&seen, "dm").is_empty(), "bob got the DM twice: {seen:#?}");
}

#[tokio::test]
async fn users_lists_everyone_online() {
    let server = TestServer::start();
    let _bob = Cli::login(&server, "bob").await;
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/users").await;
    let users = alice.expect_json("the user list", |v| (v["type"] == "users").then(|| v.clone())).await;
    assert_eq!(users, json!({"type": "users", "users": ["alice", "bob"]}));
}

#[tokio::test]
async fn nick_is_announced_to_the_others() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("/nick robert").await;
    let renamed = bob.expect_json("the renamed reply", |v| (v["type"] == "renamed").then(|| v.clone())).await;
    assert_eq!(renamed, json!({"type": "renamed", "old": "bob", "new": "robert"}));
    let nick = alice
        .expect_json("bob's nick presence", |v| {
            (v["type"] == "presence" && v["event"] == "nick").then(|| v.clone())
        })
        .await;
    assert_eq!((nick["user"].clone(), nick["new_name"].clone()), (json!("bob"), json!("robert")));

    bob.send("it is me").await;
    let message =
        alice.expect_json("robert's message", |v| is_message("it is me")(v).then(|| v.clone())).await;
    assert_eq!(message["from"], "robert");
}

#[tokio::test]
async fn leave_stops_delivery_from_that_room() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("/join dev").await;
    bob.expect_json("bob joined dev", |v| (v["type"] == "joined").then_some(())).await;
    alice.send("/join dev").await;
    alice.expect_json("alice joined dev", |v| (v["type"] == "joined").then_some(())).await;

    bob.send("/leave").await; // the current room: dev
    let seen = bob.json_until("the left reply", |v| v["type"] == "left").await;
    assert_eq!(seen.last(), Some(&json!({"type": "left", "room": "dev"})));
    assert!(seen.contains(&json!({"type": "switched", "room": "lobby"})), "{seen:#?}");
    let leave = alice
        .expect_json("bob leaving dev", |v| {
            (v["type"] == "presence" && v["event"] == "leave").then(|| v.clone())
        })
        .await;
    assert_eq!((leave["user"].clone(), leave["room"].clone()), (json!("bob"), json!("dev")));

    alice.send("anyone in dev?").await;
    alice.send("/switch lobby").await;
    alice.send("back in the lobby").await;
    let seen = bob.json_until("the lobby message", is_message("back in the lobby")).await;
    assert_eq!(messages(&seen), [triple("lobby", "alice", "back in the lobby")]);
}

#[tokio::test]
async fn too_long_and_empty_are_refused_before_sending() {
    let server = TestServer::start_with(&["--max-message-chars", "10"]);
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    assert_eq!(alice.welcome["max_message_chars"], 10);

    alice.send("12345678901").await;
    let error = alice.expect_json("the too_long error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], "too_long");
    assert!(error.get("client_msg_id").is_none(), "nothing was sent: {error}");
    alice.send("   ").await;
    let error = alice.expect_json("the empty error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], "empty");

    alice.send("1234567890").await;
    let seen = bob.json_until("the message at the limit", is_message("1234567890")).await;
    assert_eq!(messages(&seen), [triple("lobby", "alice", "1234567890")]);
    let echo = alice.expect_json("alice's echo", |v| is_message("1234567890")(v).then(|| v.clone())).await;
    assert_eq!(echo["client_msg_id"], 1, "the refused lines were never sent");
}

#[tokio::test]
async fn msg_to_nobody_is_no_such_user() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/msg zed hello?").await;
    let error =
        alice.expect_json("the no_such_user error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], "no_such_user", "{error}");
    assert!(!s(&error["message"]).is_empty());
}

#[tokio::test]
async fn bad_commands_are_errors_not_messages() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/dance").await;
    let error =
        alice.expect_json("the unknown command error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], "unknown_command");
    alice.send("/join").await;
    let error = alice.expect_json("the usage error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error, json!({"type": "error", "code": "usage", "message": "usage: /join ROOM [TOPIC]"}));
    alice.send("/nick bad!name").await;
    let error =
        alice.expect_json("the invalid_name error", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(error["code"], "invalid_name", "{error}");
    alice.send("//not a command").await;
    let echo = alice.expect_json("the escaped slash", |v| (v["type"] == "message").then(|| v.clone())).await;
    assert_eq!(echo["text"], "/not a command");
}

#[tokio::test]
async fn a_taken_name_exits_4_with_the_reason() {
    let server = TestServer::start();
    let _alice = Cli::login(&server, "alice").await;
    let fingerprint = server.fingerprint.to_hex();
    let mut second =
        Cli::spawn(&["--server", &server.addr, "--name", "alice", "--fingerprint", &fingerprint, "--json"]);
    let exit = second.wait_exit().await;
    assert_eq!(exit.code, Some(4), "{exit:?}");
    assert!(exit.stderr.contains("anseo-cli: the name 'alice' is taken"), "{exit:?}");
    let out = second.rest_json().await;
    assert_eq!(of_type(&out, "error").len(), 1, "{out:#?}");
    assert_eq!(out[0]["code"], "name_taken");
}

#[tokio::test]
async fn an_invalid_name_exits_4_without_connecting() {
    let fingerprint = "00".repeat(32);
    let mut cli =
        Cli::spawn(&["--server", "127.0.0.1:9", "--name", "no spaces!", "--fingerprint", &fingerprint]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(4), "{exit:?}");
    assert!(exit.stderr.contains("the name is not allowed"), "{exit:?}");
}

#[tokio::test]
async fn missing_arguments_exit_2() {
    let mut cli = Cli::spawn(&["--server", "127.0.0.1:9"]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(2), "{exit:?}");
    assert!(exit.stderr.contains("--name"), "{exit:?}");
    let mut cli = Cli::spawn(&["--server", "127.0.0.1:9", "--name", "a", "--fingerprint", "abc"]);
    assert_eq!(cli.wait_exit().await.code, Some(2));
}

#[tokio::test]
async fn an_unreachable_server_exits_3() {
    // A UDP port that is bound (so nobody else gets it) but never answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let started = std::time::Instant::now();
    let mut cli = Cli::spawn(&["--server", &addr, "--name", "alice", "--fingerprint", &"ab".repeat(32)]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(3), "{exit:?}");
    assert!(exit.stderr.contains(&format!("cannot reach {addr}")), "{exit:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_wrong_fingerprint_exits_5() {
    let server = TestServer::start();
    let mut cli =
        Cli::spawn(&["--server", &server.addr, "--name", "alice", "--fingerprint", &"ab".repeat(32)]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(5), "{exit:?}");
    assert!(exit.stderr.contains("does not match the pinned fingerprint"), "{exit:?}");
}

#[tokio::test]
async fn an_unknown_server_is_refused_without_trust_new() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_servers");
    let known = known.to_str().unwrap();
    let mut cli = Cli::spawn(&["--server", &server.addr, "--name", "alice", "--known-servers", known]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(5), "{exit:?}");
    assert!(exit.stderr.contains(&server.fingerprint.to_hex()), "{exit:?}");
    assert!(exit.stderr.contains("--trust-new"), "{exit:?}");
    assert!(!dir.path().join("known_servers").exists(), "nothing may be remembered");
}

#[tokio::test]
async fn trust_new_remembers_the_server_for_the_next_run() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("known_servers");
    let known = path.to_str().unwrap();
    let mut first = Cli::spawn(&[
        "--server",
        &server.addr,
        "--name",
        "alice",
        "--known-servers",
        known,
        "--trust-new",
        "--json",
    ]);
    first.expect_json("the first welcome", |v| (v["type"] == "welcome").then_some(())).await;
    let file = std::fs::read_to_string(&path).expect("the known-servers file was written");
    assert!(file.lines().any(|l| l == format!("{} {}", server.addr, server.fingerprint)), "{file}");
    first.close_stdin();
    assert_eq!(first.wait_exit().await.code, Some(0));

    let mut second =
        Cli::spawn(&["--server", &server.addr, "--name", "alice", "--known-servers", known, "--json"]);
    second.expect_json("the second welcome", |v| (v["type"] == "welcome").then_some(())).await;
    second.close_stdin();
    assert_eq!(second.wait_exit().await.code, Some(0));
}

#[tokio::test]
async fn a_changed_certificate_exits_5_even_with_trust_new() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("known_servers");
    std::fs::write(&path, format!("{} {}\n", server.addr, "cd".repeat(32))).unwrap();
    let known = path.to_str().unwrap();
    let mut cli =
        Cli::spawn(&["--server", &server.addr, "--name", "alice", "--known-servers", known, "--trust-new"]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(5), "{exit:?}");
    assert!(exit.stderr.contains("certificate changed"), "{exit:?}");
    assert!(exit.stderr.contains(&server.fingerprint.to_hex()), "{exit:?}");
}

#[tokio::test]
async fn server_shutdown_exits_6_with_a_closed_object() {
    let mut server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    server.terminate();
    let closed = alice.expect_json("the closed object", |v| (v["type"] == "closed").then(|| v.clone())).await;
    assert!(s(&closed["reason"]).contains("shutting down"), "{closed}");
    let exit = alice.wait_exit().await;
    assert_eq!(exit.code, Some(6), "{exit:?}");
    assert!(exit.stderr.contains("shutting down"), "{exit:?}");
    assert!(alice.rest_json().await.is_empty(), "nothing follows closed");
}

#[tokio::test]
async fn end_of_input_delivers_what_was_sent_then_leaves() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    bob.send("bye all").await;
    bob.close_stdin();
    let exit = bob.wait_exit().await;
    assert_eq!(exit.code, Some(0), "{exit:?}");
    let rest = bob.rest_json().await;
    assert_eq!(rest.last(), Some(&json!({"type": "closed", "reason": "you left"})), "{rest:#?}");

    // The message and the presence travel on different streams: wait for each.
    let seen = alice.json_until("bob's last message", is_message("bye all")).await;
    assert_eq!(messages(&seen), [triple("lobby", "bob", "bye all")]);
    let offline = alice
        .expect_json("bob going offline", |v| {
            (v["type"] == "presence" && v["event"] == "offline").then(|| v["user"].clone())
        })
        .await;
    assert_eq!(offline, "bob");
}

#[tokio::test]
async fn quit_command_exits_0() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/quit").await;
    let exit = alice.wait_exit().await;
    assert_eq!(exit.code, Some(0), "{exit:?}");
}

#[tokio::test]
async fn readable_mode_prints_time_room_sender_and_text() {
    let server = TestServer::start();
    let fingerprint = server.fingerprint.to_hex();
    let mut alice = Cli::spawn(&["--server", &server.addr, "--name", "alice", "--fingerprint", &fingerprint]);
    alice.expect_line("the readable welcome", |l| l.contains("connected to") && l.contains("as alice")).await;
    let mut bob = Cli::login(&server, "bob").await;
    alice.expect_line("bob's arrival", |l| l.ends_with("* bob joined #lobby")).await;
    bob.send("hi").await;
    let line = alice.expect_line("bob's message", |l| l.contains("<bob>")).await;
    assert_readable(&line, "#lobby <bob> hi");
    bob.send("/msg alice psst").await;
    let line = alice.expect_line("bob's DM", |l| l.contains("psst")).await;
    assert_readable(&line, "<bob> -> <alice> psst");
    alice.send("/nope").await;
    let line = alice.expect_line("the error line", |l| l.contains("! ")).await;
    assert_readable(&line, "! unknown command /nope; /help lists the commands");
}

/// `[HH:MM:SS] rest`.
fn assert_readable(line: &str, rest: &str) {
    let (time, text) = line.split_at(11.min(line.len()));
    let digits: Vec<bool> = time.chars().map(|c| c.is_ascii_digit()).collect();
    let shape = time.len() == 11
        && time.starts_with('[')
        && time.ends_with("] ")
        && digits[1..3].iter().chain(&digits[4..6]).chain(&digits[7..9]).all(|d| *d)
        && &time[3..4] == ":"
        && &time[6..7] == ":";
    assert!(shape && text == rest, "expected `[HH:MM:SS] {rest}`, got {line:?}");
}
