//! The emoji under a room message: one chip per emoji with its count (who, on hover), a click
//! puts it on or takes yours off; a button that offers a few emoji to react with; and the
//! message's menu (edit, delete) where the user may use it.

use dioxus::prelude::*;

use super::MessageMenu;
use crate::dispatch::use_dispatch;
use crate::model::Action;
use crate::model::reactions::{QUICK_REACTIONS, ReactionCount};

#[component]
pub fn ReactionBar(
    id: u64,
    counts: Vec<ReactionCount>,
    #[props(default)] can_edit: bool,
    #[props(default)] can_delete: bool,
) -> Element {
    let dispatch = use_dispatch();
    let mut offering = use_signal(|| false);
    let mut react = move |emoji: String| {
        offering.set(false);
        dispatch.act(Action::React { id, emoji });
    };
    rsx! {
        div { class: "reactions", "data-id": "{id}",
            for count in counts {
                button {
                    class: if count.mine { "reaction mine" } else { "reaction" },
                    title: "{count.by.join(\", \")}",
                    aria_label: "{count.emoji} {count.by.len()}: {count.by.join(\", \")}",
                    aria_pressed: count.mine,
                    onclick: {
                        let emoji = count.emoji.clone();
                        move |_| react(emoji.clone())
                    },
                    span { "{count.emoji}" }
                    span { class: "reaction-count", "{count.by.len()}" }
                }
            }
            button {
                class: "reaction add-reaction",
                aria_label: "React to this message",
                aria_expanded: offering(),
                onclick: move |_| offering.toggle(),
                "☺+"
            }
            MessageMenu { id, can_edit, can_delete }
            if offering() {
                div { class: "reaction-offer", role: "menu",
                    for emoji in QUICK_REACTIONS {
                        button {
                            class: "reaction-choice",
                            role: "menuitem",
                            aria_label: "React {emoji}",
                            onclick: move |_| react(emoji.to_string()),
                            "{emoji}"
                        }
                    }
                }
            }
        }
    }
}
