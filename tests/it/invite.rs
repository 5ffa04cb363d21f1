//! Invite links and their QR codes, as people use them: the server's banner prints a link per
//! address, `anseo-cli --link` logs in with it without any trust question and remembers the
//! server; a link with another fingerprint is refused (exit 5) and a malformed one gets exit 2
//! saying what is wrong. The QR code (`anseo-server invite`, as in the banner) decodes to the
//! link, from the terminal's half blocks and from the PNG.

use std::process::Command;

use crate::support::{Cli, TestServer, binary};

/// The banner's invite link for a browser.
fn banner_link(server: &TestServer) -> String {
    let line =
        server.banner.iter().find(|line| line.trim_start().starts_with("invite: ")).expect("an invite line");
    line.trim_start().trim_start_matches("invite: ").to_string()
}

#[tokio::test]
async fn the_banners_link_logs_in_without_a_question_and_remembers_the_server() {
    let server = TestServer::start();
    let link = banner_link(&server);
    assert_eq!(link, format!("https://{}/join#fp={}", server.addr, server.fingerprint.to_hex()));
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_servers");
    let args = ["--link", &link, "--name", "ann", "--known-servers", known.to_str().unwrap(), "--json"];
    let mut ann = Cli::spawn(&args);
    ann.expect_json("the welcome", |v| (v["type"] == "welcome").then_some(())).await;
    let remembered = std::fs::read_to_string(&known).expect("the known-servers file");
    assert!(
        remembered.contains(&server.addr) && remembered.contains(&server.fingerprint.to_hex()),
        "{remembered}"
    );

    // The app's form of the link works the same.
    let app_link = format!("anseo://{}?fp={}", server.addr, server.fingerprint.to_hex());
    let mut bob = Cli::spawn(&["--link", &app_link, "--name", "bob", "--json"]);
    bob.expect_json("the welcome", |v| (v["type"] == "welcome").then_some(())).await;
}

#[tokio::test]
async fn a_link_with_another_fingerprint_is_refused_with_exit_5() {
    let server = TestServer::start();
    let link = format!("https://{}/join#fp={}", server.addr, "ab".repeat(32));
    let mut cli = Cli::spawn(&["--link", &link, "--name", "ann"]);
    let exit = cli.wait_exit().await;
    assert_eq!(exit.code, Some(5), "{exit:?}");
    assert!(exit.stderr.contains("does not match the pinned fingerprint"), "{exit:?}");
    assert!(!server.log().contains("ann joined"), "ann got in:\n{}", server.log());
}

#[tokio::test]
async fn a_malformed_link_gets_exit_2_and_says_what_is_wrong() {
    let cases = [
        ("anseo://192.168.1.5?fp=00", "needs a port"),
        ("https://192.168.1.5:4433/join", "no fingerprint"),
        ("ftp://192.168.1.5:4433/join#fp=00", "starts with https:// or anseo://"),
        ("anseo://192.168.1.5:4433?fp=1234", "not 64 hex digits"),
    ];
    for (link, says) in cases {
        let mut cli = Cli::spawn(&["--link", link, "--name", "ann"]);
        let exit = cli.wait_exit().await;
        assert_eq!(exit.code, Some(2), "{link}: {exit:?}");
        assert!(exit.stderr.contains(says), "{link}: {exit:?}");
    }
}

#[test]
fn the_invite_qr_code_decodes_to_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(tempfile::tempdir().unwrap(), &[]);
    let certs = server.cert_dir();
    let png = dir.path().join("invite.png");
    let output = Command::new(binary("anseo-server"))
        .args(["invite", "--listen", &server.addr, "--cert-dir", certs.to_str().unwrap(), "--png"])
        .arg(&png)
        .output()
        .expect("run anseo-server invite");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let link = stdout.lines().find_map(|line| line.strip_prefix("invite: ")).expect("the link").to_string();
    assert_eq!(link, format!("https://{}/join#fp={}", server.addr, server.fingerprint.to_hex()));

    // The PNG.
    let picture = image::open(&png).expect("the PNG").to_luma8();
    assert_eq!(decode(picture), link);

    // The terminal's: a light block is two light modules, a half block one of each.
    let rows: Vec<&str> = stdout.lines().filter(|line| line.contains('█') || line.contains('▀')).collect();
    let width = rows[0].chars().count() as u32;
    let scale = 6;
    let picture = image::GrayImage::from_fn(width * scale, rows.len() as u32 * 2 * scale, |x, y| {
        let (column, row) = ((x / scale) as usize, (y / scale) as usize);
        let cell = rows[row / 2].chars().nth(column).unwrap_or(' ');
        let light = matches!((cell, row % 2), ('█', _) | ('▀', 0) | ('▄', 1));
        image::Luma([if light { 255 } else { 0 }])
    });
    assert_eq!(decode(picture), link);
}

/// The text of the one QR code in `picture`.
fn decode(picture: image::GrayImage) -> String {
    let mut prepared = rqrr::PreparedImage::prepare(picture);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the QR code decodes").1
}
