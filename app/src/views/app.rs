//! The root component: theme, window title, the network task, and the current screen.

use dioxus::prelude::*;

use super::{ChatScreen, Dispatch, LoginScreen};
use crate::network::use_network;
use crate::startup::Startup;

/// The app's stylesheet (light and dark themes, wide and phone layouts).
pub const STYLE: &str = include_str!("../style.css");

#[component]
pub fn App() -> Element {
    let startup: Startup = use_context();
    let model = use_signal(|| startup.model.clone());
    let network = use_network(model, startup.paths.clone());
    use_context_provider(|| Dispatch::new(model, network));
    // Pictures and voice clips from the app's cache, at /media/HASH.
    #[cfg(feature = "desktop")]
    dioxus::desktop::use_asset_handler("media", crate::media::serve);
    rsx! { Shell {} }
}

/// Everything under the root, given a [`Dispatch`] (tests provide their own).
#[component]
pub fn Shell() -> Element {
    let dispatch = super::use_dispatch();
    let model = dispatch.model.read();
    let title = model.title();
    let logged_in = model.chat.is_some();
    rsx! {
        document::Title { "{title}" }
        document::Meta {
            name: "viewport",
            content: "width=device-width, initial-scale=1, viewport-fit=cover, interactive-widget=resizes-content",
        }
        style { {STYLE} }
        if logged_in {
            ChatScreen {}
        } else {
            LoginScreen {}
        }
    }
}
