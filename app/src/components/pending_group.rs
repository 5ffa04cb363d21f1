//! This user's messages that the server has not confirmed yet, under the conversation: muted,
//! with "Sending…", or "Waiting for the connection…" while it is down. Each goes away when
//! its echo arrives and takes its place in the list.

use dioxus::prelude::*;

use super::MessageText;

#[component]
pub fn PendingGroup(texts: Vec<String>, waiting: bool) -> Element {
    let state = if waiting { "Waiting for the connection…" } else { "Sending…" };
    rsx! {
        article { class: "group mine pending", aria_label: "Your messages not sent yet",
            div { class: "group-body",
                div { class: "group-meta",
                    span { class: "you-tag", "you" }
                    span { class: "time", id: "pending-state", "{state}" }
                }
                for (at, text) in texts.into_iter().enumerate() {
                    div { key: "{at}", class: "bubble", MessageText { text } }
                }
            }
        }
    }
}
