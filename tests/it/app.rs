//! The desktop app in a real window under Xvfb, driven with the keyboard through xdotool, with
//! an `anseo-cli --json` bot on the same server checking byte for byte what arrives.
//!
//! Skips itself (with a printed reason) only when no Xvfb binary is installed; xdotool and
//! ImageMagick's `import` are then required. Screenshots go to `target/e2e/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Cli, TestServer, WAIT, binary};

/// The X server display size: tall enough for the phone-sized window (390x844).
const SCREEN: &str = "1280x900x24";

/// Kills the child process when dropped.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
}

/// Starts Xvfb on a free display number.
fn start_xvfb(xvfb: &Path) -> (Reaper, String) {
    for number in 90..140 {
        if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists()
            || Path::new(&format!("/tmp/.X{number}-lock")).exists()
        {
            continue;
        }
        let display = format!(":{number}");
        let child = Command::new(xvfb)
            .args([display.as_str(), "-screen", "0", SCREEN, "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let reaper = Reaper(child);
        let socket = format!("/tmp/.X11-unix/X{number}");
        let deadline = Instant::now() + WAIT;
        while !Path::new(&socket).exists() {
            assert!(Instant::now() < deadline, "Xvfb did not open {socket} within {WAIT:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        return (reaper, display);
    }
    panic!("no free X display number between :90 and :139");
}

/// Runs xdotool with `args` on `display` and returns its stdout.
fn xdotool(display: &str, args: &[&str]) -> String {
    let output = Command::new("xdotool").args(args).env("DISPLAY", display).output().expect("run xdotool");
    assert!(output.status.success(), "xdotool {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Types `text` like a fast typist (`delay_ms` between keys).
fn type_text(display: &str, window: &str, text: &str, delay_ms: u32) {
    xdotool(display, &["type", "--window", window, "--delay", &delay_ms.to_string(), "--", text]);
}

fn key(display: &str, window: &str, key: &str) {
    xdotool(display, &["key", "--window", window, key]);
}

/// Saves a screenshot of `window` as PNG.
fn screenshot(display: &str, window: &str, path: &Path) {
    let status = Command::new("import")
        .args(["-window", window, path.to_str().unwrap()])
        .env("DISPLAY", display)
        .status()
        .expect("run ImageMagick import");
    assert!(status.success(), "import failed for {}", path.display());
}

/// The raw pixels of a region of `window` (`WxH+X+Y`), to notice that something was drawn.
fn pixels(display: &str, window: &str, region: &str) -> Vec<u8> {
    let output = Command::new("import")
        .args(["-window", window, "-crop", region, "-depth", "8", "rgb:-"])
        .env("DISPLAY", display)
        .output()
        .expect("run ImageMagick import");
    assert!(output.status.success(), "import of {region} failed");
    output.stdout
}

/// Waits until the region looks different from `before`, or fails naming `what`.
async fn expect_redraw(display: &str, window: &str, region: &str, before: &[u8], what: &str) {
    let deadline = Instant::now() + WAIT;
    while pixels(display, window, region) == before {
        assert!(Instant::now() < deadline, "the app did not show {what} within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the window shows more than a blank page (the web view has rendered).
async fn wait_rendered(display: &str, window: &str, dir: &Path) {
    let probe = dir.join("probe.png");
    let deadline = Instant::now() + WAIT * 3;
    loop {
        screenshot(display, window, &probe);
        if std::fs::metadata(&probe).map(|m| m.len()).unwrap_or(0) > 15_000 {
            let _ = std::fs::remove_file(&probe);
            return;
        }
        assert!(Instant::now() < deadline, "the app window stayed blank");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_logs_in_with_the_keyboard_chats_and_shows_direct_messages() {
    let Some(xvfb) = find_program("Xvfb") else {
        println!("skipping the app end-to-end test: no Xvfb binary on PATH (apt-get install xvfb)");
        return;
    };
    assert!(find_program("xdotool").is_some(), "xdotool is missing (apt-get install xdotool)");
    assert!(
        find_program("import").is_some(),
        "ImageMagick's import is missing (apt-get install imagemagick)"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&shots).expect("create target/e2e");

    // In memory: this test is about the app, not the message store.
    let server = TestServer::start_with(&["--no-store"]);
    let mut bot = Cli::login(&server, "bot").await;
    let (_xvfb, display) = start_xvfb(&xvfb);
    let config = tempfile::tempdir().expect("temp config dir");
    let fingerprint = server.fingerprint.to_hex();
    let app_log = std::fs::File::create(config.path().join("app.log")).expect("app log");
    let _app = Reaper(
        Command::new(binary("anseo"))
            .args(["--server", &server.addr, "--name", "alice", "--fingerprint", &fingerprint])
            .env("DISPLAY", &display)
            .env("XDG_CONFIG_HOME", config.path())
            .env("HOME", config.path())
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(app_log)
            .spawn()
            .expect("start anseo"),
    );

    // The window, focused by hand (there is no window manager).
    let window = xdotool(&display, &["search", "--sync", "--onlyvisible", "--name", "Anseo"]);
    let window = window.lines().next().expect("a window").to_string();
    xdotool(&display, &["windowsize", &window, "1280", "800"]);
    xdotool(&display, &["windowfocus", "--sync", &window]);
    wait_rendered(&display, &window, &shots).await;
    screenshot(&display, &window, &shots.join("login.png"));

    // Log in with the keyboard: the name field has focus and is filled in; Enter connects.
    // Enter is repeated until the bot sees alice, in case the page was still loading.
    let joined = Instant::now();
    loop {
        key(&display, &window, "Return");
        let seen = tokio::time::timeout(
            Duration::from_secs(3),
            bot.expect_json("alice online", |v| {
                (v["type"] == "presence" && v["event"] == "online" && v["user"] == "alice").then_some(())
            }),
        )
        .await;
        if seen.is_ok() {
            break;
        }
        assert!(joined.elapsed() < WAIT * 3, "the app did not log in; log:\n{}", read(config.path()));
    }

    // The chat screen is up when the title names the user. Keys typed while the login form
    // was still showing would go there, so probe until a typed line reaches the bot.
    let deadline = Instant::now() + WAIT;
    while xdotool(&display, &["getwindowname", &window]) != "alice — Anseo" {
        assert!(Instant::now() < deadline, "the window title never became 'alice — Anseo'");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let probing = Instant::now();
    loop {
        type_text(&display, &window, "ready", 20);
        key(&display, &window, "Return");
        let seen = tokio::time::timeout(
            Duration::from_secs(2),
            bot.expect_json("alice's probe", |v| {
                (v["type"] == "message" && v["from"] == "alice").then_some(())
            }),
        )
        .await;
        if seen.is_ok() {
            break;
        }
        if probing.elapsed() > WAIT {
            screenshot(&display, &window, &shots.join("failure.png"));
            panic!("nothing typed in the app reached the bot; see target/e2e/failure.png");
        }
    }

    // The composer has focus after login: what is typed arrives exactly.
    type_text(&display, &window, "hello from the app", 20);
    key(&display, &window, "Return");
    expect_text(&mut bot, "hello from the app").await;

    let fast: String =
        (0..200).map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789 .,-!?"[i * 11 % 42] as char).collect();
    let fast = format!("X{}", &fast[1..]);
    assert_eq!(fast.chars().count(), 200);
    type_text(&display, &window, &fast, 4);
    key(&display, &window, "Return");
    expect_text(&mut bot, &fast).await;

    type_text(&display, &window, "first line", 10);
    key(&display, &window, "shift+Return");
    type_text(&display, &window, "second line", 10);
    key(&display, &window, "Return");
    expect_text(&mut bot, "first line\nsecond line").await;

    // A message from the bot is drawn in the message area.
    let messages = "700x560+280+70";
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = pixels(&display, &window, messages);
    bot.send("hello alice, from the bot").await;
    expect_redraw(&display, &window, messages, &before, "the bot's message").await;

    // A direct message from the bot appears as a conversation in the sidebar.
    let sidebar = "260x500+0+60";
    let before = pixels(&display, &window, sidebar);
    bot.send("/msg alice a private hello").await;
    bot.expect_json("the DM's copy", |v| (v["type"] == "dm" && v["to"] == "alice").then_some(())).await;
    expect_redraw(&display, &window, sidebar, &before, "the direct conversation").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    screenshot(&display, &window, &shots.join("chat-wide.png"));

    // Phone width: one pane at a time.
    xdotool(&display, &["windowsize", &window, "390", "844"]);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    screenshot(&display, &window, &shots.join("chat-phone.png"));
}

/// Waits until the bot receives `text` from alice in the lobby, and checks it byte for byte.
async fn expect_text(bot: &mut Cli, text: &str) {
    let got = bot
        .expect_json(&format!("alice's message {text:?}"), |v| {
            // Skip what is left of readiness probes ("ready").
            let probe = v["text"].as_str().is_some_and(|t| !t.is_empty() && "ready".ends_with(t));
            (v["type"] == "message" && v["from"] == "alice" && !probe).then(|| v.clone())
        })
        .await;
    assert_eq!(got["room"], "lobby");
    assert_eq!(got["text"].as_str(), Some(text), "the bot received something else than was typed");
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("app.log")).unwrap_or_default()
}
