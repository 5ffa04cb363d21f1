//! Search through the real server and `anseo-cli --json`: newest first, every word (and a
//! word's start) matching, only in the rooms the searcher is in and their own direct messages,
//! paged, and still there after a restart.

use serde_json::{Value, json};

use crate::support::{Cli, TestServer};

async fn search(cli: &mut Cli, text: &str) -> Value {
    cli.send(&format!("/search {text}")).await;
    cli.expect_json("the search results", |v| (v["type"] == "search_results").then(|| v.clone())).await
}

fn texts(results: &Value) -> Vec<String> {
    results["results"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_finds_only_what_the_searcher_may_read_newest_first() {
    let server = TestServer::start();
    let carol = Cli::login(&server, "carol").await;
    let mut alice = Cli::login(&server, "alice").await;
    alice.send("/join maths").await;
    alice.send("homework: fractions for Friday").await;
    alice.send("the fraction homework is easy").await;
    alice.send("/switch lobby").await;
    alice.send("lunch on Friday?").await;
    alice.send("/msg carol secret homework plan").await;
    alice.expect_json("the last echo", |v| (v["type"] == "dm" && v["from"] == "alice").then_some(())).await;
    let mut bob = Cli::login(&server, "bob").await;

    let found = search(&mut alice, "homework FRACT").await;
    assert_eq!(texts(&found), ["the fraction homework is easy", "homework: fractions for Friday"]);
    assert_eq!(found["results"][0]["room"], "maths");
    assert_eq!(found["results"][0]["type"], "message");
    assert_eq!(found["results"][0]["from"], "alice");
    assert!(found["results"][0]["seq"].as_u64().unwrap() > 0);
    assert_eq!(found["more"], json!(false));
    let friday = search(&mut alice, "friday").await;
    assert_eq!(texts(&friday), ["lunch on Friday?", "homework: fractions for Friday"]);
    let dm = search(&mut alice, "secret").await;
    assert_eq!((&dm["results"][0]["type"], &dm["results"][0]["to"]), (&json!("dm"), &json!("carol")));

    // Bob is not in maths and not in alice's direct messages: only the lobby is his.
    assert_eq!(texts(&search(&mut bob, "homework").await), Vec::<String>::new());
    assert_eq!(texts(&search(&mut bob, "friday").await), ["lunch on Friday?"]);
    bob.send("/search").await;
    let usage = bob.expect_json("usage", |v| (v["type"] == "error").then(|| v.clone())).await;
    assert_eq!(usage["code"], "usage");

    // Kept with the store: after a restart carol finds the direct message sent to her.
    drop((alice, bob, carol));
    let folder = server.kill();
    let server = TestServer::start_in(folder, &[]);
    let mut carol = Cli::login(&server, "carol").await;
    let found = search(&mut carol, "plan").await;
    assert_eq!(texts(&found), ["secret homework plan"]);
    assert_eq!(
        (&found["results"][0]["from"], &found["results"][0]["to"]),
        (&json!("alice"), &json!("carol"))
    );
}
