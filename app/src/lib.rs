//! The Anseo app for desktop and phones, built with Dioxus.
//!
//! It speaks to the server only through the client core in `anseo-shared`; nothing here knows
//! the wire format.
//!
//! # Layout
//! - [`model`]: the state and everything that changes it (user actions, network events).
//!   Pure: no IO, no Dioxus, unit-tested.
//! - [`network`]: the one network task, bridging the client core into the model.
//! - [`views`]: one screen per file (login, chat) and the root component.
//! - [`components`]: the small pieces the screens are made of, one per file.
//! - [`dispatch`]: how components reach the model and the network task (`use_dispatch`).
//! - [`export`]: saving a board as an SVG picture (download folder, or the browser's downloads).
//! - [`notifier`]: the model's notifications shown with the platform's own.
//! - [`settings`]: what the app remembers between runs (last server and name).
//! - [`startup`]: what the root component starts with (the pre-filled login form).
//! - [`tokens`]: the logins kept on this device, so a claimed name needs its password once.
//! - [`unsent`]: the messages not confirmed yet, kept so they outlive the session (a reloaded
//!   tab sends them once).
//! - `media`: pictures and voice clips shown from the app's own cache (not in the browser).
//! - [`storage`]: where those are kept: files, or the browser's storage.
//! - [`args`]: the command line (not in the browser).
//! - `android`: the Wi-Fi multicast lock and the link the app was opened with, through JNI.
//! - `renders` (tests only): how often each component was drawn, for the render-count tests.

#[cfg(target_os = "android")]
pub mod android;
#[cfg(not(target_arch = "wasm32"))]
pub mod args;
pub mod components;
pub mod dispatch;
pub mod export;
#[cfg(not(target_arch = "wasm32"))]
pub mod media;
pub mod model;
pub mod network;
pub mod notifier;
pub mod read_marks;
#[cfg(all(not(target_arch = "wasm32"), not(target_os = "android"), not(target_os = "ios")))]
pub mod recorder;
#[cfg(test)]
pub mod renders;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod tokens;
pub mod unsent;
pub mod views;

#[cfg(not(target_arch = "wasm32"))]
pub use args::Args;
pub use startup::Startup;

/// Opens the window (or the phone app) and runs until it closes.
#[cfg(not(target_arch = "wasm32"))]
pub fn launch(args: Args) {
    let startup = Startup::from_args(args);
    let builder = dioxus::LaunchBuilder::new().with_context(startup);
    #[cfg(feature = "desktop")]
    let builder = builder.with_cfg(desktop_config());
    builder.launch(views::App);
}

/// Starts the web client in the page.
#[cfg(target_arch = "wasm32")]
pub fn launch_page() {
    dioxus::LaunchBuilder::new().with_context(Startup::for_page()).launch(views::App);
}

#[cfg(feature = "desktop")]
fn desktop_config() -> dioxus::desktop::Config {
    use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
    let window = WindowBuilder::new()
        .with_title("Anseo")
        .with_inner_size(LogicalSize::new(1180.0, 760.0))
        .with_min_inner_size(LogicalSize::new(320.0, 480.0));
    Config::new().with_window(window).with_menu(None).with_background_color((24, 25, 30, 255))
}
