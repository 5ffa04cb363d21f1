//! A server with more people online than presence goes to everyone for (a school's worth of
//! phones), with its default settings: the crowd logs in from several addresses, as devices
//! do, and a terminal client hears only of the people it has to do with.

use anseo_shared::client::{ConnectOptions, Connected, connect_on};
use serde_json::Value;

use crate::support::{Browser, Cli, DESKTOP, TestServer};

/// People online beyond which the server stops telling everyone of every login
/// (`PRESENCE_FOR_EVERYONE_UP_TO` in the server), and a few more.
const CROWD: usize = 300;
/// Loopback addresses the crowd comes from: each stays below the server's default of 256
/// connections per address.
const ADDRESSES: [&str; 2] = ["127.0.0.2", "127.0.0.3"];

/// Logs `CROWD` clients in, `crowd0000` and on, half from each address.
async fn crowd(server: &TestServer) -> Vec<Connected> {
    let mut clients = Vec::new();
    for (n, address) in ADDRESSES.iter().enumerate() {
        let bind: std::net::SocketAddr = format!("{address}:0").parse().unwrap();
        let endpoint = quinn::Endpoint::client(bind).expect("a client endpoint on a loopback address");
        let share = CROWD / ADDRESSES.len();
        for chunk in (n * share..(n + 1) * share).collect::<Vec<_>>().chunks(25) {
            let logins = chunk.iter().map(|i| {
                let options = ConnectOptions::new(&server.addr, format!("crowd{i:04}"), server.trust());
                let endpoint = endpoint.clone();
                async move { connect_on(&endpoint, &options).await }
            });
            for login in futures_util::future::join_all(logins).await {
                clients.push(login.unwrap_or_else(|e| panic!("a crowd login failed: {e}\n{}", server.log())));
            }
        }
    }
    clients
}

fn presence(value: &Value, event: &str, user: &str) -> bool {
    value["type"] == "presence" && value["event"] == event && value["user"] == user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_large_server_a_client_hears_of_its_direct_partners_not_of_every_login() {
    let server = TestServer::start();
    let mut alice = Cli::login(&server, "alice").await;
    let mut bob = Cli::login(&server, "bob").await;
    let crowd = crowd(&server).await;

    alice.send("/msg bob are you there?").await;
    bob.expect_json("alice's message", |v| (v["type"] == "dm" && v["from"] == "alice").then_some(())).await;
    // Alice now watches bob. The server hears of it within a second (the client sends its
    // list at most once a second), after the echo of her message.
    alice.expect_json("the echo", |v| (v["type"] == "dm" && v["from"] == "alice").then_some(())).await;
    alice.send("/users").await;
    let users = alice
        .expect_json("the whole user list", |v| (v["type"] == "users").then(|| v["users"].clone()))
        .await;
    assert_eq!(users.as_array().map(Vec::len), Some(CROWD + 2), "/users pages through everyone: {users}");

    let zed = Cli::login(&server, "zed").await;
    let welcome = &zed.welcome;
    assert_eq!(welcome["users"].as_array().map(Vec::len), Some(100), "a screenful of names: {welcome}");
    bob.send("/quit").await;
    let seen = alice.json_until("bob going offline", |v| presence(v, "offline", "bob")).await;
    assert!(
        !seen.iter().any(|v| v["user"] == "zed"),
        "alice watches bob, not zed: she should not hear of zed's login:\n{seen:#?}"
    );
    assert!(seen.iter().any(|v| presence(v, "leave", "bob")), "bob left the lobby first:\n{seen:#?}");

    // Ten of the crowd leave; alice hears of none of them, but the count comes within a few
    // seconds: alice, zed and the rest of the crowd.
    for client in &crowd[..10] {
        client.client.quit().await;
    }
    let seen =
        alice.json_until("the count", |v| v["type"] == "online" && v["online"] == CROWD + 2 - 10).await;
    assert!(
        !seen
            .iter()
            .any(|v| v["type"] == "presence" && v["user"].as_str().is_some_and(|u| u.starts_with("crowd"))),
        "alice hears of no one in the crowd:\n{seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_large_server_the_page_shows_the_count_and_everyone_on_request() {
    let server = TestServer::start();
    let crowd = crowd(&server).await;
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.log_in(&server, "alice").await;
    // Alice and the crowd; the Welcome named the first 100 of them, in name order.
    browser.wait_for_text(&format!("{} members", CROWD + 1)).await;
    let heading = browser.find(".users-header h2").await.text().await.expect("the list's heading");
    assert_eq!(heading.to_lowercase(), format!("online — {}", CROWD + 1));
    let first = browser.find("#user-list").await.text().await.expect("the user list");
    assert!(first.contains("crowd0098") && !first.contains("crowd0299"), "a screenful first:\n{first}");
    browser.find("button.show-everyone").await.click().await.expect("click Show everyone");
    browser.wait_for_text("crowd0299").await;
    browser.wait_until_gone("button.show-everyone").await;

    // The last ten of the crowd leave. The page watches the top of its list (alice,
    // crowd0000 to crowd0254) and hears nothing of them: the count comes from the server.
    for client in &crowd[CROWD - 10..] {
        client.client.quit().await;
    }
    let counted = format!("online — {}", CROWD + 1 - 10);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let heading = browser.find(".users-header h2").await.text().await.expect("the list's heading");
        if heading.to_lowercase() == counted {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the heading still says {heading:?}, not {counted:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
