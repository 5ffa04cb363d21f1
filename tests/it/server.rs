//! The server as an operator meets it: the banner, the certificate and its fingerprint (as
//! `openssl` computes it), restarts, an operator-supplied certificate, the log, shutdown, the
//! message limit, and listening on both IP families.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anseo_shared::client::{ConnectOptions, Disconnect, Event, Trust, connect};
use anseo_shared::protocol::{ClientMsg, ErrorCode, ServerMsg, close_code};
use anseo_shared::trust::Fingerprint;

use crate::support::{TestServer, WAIT, binary, expect_event};

/// `openssl x509 -fingerprint -sha256` of `cert`, as 64 lowercase hex digits; None when
/// openssl is not installed.
fn openssl_fingerprint(cert: &Path) -> Option<String> {
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(cert)
        .output()
        .ok()?;
    assert!(output.status.success(), "openssl failed: {}", String::from_utf8_lossy(&output.stderr));
    let line = String::from_utf8(output.stdout).unwrap();
    let hex = line.trim().rsplit('=').next().unwrap().replace(':', "").to_lowercase();
    Some(hex)
}

/// `anseo-server fingerprint ARGS...`, trimmed.
fn fingerprint_command(args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(binary("anseo-server")).arg("fingerprint").args(args).output().unwrap();
    assert!(output.status.success(), "fingerprint failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// Waits until the server's log contains `needle` (the log is written a moment after the
/// events clients see).
async fn wait_for_log(server: &TestServer, needle: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !server.log().contains(needle) {
        assert!(tokio::time::Instant::now() < deadline, "the log never said '{needle}':\n{}", server.log());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn banner_names_the_bound_address_and_the_fingerprint() {
    let server = TestServer::start();
    let first = &server.banner[0];
    assert!(first.starts_with("Anseo server listening on 127.0.0.1:"), "{first}");
    let port: u16 = server.addr.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "the banner must show the real port");
    let hex = server.fingerprint.to_hex();
    assert!(
        server.banner.iter().any(|l| l.contains("fingerprint") && l.split_whitespace().any(|w| w == hex)),
        "{:?}",
        server.banner
    );
    let connected = server.login("banner_reader").await;
    assert_eq!(connected.welcome.name, "banner_reader");
}

#[tokio::test]
async fn fingerprint_command_matches_the_banner_and_openssl() {
    let server = TestServer::start();
    let printed = fingerprint_command(&["--cert-dir".as_ref(), server.cert_dir().as_os_str()]);
    assert_eq!(printed, server.fingerprint.to_hex());
    assert_eq!(printed.len(), 64);
    assert!(printed.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{printed}");
    match openssl_fingerprint(&server.cert_dir().join("cert.pem")) {
        Some(openssl) => assert_eq!(openssl, printed),
        None => eprintln!("openssl is not installed: skipping the comparison with openssl"),
    }
}

#[tokio::test]
async fn fingerprint_command_without_a_certificate_fails_and_generates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(binary("anseo-server"))
        .args(["fingerprint", "--cert-dir"])
        .arg(dir.path().join("certs"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no certificate in"), "{stderr}");
    assert!(!dir.path().join("certs").exists());
}

#[tokio::test]
async fn restart_reuses_the_certificate_and_the_key_is_private() {
    let server = TestServer::start();
    let first = server.fingerprint;
    let key = server.cert_dir().join("key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "key.pem has mode {mode:o}");
    }
    let dir = server.kill();
    let restarted = TestServer::start_in(dir, &[]);
    assert_eq!(restarted.fingerprint, first, "a restart must keep the certificate");
    let connected = restarted.login("after_restart").await;
    assert_eq!(connected.welcome.name, "after_restart");
}

#[tokio::test]
async fn a_certificate_made_by_openssl_can_be_used() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("ext-cert.pem"), dir.path().join("ext-key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"])
        .args(["-subj", "/CN=test", "-days", "30", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let Ok(status) = made else {
        eprintln!("openssl is not installed: skipping");
        return;
    };
    assert!(status.success(), "openssl req failed");
    let expected = openssl_fingerprint(&cert).unwrap();
    let server = TestServer::start_with(&["--cert", cert.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    assert_eq!(server.fingerprint.to_hex(), expected);
    assert_eq!(fingerprint_command(&["--cert".as_ref(), cert.as_os_str()]), expected);
    // The generated certificate was not used (nor created).
    assert!(!server.cert_dir().join("cert.pem").exists());
    let connected = server.login("external_cert_user").await;
    assert_eq!(connected.welcome.name, "external_cert_user");
}

#[tokio::test]
async fn sigterm_tells_clients_the_server_is_shutting_down_and_exits_cleanly() {
    let mut server = TestServer::start();
    let mut alice = server.login("alice").await;
    let status = server.terminate();
    assert!(status.success(), "the server exited with {status}\nlog:\n{}", server.log());
    let reason = expect_event(&mut alice.events, "the shutdown notice", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    match reason {
        Disconnect::ByServer { code, reason } => {
            assert_eq!(code, close_code::SHUTDOWN);
            assert!(reason.contains("shutting down"), "{reason}");
        }
        other => panic!("expected a close by the server, got {other:?}"),
    }
}

#[tokio::test]
async fn log_has_one_line_per_login_and_logout_with_the_count_and_no_message_text() {
    let server = TestServer::start();
    let alice = server.login("alice").await;
    wait_for_log(&server, "alice joined (1 online)").await;
    let mut bob = server.login("bob").await;
    wait_for_log(&server, "bob joined (2 online)").await;
    alice.client.say("lobby", "a very private sentence").await.unwrap();
    expect_event(&mut bob.events, "alice's message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "a very private sentence" => Some(()),
        _ => None,
    })
    .await;
    alice.client.quit().await;
    wait_for_log(&server, "alice left (1 online)").await;
    bob.client.quit().await;
    wait_for_log(&server, "bob left (0 online)").await;
    let log = server.log();
    assert_eq!(log.matches("alice joined").count(), 1, "{log}");
    assert_eq!(log.matches("alice left").count(), 1, "{log}");
    assert!(log.contains("connection from 127.0.0.1:"), "{log}");
    assert!(!log.contains("very private"), "message text must never be logged:\n{log}");
}

#[tokio::test]
async fn max_message_chars_is_reported_in_welcome_and_enforced() {
    let server = TestServer::start_with(&["--max-message-chars", "10"]);
    let mut alice = server.login("alice").await;
    assert_eq!(alice.welcome.limits.max_message_chars, 10);
    assert_eq!(alice.client.max_message_chars(), 10);
    // The client core refuses locally; a raw send shows the server enforces it too.
    assert!(alice.client.say("lobby", "eleven chars").await.is_err());
    let text = "x".repeat(11);
    alice
        .client
        .send(ClientMsg::Say { room: "lobby".into(), text, client_msg_id: 77, attachment: None })
        .await
        .unwrap();
    let error = expect_event(&mut alice.events, "the too-long error", |e| match e {
        Event::Server(ServerMsg::Error(error)) => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(error.code, ErrorCode::TooLong);
    assert_eq!(error.client_msg_id, Some(77));
    let id = alice.client.say("lobby", "ten chars!").await.unwrap();
    let echo = expect_event(&mut alice.events, "the 10-character message", |e| match e {
        Event::Server(ServerMsg::Message(m)) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!((echo.text.as_str(), echo.client_msg_id), ("ten chars!", id));
}

#[tokio::test]
async fn a_message_limit_above_the_protocol_limit_is_refused_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(binary("anseo-server"))
        .args(["--listen", "127.0.0.1:0", "--max-message-chars", "10001", "--cert-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--max-message-chars"), "{stderr}");
    assert!(!dir.path().join("cert.pem").exists(), "nothing should start");
}

/// A server on `[::]:0`, started by hand because the harness always listens on 127.0.0.1.
/// Returns the process, its port and fingerprint.
fn start_wildcard(dir: &Path) -> (std::process::Child, u16, Fingerprint) {
    let mut child = Command::new(binary("anseo-server"))
        .args(["--listen", "[::]:0", "--cert-dir"])
        .arg(dir.join("certs"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    // Keep reading stdout to the end so the server never writes into a closed pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(WAIT).unwrap();
    let port = first.rsplit(':').next().unwrap().trim().parse().unwrap();
    let fingerprint = rx
        .iter()
        .find_map(|l| l.split_whitespace().find(|w| w.len() == 64).map(str::to_string))
        .unwrap()
        .parse()
        .unwrap();
    (child, port, fingerprint)
}

#[tokio::test]
async fn wildcard_listen_serves_ipv4_and_ipv6_clients() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port, fingerprint) = start_wildcard(dir.path());
    let v4 =
        connect(&ConnectOptions::new(format!("127.0.0.1:{port}"), "over_ipv4", Trust::Pinned(fingerprint)))
            .await;
    let v6 =
        connect(&ConnectOptions::new(format!("[::1]:{port}"), "over_ipv6", Trust::Pinned(fingerprint))).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(v4.expect("an IPv4 client reaches [::]").welcome.name, "over_ipv4");
    match v6 {
        Ok(connected) => assert!(connected.welcome.users.contains(&"over_ipv4".to_string())),
        Err(error) => eprintln!("no IPv6 loopback here ({error}); IPv4 through [::] checked"),
    }
}

#[tokio::test]
async fn ctrl_c_also_tells_clients_the_server_is_shutting_down() {
    let server = TestServer::start();
    let mut alice = server.login("alice").await;
    let status = Command::new("kill").arg("-INT").arg(server.pid().to_string()).status().unwrap();
    assert!(status.success());
    let reason = expect_event(&mut alice.events, "the shutdown notice", |e| match e {
        Event::Closed(reason) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(
        matches!(&reason, Disconnect::ByServer { code, reason } if *code == close_code::SHUTDOWN && reason == "server shutting down"),
        "{reason:?}"
    );
}
