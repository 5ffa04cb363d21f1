//! The top of the message list: "show earlier" while loaded entries are not drawn, "load older
//! messages" while the server has older ones, "Beginning of #room" once the first message is
//! loaded, or a welcome line in an empty conversation. Scrolling to the top does what the
//! button does (see [`MessageList`](super::MessageList)).

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::{Action, History, Target};

#[component]
pub fn ListStart(current: Target, hidden: usize, empty: bool, history: History) -> Element {
    let dispatch = use_dispatch();
    if hidden > 0 {
        return rsx! {
            button {
                class: "show-earlier",
                aria_label: "Show earlier messages",
                onclick: move |_| dispatch.act(Action::LoadOlder),
                "Show earlier messages ({hidden} more)"
            }
        };
    }
    if history.more {
        // Stays enabled (and focusable) while loading; a second press asks for nothing.
        let label = if history.loading { "Loading older messages…" } else { "Load older messages" };
        return rsx! {
            button {
                class: "show-earlier",
                aria_label: "Load older messages",
                aria_busy: history.loading,
                onclick: move |_| dispatch.act(Action::LoadOlder),
                "{label}"
            }
        };
    }
    match current {
        Target::Room(room) if empty => rsx! {
            div { class: "empty-state",
                p { "This is the start of #{room}. Say hello!" }
            }
        },
        Target::Room(room) if history.at_beginning() => rsx! {
            p { class: "beginning", role: "note", "Beginning of #{room}" }
        },
        Target::Direct(user) if empty => rsx! {
            div { class: "empty-state",
                p { "This is the start of your private conversation with {user}." }
            }
        },
        _ => rsx! {},
    }
}
