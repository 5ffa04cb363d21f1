//! The web client in Firefox ESR (headless, driven through geckodriver), served by the server
//! itself with its default settings: the same chat with the terminal client as Chromium's
//! (`browser.rs`), over WebTransport and over the WebSocket. Screenshots go to `target/e2e/`
//! as `firefox-…`.

use crate::browser::chats_with_the_terminal_client;
use crate::support::Engine;

#[tokio::test]
async fn firefox_chats_with_the_terminal_client_over_web_transport() {
    chats_with_the_terminal_client(Engine::Firefox, "/", "WebTransport").await;
}

#[tokio::test]
async fn firefox_chats_with_the_terminal_client_over_the_websocket() {
    chats_with_the_terminal_client(Engine::Firefox, "/?transport=ws", "WebSocket").await;
}
