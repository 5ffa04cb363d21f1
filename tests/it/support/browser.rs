//! Real browsers, headless, driven through WebDriver (fantoccini): Debian's Chromium with its
//! chromedriver, and Debian's Firefox ESR with geckodriver (from crates.io, in
//! `target/tools/bin`: `scripts/geckodriver.sh` installs it). Chromium trusts exactly the
//! test server's certificate (its public key is pinned with
//! `--ignore-certificate-errors-spki-list`), as a person who compared the fingerprint once
//! would; Firefox takes the page's certificate as it is (`acceptInsecureCerts`), having no
//! such pin. Either driver runs in a process group of its own with its browser, ended whole.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::{TestServer, WAIT};

/// A window size, and whether the system asks pages for their dark theme.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
}

/// A desktop browser window.
pub const DESKTOP: Size = Size { width: 1280, height: 800, dark: false };
/// A phone's screen.
pub const PHONE: Size = Size { width: 390, height: 844, dark: false };
/// A phone's screen, the system set to dark.
pub const DARK_PHONE: Size = Size { dark: true, ..PHONE };

/// Which browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
        })
    }
}

/// A headless browser and its driver; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    /// The browser's profile (`profile/`) and what its driver wrote (`driver.log`).
    dir: tempfile::TempDir,
}

/// A WebDriver process, leader of a process group of its own that the browser it starts
/// joins.
struct Driver(Child);

impl Driver {
    /// Starts `command` (listening on a port it was given) in a process group of its own,
    /// writing what it says to `driver.log` in `dir`; `missing` says how to get it when it
    /// cannot start.
    fn spawn(command: &mut Command, dir: &Path, missing: &str) -> Driver {
        let log = std::fs::File::create(dir.join("driver.log")).expect("driver.log");
        let log2 = log.try_clone().expect("driver.log");
        let child = command.process_group(0).stdin(Stdio::null()).stdout(log).stderr(log2).spawn();
        Driver(child.unwrap_or_else(|error| panic!("{missing}: {error}")))
    }
}

impl Drop for Driver {
    /// Ends the driver and every browser process it started: they share its process group.
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// Starts `engine` at `size`, trusting `server`'s certificate.
    pub async fn start(engine: Engine, server: &TestServer, size: Size) -> Browser {
        match engine {
            Engine::Chromium => Browser::chromium(server, size).await,
            Engine::Firefox => Browser::firefox(server, size).await,
        }
    }

    /// Starts Chromium trusting `server`'s certificate, at `size`.
    pub async fn chromium(server: &TestServer, size: Size) -> Browser {
        let (dir, profile) = browser_dir();
        let port = free_port();
        let driver = Driver::spawn(
            Command::new("chromedriver").arg(format!("--port={port}")),
            dir.path(),
            "start chromedriver (Debian package chromium-driver; scripts/deps.sh installs it)",
        );
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            // A microphone that plays a beep, given to the page without asking.
            "--use-fake-device-for-media-stream".into(),
            "--use-fake-ui-for-media-stream".into(),
            format!("--window-size={},{}", size.width, size.height),
            format!("--user-data-dir={}", profile.display()),
            format!(
                "--ignore-certificate-errors-spki-list={}",
                spki_hash(&server.cert_dir().join("cert.pem"))
            ),
        ];
        let mut args = args;
        if size.dark {
            // `prefers-color-scheme: dark`, as a system set to dark reports it.
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        let mut capabilities = serde_json::Map::new();
        // A window narrower than 500 px needs the phone's screen emulated.
        let screen = json!({ "width": size.width, "height": size.height, "pixelRatio": 1.0 });
        // Files the page saves go to `downloads/` (see [`Browser::downloads`]).
        let prefs = json!({
            "download.default_directory": dir.path().join("downloads"),
            "download.prompt_for_download": false,
        });
        let options = json!({
            "binary": chromium(),
            "args": args,
            "mobileEmulation": { "deviceMetrics": screen },
            "prefs": prefs,
        });
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = connect(Engine::Chromium, port, capabilities).await;
        Browser { client, _driver: driver, dir }
    }

    /// Starts Firefox ESR at `size`. Firefox takes no pin of one public key on its command
    /// line, so it takes whatever certificate the page presents (`acceptInsecureCerts`);
    /// `_server` keeps the signature of [`chromium`](Self::chromium)'s.
    pub async fn firefox(_server: &TestServer, size: Size) -> Browser {
        let geckodriver = geckodriver();
        let (dir, profile) = browser_dir();
        let port = free_port();
        let driver = Driver::spawn(
            Command::new(&geckodriver).args(["--port", &port.to_string()]),
            dir.path(),
            &format!("start {}", geckodriver.display()),
        );
        let args = ["-headless".to_string(), "-profile".into(), profile.display().to_string()];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("acceptInsecureCerts".into(), json!(true));
        // The page's console into the driver's log, for a failing test to show.
        let prefs = json!({ "devtools.console.stdout.content": true });
        let options = json!({ "binary": firefox(), "args": args, "prefs": prefs });
        capabilities.insert("moz:firefoxOptions".into(), options);
        let client = connect(Engine::Firefox, port, capabilities).await;
        client.set_window_size(size.width, size.height).await.expect("size Firefox's window");
        Browser { client, _driver: driver, dir }
    }

    /// What the browser's driver wrote (Firefox's includes the browser's own output and the
    /// page's console).
    /// Where Chromium saves the files a page downloads.
    pub fn downloads(&self) -> PathBuf {
        self.dir.path().join("downloads")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("driver.log")).unwrap_or_default()
    }

    /// Opens `path` of the server's web address.
    pub async fn open(&self, server: &TestServer, path: &str) {
        let url = format!("https://{}{path}", server.web_addr());
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Logs in from the page's form as `name` (Enter in the name field), returning once the
    /// composer is there. The name field has the focus when the page opens, the composer after
    /// login.
    pub async fn log_in(&self, server: &TestServer, name: &str) {
        self.log_in_at(server, "/", name).await;
    }

    /// Logs in as [`log_in`](Self::log_in) does, from the page at `path` (say
    /// `/?transport=ws`).
    pub async fn log_in_at(&self, server: &TestServer, path: &str, name: &str) {
        self.open(server, path).await;
        let field = self.find("#login-name").await;
        self.wait_for_focus("login-name").await;
        // The page fills in the last name it logged in with.
        field.clear().await.expect("clear the name");
        field.send_keys(name).await.expect("type the name");
        field.send_keys(&Key::Enter).await.expect("press Enter");
        self.find("#composer").await;
        self.wait_for_focus("composer").await;
    }

    /// Types `text` into the composer and sends it with Enter. (Chromedriver types only
    /// characters of the Basic Multilingual Plane.)
    pub async fn say(&self, text: &str) {
        let composer = self.find("#composer").await;
        composer.send_keys(text).await.expect("type the message");
        composer.send_keys(&Key::Enter).await.expect("press Enter");
    }

    /// The element `css`, once it is there.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => panic!("no {css} within {WAIT:?}: {error}\npage:\n{}", self.text().await),
        }
    }

    /// The text the page shows.
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(error) => format!("(no page: {error})"),
        }
    }

    /// Waits until the page's text contains `wanted`.
    pub async fn wait_for_text(&self, wanted: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text().await;
            if text.contains(wanted) {
                return;
            }
            assert!(Instant::now() < deadline, "the page never showed {wanted:?}; it shows:\n{text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until no element matches `css`.
    pub async fn wait_until_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.client.find(Locator::Css(css)).await.is_ok() {
            assert!(Instant::now() < deadline, "{css} still there after {WAIT:?}:\n{}", self.text().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element with id `id` has the keyboard focus.
    pub async fn wait_for_focus(&self, id: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let focused = self.focused_id().await;
            if focused == id {
                return;
            }
            assert!(Instant::now() < deadline, "#{id} never had the focus (#{focused} has it)");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The id of the element that has the keyboard focus.
    pub async fn focused_id(&self) -> String {
        let id =
            self.client.execute("return document.activeElement && document.activeElement.id", vec![]).await;
        id.ok().and_then(|value| value.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Saves a screenshot as `target/e2e/NAME.png` (to look at by eye).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        std::fs::create_dir_all(&dir).expect("target/e2e");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }
}

/// Debian's Chromium.
fn chromium() -> &'static str {
    "/usr/bin/chromium"
}

/// Debian's Firefox ESR.
fn firefox() -> &'static str {
    "/usr/bin/firefox-esr"
}

/// geckodriver, where `scripts/geckodriver.sh` installs it: `target/tools/bin/geckodriver`
/// of the workspace. Fails saying how to install it when it is not there.
fn geckodriver() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/bin/geckodriver");
    assert!(
        path.is_file(),
        "{} is missing: install geckodriver with scripts/geckodriver.sh \
         (cargo install geckodriver --version 0.37.1 --locked --root target/tools), \
         and Firefox ESR with scripts/deps.sh (Debian package firefox-esr)",
        path.display()
    );
    path
}

/// Connects to the WebDriver listening on `port` (it may still be starting), opening a
/// session of `engine` with `capabilities`.
async fn connect(
    engine: Engine,
    port: u16,
    capabilities: serde_json::Map<String, serde_json::Value>,
) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    loop {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities.clone());
        match builder.connect(&url).await {
            Ok(client) => return client,
            Err(error) if Instant::now() > deadline => panic!("cannot drive {engine}: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A new directory for a browser, and its profile folder in it.
fn browser_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("browser dir");
    let profile = dir.path().join("profile");
    std::fs::create_dir(&profile).expect("profile dir");
    (dir, profile)
}

/// A TCP port nobody listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    listener.local_addr().expect("its address").port()
}

/// The base64 SHA-256 of the certificate's public key (SPKI), as Chromium's
/// `--ignore-certificate-errors-spki-list` takes it.
fn spki_hash(cert: &Path) -> String {
    let script = format!(
        "openssl x509 -pubkey -noout -in '{}' | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
        cert.display()
    );
    let output = Command::new("sh").arg("-c").arg(script).output().expect("run openssl");
    assert!(output.status.success(), "openssl: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("base64").trim().to_string()
}
