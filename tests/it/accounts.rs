//! Accounts: a claimed name needs its password or a saved token, wrong passwords are slowed
//! down, changing the password revokes tokens, claims survive restarts, nobody renames into a
//! claimed name, and `--require-accounts` admits claimed names only.

use anseo_shared::client::{ConnectError, Connected, Event};
use anseo_shared::protocol::{Credential, ErrorCode, ServerMsg};

use crate::support::{Cli, TestServer, claim, expect_event, login_with, password, try_login};

/// The token the server sends after a password login or a password change.
async fn next_token(client: &mut Connected) -> String {
    expect_event(&mut client.events, "a login token", |e| match e {
        Event::Server(ServerMsg::Token { token, .. }) => Some(token.clone()),
        _ => None,
    })
    .await
}

fn refusal(result: Result<Connected, ConnectError>) -> ConnectError {
    match result {
        Ok(connected) => panic!("the login as {} was accepted", connected.welcome.name),
        Err(error) => error,
    }
}

#[tokio::test]
async fn a_claimed_name_needs_its_password_or_token_and_a_new_password_revokes_tokens() {
    let server = TestServer::start();
    let mut alice = login_with(&server, "alice", password("correct horse")).await;
    let token = next_token(&mut alice).await;
    assert_eq!(token.len(), 64);
    alice.client.quit().await;

    let error = refusal(try_login(&server, "ALICE", None).await);
    assert!(matches!(error, ConnectError::PasswordRequired(_)), "{error:?}");
    assert_eq!(error.to_string(), "the name 'ALICE' is claimed; log in with its password");
    let error = refusal(try_login(&server, "alice", Some(password("correct horsf"))).await);
    assert!(matches!(error, ConnectError::WrongPassword { retry_after_ms: 0, .. }), "{error:?}");
    assert_eq!(error.to_string(), "wrong password for 'alice'");

    let mut alice = login_with(&server, "alice", Credential::Token(token.clone())).await;
    alice.client.set_password("battery staple").await.unwrap();
    let new_token = next_token(&mut alice).await;
    assert_ne!(new_token, token);
    alice.client.quit().await;

    let error = refusal(try_login(&server, "alice", Some(Credential::Token(token))).await);
    assert!(matches!(error, ConnectError::WrongPassword { .. }), "the old token still works: {error:?}");
    let error = refusal(try_login(&server, "alice", Some(password("correct horse"))).await);
    assert!(matches!(error, ConnectError::WrongPassword { .. }), "the old password still works: {error:?}");
    login_with(&server, "alice", Credential::Token(new_token)).await.client.quit().await;
    login_with(&server, "alice", password("battery staple")).await;
    assert!(!server.log().contains("battery staple"), "a password reached the log");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_refused_for_a_while_even_the_right_one() {
    let server = TestServer::start();
    claim(&server, "bob", "bob's secret").await;
    let mut waits = Vec::new();
    for _ in 0..4 {
        match refusal(try_login(&server, "bob", Some(password("guess 1234"))).await) {
            ConnectError::WrongPassword { retry_after_ms, .. } => waits.push(retry_after_ms),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(&waits[..3], [0, 0, 0], "three free tries");
    assert!(waits[3] >= 900, "the fourth failure asks to wait: {waits:?}");
    let error = refusal(try_login(&server, "bob", Some(password("bob's secret"))).await);
    let ConnectError::WrongPassword { retry_after_ms, .. } = error else { panic!("{error:?}") };
    assert!(retry_after_ms > 0, "a blocked name is refused without checking the password");
    assert!(error.to_string().contains("too many tries, try again in"), "{error}");
}

#[tokio::test]
async fn claims_survive_a_restart_and_nobody_renames_into_a_claimed_name() {
    let mut server = TestServer::start();
    claim(&server, "carol", "carol's secret").await;
    assert!(server.terminate().success());
    let server = TestServer::start_in(server.kill(), &[]);
    let error = refusal(try_login(&server, "carol", None).await);
    assert!(matches!(error, ConnectError::PasswordRequired(_)), "{error:?}");

    let mut mallory = server.login("mallory").await;
    mallory.client.nick("Carol").await.unwrap();
    let error = expect_event(&mut mallory.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        Event::Server(ServerMsg::Renamed { .. }) => panic!("renamed into a claimed name"),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::NameTaken);
    assert_eq!(error.message, "the name 'Carol' is claimed; log in with it and its password instead");
}

#[tokio::test]
async fn require_accounts_admits_claimed_names_only() {
    let server = TestServer::start_with(&["--require-accounts"]);
    let error = refusal(try_login(&server, "dan", None).await);
    assert!(matches!(error, ConnectError::AccountRequired(_)), "{error:?}");
    let error = refusal(try_login(&server, "dan", Some(password("short"))).await);
    assert_eq!(error.to_string(), "the password is too short: at least 8 characters");
    let mut dan = login_with(&server, "dan", password("dan's password")).await;
    next_token(&mut dan).await;
    dan.client.nick("daniel").await.unwrap();
    let error = expect_event(&mut dan.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert!(error.message.contains("names are accounts"), "{}", error.message);
}

#[tokio::test]
async fn the_terminal_client_logs_in_with_a_password_file() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let right = files.path().join("right");
    let wrong = files.path().join("wrong");
    std::fs::write(&right, "erin's password\n").unwrap();
    std::fs::write(&wrong, "not erin's password\n").unwrap();
    let fingerprint = server.fingerprint.to_hex();
    let args = |file: &std::path::Path| {
        let file = file.to_str().unwrap().to_string();
        [
            "--server",
            &server.addr,
            "--name",
            "erin",
            "--fingerprint",
            &fingerprint,
            "--json",
            "--password-file",
        ]
        .map(String::from)
        .into_iter()
        .chain([file])
        .collect::<Vec<_>>()
    };

    let mut claim = Cli::spawn(&args(&right));
    claim.expect_json("the welcome", |v| (v["type"] == "welcome").then_some(())).await;
    claim.send("/quit").await;
    assert_eq!(claim.wait_exit().await.code, Some(0));

    let mut without =
        Cli::spawn(&["--server", &server.addr, "--name", "erin", "--fingerprint", &fingerprint]);
    let exit = without.wait_exit().await;
    assert_eq!(exit.code, Some(4), "{exit:?}");
    assert!(exit.stderr.contains("the name 'erin' is claimed; log in with its password"), "{exit:?}");

    let mut guess = Cli::spawn(&args(&wrong));
    let exit = guess.wait_exit().await;
    assert_eq!(exit.code, Some(4), "{exit:?}");
    let out = guess.rest_json().await;
    assert_eq!(out[0]["code"], "wrong_password", "{out:?}");

    let mut again = Cli::spawn(&args(&right));
    again.expect_json("the welcome", |v| (v["type"] == "welcome").then_some(())).await;
}

#[tokio::test]
async fn a_direct_message_to_an_offline_account_waits_for_its_next_login() {
    let server = TestServer::start();
    claim(&server, "fred", "fred's password").await;
    let mut gina = server.login("gina").await;
    gina.client.direct("Fred", "see you at 9").await.unwrap();
    let copy = expect_event(&mut gina.events, "gina's copy", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => Some(m.clone()),
        Event::Server(ServerMsg::Error(error)) => panic!("refused: {error:?}"),
        _ => None,
    })
    .await;
    assert_eq!((copy.from.as_str(), copy.text.as_str()), ("gina", "see you at 9"));
    gina.client.direct("nobody", "hello?").await.unwrap();
    let error = expect_event(&mut gina.events, "the refusal", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::NoSuchUser, "only claimed names get messages while offline");

    let mut fred = login_with(&server, "fred", password("fred's password")).await;
    let waiting = expect_event(&mut fred.events, "the waiting message", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((waiting.from.as_str(), waiting.text.as_str(), waiting.id), ("gina", "see you at 9", copy.id));
    fred.client.quit().await;

    // Delivered once: the next login brings nothing more.
    let mut fred = login_with(&server, "fred", password("fred's password")).await;
    fred.client.list_users().await.unwrap();
    expect_event(&mut fred.events, "the user list", |e| match e {
        Event::Server(ServerMsg::Direct(m)) => panic!("delivered twice: {m:?}"),
        Event::Server(ServerMsg::Users { .. }) => Some(()),
        _ => None,
    })
    .await;
}
