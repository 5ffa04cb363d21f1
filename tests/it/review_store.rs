//! The store and accounts under abuse and failure: client message ids over the whole `u64`
//! range, a write that fails (it fails alone, is answered, and may be sent again), one server
//! per data folder, a private data folder, passwords guessed for someone else's name, claims
//! flooded from one address, and direct messages piling up for an offline user.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{ClientMsg, Credential, ErrorCode, ErrorReply, ServerMsg};

use crate::support::{TestServer, WAIT, binary, claim, expect_event, login_with, password, try_login};

/// Logs in as a client that resumes itself (instance `instance`): its sends are recorded,
/// and one at or below the highest id so far is answered `already_posted`.
async fn login_resuming(server: &TestServer, name: &str, instance: u64) -> Connected {
    let mut options = ConnectOptions::new(&server.addr, name, server.trust());
    options.instance = Some(instance);
    match connect(&options).await {
        Ok(connected) => connected,
        Err(error) => panic!("login as {name} failed: {error}\n{}", server.log()),
    }
}

/// The token the server sends after a password login.
async fn next_token(client: &mut Connected) -> String {
    expect_event(&mut client.events, "a login token", |e| match e {
        Event::Server(ServerMsg::Token { token, .. }) => Some(token.clone()),
        _ => None,
    })
    .await
}

/// The next error reply.
async fn next_error(client: &mut Connected, what: &str) -> ErrorReply {
    expect_event(&mut client.events, what, |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await
}

fn data_dir(server: &TestServer) -> PathBuf {
    server.dir.path().join("data")
}

/// Opens the server's database beside it, to make its writes fail on purpose.
fn database(server: &TestServer) -> rusqlite::Connection {
    let connection =
        rusqlite::Connection::open(data_dir(server).join("anseo.db")).expect("open the database");
    connection.busy_timeout(WAIT).expect("busy timeout");
    connection
}

/// Makes every insert into `table` of a message with `text` fail, until the trigger is dropped.
fn refuse_inserts(connection: &rusqlite::Connection, table: &str, text: &str) {
    let trigger = format!(
        "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN NEW.text = '{text}'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
    );
    connection.execute_batch(&trigger).expect("create the trigger");
}

fn allow_inserts(connection: &rusqlite::Connection, table: &str) {
    connection.execute_batch(&format!("DROP TRIGGER refuse_{table};")).expect("drop the trigger");
}

#[tokio::test]
async fn a_room_message_with_the_largest_client_message_id_is_stored_and_confirmed() {
    let mut server = TestServer::start();
    let mut alice = server.login("alice").await;
    let say = ClientMsg::Say {
        room: "lobby".into(),
        text: "the last id".into(),
        client_msg_id: u64::MAX,
        attachment: None,
    };
    alice.client.send(say).await.unwrap();
    let message = expect_event(&mut alice.events, "the confirmation", |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        Event::Server(ServerMsg::Error(error)) => panic!("the message was refused: {error:?}"),
        _ => None,
    })
    .await;
    assert_eq!((message.text.as_str(), message.client_msg_id), ("the last id", u64::MAX));
    alice.client.quit().await;

    assert!(server.terminate().success());
    let server = TestServer::start_in(server.kill(), &[]);
    let mut bob = server.login("bob").await;
    let page = expect_event(&mut bob.events, "the lobby's history", |e| match e {
        Event::Server(ServerMsg::History(page)) => Some(page.clone()),
        _ => None,
    })
    .await;
    let ids: Vec<u64> = page.messages.iter().map(|m| m.client_msg_id).collect();
    assert_eq!(ids, [u64::MAX], "the id survives a restart whole");
}

#[tokio::test]
async fn a_direct_message_that_cannot_be_saved_is_answered_and_may_be_sent_again() {
    let server = TestServer::start();
    let mut bob = server.login("bob").await;
    let mut alice = login_resuming(&server, "alice", 41).await;
    let connection = database(&server);
    refuse_inserts(&connection, "direct_messages", "fail me");

    let id = alice.client.direct("bob", "fail me").await.unwrap();
    let error = next_error(&mut alice, "the refusal of the unsaved message").await;
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::Unavailable, Some(id)));

    allow_inserts(&connection, "direct_messages");
    let resend =
        ClientMsg::Direct { to: "bob".into(), text: "fail me".into(), client_msg_id: id, attachment: None };
    alice.client.send(resend).await.unwrap();
    let copy = expect_event(&mut alice.events, "the confirmation of the resend", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => Some(m.clone()),
        Event::Server(ServerMsg::Error(error)) => panic!("the resend was refused: {error:?}"),
        _ => None,
    })
    .await;
    assert_eq!(copy.client_msg_id, id);
    let received = expect_event(&mut bob.events, "the message", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((received.from.as_str(), received.text.as_str()), ("alice", "fail me"));
}

#[tokio::test]
async fn a_room_message_that_cannot_be_saved_may_be_sent_again_and_others_are_kept() {
    let server = TestServer::start();
    let mut alice = login_resuming(&server, "alice", 42).await;
    let mut carol = server.login("carol").await;
    let connection = database(&server);
    refuse_inserts(&connection, "room_messages", "fail me");

    let id = alice.client.say("lobby", "fail me").await.unwrap();
    carol.client.say("lobby", "carol's message").await.unwrap();
    let error = next_error(&mut alice, "the refusal of the unsaved message").await;
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::Unavailable, Some(id)));
    expect_event(&mut carol.events, "carol's confirmation", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "carol's message" => Some(()),
        Event::Server(ServerMsg::Error(error)) => panic!("carol's message was refused: {error:?}"),
        _ => None,
    })
    .await;

    allow_inserts(&connection, "room_messages");
    let resend =
        ClientMsg::Say { room: "lobby".into(), text: "fail me".into(), client_msg_id: id, attachment: None };
    alice.client.send(resend).await.unwrap();
    let message = expect_event(&mut alice.events, "the confirmation of the resend", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "fail me" => Some(m.clone()),
        Event::Server(ServerMsg::Error(error)) => panic!("the resend was refused: {error:?}"),
        _ => None,
    })
    .await;
    assert_eq!(message.client_msg_id, id);
}

/// Waits (at most [`WAIT`]) for a child process to exit; kills it and fails if it does not.
fn wait_for_exit(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the process") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still runs after {WAIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_second_server_on_the_same_data_folder_refuses_to_start_naming_the_first() {
    let server = TestServer::start();
    let data = data_dir(&server);
    let stderr = server.dir.path().join("second.log");
    let mut second = Command::new(binary("anseo-server"))
        .args(["--listen", "127.0.0.1:0", "--cert-dir"])
        .arg(server.cert_dir())
        .arg("--data-dir")
        .arg(&data)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("start the second server");
    let status = wait_for_exit(&mut second, "the second server");
    let message = std::fs::read_to_string(&stderr).unwrap();
    assert!(!status.success(), "the second server exited with success: {message}");
    assert!(message.contains(&data.display().to_string()), "the folder is not named: {message}");
    assert!(message.contains(&format!("process {}", server.pid())), "the holder is not named: {message}");
    // The first server goes on.
    server.login("alice").await;
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_the_database_are_private_even_in_an_existing_open_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = TestServer::start_in(dir, &[]);
    let mut alice = server.login("alice").await;
    alice.client.say("lobby", "written to the log").await.unwrap();
    expect_event(&mut alice.events, "the confirmation", |e| match e {
        Event::Server(ServerMsg::Message(_)) => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(mode(&data), 0o700, "the data folder");
    for file in ["anseo.db", "anseo.db-wal", "anseo.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn wrong_passwords_from_someone_else_do_not_slow_the_owners_token_login() {
    let server = TestServer::start();
    let mut bob = login_with(&server, "bob", password("bob's secret")).await;
    let token = next_token(&mut bob).await;
    bob.client.quit().await;
    let mut last_wait = 0;
    for _ in 0..5 {
        match try_login(&server, "bob", Some(password("a guess 1234"))).await {
            Err(ConnectError::WrongPassword { retry_after_ms, .. }) => last_wait = retry_after_ms,
            other => panic!("a wrong password was not refused: {:?}", other.map(|c| c.welcome.name)),
        }
    }
    assert!(last_wait > 0, "the guesses are slowed down");
    let bob = login_with(&server, "bob", Credential::Token(token)).await;
    assert_eq!(bob.welcome.name, "bob");
}

#[tokio::test]
async fn guesses_sent_all_at_once_are_counted_before_they_are_checked() {
    let server = TestServer::start();
    claim(&server, "bob", "bob's secret").await;
    let guesses = (0..10).map(|n| try_login(&server, "bob", Some(password(&format!("guess number {n}")))));
    let results = futures_util::future::join_all(guesses).await;
    assert!(results.iter().all(|r| matches!(r, Err(ConnectError::WrongPassword { .. }))));
    // Three free tries and the one that starts the wait were checked; the others were
    // refused without hashing them.
    let checked = server.log().matches("wrong password for \"bob\"").count();
    assert_eq!(checked, 4, "{}", server.log());
}

#[tokio::test]
async fn one_address_may_claim_only_so_many_names_at_once() {
    let server = TestServer::start();
    for n in 0..10 {
        login_with(&server, &format!("user{n}"), password("a good password")).await.client.quit().await;
    }
    let error = match try_login(&server, "user10", Some(password("a good password"))).await {
        Ok(_) => panic!("the eleventh claim from one address was accepted"),
        Err(error) => error,
    };
    assert!(error.to_string().contains("too many passwords set from your address; try again in"), "{error}");
}

#[tokio::test]
async fn a_name_with_a_control_character_is_logged_escaped() {
    let server = TestServer::start();
    let controls = ['\u{1b}', '\r', '\u{7}', '\u{8}', '\u{85}'];
    for control in controls {
        let result = try_login(&server, &format!("evil{control}name"), None).await;
        assert!(matches!(result, Err(ConnectError::InvalidName(_))), "{:?}", result.err());
    }
    let log = server.log();
    assert_eq!(log.matches("login from").count(), controls.len(), "each refusal is logged: {log}");
    for control in controls {
        assert!(!log.contains(control), "a raw {control:?} reached the log: {log:?}");
    }
}

/// Sends `count` direct messages from `sender` to `to`, each `size` characters, and waits
/// for each to be confirmed (twenty at a time, so the sender's own queue never fills).
async fn send_directs(sender: &mut Connected, to: &str, count: usize, size: usize) {
    for first in (0..count).step_by(20) {
        let batch = first..count.min(first + 20);
        for n in batch.clone() {
            let text = format!("{n:04} {}", "x".repeat(size.saturating_sub(5)));
            sender.client.direct(to, &text).await.unwrap();
        }
        for n in batch {
            expect_event(&mut sender.events, &format!("confirmation {n}"), |e| match e {
                Event::Server(ServerMsg::Direct(_)) => Some(()),
                Event::Server(ServerMsg::Error(error)) => panic!("message {n} was refused: {error:?}"),
                _ => None,
            })
            .await;
        }
    }
}

/// Waits for `count` direct messages and returns their numbers (the text's first word).
async fn receive_directs(receiver: &mut Connected, count: usize) -> Vec<usize> {
    let mut numbers = Vec::with_capacity(count);
    for n in 0..count {
        let number = expect_event(&mut receiver.events, &format!("waiting message {n}"), |e| match e {
            Event::Server(ServerMsg::Direct(m)) => m.text.split(' ').next().and_then(|w| w.parse().ok()),
            _ => None,
        })
        .await;
        numbers.push(number);
    }
    numbers
}

/// Flags that let one test client send quickly.
const FAST_SENDER: [&str; 4] = ["--rate-limit-per-sec", "100000", "--rate-limit-burst", "100000"];

#[tokio::test]
async fn waiting_messages_are_handed_over_at_the_pace_of_a_small_queue_and_none_is_lost() {
    let args: Vec<&str> = FAST_SENDER.iter().copied().chain(["--max-queued-bytes", "16384"]).collect();
    let server = TestServer::start_with(&args);
    claim(&server, "bob", "bob's secret").await;
    let mut alice = server.login("alice").await;
    // 150 messages of 200 characters: twice what bob's queue holds.
    send_directs(&mut alice, "bob", 150, 200).await;

    let mut bob = login_with(&server, "bob", password("bob's secret")).await;
    assert_eq!(receive_directs(&mut bob, 150).await, (0..150).collect::<Vec<_>>());
    bob.client.quit().await;
    let mut bob = login_with(&server, "bob", password("bob's secret")).await;
    bob.client.list_users().await.unwrap();
    expect_event(&mut bob.events, "the user list", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => panic!("delivered twice: {m:?}"),
        Event::Server(ServerMsg::Users { .. }) => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn at_most_a_thousand_messages_wait_for_one_name_and_the_newest_is_refused() {
    let server = TestServer::start_with(&FAST_SENDER);
    claim(&server, "bob", "bob's secret").await;
    let mut alice = server.login("alice").await;
    send_directs(&mut alice, "bob", 1000, 20).await;
    let id = alice.client.direct("bob", "one too many").await.unwrap();
    let error = next_error(&mut alice, "the refusal of the 1001st").await;
    assert_eq!((error.code, error.client_msg_id), (ErrorCode::Unavailable, Some(id)));
    assert_eq!(error.message, "bob has 1000 messages waiting; try again when they have read them");

    // Once bob has read them, there is room again.
    let mut bob = login_with(&server, "bob", password("bob's secret")).await;
    assert_eq!(receive_directs(&mut bob, 1000).await.len(), 1000);
    bob.client.quit().await;
    send_directs(&mut alice, "bob", 1, 20).await;
}
