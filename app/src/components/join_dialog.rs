//! Create or join a room: a name, an optional topic (used when the room is new), and the
//! rooms that already exist.

use dioxus::prelude::*;

use super::{Dialog, DialogActions, TextField};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::Action;

#[component]
pub fn JoinDialog() -> Element {
    let dispatch = use_dispatch();
    // What the (undriven) fields hold, from their input events.
    let mut room = use_signal(String::new);
    let mut topic = use_signal(String::new);
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let others: Vec<(String, String, u32)> = chat
        .directory
        .values()
        .filter(|r| !chat.rooms.contains_key(&r.name))
        .map(|r| (r.name.clone(), r.topic.clone(), r.members))
        .collect();
    let error = chat.error.clone();
    let submit = move || dispatch.act(Action::JoinRoom { room: room(), topic: topic() });
    rsx! {
        Dialog { id: "join", title: "Create or join a room",
            oncancel: move |_| dispatch.act(Action::CloseDialog),
            onconfirm: move |_| submit(),
            TextField {
                id: "join-room",
                label: "Room name",
                placeholder: "e.g. homework",
                error: None,
                onmounted: move |_| run_script("document.getElementById('join-room')?.focus()"),
                oninput: move |value| room.set(value),
            }
            TextField {
                id: "join-topic",
                label: "Topic (optional, for a new room)",
                placeholder: "What is it about?",
                error: None,
                oninput: move |value| topic.set(value),
            }
            if let Some(error) = error {
                p { class: "form-error", role: "alert", "{error}" }
            }
            if !others.is_empty() {
                h3 { class: "section-title", "Existing rooms" }
                ul { class: "room-directory",
                    for (name, about, members) in others {
                        li { key: "{name}",
                            button {
                                class: "nav-item",
                                aria_label: "Join room {name}",
                                onclick: {
                                    let name = name.clone();
                                    move |_| dispatch.act(Action::JoinRoom { room: name.clone(), topic: String::new() })
                                },
                                span { class: "hash", "#" }
                                span { class: "nav-name", "{name}" }
                                span { class: "muted small", "{about}" }
                                span { class: "muted small", "{members} in" }
                            }
                        }
                    }
                }
            }
            DialogActions {
                confirm: "Join",
                confirm_label: "Join the room",
                onconfirm: move |_| submit(),
                oncancel: move |_| dispatch.act(Action::CloseDialog),
            }
        }
    }
}
