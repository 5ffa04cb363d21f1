//! The web client in a real browser (headless Chromium, driven through WebDriver), served by
//! the server itself with its default settings: the page logs in and chats with the terminal
//! client byte for byte, both ways, in a room and in direct messages, over WebTransport and
//! over the WebSocket; it sends what was typed during a server restart once, in order; it
//! fits a phone's screen and follows a system set to dark; WebTransport is refused a wrong
//! certificate hash. Screenshots go to
//! `target/e2e/` (look at them by eye).

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::json;

use crate::support::{Browser, Cli, DARK_PHONE, DESKTOP, Engine, MIB, PHONE, TestServer, claim, make_file};

/// The terminal client as tess, and Chromium logged in as wendy (tess has seen her come).
async fn tess_and_wendy(server: &TestServer) -> (Cli, Browser) {
    let mut tess = Cli::login(server, "tess").await;
    let browser = Browser::chromium(server, DESKTOP).await;
    browser.log_in(server, "wendy").await;
    tess.expect_json("wendy online", |v| (v["event"] == "online" && v["user"] == "wendy").then_some(()))
        .await;
    (tess, browser)
}

/// Whether the CLI event is a message from `from`.
fn message_from<'a>(
    kind: &'a str,
    from: &'a str,
) -> impl FnMut(&serde_json::Value) -> Option<serde_json::Value> + 'a {
    move |v| (v["type"] == kind && v["from"] == from).then(|| v.clone())
}

#[tokio::test]
async fn chromium_chats_with_the_terminal_client_over_web_transport() {
    chats_with_the_terminal_client(Engine::Chromium, "/", "WebTransport").await;
}

#[tokio::test]
async fn chromium_chats_with_the_terminal_client_over_the_websocket() {
    chats_with_the_terminal_client(Engine::Chromium, "/?transport=ws", "WebSocket").await;
}

/// The page at `path`, in `engine`, shows the server's fingerprint, logs in (over
/// `transport`, as the server's log says) and chats with a terminal client: both ways in the
/// lobby, Unicode intact, and a direct message each way. Screenshots are named `browser-…`
/// for Chromium, `firefox-…` for Firefox.
pub(crate) async fn chats_with_the_terminal_client(engine: Engine, path: &str, transport: &str) {
    let shots = match engine {
        Engine::Chromium => "browser",
        Engine::Firefox => "firefox",
    };
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let browser = Browser::start(engine, &server, DESKTOP).await;
    browser.open(&server, path).await;
    let fingerprint = browser.find("#login-fingerprint").await.text().await.unwrap();
    let groups = server.fingerprint.grouped();
    assert!(fingerprint.contains(groups.lines().next().unwrap()), "{fingerprint}");
    let shown = browser.find("#login-server").await.text().await.unwrap();
    assert!(shown.contains(&server.web_addr()), "{shown}");
    browser.screenshot(&format!("{shots}-login-desktop")).await;

    browser.log_in_at(&server, path, "wendy").await;
    tess.expect_json("wendy online", |v| (v["event"] == "online" && v["user"] == "wendy").then_some(()))
        .await;
    let log = server.log();
    let wanted = format!("{transport} connection from 127.0.0.1:");
    assert!(log.contains(&wanted), "server log:\n{log}\n{engine}'s driver log:\n{}", browser.log());

    let text = format!("héllo from {engine} — ünïcode ✓ 日本語");
    browser.say(&text).await;
    let seen = tess.expect_json("wendy's message", message_from("message", "wendy")).await;
    assert_eq!((seen["room"].clone(), seen["text"].clone()), (json!("lobby"), json!(text)));

    tess.send("and back to the browser 🌍").await;
    browser.wait_for_text("and back to the browser 🌍").await;

    // A direct message each way.
    tess.send("/msg wendy psst, only you").await;
    let conversation = browser.find("[aria-label='Conversation with tess, 1 unread']").await;
    conversation.click().await.expect("open the conversation");
    browser.wait_for_text("psst, only you").await;
    browser.say("got it, tess").await;
    let dm = tess.expect_json("wendy's direct message", message_from("dm", "wendy")).await;
    assert_eq!((dm["to"].clone(), dm["text"].clone()), (json!("tess"), json!("got it, tess")));
    browser.screenshot(&format!("{shots}-chat-desktop-{}", transport.to_lowercase())).await;
}

/// Opens a WebTransport session from the page to `url` with `hash` (hex) as the only
/// certificate hash allowed; says "ready" or why it failed.
const OPEN_WEB_TRANSPORT: &str = r#"
    const [url, hex, done] = arguments;
    const value = new Uint8Array(hex.match(/../g).map((byte) => parseInt(byte, 16)));
    try {
        const transport = new WebTransport(url, { serverCertificateHashes: [{ algorithm: "sha-256", value }] });
        transport.ready.then(() => { transport.close(); done("ready"); }, (error) => done("failed: " + error));
    } catch (error) {
        done("failed: " + error);
    }
"#;

#[tokio::test]
async fn web_transport_needs_the_hash_of_the_certificate_the_server_presents() {
    let server = TestServer::start();
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.open(&server, "/").await;
    let facts = server.facts().await;
    let (port, hash) = (&facts["web_transport"]["port"], facts["web_transport"]["certificate_hash"].as_str());
    let hash = hash.expect("the server offers WebTransport with a certificate hash").to_string();
    let url = format!("https://127.0.0.1:{port}/wt");
    let open = |url: String, hash: String| {
        let browser = &browser;
        async move {
            let outcome =
                browser.client.execute_async(OPEN_WEB_TRANSPORT, vec![json!(url), json!(hash)]).await;
            outcome.expect("run the script").as_str().unwrap_or_default().to_string()
        }
    };
    let outcome = open(url.clone(), hash.clone()).await;
    assert_eq!(outcome, "ready", "with the hash the server gives; server log:\n{}", server.log());
    let mut wrong = hash.into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let outcome = open(url.clone(), String::from_utf8(wrong).unwrap()).await;
    assert!(outcome.starts_with("failed"), "with a wrong hash: {outcome}");
}
#[tokio::test]
async fn chromium_on_a_phone_screen_shows_one_pane_and_chats() {
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let browser = Browser::chromium(&server, PHONE).await;
    browser.open(&server, "/").await;
    browser.find("#login-name").await;
    browser.screenshot("browser-login-phone").await;
    browser.log_in(&server, "pia").await;
    browser.say("from a phone").await;
    let seen = tess.expect_json("pia's message", message_from("message", "pia")).await;
    assert_eq!(seen["text"], json!("from a phone"));
    // Up to 600 px wide, the room list is not beside the conversation.
    let sidebar = browser.client.find(Locator::Css("nav.sidebar")).await;
    let beside = match sidebar {
        Ok(sidebar) => sidebar.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    };
    assert!(!beside, "the room list shows beside the conversation on a phone");
    browser.screenshot("browser-chat-phone").await;
}

#[tokio::test]
async fn chromium_sends_what_was_typed_during_a_restart_once_in_order() {
    let server = TestServer::start();
    let (addr, web) = (server.addr.clone(), server.web_addr());
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.log_in(&server, "wendy").await;
    browser.say("before").await;
    browser.wait_for_text("before").await;
    let dir = server.kill();
    for i in 1..=3 {
        browser.say(&format!("while away {i}")).await;
    }
    let server = TestServer::start_at(dir, &addr, &["--web-listen", &web]);
    assert!(browser.text().await.contains("while away 3"), "the page shows what waits to be sent");
    // Everything confirmed: no line waits any more.
    browser.wait_until_gone("article.pending").await;
    let mut tess = Cli::login(&server, "tess").await;
    // The lobby's history at login: each of wendy's messages once, in order.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let message = tess.expect_json("wendy's messages", message_from("message", "wendy")).await;
        seen.push(message["text"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(seen, ["before", "while away 1", "while away 2", "while away 3"]);
    tess.send("welcome back").await;
    browser.wait_for_text("welcome back").await;
}

/// Sends each of the lines given, as Enter in the composer does, all at once.
const SEND_EACH: &str = r#"
    const box = document.getElementById("composer");
    for (const line of arguments[0]) {
        box.value = line;
        box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    }
"#;

#[tokio::test]
async fn messages_not_confirmed_when_the_tab_is_reloaded_are_sent_once_after() {
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.log_in(&server, "wendy").await;
    // Sent in one go, faster than the server's rate limit (a burst of 50, then 10 a
    // second): the page paces them, and many wait unconfirmed when the tab is reloaded.
    let texts: Vec<String> = (1..=80).map(|i| format!("line {i}")).collect();
    browser.find("#composer").await;
    browser.client.execute(SEND_EACH, vec![json!(texts)]).await.expect("send the lines");
    browser.find("article.pending").await;
    browser.client.refresh().await.expect("reload the tab");
    browser.log_in(&server, "wendy").await;
    let mut seen = Vec::new();
    while seen.len() < texts.len() {
        let message = tess.expect_json("wendy's messages", message_from("message", "wendy")).await;
        seen.push(message["text"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(seen, texts, "each once, in order");
    browser.wait_until_gone("article.pending").await;
    // Nothing more comes: a sentinel from the page is the next thing tess sees.
    browser.say("the end").await;
    let next = tess.expect_json("wendy's next message", message_from("message", "wendy")).await;
    assert_eq!(next["text"], json!("the end"));
}

#[tokio::test]
async fn a_claimed_name_needs_its_password_once_per_browser() {
    let server = TestServer::start();
    claim(&server, "bob", "bob's password").await;
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.open(&server, "/").await;
    browser.find("#login-name").await.send_keys("bob").await.expect("type the name");
    let password = browser.find("#login-password").await;
    password.send_keys("bob's password").await.expect("type the password");
    password.send_keys(&Key::Enter).await.expect("press Enter");
    browser.find("#composer").await;
    // The login token is in the page's storage, for this server and name.
    let kept = browser.client.execute("return localStorage.getItem('anseo.tokens.json')", vec![]).await;
    let kept: serde_json::Value = serde_json::from_str(kept.unwrap().as_str().unwrap_or("null")).unwrap();
    assert_eq!(kept["tokens"][0]["name"], json!("bob"), "{kept}");
    assert_eq!(kept["tokens"][0]["server"], json!(server.web_addr()), "{kept}");

    // Reloaded, the page logs in with the name alone.
    browser.client.refresh().await.expect("reload");
    browser.log_in(&server, "bob").await;
    browser.say("back without typing the password").await;
    browser.wait_for_text("back without typing the password").await;

    // Another browser, without the token, is asked for the password.
    let other = Browser::chromium(&server, DESKTOP).await;
    other.open(&server, "/").await;
    let name = other.find("#login-name").await;
    name.send_keys("bob").await.expect("type the name");
    name.send_keys(&Key::Enter).await.expect("press Enter");
    other.wait_for_text("The name 'bob' is claimed: enter its password").await;
}

#[tokio::test]
async fn the_page_follows_a_system_set_to_dark() {
    let server = TestServer::start();
    let browser = Browser::chromium(&server, DARK_PHONE).await;
    browser.log_in(&server, "nia").await;
    browser.say("in the dark").await;
    browser.wait_for_text("in the dark").await;
    let script = "return [matchMedia('(prefers-color-scheme: dark)').matches, \
                  getComputedStyle(document.querySelector('.conversation')).backgroundColor]";
    let looks = browser.client.execute(script, vec![]).await.expect("read the page's colours");
    assert_eq!(looks[0], json!(true), "the browser asks for the dark theme: {looks}");
    let background = looks[1].as_str().unwrap_or_default().to_string();
    let channels: Vec<u32> = background
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .filter_map(|channel| channel.trim().parse().ok())
        .collect();
    assert_eq!(channels.len(), 3, "{background}");
    assert!(channels.iter().all(|&channel| channel < 80), "the conversation is not dark: {background}");
    browser.screenshot("browser-chat-phone-dark").await;
}

/// A picture shared from the terminal shows inline in the page, from the preview the
/// message carries: decoded at its size (320 x 240 for a 400 x 300 photo) and in its colour,
/// with its name, caption and a Download button.
#[tokio::test]
async fn a_picture_sent_from_the_terminal_shows_inline() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("board.jpg");
    image::RgbImage::from_pixel(400, 300, image::Rgb([200, 40, 40])).save(&photo).unwrap();
    let (mut tess, browser) = tess_and_wendy(&server).await;

    tess.send(&format!("/send {} the board", photo.display())).await;
    tess.expect_json("the echo", |v| (v["attachment"]["name"] == "board.jpg").then_some(())).await;
    browser.find("img.file-preview").await;
    browser.wait_for_text("the board").await;
    // The preview (320 x 240) shows first; then the page fetches the full picture into its
    // memory, checks it against its hash, and shows it.
    let shown = "const img = document.querySelector('img.file-preview');
        if (!img || !img.complete || img.naturalWidth !== 400) return null;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const [r, g, b] = context.getImageData(160, 120, 1, 1).data;
        return [img.naturalWidth, img.naturalHeight, r, g, b];";
    let mut seen = serde_json::Value::Null;
    for _ in 0..50 {
        seen = browser.client.execute(shown, vec![]).await.expect("read the picture");
        if !seen.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let pixels: Vec<i64> =
        seen.as_array().expect("the preview decoded").iter().filter_map(|v| v.as_i64()).collect();
    assert_eq!(&pixels[..2], [400, 300], "the full picture's size");
    let close = |value: i64, wanted: i64| (value - wanted).abs() <= 12;
    assert!(close(pixels[2], 200) && close(pixels[3], 40) && close(pixels[4], 40), "its colour: {pixels:?}");
    let text = browser.text().await;
    assert!(text.contains("board.jpg") && text.contains("image/jpeg") && text.contains("Download"), "{text}");
    browser.screenshot("browser-picture").await;
}

/// A file picked with the paperclip in the browser goes up over WebTransport and reaches the
/// terminal client whole.
#[tokio::test]
async fn a_file_picked_in_the_browser_arrives_at_the_terminal_client() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let notes = make_file(files.path(), "homework notes.pdf", 3 * MIB, 21);
    let bytes = std::fs::read(&notes).unwrap();
    let (mut tess, browser) = tess_and_wendy(&server).await;

    let input = browser.find("#attach-file").await;
    input.send_keys(notes.to_str().unwrap()).await.expect("pick the file");
    let message = tess.expect_json("wendy's file", message_from("message", "wendy")).await;
    let attachment = &message["attachment"];
    assert_eq!(attachment["name"], "homework notes.pdf", "{message}");
    assert_eq!(attachment["size"], bytes.len(), "{message}");
    assert_eq!(attachment["hash"], blake3::hash(&bytes).to_hex().as_str(), "{message}");
    let copy = files.path().join("copy.pdf");
    tess.send(&format!("/get {} {}", attachment["hash"].as_str().unwrap(), copy.display())).await;
    tess.expect_json("the download", |v| (v["type"] == "downloaded").then_some(())).await;
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
    browser.screenshot("browser-file-sent").await;
}

/// Download in the browser saves the file the terminal client sent, checked against its hash,
/// into the browser's downloads, under its name.
#[tokio::test]
async fn a_file_from_the_terminal_is_saved_by_the_browser() {
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let notes = make_file(files.path(), "notes.bin", 2 * MIB, 22);
    let bytes = std::fs::read(&notes).unwrap();
    let (mut tess, browser) = tess_and_wendy(&server).await;

    tess.send(&format!("/send {} the notes", notes.display())).await;
    tess.expect_json("the echo", |v| (v["attachment"]["name"] == "notes.bin").then_some(())).await;
    browser.find("button.file-download").await.click().await.expect("click Download");
    browser.wait_for_text("Saved to your browser's downloads (notes.bin)").await;
    let saved = browser.downloads().join("notes.bin");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read(&saved).ok().as_deref() != Some(bytes.as_slice()) {
        assert!(std::time::Instant::now() < deadline, "{} never held the file", saved.display());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The microphone records a voice clip (Chromium's fake microphone, a beep) and a second press
/// sends it as a WAV file, which plays in place in the page and reaches the terminal client.
#[tokio::test]
async fn a_voice_clip_recorded_in_the_browser_arrives_as_a_wav_file() {
    let server = TestServer::start();
    let (mut tess, browser) = tess_and_wendy(&server).await;

    browser.find("#voice-record").await.click().await.expect("start recording");
    browser.find("#voice-record[aria-pressed='true']").await;
    // Speak for a second and a half.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    browser.find("#voice-record").await.click().await.expect("stop recording");
    let message = tess.expect_json("wendy's clip", message_from("message", "wendy")).await;
    let attachment = &message["attachment"];
    assert_eq!(attachment["mime"], "audio/x-wav", "{message}");
    assert!(attachment["name"].as_str().unwrap().starts_with("voice clip "), "{message}");
    let size = attachment["size"].as_u64().unwrap();
    // 16 kHz, 16-bit mono: 32 000 bytes a second, after a 44-byte header.
    assert!((32_000..=64_000).contains(&size), "about 1.5 s of sound: {size} bytes");
    browser.find("audio.file-audio").await;
    browser.screenshot("browser-voice-clip").await;
}

/// The banner's invite link opens the web client in a browser (what a phone's camera does with
/// the QR code); a link pinning another certificate shows a warning not to log in.
#[tokio::test]
async fn an_invite_link_opens_the_page_and_a_wrong_fingerprint_is_warned_about() {
    let server = TestServer::start();
    let browser = Browser::chromium(&server, PHONE).await;
    let right = format!("/join#fp={}", server.fingerprint.to_hex());
    browser.open(&server, &right).await;
    browser.find("#login-name").await;
    let warning = "return !document.getElementById('anseo-invite-warning').hidden;";
    assert_eq!(browser.client.execute(warning, vec![]).await.unwrap(), json!(false));

    // (Another page in between: a change of the #fragment alone would not load the page again.)
    browser.open(&server, "/").await;
    browser.open(&server, &format!("/join#fp={}", "ab".repeat(32))).await;
    browser.find("#login-name").await;
    assert_eq!(browser.client.execute(warning, vec![]).await.unwrap(), json!(true));
    browser.wait_for_text("do not log in").await;
    browser.screenshot("browser-invite-warning").await;
}

/// A member shows a newcomer the server's invite: the page's Invite button opens its QR code
/// and link, which pins the certificate the page came with.
#[tokio::test]
async fn the_invite_button_shows_the_servers_link_and_qr_code() {
    let server = TestServer::start();
    let (_tess, browser) = tess_and_wendy(&server).await;
    browser.find("#open-invite-dialog").await.click().await.expect("click Invite");
    let link = format!("https://{}/join#fp={}", server.web_addr(), server.fingerprint.to_hex());
    browser.wait_for_text(&link).await;
    browser.find(".invite-qr svg").await;
    browser.screenshot("browser-invite").await;
}

/// The board on a phone screen: the terminal's stroke shows in the page, and a finger drawn
/// across the board (WebDriver touch input) reaches the terminal.
#[tokio::test]
async fn chromium_on_a_phone_shows_the_board_and_draws_on_it_with_a_finger() {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, PointerAction, TouchActions};
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let browser = Browser::chromium(&server, PHONE).await;
    browser.log_in(&server, "pia").await;
    browser.find("#tab-board").await.click().await.expect("open the board");
    let canvas = browser.find("#board-canvas").await;
    tess.send("/draw red 300 0,5000 10000,5000").await;
    let red = "return document.querySelectorAll('#board-canvas path[stroke=\"#d1242f\"]').length";
    let deadline = std::time::Instant::now() + crate::support::WAIT;
    while browser.client.execute(red, vec![]).await.expect("count red strokes") != json!(1) {
        assert!(std::time::Instant::now() < deadline, "the terminal's stroke is not on the page's board");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let finger = TouchActions::new("finger".into())
        .then(PointerAction::MoveToElement { element: canvas.clone(), duration: None, x: 0.0, y: -120.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveToElement {
            element: canvas.clone(),
            duration: Some(std::time::Duration::from_millis(200)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::MoveToElement {
            element: canvas.clone(),
            duration: Some(std::time::Duration::from_millis(200)),
            x: 0.0,
            y: 120.0,
        })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    browser.client.perform_actions(finger).await.expect("draw with a finger");
    let mut points = Vec::new();
    loop {
        let event = tess
            .expect_json("pia's stroke", |v| {
                (v["by"] == "pia" && v["type"].as_str().unwrap_or_default().starts_with("stroke_"))
                    .then(|| v.clone())
            })
            .await;
        points.extend(event["points"].as_array().cloned().unwrap_or_default());
        if event["type"] == "stroke_end" {
            break;
        }
    }
    // Top to bottom down the middle of the board.
    assert!(points.len() >= 2, "{points:?}");
    let (first, last) = (&points[0], &points[points.len() - 1]);
    assert!((4500..=5500).contains(&first[0].as_u64().unwrap()), "{points:?}");
    assert!(first[1].as_u64().unwrap() < last[1].as_u64().unwrap(), "{points:?}");
    browser.screenshot("browser-board-phone").await;
}

/// Edits and deletes on a phone screen, in the browser: the ⋯ under pia's message offers Edit
/// (a field with her text: typing and Enter sends the new text) and Delete; the terminal gets
/// `edited` and `deleted`, and the page shows "(edited)", then "message deleted".
#[tokio::test]
async fn chromium_on_a_phone_edits_and_deletes_from_a_messages_menu() {
    let server = TestServer::start();
    let mut tess = Cli::login(&server, "tess").await;
    let browser = Browser::chromium(&server, PHONE).await;
    browser.log_in(&server, "pia").await;
    browser.say("see you at noon").await;
    let said = tess.expect_json("pia's message", message_from("message", "pia")).await;
    let menu = "button.message-menu-button";
    browser.find(menu).await.click().await.expect("open the message's menu");
    let edit = browser.client.find(Locator::XPath("//button[text()='Edit']")).await.expect("the Edit item");
    edit.click().await.expect("choose Edit");
    let field = browser.find("input.edit-input").await;
    field.clear().await.expect("empty the field");
    field.send_keys("see you at one").await.expect("type the new text");
    field.send_keys(&Key::Enter).await.expect("press Enter");
    let edited = tess.expect_json("pia's edit", |v| (v["type"] == "edited").then(|| v.clone())).await;
    assert_eq!(
        (&edited["id"], &edited["text"], &edited["by"]),
        (&said["id"], &json!("see you at one"), &json!("pia"))
    );
    browser.wait_for_text("(edited)").await;
    browser.screenshot("browser-edited-phone").await;

    browser.find(menu).await.click().await.expect("open the message's menu again");
    let delete =
        browser.client.find(Locator::XPath("//button[text()='Delete']")).await.expect("the Delete item");
    delete.click().await.expect("choose Delete");
    let deleted = tess.expect_json("pia's deletion", |v| (v["type"] == "deleted").then(|| v.clone())).await;
    assert_eq!(deleted["id"], said["id"]);
    browser.wait_for_text("message deleted").await;
    assert!(!browser.text().await.contains("see you at one"), "the deleted text still shows");
    browser.screenshot("browser-deleted-phone").await;
}
