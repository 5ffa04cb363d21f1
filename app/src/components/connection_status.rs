//! Whether the app is connected: a small pill, or (with `banner`) a bar over the messages while
//! the connection is down.

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::Status;

#[component]
pub fn ConnectionStatus(banner: bool) -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let text = chat.status_text();
    let connected = chat.status == Status::Connected;
    if banner {
        return if connected {
            rsx! {}
        } else {
            rsx! { div { class: "status-banner", role: "status", id: "connection-banner", "{text}" } }
        };
    }
    let (class, label) =
        if connected { ("status-pill ok", "Connected") } else { ("status-pill down", "Reconnecting…") };
    rsx! {
        span { class, role: "status", title: "{text}", aria_label: "{text}",
            span { class: "dot", aria_hidden: "true" }
            "{label}"
        }
    }
}
