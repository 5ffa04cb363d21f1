//! Reactions through the real server and `anseo-cli --json`: put on and taken off (one per
//! person per message: another emoji replaces one's own), `:shortcode:`s, a refusal for what
//! is not an emoji, and reactions that come with history after a SIGKILL and restart.

use serde_json::{Value, json};

use crate::support::{Cli, TestServer};

async fn next_reaction(cli: &mut Cli, what: &str) -> Value {
    cli.expect_json(what, |v| (v["type"] == "reaction").then(|| v.clone())).await
}

/// `(by, emoji, on)` of a reaction object.
fn said(reaction: &Value) -> (String, String, bool) {
    let text = |key: &str| reaction[key].as_str().unwrap_or_default().to_string();
    (text("by"), text("emoji"), reaction["on"].as_bool().unwrap())
}

#[tokio::test]
async fn reactions_toggle_count_once_per_person_and_come_with_history_after_a_restart() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    alice.send("who is coming on Friday?").await;
    let id = bob
        .expect_json("alice's message", |v| {
            (v["type"] == "message" && v["from"] == "alice").then(|| v["id"].clone())
        })
        .await;
    let id = id.as_u64().unwrap();

    bob.send(&format!("/react {id} 👍")).await;
    let put = next_reaction(&mut alice, "bob's thumbs up").await;
    assert_eq!((&put["room"], &put["id"]), (&json!("lobby"), &json!(id)));
    assert_eq!(said(&put), ("bob".into(), "👍".into(), true));
    // The same again takes it off (a shortcode is the emoji).
    bob.send(&format!("/react {id} :+1:")).await;
    assert_eq!(
        said(&next_reaction(&mut alice, "bob takes it back").await),
        ("bob".into(), "👍".into(), false)
    );
    bob.send(&format!("/react {id} 🎉")).await;
    bob.send(&format!("/react {id} :tada:")).await;
    bob.send(&format!("/react {id} :tada:")).await;
    alice.send(&format!("/react {id} 🎉")).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(said(&next_reaction(&mut alice, "the reactions").await));
    }
    // Bob's come in his order; alice's (sent at the same time) anywhere among them.
    let of = |name: &str| seen.iter().filter(|(by, ..)| by == name).cloned().collect::<Vec<_>>();
    assert_eq!(
        of("bob"),
        [
            ("bob".into(), "🎉".into(), true),
            ("bob".into(), "🎉".into(), false),
            ("bob".into(), "🎉".into(), true)
        ]
    );
    assert_eq!(of("alice"), [("alice".into(), "🎉".into(), true)]);
    bob.send(&format!("/react {id} hooray")).await;
    let refused = bob.expect_json("a refusal", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(refused["code"], "invalid_text");
    assert_eq!(refused["message"], "'hooray' is not an emoji; react with one emoji, like 👍");
    // Bob's last word is a heart: it replaces his party popper.
    bob.send(&format!("/react {id} ❤️")).await;
    assert_eq!(said(&next_reaction(&mut alice, "bob's heart").await), ("bob".into(), "❤️".into(), true));
    drop((alice, bob));

    let folder = server.kill();
    let server = TestServer::start_in(folder, &[]);
    let mut carol = Cli::login(&server, "carol").await;
    let mut after = Vec::new();
    for _ in 0..2 {
        let reaction = next_reaction(&mut carol, "the reactions with history").await;
        assert_eq!((&reaction["id"], &reaction["history"]), (&json!(id), &json!(true)));
        after.push(said(&reaction));
    }
    after.sort();
    assert_eq!(after, [("alice".into(), "🎉".into(), true), ("bob".into(), "❤️".into(), true)]);
}
