//! The desktop app in a real window under Xvfb, driven with the keyboard through xdotool, with
//! an `anseo-cli --json` bot on the same server checking byte for byte what arrives. What the
//! app shows is read back as a user could: select all, copy, paste into a message to the bot.
//!
//! Also: logging in to a claimed name with its password, then again without it on the same
//! device (the app kept a login token), and staying in the conversation through a server
//! SIGKILL and restart (reconnecting shown, nothing lost, nothing twice); files sent with the
//! paperclip (zenity's file dialog) and by drag and drop (a GTK drag source in Python).
//!
//! Skips itself (with a printed reason) only when no Xvfb binary is installed; xdotool and
//! ImageMagick's `import` are then required. Screenshots go to `target/e2e/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anseo_shared::client::Event;
use anseo_shared::protocol::{LOBBY, ServerMsg};

use crate::support::{
    Browser, Cli, DESKTOP, Impairment, MIB, Relay, TestNetwork, TestServer, WAIT, binary, expect_event,
    make_file,
};

/// The X server display size: tall enough for the phone-sized window (390x844).
const SCREEN: &str = "1280x900x24";

/// A server, a terminal-client bot and the app logged in as alice, one such test at a time.
/// Fields drop in order: the app and its display first, the server last.
struct Scene {
    app: AppWindow,
    bot: Cli,
    _server: TestServer,
    _one: tokio::sync::MutexGuard<'static, ()>,
}

async fn alice_and_bot(xvfb: &Path) -> Scene {
    let one = ONE_APP.lock().await;
    let server = TestServer::start();
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(xvfb, &server, "alice", "").await;
    app.log_in("alice", &mut bot).await;
    Scene { app, bot, _server: server, _one: one }
}

/// The app's arguments for `server` at `addr` (itself, or a relay in front of it), pinned.
fn pinned(server: &TestServer, addr: &str) -> Vec<String> {
    ["--server", addr, "--fingerprint", &server.fingerprint.to_hex()].map(String::from).to_vec()
}

/// Kills the child process when dropped.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops Xvfb with SIGTERM when dropped, so that it removes its lock file and socket (a
/// SIGKILLed X server leaves them behind in /tmp); SIGKILL only if it does not exit.
struct XServer(Child);

impl Drop for XServer {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while matches!(self.0.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
}

/// Starts Xvfb on a display number it picks itself (`-displayfd`), so displays held by other
/// X servers, or stale locks left by killed ones, never get in the way.
fn start_xvfb(xvfb: &Path) -> (XServer, String) {
    let mut child = Command::new(xvfb)
        .args(["-displayfd", "1", "-screen", "0", SCREEN, "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Xvfb");
    let stdout = child.stdout.take().expect("Xvfb's stdout");
    let reaper = XServer(child);
    // Xvfb writes the display number to the descriptor once it accepts connections.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    let line =
        rx.recv_timeout(WAIT).unwrap_or_else(|_| panic!("Xvfb did not report its display within {WAIT:?}"));
    let number = line.trim();
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "Xvfb exited without a display: {line:?}"
    );
    (reaper, format!(":{number}"))
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

/// One app at a time: two WebKit processes starting together on two cores are slow enough to
/// run into the timeouts. (An async lock: it is held across awaits, in separate runtimes.)
static ONE_APP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Xvfb's path, or `None` (with the reason printed) when it is not installed; the other tools
/// must then be there.
fn display_tools() -> Option<PathBuf> {
    let Some(xvfb) = find_program("Xvfb") else {
        println!("skipping the app end-to-end test: no Xvfb binary on PATH (apt-get install xvfb)");
        return None;
    };
    assert!(find_program("xdotool").is_some(), "xdotool is missing (apt-get install xdotool)");
    assert!(
        find_program("import").is_some(),
        "ImageMagick's import is missing (apt-get install imagemagick)"
    );
    Some(xvfb)
}

/// Where screenshots go.
fn shots_dir() -> PathBuf {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&shots).expect("create target/e2e");
    shots
}

/// The app in a 1280x800 window on its own X display. Both are killed when dropped (fields
/// drop in order: the app first, then the display, then the app's config folder).
struct AppWindow {
    _app: Reaper,
    _xvfb: XServer,
    config: tempfile::TempDir,
    display: String,
    window: String,
    shots: PathBuf,
}

impl AppWindow {
    /// Starts the app for `name` on `server` and waits until it has drawn its login form
    /// (saved as `{shot}-login.png`, or `login.png` without a prefix).
    async fn start(xvfb: &Path, server: &TestServer, name: &str, shot: &str) -> AppWindow {
        let (xvfb, display) = start_xvfb(xvfb);
        let config = tempfile::tempdir().expect("temp config dir");
        Self::open(xvfb, display, config, &pinned(server, &server.addr), name, shot).await
    }

    /// Like [`AppWindow::start`], opened with an invite `link` on its command line (as a
    /// desktop opens the app for one) instead of the server and its fingerprint.
    async fn start_with_link(xvfb: &Path, link: &str, name: &str) -> AppWindow {
        let (xvfb, display) = start_xvfb(xvfb);
        let config = tempfile::tempdir().expect("temp config dir");
        Self::open(xvfb, display, config, &[link.to_string()], name, "").await
    }

    /// Like [`AppWindow::start`], inside the test `network` and with no server given: the
    /// login screen as a newcomer on that network sees it.
    async fn start_in(xvfb: &Path, network: &TestNetwork, name: &str) -> AppWindow {
        let (xvfb, display) = start_xvfb(xvfb);
        let config = tempfile::tempdir().expect("temp config dir");
        Self::open_as(network.command(&binary("anseo")), xvfb, display, config, &[], name, "").await
    }

    /// Like [`AppWindow::start`], with a sound server of its own (PulseAudio with a null
    /// output, as on a desktop with speakers) that the app plays into.
    async fn start_with_sound(xvfb: &Path, server: &TestServer, name: &str) -> (AppWindow, SoundServer) {
        let (xvfb, display) = start_xvfb(xvfb);
        let config = tempfile::tempdir().expect("temp config dir");
        let sound = SoundServer::start(config.path()).await;
        (Self::open(xvfb, display, config, &pinned(server, &server.addr), name, "").await, sound)
    }

    /// Like [`AppWindow::start`], connecting to `addr` (a relay in front of `server`).
    async fn start_through(xvfb: &Path, server: &TestServer, addr: &str, name: &str) -> AppWindow {
        let (xvfb, display) = start_xvfb(xvfb);
        let config = tempfile::tempdir().expect("temp config dir");
        Self::open(xvfb, display, config, &pinned(server, addr), name, "").await
    }

    /// Closes the app at once, as a crash or a killed process would, keeping its display and
    /// config folder for [`AppWindow::reopen`].
    fn kill(self) -> ClosedApp {
        let AppWindow { _app: app, _xvfb: xvfb, config, display, .. } = self;
        drop(app);
        ClosedApp { xvfb, display, config }
    }

    /// Starts the app again where it was closed: what it saved is still there.
    async fn reopen(closed: ClosedApp, server: &TestServer, name: &str, shot: &str) -> AppWindow {
        let ClosedApp { xvfb, display, config } = closed;
        Self::open(xvfb, display, config, &pinned(server, &server.addr), name, shot).await
    }

    async fn open(
        xvfb: XServer,
        display: String,
        config: tempfile::TempDir,
        server_args: &[String],
        name: &str,
        shot: &str,
    ) -> AppWindow {
        Self::open_as(Command::new(binary("anseo")), xvfb, display, config, server_args, name, shot).await
    }

    /// [`AppWindow::open`] with `anseo` started by `command` (e.g. inside a namespace).
    async fn open_as(
        mut command: Command,
        xvfb: XServer,
        display: String,
        config: tempfile::TempDir,
        server_args: &[String],
        name: &str,
        shot: &str,
    ) -> AppWindow {
        let shots = shots_dir();
        let app_log = std::fs::File::create(config.path().join("app.log")).expect("app log");
        let app = Reaper(
            command
                .args(["--name", name])
                .args(server_args)
                .env("DISPLAY", &display)
                .env("XDG_CONFIG_HOME", config.path())
                .env("HOME", config.path())
                .env("XDG_CACHE_HOME", config.path().join("cache"))
                .env("PULSE_SERVER", SoundServer::address(config.path()))
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
        let app = AppWindow { _app: app, _xvfb: xvfb, config, display, window, shots };
        app.screenshot(&shot_name(shot, "login"));
        app
    }

    /// Sets a new password in the password dialog (opened with the lock button at the bottom
    /// of the sidebar), and waits until the login kept in `tokens` is no longer `before`.
    /// Opening is tried again if what was typed went nowhere (the dialog was not up yet).
    async fn change_password(&self, password: &str, tokens: &Path, before: &str) {
        let dialog = "500x300+390+250";
        for _ in 0..3 {
            self.key("Escape");
            let closed = pixels(&self.display, &self.window, dialog);
            self.click(188, 767);
            expect_redraw(&self.display, &self.window, dialog, &closed, "the password dialog").await;
            self.screenshot("password-dialog.png");
            self.type_text(password, 20);
            self.key("Return");
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if std::fs::read_to_string(tokens).is_ok_and(|now| now != before) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        self.screenshot("failure.png");
        panic!("the new password was not taken; see target/e2e/failure.png");
    }

    /// The window's title.
    fn title(&self) -> String {
        xdotool(&self.display, &["getwindowname", &self.window])
    }

    /// Waits until the window's title is `title` (the app puts the connection state there).
    async fn expect_title(&self, title: &str) {
        let deadline = Instant::now() + WAIT * 2;
        while self.title() != title {
            if Instant::now() > deadline {
                self.screenshot("failure.png");
                panic!("the window title never became {title:?} (it is {:?})", self.title());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Logs in with the keyboard (the name field has focus and is filled in; Enter connects)
    /// and waits until what is typed goes to the composer. Enter is repeated until the bot
    /// sees the user, in case the page was still loading.
    async fn log_in(&self, name: &str, bot: &mut Cli) {
        let joined = Instant::now();
        loop {
            self.key("Return");
            let seen = tokio::time::timeout(
                Duration::from_secs(3),
                bot.expect_json(&format!("{name} online"), |v| {
                    (v["type"] == "presence" && v["event"] == "online" && v["user"] == name).then_some(())
                }),
            )
            .await;
            if seen.is_ok() {
                break;
            }
            assert!(
                joined.elapsed() < WAIT * 3,
                "the app did not log in; log:\n{}",
                read(self.config.path())
            );
        }

        // The chat screen is up when the title names the user. Keys typed while the login
        // form was still showing would go there, so probe until a typed line reaches the bot.
        let title = format!("{name} — Anseo");
        let deadline = Instant::now() + WAIT;
        while xdotool(&self.display, &["getwindowname", &self.window]) != title {
            assert!(Instant::now() < deadline, "the window title never became {title:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let probing = Instant::now();
        loop {
            self.type_text("ready", 20);
            self.key("Return");
            let seen = tokio::time::timeout(
                Duration::from_secs(2),
                bot.expect_json(&format!("{name}'s probe"), |v| {
                    (v["type"] == "message" && v["from"] == name).then_some(())
                }),
            )
            .await;
            if seen.is_ok() {
                break;
            }
            if probing.elapsed() > WAIT {
                self.screenshot("failure.png");
                panic!("nothing typed in the app reached the bot; see target/e2e/failure.png");
            }
        }
    }

    fn key(&self, name: &str) {
        key(&self.display, &self.window, name);
    }

    /// Types `text` like a fast typist (`delay_ms` between keys).
    fn type_text(&self, text: &str, delay_ms: u32) {
        type_text(&self.display, &self.window, text, delay_ms);
    }

    /// Clicks at `x`, `y` in the window.
    fn click(&self, x: u32, y: u32) {
        let (x, y) = (x.to_string(), y.to_string());
        xdotool(&self.display, &["mousemove", "--window", &self.window, &x, &y, "click", "1"]);
    }

    fn screenshot(&self, file: &str) {
        screenshot(&self.display, &self.window, &self.shots.join(file));
    }

    /// Gives the message list the keyboard focus with a click in its middle, right of the
    /// other people's messages (not on a link or a button).
    fn focus_messages(&self) {
        self.click(800, 400);
    }

    /// What the window shows, read through the clipboard (select all, copy, `xclip`), again
    /// until it is `complete`; the network plays no part.
    async fn copy_window_until(&self, complete: impl Fn(&str) -> bool) -> String {
        self.copy_window_clicking((800, 400), complete).await
    }

    /// [`AppWindow::copy_window_until`], clicking at `spot` (somewhere with no field or button
    /// under it) before selecting.
    async fn copy_window_clicking(&self, spot: (u32, u32), complete: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT * 3;
        loop {
            self.click(spot.0, spot.1);
            self.key("ctrl+a");
            self.key("ctrl+c");
            let copied = Command::new("xclip")
                .args(["-o", "-selection", "clipboard"])
                .env("DISPLAY", &self.display)
                .output()
                .expect("run xclip");
            let text = String::from_utf8_lossy(&copied.stdout).to_string();
            if complete(&text) {
                return text;
            }
            if Instant::now() > deadline {
                self.screenshot("failure.png");
                panic!("the window never showed what was expected (see target/e2e/failure.png):\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Reads what the window shows of the lobby: selects everything and copies it, opens the
    /// direct conversation with `bot` (second in the list of people online, after `user`),
    /// pastes the copy there behind `page:` and sends it, and goes back to the lobby. Tries
    /// again a little later until the text is `complete`.
    async fn read_lobby(&self, user: &str, bot: &mut Cli, complete: impl Fn(&str) -> bool) -> String {
        self.read_lobby_seeing(user, bot, complete).await.0
    }

    /// [`AppWindow::read_lobby`], also returning everything else the bot received meanwhile.
    async fn read_lobby_seeing(
        &self,
        user: &str,
        bot: &mut Cli,
        complete: impl Fn(&str) -> bool,
    ) -> (String, Vec<serde_json::Value>) {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            self.focus_messages();
            self.key("ctrl+a");
            self.key("ctrl+c");
            self.click(1150, 130);
            self.click(600, 760);
            self.type_text("page:", 10);
            self.key("ctrl+v");
            self.key("Return");
            let is_copy = |v: &serde_json::Value| {
                let text = v["text"].as_str().unwrap_or_default();
                v["type"] == "dm" && v["from"] == user && text.starts_with("page:")
            };
            let mut received = bot.json_until(&format!("{user}'s copy of the window"), is_copy).await;
            let text =
                received.pop().and_then(|v| v["text"].as_str().map(str::to_string)).unwrap_or_default();
            seen.extend(received);
            self.click(130, 132);
            if complete(&text) {
                return (text, seen);
            }
            if Instant::now() > deadline {
                self.screenshot("failure.png");
                panic!("the window never showed what was expected (see target/e2e/failure.png):\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// A killed app's display and config folder (in that drop order).
struct ClosedApp {
    xvfb: XServer,
    display: String,
    config: tempfile::TempDir,
}

fn shot_name(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { format!("{name}.png") } else { format!("{prefix}-{name}.png") }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_logs_in_with_the_keyboard_chats_and_shows_direct_messages() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;

    // In memory: this test is about the app, not the message store.
    let server = TestServer::start_with(&["--no-store"]);
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(&xvfb, &server, "alice", "").await;
    app.log_in("alice", &mut bot).await;
    let (display, window) = (app.display.as_str(), app.window.as_str());

    // The composer has focus after login: what is typed arrives exactly.
    app.type_text("hello from the app", 20);
    app.key("Return");
    expect_text(&mut bot, "hello from the app").await;

    let fast: String =
        (0..200).map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789 .,-!?"[i * 11 % 42] as char).collect();
    let fast = format!("X{}", &fast[1..]);
    assert_eq!(fast.chars().count(), 200);
    app.type_text(&fast, 4);
    app.key("Return");
    expect_text(&mut bot, &fast).await;

    app.type_text("first line", 10);
    app.key("shift+Return");
    app.type_text("second line", 10);
    app.key("Return");
    expect_text(&mut bot, "first line\nsecond line").await;

    // A message from the bot is drawn in the message area.
    let messages = "700x560+280+70";
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = pixels(display, window, messages);
    bot.send("hello alice, from the bot").await;
    expect_redraw(display, window, messages, &before, "the bot's message").await;

    // A direct message from the bot appears as a conversation in the sidebar.
    let sidebar = "260x500+0+60";
    let before = pixels(display, window, sidebar);
    bot.send("/msg alice a private hello").await;
    bot.expect_json("the DM's copy", |v| (v["type"] == "dm" && v["to"] == "alice").then_some(())).await;
    expect_redraw(display, window, sidebar, &before, "the direct conversation").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("chat-wide.png");

    // Phone width: one pane at a time.
    xdotool(display, &["windowsize", window, "390", "844"]);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.screenshot("chat-phone.png");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_shows_history_on_login_and_loads_older_messages_at_the_top() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;

    // With the message store (the default). Copies of the window are long messages.
    let server = TestServer::start_with(&[
        "--max-message-chars",
        "10000",
        "--rate-limit-burst",
        "1000",
        "--rate-limit-per-sec",
        "1000",
    ]);
    // Carol was here before alice: 60 messages, of which a login brings the last 50.
    let mut carol = server.login("carol").await;
    for i in 1..=60 {
        carol.client.say(LOBBY, &format!("early {i}")).await.expect("send");
    }
    expect_event(&mut carol.events, "the echo of carol's last message", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == "early 60" => Some(()),
        _ => None,
    })
    .await;
    carol.client.quit().await;

    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(&xvfb, &server, "alice", "history").await;
    app.log_in("alice", &mut bot).await;

    let text = app.read_lobby("alice", &mut bot, |text| text.contains("early 60")).await;
    assert_eq!(earlier_lines(&text), numbered(11..=60), "the last 50, in order, once each:\n{text}");
    assert!(text.contains("Load older messages"), "{text}");
    assert!(!text.contains("Beginning of #lobby"), "{text}");
    app.screenshot("history-latest.png");

    // Scrolling to the top of the list (Home, as with the keyboard) loads the first ten.
    app.focus_messages();
    app.key("Home");
    let text = app.read_lobby("alice", &mut bot, |text| text.contains("Beginning of #lobby")).await;
    assert_eq!(earlier_lines(&text), numbered(1..=60), "the whole room, in order, once each:\n{text}");
    assert!(!text.contains("Load older messages"), "{text}");
    app.focus_messages();
    app.key("Home");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("history-beginning.png");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_logs_in_to_a_claimed_name_with_its_password_then_without_it_on_the_same_device() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;

    // A short idle timeout: the server notices within 2 s that the killed app is gone.
    let server = TestServer::start_with(&["--idle-timeout-secs", "2"]);
    claim(&server, "bob", "bob's password").await;
    let mut bot = Cli::login(&server, "bot").await;

    // The name is typed, then Tab to the server (filled in), Tab to the password.
    let app = AppWindow::start(&xvfb, &server, "", "password").await;
    app.type_text("bob", 20);
    app.key("Tab");
    app.key("Tab");
    app.type_text("bob's password", 20);
    app.screenshot("password-typed.png");
    app.log_in("bob", &mut bot).await;
    let tokens = app.config.path().join("anseo").join("tokens.json");
    wait_for_file(&tokens).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&tokens).expect("tokens file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the saved login is readable by its owner only");
    }
    let saved = std::fs::read_to_string(&tokens).expect("tokens file");
    assert!(!saved.contains("bob's password"), "the password itself is never saved");

    // Closed without a word (killed); the server drops bob after its idle timeout.
    let closed = app.kill();
    bot.expect_json("bob offline", |v| {
        (v["type"] == "presence" && v["event"] == "offline" && v["user"] == "bob").then_some(())
    })
    .await;
    let app = AppWindow::reopen(closed, &server, "bob", "token").await;
    // Enter with an empty password field: the kept login is used, nothing is asked.
    app.log_in("bob", &mut bot).await;

    // A new password from the lock button's dialog: the server's new login is kept.
    let before = std::fs::read_to_string(&tokens).expect("tokens file");
    app.change_password("bob's new password", &tokens, &before).await;
    let text = app.read_lobby("bob", &mut bot, |text| text.contains("Password saved")).await;
    assert!(text.contains("Password saved: the name bob is yours"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_stays_in_the_conversation_through_a_server_restart_and_loses_nothing() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;

    // With the message store (a restart keeps the messages); clients notice a dead server
    // within 2 s. Copies of the window are long messages.
    const ARGS: &[&str] = &["--idle-timeout-secs", "2", "--max-message-chars", "10000"];
    let server = TestServer::start_with(ARGS);
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(&xvfb, &server, "alice", "resume").await;
    app.log_in("alice", &mut bot).await;

    let addr = server.addr.clone();
    let dir = server.kill();
    app.expect_title("alice (reconnecting…) — Anseo").await;
    // Typed while the server is down: not refused, kept and sent once it is back.
    app.type_text("typed while away", 20);
    app.key("Return");
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.screenshot("resume-reconnecting.png");

    let _server = TestServer::start_at(dir, &addr, ARGS);
    // Whichever of the two resumes first, alice's message reaches the bot once: as a missed
    // message in the bot's catch-up (before its "resumed") or live after it.
    let is_alices = |v: &serde_json::Value| {
        v["type"] == "message" && v["from"] == "alice" && v["text"] == "typed while away"
    };
    let mut caught_up = 0;
    bot.expect_json("the bot's resume", |v| {
        caught_up += usize::from(is_alices(v));
        (v["type"] == "resumed").then_some(())
    })
    .await;
    bot.send("sent after the restart").await;
    app.expect_title("alice — Anseo").await;

    if caught_up == 0 {
        expect_text(&mut bot, "typed while away").await;
    }
    assert!(caught_up <= 1, "the bot caught up on alice's message {caught_up} times");
    let complete = |text: &str| text.contains("sent after the restart") && text.contains("typed while away");
    let (text, seen) = app.read_lobby_seeing("alice", &mut bot, complete).await;
    assert_eq!(text.matches("sent after the restart").count(), 1, "the bot's message once:\n{text}");
    assert_eq!(text.matches("typed while away").count(), 1, "alice's message once:\n{text}");
    assert!(text.contains("Reconnected"), "the resume is noted:\n{text}");
    assert!(!text.contains("Waiting for the connection"), "nothing left pending:\n{text}");
    let again = seen.iter().filter(|v| v["type"] == "message" && v["text"] == "typed while away").count();
    assert_eq!(again, 0, "the bot received alice's message a second time: {seen:?}");
    app.screenshot("resume-back.png");
}

#[tokio::test(flavor = "multi_thread")]
async fn app_keeps_a_backlog_beyond_the_rate_limit_pending_and_delivers_it_all_paced() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    assert!(find_program("xclip").is_some(), "xclip is missing (apt-get install xclip)");

    // The server's default rate limit (a burst of 50, then 10 a second); clients notice a dead
    // server within 2 s.
    const COUNT: usize = 64;
    const ARGS: &[&str] = &["--idle-timeout-secs", "2"];
    let server = TestServer::start_with(ARGS);
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(&xvfb, &server, "alice", "pacing").await;
    app.log_in("alice", &mut bot).await;
    let addr = server.addr.clone();
    let dir = server.kill();
    app.expect_title("alice (reconnecting…) — Anseo").await;

    // More than the burst, typed while the server is down: "q1", "q2", ... each sent with
    // Enter.
    for i in 1..=COUNT {
        app.type_text(&format!("q{i}"), 60);
        app.key("Return");
    }
    let last = format!("q{COUNT}");
    let text = app.copy_window_until(|text| text.contains(&last)).await;
    assert!(text.contains("Waiting for the connection…"), "the backlog shows as pending:\n{text}");
    app.screenshot("pacing-pending.png");

    let _server = TestServer::start_at(dir, &addr, ARGS);
    let seen = bot.json_until("alice's last message", |v| v["from"] == "alice" && v["text"] == last).await;
    let texts: Vec<&str> = seen
        .iter()
        .filter(|v| v["type"] == "message" && v["from"] == "alice")
        .filter_map(|v| v["text"].as_str())
        .filter(|text| text.starts_with('q'))
        .collect();
    let expected: Vec<String> = (1..=COUNT).map(|i| format!("q{i}")).collect();
    assert_eq!(texts, expected, "every message once, in order");
    let errors: Vec<_> = seen.iter().filter(|v| v["type"] == "error").collect();
    assert!(errors.is_empty(), "the bot saw errors: {errors:?}");
    let text =
        app.copy_window_until(|text| !text.contains("Sending…") && !text.contains("Waiting for")).await;
    assert!(!text.contains("Not sent"), "nothing failed:\n{text}");
    app.screenshot("pacing-delivered.png");
}

/// Claims `name` with `password` through `anseo-cli --password-file`, and leaves.
async fn claim(server: &TestServer, name: &str, password: &str) {
    let files = tempfile::tempdir().expect("temp dir");
    let file = files.path().join("password");
    std::fs::write(&file, format!("{password}\n")).expect("password file");
    let fingerprint = server.fingerprint.to_hex();
    let file = file.to_str().expect("utf-8 path");
    let args = ["--server", &server.addr, "--name", name, "--fingerprint", &fingerprint, "--json"];
    let mut cli = Cli::spawn(&[&args[..], &["--password-file", file]].concat());
    cli.expect_json(&format!("{name}'s welcome"), |v| (v["type"] == "welcome").then_some(())).await;
    cli.send("/quit").await;
    assert_eq!(cli.wait_exit().await.code, Some(0), "claiming {name} failed");
}

/// Waits until `path` exists (the app writes it when the server's answer arrives).
async fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + WAIT;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} was never written", path.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The "early N" lines of `text`, in order.
fn earlier_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| l.starts_with("early ")).map(str::to_string).collect()
}

fn numbered(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|i| format!("early {i}")).collect()
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

#[tokio::test(flavor = "multi_thread")]
async fn the_app_a_browser_and_the_terminal_client_chat_in_one_room() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start(&xvfb, &server, "alice", "three").await;
    app.log_in("alice", &mut bot).await;
    let browser = Browser::chromium(&server, DESKTOP).await;
    browser.log_in(&server, "wendy").await;

    app.type_text("from the app", 60);
    app.key("Return");
    let seen = bot
        .expect_json("alice's message", |v| {
            (v["type"] == "message" && v["from"] == "alice").then(|| v.clone())
        })
        .await;
    assert_eq!(seen["text"], "from the app");
    browser.wait_for_text("from the app").await;

    browser.say("from the browser").await;
    let seen = bot
        .expect_json("wendy's message", |v| {
            (v["type"] == "message" && v["from"] == "wendy").then(|| v.clone())
        })
        .await;
    assert_eq!(seen["text"], "from the browser");

    bot.send("from the terminal").await;
    browser.wait_for_text("from the terminal").await;
    let lobby = app.read_lobby("alice", &mut bot, |text| text.contains("from the terminal")).await;
    let order: Vec<usize> = ["from the app", "from the browser", "from the terminal"]
        .iter()
        .map(|text| lobby.find(text).unwrap_or_else(|| panic!("the app does not show {text:?}:\n{lobby}")))
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "the app shows them out of order:\n{lobby}");
    browser.screenshot("three-browser").await;
    app.screenshot("three-app.png");
}

/// How many pixels of raw RGB `pixels` are the red of the test picture (200, 40, 40), give or
/// take what JPEG and scaling change.
fn red_pixels(pixels: &[u8]) -> usize {
    pixels.chunks_exact(3).filter(|p| p[0] > 160 && p[1] < 90 && p[2] < 90).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn app_shows_a_picture_from_the_terminal_inline() {
    let Some(xvfb) = display_tools() else { return };
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("board.jpg");
    image::RgbImage::from_pixel(400, 300, image::Rgb([200, 40, 40])).save(&photo).unwrap();
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    let (display, window) = (app.display.as_str(), app.window.as_str());

    // The picture the terminal client sends is drawn inline: a 320 x 240 preview in its red.
    let messages = "700x560+280+70";
    assert!(red_pixels(&pixels(display, window, messages)) < 100, "red before the picture came");
    bot.send(&format!("/send {} the board", photo.display())).await;
    bot.expect_json("the echo", |v| (v["attachment"]["name"] == "board.jpg").then_some(())).await;
    let deadline = Instant::now() + WAIT;
    while red_pixels(&pixels(display, window, messages)) < 320 * 240 * 9 / 10 {
        if Instant::now() > deadline {
            app.screenshot("failure.png");
            panic!("the picture is not drawn inline (see target/e2e/failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("picture-inline.png");

    // A click shows it large: the full 400 x 300 picture from the app's cache (the preview
    // is only 320 x 240).
    app.click(500, 500);
    let deadline = Instant::now() + WAIT;
    while red_pixels(&pixels(display, window, "1280x800+0+0")) < 400 * 300 * 95 / 100 {
        if Instant::now() > deadline {
            app.screenshot("failure.png");
            panic!("the full picture is not shown large (see target/e2e/failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("picture-large.png");
}

/// Waits for a window of another program to show on `display`: `by` is `--class` or `--name`.
async fn expect_window(display: &str, by: &str, class: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = Command::new("xdotool")
            .args(["search", "--onlyvisible", by, class])
            .env("DISPLAY", display)
            .output()
            .expect("run xdotool");
        if let Some(window) = String::from_utf8_lossy(&found.stdout).lines().next() {
            return window.to_string();
        }
        assert!(Instant::now() < deadline, "no {class} window showed within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A PulseAudio server with a null output, its socket in a folder of the test's.
struct SoundServer {
    _process: Reaper,
    address: String,
}

impl SoundServer {
    /// Where the server for `dir` listens, as `PULSE_SERVER` says it.
    fn address(dir: &Path) -> String {
        format!("unix:{}", dir.join("pulse.sock").display())
    }

    async fn start(dir: &Path) -> SoundServer {
        let socket = dir.join("pulse.sock");
        let native = format!("module-native-protocol-unix socket={} auth-anonymous=1", socket.display());
        let process = Command::new("pulseaudio")
            .args(["-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no"])
            .args(["-L", "module-null-sink", "-L", &native])
            // A microphone that hears a 440 Hz tone.
            .args(["-L", "module-sine-source source_name=tone frequency=440"])
            .env("HOME", dir)
            .stderr(Stdio::null())
            .spawn()
            .expect("start pulseaudio (apt-get install pulseaudio)");
        wait_for_file(&socket).await;
        let address = Self::address(dir);
        let status = Command::new("pactl")
            .args(["set-default-source", "tone"])
            .env("PULSE_SERVER", &address)
            .status()
            .expect("run pactl");
        assert!(status.success(), "pactl set-default-source tone failed");
        SoundServer { _process: Reaper(process), address }
    }

    /// How many streams are playing into it now (not paused: "corked").
    fn playing(&self) -> usize {
        let output = Command::new("pactl")
            .args(["list", "sink-inputs"])
            .env("PULSE_SERVER", &self.address)
            .output()
            .expect("run pactl");
        String::from_utf8_lossy(&output.stdout).lines().filter(|line| line.trim() == "Corked: no").count()
    }
}

/// `seconds` of a 440 Hz tone as a WAV file (8 kHz, 16-bit mono).
fn tone_wav(path: &Path, seconds: u32) -> Vec<u8> {
    let samples: Vec<i16> = (0..8000 * seconds)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 12000.0) as i16)
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for field in [16u32, 1 | (1 << 16), 8000, 16000, 2 | (16 << 16)] {
        wav.extend_from_slice(&field.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    samples.iter().for_each(|s| wav.extend_from_slice(&s.to_le_bytes()));
    std::fs::write(path, &wav).unwrap();
    wav
}

/// A voice clip sent from the terminal comes into the app's cache by itself, verified, and
/// plays in place: its player's play button sends it to the sound server.
#[tokio::test(flavor = "multi_thread")]
async fn app_fetches_a_voice_clip_from_the_terminal_and_shows_a_player() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let files = tempfile::tempdir().unwrap();
    let clip = files.path().join("hello.wav");
    let bytes = tone_wav(&clip, 4);
    let mut bot = Cli::login(&server, "bot").await;
    let (app, sound) = AppWindow::start_with_sound(&xvfb, &server, "alice").await;
    app.log_in("alice", &mut bot).await;

    bot.send(&format!("/send {}", clip.display())).await;
    let hash = bot
        .expect_json("the echo", |v| {
            (v["attachment"]["name"] == "hello.wav")
                .then(|| v["attachment"]["hash"].as_str().unwrap().to_string())
        })
        .await;
    let cached = app.config.path().join("cache/anseo/media").join(&hash);
    wait_for_file(&cached).await;
    let deadline = Instant::now() + WAIT;
    while std::fs::read(&cached).unwrap_or_default() != bytes {
        assert!(Instant::now() < deadline, "the clip in the app's cache is not the one sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.copy_window_until(|text| text.contains("hello.wav") && !text.contains("Fetching the clip")).await;

    // Play: the clip is heard (a stream plays into the sound server).
    app.screenshot("voice-clip-ready.png");
    assert_eq!(sound.playing(), 0);
    let deadline = Instant::now() + WAIT;
    while sound.playing() == 0 {
        assert!(Instant::now() < deadline, "the clip never played");
        app.click(367, 621);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.screenshot("voice-clip.png");
}

/// A picture copied to the clipboard (as from a screenshot tool) and pasted into the message
/// box is sent as a picture.
#[tokio::test(flavor = "multi_thread")]
async fn a_picture_pasted_into_the_message_box_is_sent() {
    let Some(xvfb) = display_tools() else { return };
    let files = tempfile::tempdir().unwrap();
    let shot = files.path().join("shot.png");
    image::RgbImage::from_pixel(200, 120, image::Rgb([30, 160, 60])).save(&shot).unwrap();
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;

    // xclip serves the clipboard until something else takes it.
    let _clipboard = Reaper(
        Command::new("xclip")
            .args(["-selection", "clipboard", "-t", "image/png", "-i"])
            .arg(&shot)
            .env("DISPLAY", &app.display)
            .spawn()
            .expect("run xclip"),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.click(640, 760);
    app.key("ctrl+v");
    let attachment = bot
        .expect_json("alice's picture", |v| {
            (v["type"] == "message" && v["from"] == "alice" && v["attachment"].is_object())
                .then(|| v["attachment"].clone())
        })
        .await;
    assert_eq!(attachment["mime"], "image/png", "{attachment}");
    assert_eq!((attachment["width"].as_u64(), attachment["height"].as_u64()), (Some(200), Some(120)));
    assert!(attachment["name"].as_str().unwrap().starts_with("pasted "), "{attachment}");
    app.screenshot("picture-pasted.png");
}

/// A 300 KB "PDF" in a temporary folder: its path and bytes.
fn homework(dir: &Path) -> (PathBuf, Vec<u8>) {
    let path = dir.join("homework notes.pdf");
    let bytes: Vec<u8> =
        b"%PDF-1.4\n".iter().copied().chain((0..300_000u32).map(|i| (i * 7 % 251) as u8)).collect();
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

/// Waits for `from`'s message with a file at `bot`, checks the file's name, size, type and
/// hash, then downloads it and compares the bytes.
async fn expect_file_from(bot: &mut Cli, from: &str, name: &str, bytes: &[u8], dir: &Path) {
    let attachment = bot
        .expect_json(&format!("{from}'s file"), |v| {
            (v["type"] == "message" && v["from"] == from && v["attachment"].is_object())
                .then(|| v["attachment"].clone())
        })
        .await;
    assert_eq!(attachment["name"], name);
    assert_eq!(attachment["size"], bytes.len());
    assert_eq!(attachment["mime"], "application/pdf");
    assert_eq!(attachment["hash"], blake3::hash(bytes).to_hex().as_str());
    let copy = dir.join("copy");
    bot.send(&format!("/get {} {}", attachment["hash"].as_str().unwrap(), copy.display())).await;
    bot.expect_json("the download", |v| (v["type"] == "downloaded").then_some(())).await;
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
}

/// The paperclip opens the system's file dialog (here zenity's, as on a desktop without the
/// XDG portal); the file picked there reaches the terminal client whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_picked_with_the_paperclip_arrives_at_the_terminal_client() {
    let Some(xvfb) = display_tools() else { return };
    assert!(find_program("zenity").is_some(), "zenity is missing (apt-get install zenity)");
    let files = tempfile::tempdir().unwrap();
    let (notes, bytes) = homework(files.path());
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;

    app.click(312, 760);
    let dialog = expect_window(&app.display, "--class", "zenity").await;
    xdotool(&app.display, &["windowfocus", "--sync", &dialog]);
    key(&app.display, &dialog, "ctrl+l");
    type_text(&app.display, &dialog, notes.to_str().unwrap(), 10);
    // The location field completes as it is typed; Return (a real key press) once it is done.
    tokio::time::sleep(Duration::from_millis(500)).await;
    xdotool(&app.display, &["key", "Return"]);
    expect_file_from(&mut bot, "alice", "homework notes.pdf", &bytes, files.path()).await;
    app.screenshot("file-sent.png");
}

/// A file dragged from another program (a small GTK drag source, as a file manager would be)
/// and dropped onto the conversation reaches the terminal client whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_dropped_onto_the_conversation_arrives_at_the_terminal_client() {
    let Some(xvfb) = display_tools() else { return };
    let files = tempfile::tempdir().unwrap();
    let (notes, bytes) = homework(files.path());
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;

    let _source = drag_onto_conversation(&app, &notes).await;
    expect_file_from(&mut bot, "alice", "homework notes.pdf", &bytes, files.path()).await;
    app.screenshot("file-dropped.png");
}

/// A large file dropped onto the conversation shows its progress above the composer while it
/// goes up; Cancel (pressed while the link is dead, so it cannot have finished) stops it, and
/// no message with the file is ever sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_on_its_way_shows_its_progress_and_cancel_stops_it() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let relay = Relay::start(&server.addr, Impairment::NONE, 5).await;
    let files = tempfile::tempdir().unwrap();
    let film = make_file(files.path(), "school play.mp4", 64 * MIB, 9);
    let mut bot = Cli::login(&server, "bot").await;
    let app = AppWindow::start_through(&xvfb, &server, &relay.addr, "alice").await;
    app.log_in("alice", &mut bot).await;

    let bar = "760x40+264+680";
    let before = pixels(&app.display, &app.window, bar);
    let start = relay.forwarded();
    let _source = drag_onto_conversation(&app, &film).await;
    let deadline = Instant::now() + WAIT;
    while relay.forwarded() < start + 8 * MIB as u64 {
        assert!(Instant::now() < deadline, "the upload did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    relay.set_cut(true);
    expect_redraw(&app.display, &app.window, bar, &before, "the transfer's progress bar").await;
    app.screenshot("transfer-progress.png");
    app.copy_window_until(|text| text.contains("Sending school play.mp4") && text.contains("of 64 MiB"))
        .await;
    app.click(990, 700);
    // The link is still dead, so only Cancel can have taken the row away.
    app.copy_window_until(|text| !text.contains("Sending school play.mp4")).await;
    app.screenshot("transfer-cancelled.png");
    relay.set_cut(false);
    app.click(640, 760);

    // After the cancel, the next thing alice sends is a line of text, not the file.
    let deadline = Instant::now() + WAIT * 3;
    loop {
        app.type_text("after", 20);
        app.key("Return");
        let next = tokio::time::timeout(
            Duration::from_secs(3),
            bot.expect_json("alice's next message", |v| {
                (v["type"] == "message" && v["from"] == "alice").then(|| v.clone())
            }),
        )
        .await;
        if let Ok(message) = next {
            assert_eq!(message["text"], "after", "the cancelled file was sent: {message}");
            assert!(message["attachment"].is_null(), "{message}");
            break;
        }
        assert!(Instant::now() < deadline, "alice's text never arrived after the link came back");
    }
}

/// Drags `file` from a small GTK drag source (as a file manager would) onto the conversation
/// and lets go. The source quits after the drag; it is killed when the result is dropped.
async fn drag_onto_conversation(app: &AppWindow, file: &Path) -> Reaper {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("it/scripts/drag_source.py");
    let source_process = Reaper(
        // Debian's python3, which has the GTK bindings (python3-gi), whatever else is on PATH.
        Command::new("/usr/bin/python3")
            .arg(&script)
            .arg(file)
            .env("DISPLAY", &app.display)
            .spawn()
            .expect("start the drag source (python3 with python3-gi)"),
    );
    let source = expect_window(&app.display, "--name", "drag source").await;
    xdotool(&app.display, &["windowmove", "--sync", &source, "400", "300"]);
    // Press on the source's button, move over the conversation in steps, let go.
    xdotool(&app.display, &["mousemove", "--sync", "500", "350", "mousedown", "1"]);
    for step in 1..=10 {
        let x = (500 + step * 30).to_string();
        xdotool(&app.display, &["mousemove", "--sync", &x, "500"]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    xdotool(&app.display, &["mouseup", "1"]);
    source_process
}

/// Started with an invite link on its command line (as the desktop file opens it for an
/// `anseo://` link), the app logs in pinned to the link's certificate: no trust dialog.
#[tokio::test(flavor = "multi_thread")]
async fn app_opened_with_an_invite_link_logs_in_without_a_trust_dialog() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let mut bot = Cli::login(&server, "bot").await;
    let link = format!("anseo://{}?fp={}", server.addr, server.fingerprint.to_hex());
    let app = AppWindow::start_with_link(&xvfb, &link, "alice").await;
    app.log_in("alice", &mut bot).await;
    app.screenshot("invite-link-login.png");
    // Trusting through the dialog would have written the server into the known-servers file.
    let known = app.config.path().join("anseo/known_servers");
    assert!(!known.exists(), "a trust dialog was answered: {:?}", std::fs::read_to_string(&known));
}

/// A newcomer's login screen lists the server announcing itself on the network (in a network
/// namespace the test makes), with its name and address, read back from the window.
#[tokio::test(flavor = "multi_thread")]
async fn the_login_screen_lists_a_server_on_the_network() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let network = TestNetwork::new(6);
    let (_server, _) = network.server(4433, &["--display-name", "Room 12"]);
    let app = AppWindow::start_in(&xvfb, &network, "alice").await;
    let address = format!("{}:4433", network.address);
    // The bottom left corner of the login screen is background.
    let shown = app
        .copy_window_clicking((10, 790), |text| {
            text.contains("Servers on this network") && text.contains(&address)
        })
        .await;
    let listed =
        shown.lines().skip_while(|line| !line.contains("Servers on this network")).collect::<Vec<_>>();
    assert!(listed.iter().any(|line| line.contains("Room 12")), "{shown}");
    app.screenshot("login-discovered.png");

    // A tap fills the address only: connecting still asks, saying the certificate matches
    // what the server announced.
    app.click(640, 589);
    app.click(640, 511);
    let asked = app.copy_window_clicking((10, 790), |text| text.contains("announced on this network")).await;
    assert!(asked.contains("It matches the fingerprint the server announced on this network"), "{asked}");
    assert!(asked.contains(&address), "{asked}");
    app.screenshot("login-discovered-trust.png");
}

/// The Board tab: a stroke drawn with the mouse (xdotool: down, moves, up) reaches the
/// terminal client point by point, and a stroke the terminal client draws shows on the app's
/// board (its red counted on the screen).
#[tokio::test(flavor = "multi_thread")]
async fn a_stroke_drawn_in_the_app_reaches_the_terminal_and_one_from_the_terminal_shows_in_the_app() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    let (display, window) = (app.display.as_str(), app.window.as_str());
    app.click(BOARD_TAB.0, BOARD_TAB.1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("board-empty.png");

    // Left to right across the middle of the board, in 20 moves.
    let (left, top, side) = BOARD_ON_SCREEN;
    let y = top + side / 2;
    xdotool(display, &["mousemove", "--window", window, &(left + side / 5).to_string(), &y.to_string()]);
    xdotool(display, &["mousedown", "1"]);
    for step in 1..=20 {
        let x = left + side / 5 + step * (side * 3 / 5) / 20;
        xdotool(display, &["mousemove", "--window", window, &x.to_string(), &y.to_string()]);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    xdotool(display, &["mouseup", "1"]);
    let mut points = Vec::new();
    loop {
        let event = bot
            .expect_json("alice's stroke", |v| {
                let kind = v["type"].as_str().unwrap_or_default();
                kind.starts_with("stroke_").then(|| v.clone())
            })
            .await;
        assert_eq!(event["by"], "alice");
        points.extend(event["points"].as_array().cloned().unwrap_or_default());
        if event["type"] == "stroke_end" {
            break;
        }
    }
    app.screenshot("board-drawn.png");
    // The points run left to right along the middle of the board (in its 0..10000 units).
    let xs: Vec<u64> = points.iter().map(|p| p[0].as_u64().unwrap()).collect();
    let ys: Vec<u64> = points.iter().map(|p| p[1].as_u64().unwrap()).collect();
    assert!(points.len() >= 10, "{points:?}");
    assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
    assert!(xs[0] < 2600 && *xs.last().unwrap() > 7400, "{xs:?}");
    assert!(ys.iter().all(|y| (4700..=5300).contains(y)), "{ys:?}");

    // A thick red stroke from the terminal, down the middle: red shows in the app.
    let column = format!("{}x{}+{}+{}", side / 10, side, left + side / 2 - side / 20, top);
    assert!(red_pixels(&pixels(display, window, &column)) < 50, "red before the stroke came");
    bot.send("/draw red 600 5000,0 5000,10000").await;
    bot.expect_json("the echo of the red stroke", |v| (v["type"] == "stroke_end").then_some(())).await;
    let deadline = Instant::now() + WAIT;
    while red_pixels(&pixels(display, window, &column)) < (side / 20 * side / 2) as usize {
        if Instant::now() > deadline {
            app.screenshot("failure.png");
            panic!("the terminal's stroke is not on the app's board (see target/e2e/failure.png)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("board-both.png");

    // Saved from the app, the board is the same picture, byte for byte, as the terminal's.
    let dir = tempfile::tempdir().unwrap();
    let theirs = dir.path().join("bot.svg");
    bot.send(&format!("/board-export {}", theirs.display())).await;
    bot.expect_json("the export", |v| (v["type"] == "info").then_some(())).await;
    let theirs = std::fs::read_to_string(&theirs).unwrap();
    app.click(BOARD_SAVE.0, BOARD_SAVE.1);
    let saved = app.config.path().join("board-lobby.svg");
    let deadline = Instant::now() + WAIT;
    while std::fs::read_to_string(&saved).ok().as_deref() != Some(theirs.as_str()) {
        assert!(
            Instant::now() < deadline,
            "the app saved no board like the terminal's in {}",
            saved.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The board's Save button (the lobby has no creator, so no Clear beside it).
const BOARD_SAVE: (u32, u32) = (990, 129);

/// Where the Board tab is in the 1280x800 window.
const BOARD_TAB: (u32, u32) = (430, 84);
/// The board's square on the screen: left, top, side (in the 1280x800 window).
const BOARD_ON_SCREEN: (u32, u32, u32) = (342, 168, 620);

/// Reactions in the app: the terminal's 👍 under its message shows with its count; a click on
/// it adds alice's, which the terminal sees.
#[tokio::test(flavor = "multi_thread")]
async fn a_reaction_from_the_terminal_shows_under_its_message_and_a_click_adds_yours() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    bot.send("who wants tea?").await;
    let id = bot
        .expect_json("the bot's message", |v| {
            (v["type"] == "message" && v["text"] == "who wants tea?").then(|| v["id"].clone())
        })
        .await;
    bot.send(&format!("/react {id} 👍")).await;
    bot.expect_json("the bot's reaction", |v| (v["type"] == "reaction").then_some(())).await;
    let shown = app.copy_window_until(|text| text.contains("who wants tea?") && text.contains("👍")).await;
    let after = shown.split("who wants tea?").last().unwrap_or_default();
    assert!(after.contains("👍") && after.contains('1'), "{shown}");
    app.screenshot("reaction-shown.png");
    app.click(REACTION_CHIP.0, REACTION_CHIP.1);
    let added = bot
        .expect_json("alice's reaction", |v| {
            (v["type"] == "reaction" && v["by"] == "alice").then(|| v.clone())
        })
        .await;
    assert_eq!(
        (&added["emoji"], &added["on"], &added["id"]),
        (&serde_json::json!("👍"), &serde_json::json!(true), &id)
    );
    app.screenshot("reaction-added.png");
}

/// Where the first reaction chip under the bot's last message is, in the 1280x800 window.
const REACTION_CHIP: (u32, u32) = (330, 700);

/// "is typing" both ways: the app shows carol typing, and typing in its message box reaches
/// the terminal client as alice typing.
#[tokio::test(flavor = "multi_thread")]
async fn the_app_shows_who_is_typing_and_says_when_its_user_types() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    let carol = _server.login("carol").await;
    carol.client.typing(anseo_shared::protocol::Place::Room("lobby".into())).await.unwrap();
    app.copy_window_until(|text| text.contains("carol is typing…")).await;
    app.screenshot("typing.png");
    // Into the message box (the copy left the focus on the messages), 3 s after the typing of
    // the login's probe message (the server passes one signal per person every 3 s).
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.click(600, 760);
    app.type_text("hello th", 30);
    let typing = bot
        .expect_json("alice typing", |v| (v["type"] == "typing" && v["from"] == "alice").then(|| v.clone()))
        .await;
    assert_eq!(typing["room"], "lobby");
}

/// Editing and deleting from a message's menu: alice's typo fixed in place reaches the
/// terminal as an `edited` object, then her message deleted as a `deleted` one, and the window
/// says "(edited)" and then "message deleted".
#[tokio::test(flavor = "multi_thread")]
async fn a_message_is_edited_and_deleted_from_its_menu() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    app.type_text("helo wrold", 20);
    app.key("Return");
    let id = bot
        .expect_json("alice's typo", |v| {
            (v["type"] == "message" && v["text"] == "helo wrold").then(|| v["id"].clone())
        })
        .await;
    app.copy_window_until(|text| text.contains("helo wrold")).await;
    app.screenshot("edit-before.png");
    app.click(MESSAGE_MENU.0, MESSAGE_MENU.1);
    app.screenshot("edit-menu.png");
    app.click(MENU_EDIT.0, MENU_EDIT.1);
    // The field has the focus and its text selected: typing replaces it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.type_text("hello world", 20);
    app.key("Return");
    let edited = bot.expect_json("alice's edit", |v| (v["type"] == "edited").then(|| v.clone())).await;
    assert_eq!(
        (&edited["id"], &edited["text"], &edited["by"]),
        (&id, &serde_json::json!("hello world"), &serde_json::json!("alice"))
    );
    let shown = app.copy_window_until(|text| text.contains("hello world") && text.contains("(edited)")).await;
    assert!(!shown.contains("helo wrold"), "{shown}");
    app.screenshot("edited.png");

    app.click(MESSAGE_MENU.0, MESSAGE_MENU.1);
    app.click(MENU_DELETE.0, MENU_DELETE.1);
    let deleted = bot.expect_json("alice's deletion", |v| (v["type"] == "deleted").then(|| v.clone())).await;
    assert_eq!((&deleted["id"], &deleted["by"]), (&id, &serde_json::json!("alice")));
    let shown = app.copy_window_until(|text| text.contains("message deleted")).await;
    assert!(!shown.contains("hello world"), "{shown}");
    app.screenshot("deleted.png");
}

/// The "⋯" under alice's last message, and its Edit and Delete, in the 1280x800 window.
const MESSAGE_MENU: (u32, u32) = (1004, 695);
const MENU_EDIT: (u32, u32) = (931, 695);
const MENU_DELETE: (u32, u32) = (985, 695);

/// The "new messages" line: alice reads the lobby, leaves (the power button), and the bot says
/// two things meanwhile; logged in again, the app draws the line between what she read and
/// what came since, from where this device kept her place.
#[tokio::test(flavor = "multi_thread")]
async fn the_new_messages_line_sits_where_the_user_stopped_reading() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    bot.send("before you left").await;
    app.copy_window_until(|text| text.contains("before you left")).await;
    let marks = app.config.path().join("anseo").join("read.json");
    wait_for_file(&marks).await;
    app.click(LEAVE_SERVER.0, LEAVE_SERVER.1);
    bot.expect_json("alice offline", |v| {
        (v["type"] == "presence" && v["event"] == "offline" && v["user"] == "alice").then_some(())
    })
    .await;
    bot.send("while you were away 1").await;
    bot.send("while you were away 2").await;
    app.log_in("alice", &mut bot).await;
    let shown = app
        .copy_window_until(|text| text.contains("while you were away 2") && text.contains("New messages"))
        .await;
    app.screenshot("new-messages-line.png");
    let at = |what: &str| shown.find(what).unwrap_or_else(|| panic!("no {what:?} in {shown}"));
    let line = shown.lines().position(|l| l.trim() == "New messages").expect("the line on its own");
    let line_at = shown.lines().take(line).map(|l| l.len() + 1).sum::<usize>();
    assert!(at("before you left") < line_at && line_at < at("while you were away 1"), "{shown}");
}

/// The power button at the bottom of the rooms column (leave the server).
const LEAVE_SERVER: (u32, u32) = (235, 772);

/// Search in the app: the magnifier, the words typed and Enter; the hit shows with its room
/// and sender, and a click on it closes the dialog and brings the message (scrolled out of
/// view by later ones) back into view, marked.
#[tokio::test(flavor = "multi_thread")]
async fn a_search_finds_a_message_and_a_click_jumps_to_it() {
    let Some(xvfb) = display_tools() else { return };
    let Scene { app, mut bot, _server, _one } = alice_and_bot(&xvfb).await;
    bot.send("the wifi password is lantern").await;
    for i in 1..=20 {
        bot.send(&format!("later message {i}")).await;
    }
    app.copy_window_until(|text| text.contains("later message 20")).await;
    app.click(SEARCH_BUTTON.0, SEARCH_BUTTON.1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.type_text("lanter", 20);
    app.key("Return");
    let shown = app.copy_window_clicking(SEARCH_TITLE, |text| text.contains("#lobby · bot")).await;
    assert!(shown.contains("the wifi password is lantern"), "{shown}");
    app.screenshot("search-results.png");
    app.click(FIRST_RESULT.0, FIRST_RESULT.1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot("search-jumped.png");
    let after = app.copy_window_until(|text| !text.contains("Words to find")).await;
    assert!(after.contains("the wifi password is lantern"), "{after}");
}

/// The magnifier in the conversation's header, and the first search result, in 1280x800.
const SEARCH_BUTTON: (u32, u32) = (946, 30);
const FIRST_RESULT: (u32, u32) = (640, 462);
/// The search dialog's title: a click there selects nothing.
const SEARCH_TITLE: (u32, u32) = (700, 324);

/// A voice clip recorded in the desktop app (its own recorder: the web view has no microphone)
/// from the sound server's microphone, which hears a 440 Hz tone: about 1.5 s of it reach the
/// terminal client as a WAV file, and the tone is in it.
#[tokio::test(flavor = "multi_thread")]
async fn the_desktop_app_records_a_voice_clip_from_the_microphone() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let downloads = tempfile::tempdir().unwrap();
    let mut bot =
        Cli::login_with(&server, "bot", &["--json", "--download-dir", downloads.path().to_str().unwrap()])
            .await;
    let (app, _sound) = AppWindow::start_with_sound(&xvfb, &server, "alice").await;
    app.log_in("alice", &mut bot).await;
    app.screenshot("voice-before.png");
    app.click(MICROPHONE.0, MICROPHONE.1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.screenshot("voice-recording.png");
    app.click(MICROPHONE.0, MICROPHONE.1);
    let clip = bot
        .expect_json("alice's clip", |v| {
            (v["type"] == "message" && v["attachment"].is_object()).then(|| v["attachment"].clone())
        })
        .await;
    assert_eq!(clip["mime"], "audio/x-wav", "{clip}");
    assert!(clip["name"].as_str().unwrap().starts_with("voice clip "), "{clip}");
    let seconds = (clip["size"].as_u64().unwrap() - 44) as f64 / 32_000.0;
    assert!((1.0..4.0).contains(&seconds), "a clip of {seconds} s");
    bot.send(&format!("/get {}", clip["hash"].as_str().unwrap())).await;
    let path = bot
        .expect_json("the clip saved", |v| {
            (v["type"] == "downloaded").then(|| v["path"].as_str().unwrap().to_string())
        })
        .await;
    let wav = std::fs::read(path).unwrap();
    let samples: Vec<f64> =
        wav[44..].chunks_exact(2).map(|b| f64::from(i16::from_le_bytes([b[0], b[1]]))).collect();
    let loud = (samples.iter().map(|s| s * s).sum::<f64>() / samples.len() as f64).sqrt();
    assert!(loud > 1000.0, "the clip is silent (rms {loud})");
    // The tone's 440 Hz: about 880 zero crossings a second.
    let crossings = samples.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count() as f64;
    let per_second = crossings / (samples.len() as f64 / 16_000.0);
    assert!((700.0..1100.0).contains(&per_second), "{per_second} zero crossings a second");
}

/// The microphone beside the emoji button in the composer (1280x800).
const MICROPHONE: (u32, u32) = (400, 760);

/// A session bus with dunst on it (the notification service of many Linux desktops), showing
/// on `display`; each notification times out after a second into dunst's history, where
/// `dunstctl` reads it back.
struct NotificationService {
    _dunst: Reaper,
    _bus: Reaper,
    address: String,
}

impl NotificationService {
    async fn start(display: &str, dir: &Path) -> NotificationService {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon (apt-get install dbus)");
        let stdout = bus.stdout.take().expect("dbus-daemon's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
            let _ = tx.send(line);
        });
        let bus = Reaper(bus);
        let address = rx.recv_timeout(WAIT).expect("the session bus's address").trim().to_string();
        let config = dir.join("dunstrc");
        let timeouts =
            ["low", "normal", "critical"].map(|u| format!("[urgency_{u}]\n    timeout = 1\n")).concat();
        std::fs::write(&config, format!("[global]\n    history_length = 100\n{timeouts}")).unwrap();
        let dunst = Command::new("dunst")
            .arg("-config")
            .arg(&config)
            .env("DISPLAY", display)
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dunst (apt-get install dunst)");
        let service = NotificationService { _dunst: Reaper(dunst), _bus: bus, address };
        let deadline = Instant::now() + WAIT;
        while service.dunstctl(&["count", "history"]).is_none() {
            assert!(Instant::now() < deadline, "dunst did not come up on the session bus");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        service
    }

    fn dunstctl(&self, args: &[&str]) -> Option<String> {
        let output = Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// `(summary, body)` of every notification shown and gone, newest first.
    fn history(&self) -> Vec<(String, String)> {
        let Some(text) = self.dunstctl(&["history"]) else { return Vec::new() };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let field =
            |n: &serde_json::Value, key: &str| n[key]["data"].as_str().unwrap_or_default().to_string();
        json["data"][0]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| (field(n, "summary"), field(n, "body")))
            .collect()
    }

    /// Waits until a notification `(summary, body)` has been shown.
    async fn expect(&self, summary: &str, body: &str) -> Vec<(String, String)> {
        let deadline = Instant::now() + WAIT;
        loop {
            let seen = self.history();
            if seen.iter().any(|(s, b)| s == summary && b == body) {
                return seen;
            }
            assert!(Instant::now() < deadline, "no notification {summary:?} {body:?}; dunst showed {seen:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Notifications through a real notification service (dunst on a session bus): a direct
/// message, which alice does not see (the lobby is open), raises one with the sender and the
/// text; a mention in the lobby she is looking at raises none.
#[tokio::test(flavor = "multi_thread")]
async fn a_direct_message_raises_a_desktop_notification_and_what_alice_sees_does_not() {
    let Some(xvfb) = display_tools() else { return };
    let _one = ONE_APP.lock().await;
    let server = TestServer::start();
    let mut bot = Cli::login(&server, "bot").await;
    let (xserver, display) = start_xvfb(&xvfb);
    let config = tempfile::tempdir().expect("temp config dir");
    let service = NotificationService::start(&display, config.path()).await;
    let mut command = Command::new(binary("anseo"));
    command.env("DBUS_SESSION_BUS_ADDRESS", &service.address);
    let app =
        AppWindow::open_as(command, xserver, display, config, &pinned(&server, &server.addr), "alice", "")
            .await;
    app.log_in("alice", &mut bot).await;

    bot.send("/msg alice are you coming to the meeting?").await;
    service.expect("bot", "are you coming to the meeting?").await;
    bot.send("@alice the lobby is where you are").await;
    bot.send("/msg alice second").await;
    let seen = service.expect("bot", "second").await;
    assert!(!seen.iter().any(|(_, body)| body.contains("the lobby is where you are")), "{seen:?}");
    assert_eq!(seen.len(), 2, "{seen:?}");
}
