//! Search: a field, and what the server found in this user's rooms and direct messages,
//! newest first, the words searched for highlighted; a click opens the message in its
//! conversation.

use anseo_shared::protocol::Place;
use dioxus::prelude::*;

use super::{Dialog, TextField, local_time};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::Action;
use crate::model::search::highlighted;

#[component]
pub fn SearchDialog() -> Element {
    let dispatch = use_dispatch();
    let mut text = use_signal(String::new);
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let search = chat.search.clone();
    let error = chat.error.clone();
    let submit = move || dispatch.act(Action::Search { text: text(), next_page: false });
    rsx! {
        Dialog { id: "search", title: "Search",
            oncancel: move |_| dispatch.act(Action::CloseDialog),
            onconfirm: move |_| submit(),
            TextField {
                id: "search-text",
                label: "Words to find in your rooms and direct messages",
                placeholder: "e.g. homework friday",
                error: None,
                onmounted: move |_| run_script("document.getElementById('search-text')?.focus()"),
                oninput: move |value| text.set(value),
            }
            if let Some(error) = error {
                p { class: "form-error", role: "alert", "{error}" }
            }
            if search.waiting {
                p { class: "muted small", "Searching…" }
            } else if !search.text.is_empty() && search.results.is_empty() {
                p { class: "muted small", id: "search-nothing", "Nothing found for “{search.text}”." }
            }
            ul { class: "search-results", id: "search-results",
                for hit in search.results.clone() {
                    li { key: "{hit.id}",
                        button {
                            class: "search-result",
                            onclick: {
                                let hit = hit.clone();
                                move |_| dispatch.act(Action::OpenResult(hit.clone()))
                            },
                            span { class: "search-where muted small",
                                match &hit.place {
                                    Place::Room(room) => format!("#{room} · {} · {}", hit.from, local_time(hit.ts)),
                                    Place::Direct(user) => format!("with {user} · {} · {}", hit.from, local_time(hit.ts)),
                                }
                            }
                            span { class: "search-text",
                                for (piece, hit_word) in highlighted(&hit.text, &search.text) {
                                    if hit_word {
                                        mark { "{piece}" }
                                    } else {
                                        "{piece}"
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if search.more && !search.waiting {
                button {
                    class: "ghost",
                    onclick: move |_| {
                        let text = dispatch.model.peek().chat.as_ref().map(|c| c.search.text.clone()).unwrap_or_default();
                        dispatch.act(Action::Search { text, next_page: true });
                    },
                    "Older results"
                }
            }
        }
    }
}
