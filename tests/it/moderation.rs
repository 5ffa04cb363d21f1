//! Keeping order through the real server and `anseo-cli --json`, default settings: a room's
//! owner names a moderator; the moderator mutes, kicks and deletes; the owner bans; the
//! others are refused; every action is a notice in the room naming who did it, and the ban
//! outlives a restart. A server admin (`--admin`, a claimed name) acts in any room and
//! disconnects users; an unclaimed admin name counts for nothing.

use serde_json::{Value, json};

use crate::support::{Cli, TestServer, claim};

async fn next_of(cli: &mut Cli, kind: &'static str) -> Value {
    cli.expect_json(kind, |v| (v["type"] == kind).then(|| v.clone())).await
}

/// The next error: its code and message.
async fn refusal(cli: &mut Cli, what: &str) -> (String, String) {
    cli.expect_json(what, |v| {
        (v["type"] == "error")
            .then(|| (v["code"].as_str().unwrap().to_string(), v["message"].as_str().unwrap().to_string()))
    })
    .await
}

/// `(action, by, target, room)` of the next `moderation` object with `action` (those before
/// it were checked where they were expected).
async fn notice(cli: &mut Cli, action: &str) -> (String, String, String, String) {
    let v = cli
        .expect_json(action, |v| (v["type"] == "moderation" && v["action"] == action).then(|| v.clone()))
        .await;
    let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
    (text("action"), text("by"), text("target"), text("room"))
}

fn said(action: &str, by: &str, target: &str) -> (String, String, String, String) {
    (action.into(), by.into(), target.into(), "class".into())
}

async fn join_class(cli: &mut Cli) {
    cli.send("/join class").await;
    cli.expect_json("the join", |v| (v["type"] == "joined" && v["room"] == "class").then_some(())).await;
}

#[tokio::test]
async fn owners_and_moderators_keep_order_and_nobody_else_can() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let mut carol = Cli::login(&server, "carol").await;
    join_class(&mut alice).await;
    join_class(&mut bob).await;
    join_class(&mut carol).await;

    carol.send("/kick bob").await;
    assert_eq!(refusal(&mut carol, "carol's kick").await.0, "not_allowed");
    bob.send("/mute carol").await;
    assert_eq!(refusal(&mut bob, "bob's mute before he moderates").await.0, "not_allowed");

    alice.send("/op bob").await;
    assert_eq!(notice(&mut carol, "op").await, said("op", "alice", "bob"));
    bob.send("/mute carol 5").await;
    assert_eq!(notice(&mut alice, "mute").await, said("mute", "bob", "carol"));
    let mute = carol.expect_json("the mute", |v| (v["action"] == "mute").then(|| v.clone())).await;
    let until = mute["until"].as_u64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!((now + 4 * 60_000..=now + 5 * 60_000 + 5_000).contains(&until), "until {until}, now {now}");
    carol.send("can I still talk?").await;
    let (code, message) = refusal(&mut carol, "carol's message while muted").await;
    assert_eq!(code, "muted");
    assert!(message.starts_with("you are muted in 'class' for 5 more minutes (until "), "{message}");
    carol.send("/mute bob").await;
    assert_eq!(refusal(&mut carol, "a member's mute").await.0, "not_allowed");
    bob.send("/mute alice").await;
    assert_eq!(refusal(&mut bob, "a moderator muting the owner").await.0, "not_allowed");

    // A moderator deletes anyone's message.
    alice.send("a message for bob to delete").await;
    let id = bob
        .expect_json("alice's message", |v| {
            (v["type"] == "message" && v["from"] == "alice").then(|| v["id"].as_u64().unwrap())
        })
        .await;
    bob.send(&format!("/delete {id}")).await;
    let deleted = next_of(&mut alice, "deleted").await;
    assert_eq!((&deleted["id"], &deleted["by"]), (&json!(id), &json!("bob")));

    bob.send("/kick carol").await;
    assert_eq!(notice(&mut alice, "kick").await, said("kick", "bob", "carol"));
    carol.expect_json("carol put out", |v| (v["type"] == "left" && v["room"] == "class").then_some(())).await;
    join_class(&mut carol).await;

    alice.send("/ban carol").await;
    assert_eq!(notice(&mut bob, "ban").await, said("ban", "alice", "carol"));
    carol.expect_json("carol banned", |v| (v["type"] == "left" && v["room"] == "class").then_some(())).await;
    carol.send("/join class").await;
    assert_eq!(
        refusal(&mut carol, "carol's rejoin").await,
        ("not_allowed".into(), "you are banned from 'class'".into())
    );

    alice.send("/topic Maths at nine").await;
    let topic = bob.expect_json("the topic", |v| (v["action"] == "topic").then(|| v.clone())).await;
    assert_eq!(
        (&topic["action"], &topic["by"], &topic["topic"]),
        (&json!("topic"), &json!("alice"), &json!("Maths at nine"))
    );
    bob.send("/rooms").await;
    let rooms = next_of(&mut bob, "rooms").await;
    let class = rooms["rooms"].as_array().unwrap().iter().find(|r| r["name"] == "class").unwrap().clone();
    assert_eq!(class["topic"], "Maths at nine");

    // The ban and the notices outlive a restart.
    drop((alice, bob, carol));
    let server = TestServer::start_in(server.kill(), &[]);
    let mut carol = Cli::login(&server, "carol").await;
    carol.send("/join class").await;
    assert_eq!(refusal(&mut carol, "carol's rejoin after the restart").await.0, "not_allowed");
    let mut dave = Cli::login(&server, "dave").await;
    dave.send("/join class").await;
    let history = dave
        .json_until("the notices in history", |v| v["type"] == "moderation" && v["action"] == "topic")
        .await;
    let actions: Vec<&str> =
        history.iter().filter(|v| v["type"] == "moderation").filter_map(|v| v["action"].as_str()).collect();
    assert_eq!(actions, ["op", "mute", "kick", "ban", "topic"]);
}

#[tokio::test]
async fn a_server_admin_keeps_order_everywhere_and_disconnects_users() {
    let server = TestServer::start_with(&["--admin", "root", "--admin", "mallory"]);
    claim(&server, "root", "correct horse battery").await;
    let files = tempfile::tempdir().unwrap();
    let password = files.path().join("root");
    std::fs::write(&password, "correct horse battery\n").unwrap();
    let mut root =
        Cli::login_with(&server, "root", &["--json", "--password-file", password.to_str().unwrap()]).await;
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let mut mallory = Cli::login(&server, "mallory").await;
    join_class(&mut alice).await;
    join_class(&mut bob).await;
    join_class(&mut mallory).await;
    join_class(&mut root).await;

    // "mallory" is named an admin but nobody claimed the name: it counts for nothing.
    mallory.send("/kick bob").await;
    assert_eq!(refusal(&mut mallory, "mallory's kick").await.0, "not_allowed");
    mallory.send("/disconnect bob").await;
    assert_eq!(refusal(&mut mallory, "mallory's disconnect").await.0, "not_allowed");

    root.send("/kick bob").await;
    assert_eq!(notice(&mut alice, "kick").await, said("kick", "root", "bob"));
    root.send("/disconnect mallory").await;
    let gone = alice
        .expect_json("mallory going offline", |v| {
            (v["type"] == "presence" && v["event"] == "offline" && v["user"] == "mallory").then_some(())
        })
        .await;
    assert_eq!(gone, ());
    let exit = mallory.wait_exit().await;
    assert!(exit.stderr.contains("disconnected by the server admin root"), "{}", exit.stderr);
}
