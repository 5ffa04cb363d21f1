//! A real browser, headless, driven through WebDriver (fantoccini): Debian's Chromium with
//! its chromedriver. The browser trusts exactly the test server's certificate (its public
//! key is pinned with `--ignore-certificate-errors-spki-list`), as a person who compared the
//! fingerprint once would.

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

/// A window size.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

/// A desktop browser window.
pub const DESKTOP: Size = Size { width: 1280, height: 800 };
/// A phone's screen.
pub const PHONE: Size = Size { width: 390, height: 844 };

/// A headless Chromium and its driver; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends chromedriver and every Chromium process it started: they share its process group.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts Chromium trusting `server`'s certificate, at `size`.
    pub async fn chromium(server: &TestServer, size: Size) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (Debian package chromium-driver; scripts/deps.sh installs it)");
        let profile = tempfile::tempdir().expect("profile dir");
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--window-size={},{}", size.width, size.height),
            format!("--user-data-dir={}", profile.path().display()),
            format!(
                "--ignore-certificate-errors-spki-list={}",
                spki_hash(&server.cert_dir().join("cert.pem"))
            ),
        ];
        let mut capabilities = serde_json::Map::new();
        // A window narrower than 500 px needs the phone's screen emulated.
        let screen = json!({ "width": size.width, "height": size.height, "pixelRatio": 1.0 });
        let options =
            json!({ "binary": chromium(), "args": args, "mobileEmulation": { "deviceMetrics": screen } });
        capabilities.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        let client = loop {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities.clone());
            match builder.connect(&url).await {
                Ok(client) => break client,
                Err(error) if Instant::now() > deadline => panic!("cannot drive Chromium: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser { client, driver, _profile: profile }
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
