//! Edits and deletions through the real server and `anseo-cli --json`, with the server's
//! default settings: they reach every member once — a client that was cut off while they
//! happened (and whose server restarted meanwhile) included — history after a restart shows
//! messages as they are now, and nobody but the sender edits, nor deletes without being a
//! moderator.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Cli, Impairment, Relay, TestServer};

/// The id of the next message from `from` with `text`, as `cli` sees it.
async fn id_of(cli: &mut Cli, from: &str, text: &str) -> u64 {
    cli.expect_json(&format!("{from}'s \"{text}\""), |v| {
        (v["type"] == "message" && v["from"] == from && v["text"] == text).then(|| v["id"].as_u64().unwrap())
    })
    .await
}

async fn next_of(cli: &mut Cli, kind: &'static str) -> Value {
    cli.expect_json(kind, |v| (v["type"] == kind).then(|| v.clone())).await
}

async fn error_code(cli: &mut Cli, what: &str) -> String {
    cli.expect_json(what, |v| {
        (v["type"] == "error").then(|| v["code"].as_str().unwrap_or_default().to_string())
    })
    .await
}

#[tokio::test]
async fn edits_and_deletions_reach_everyone_once_even_one_that_was_away_and_outlive_a_restart() {
    let server = TestServer::start();
    let addr = server.addr.clone();
    let relay = Relay::start(&server.addr, Impairment::NONE, 21).await;
    let fingerprint = server.fingerprint.to_hex();
    let mut dora =
        Cli::spawn(&["--server", &relay.addr, "--name", "dora", "--fingerprint", &fingerprint, "--json"]);
    next_of(&mut dora, "welcome").await;
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    alice.send("see you at noon").await;
    alice.send("this one is a mistake").await;
    let noon = id_of(&mut bob, "alice", "see you at noon").await;
    let mistake = id_of(&mut bob, "alice", "this one is a mistake").await;
    assert_eq!(id_of(&mut dora, "alice", "this one is a mistake").await, mistake);

    // Nobody but alice edits her message, and bob is no moderator of the lobby.
    bob.send(&format!("/edit {noon} see you never")).await;
    assert_eq!(error_code(&mut bob, "bob's edit refused").await, "not_allowed");
    bob.send(&format!("/delete {noon}")).await;
    assert_eq!(error_code(&mut bob, "bob's deletion refused").await, "not_allowed");
    bob.send("/edit 999999 nothing there").await;
    assert_eq!(error_code(&mut bob, "an edit of no message").await, "not_found");

    // Dora is cut off, and the server restarts behind her back (she must reconnect and catch
    // up); meanwhile alice edits one message and deletes the other.
    relay.set_cut(true);
    let dir = server.kill();
    let server = TestServer::start_at(dir, &addr, &[]);
    next_of(&mut alice, "resumed").await;
    next_of(&mut bob, "resumed").await;
    alice.send(&format!("/edit {noon} see you at one")).await;
    alice.send(&format!("/delete {mistake}")).await;
    let edited = next_of(&mut bob, "edited").await;
    assert_eq!(
        (&edited["room"], &edited["id"], &edited["text"], &edited["by"]),
        (&json!("lobby"), &json!(noon), &json!("see you at one"), &json!("alice"))
    );
    let deleted = next_of(&mut bob, "deleted").await;
    assert_eq!(
        (&deleted["room"], &deleted["id"], &deleted["by"]),
        (&json!("lobby"), &json!(mistake), &json!("alice"))
    );
    alice.send("after the changes").await;
    id_of(&mut bob, "alice", "after the changes").await;

    relay.set_cut(false);
    dora.set_patience(Duration::from_secs(60));
    let caught_up = dora.json_until("dora's resume", |v| v["type"] == "resumed").await;
    let changes: Vec<(String, u64)> = caught_up
        .iter()
        .filter(|v| v["type"] == "edited" || v["type"] == "deleted")
        .map(|v| (v["type"].as_str().unwrap().to_string(), v["id"].as_u64().unwrap()))
        .collect();
    assert_eq!(changes, [("edited".to_string(), noon), ("deleted".to_string(), mistake)], "{caught_up:?}");
    let edit = caught_up.iter().find(|v| v["type"] == "edited").unwrap();
    assert_eq!(edit["text"], "see you at one");
    let missed: Vec<&Value> = caught_up.iter().filter(|v| v["type"] == "message").collect();
    assert_eq!(missed.len(), 1, "only the one message said while away: {caught_up:?}");
    // Nothing comes twice: the next thing dora hears is new.
    alice.send("one more").await;
    let next = dora
        .expect_json("the next message", |v| {
            (["message", "edited", "deleted"].contains(&v["type"].as_str().unwrap_or_default()))
                .then(|| v.clone())
        })
        .await;
    assert_eq!((&next["type"], &next["text"]), (&json!("message"), &json!("one more")));

    // After another restart, history shows the messages as they are now.
    drop((alice, bob, dora));
    let server = TestServer::start_in(server.kill(), &[]);
    let mut erin = Cli::login(&server, "erin").await;
    let history =
        erin.json_until("the lobby's history", |v| v["type"] == "message" && v["text"] == "one more").await;
    let said = |id: u64| history.iter().find(|v| v["type"] == "message" && v["id"] == id).cloned().unwrap();
    let (noon_now, mistake_now) = (said(noon), said(mistake));
    assert_eq!((&noon_now["text"], &noon_now["edited"]), (&json!("see you at one"), &json!(true)));
    assert_eq!((&mistake_now["text"], &mistake_now["deleted"]), (&json!(""), &json!(true)));
    let kinds: Vec<&str> = history
        .iter()
        .filter(|v| v["history"] == true)
        .filter_map(|v| v["type"].as_str())
        .filter(|t| *t != "message")
        .collect();
    assert_eq!(kinds, ["edited", "deleted"], "the changes are part of history, in order");
}
