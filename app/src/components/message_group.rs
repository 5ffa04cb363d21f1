//! Consecutive messages from one sender: name and local time once, then the lines. Own
//! messages sit on the right in the accent colour.

use dioxus::prelude::*;

use anseo_shared::protocol::MessageState;

use super::{Avatar, EditField, FileCard, MessageText, ReactionBar};
use crate::model::ChatLine;
use crate::model::notify::mentions;
use crate::model::text::local_time;

#[component]
pub fn MessageGroup(
    from: String,
    lines: Vec<ChatLine>,
    mine: bool,
    reactable: bool,
    me: String,
    /// The message being edited, if it is one of these.
    #[props(default)]
    editing: Option<u64>,
    /// Whether the user may delete these messages (their own, or as owner or moderator).
    #[props(default)]
    can_delete: bool,
) -> Element {
    #[cfg(test)]
    crate::renders::drawn("MessageGroup");
    let time = lines.first().map(|l| local_time(l.ts)).unwrap_or_default();
    let class = if mine { "group mine" } else { "group" };
    rsx! {
        article { class, aria_label: "Messages from {from}",
            if !mine {
                Avatar { name: from.clone() }
            }
            div { class: "group-body",
                div { class: "group-meta",
                    span { class: "sender", "{from}" }
                    if mine {
                        span { class: "you-tag", "you" }
                    }
                    time { class: "time", "{time}" }
                }
                for (line, at) in lines.into_iter().map(|l| { let at = local_time(l.ts); (l, at) }) {
                    div {
                        key: "{line.id}",
                        class: if !mine && mentions(&line.text, &me) { "bubble mentioned" } else { "bubble" },
                        title: "{at}",
                        "data-id": "{line.id}",
                        if line.state == MessageState::Deleted {
                            span { class: "deleted", "message deleted" }
                        } else if editing == Some(line.id) {
                            EditField { id: line.id, text: line.text.clone() }
                        } else {
                            if let Some(file) = line.file.clone() {
                                FileCard { file }
                            }
                            if !line.text.is_empty() {
                                MessageText { text: line.text.clone() }
                            }
                            if line.state == MessageState::Edited {
                                span { class: "edited", " (edited)" }
                            }
                        }
                    }
                    if reactable && line.state != MessageState::Deleted {
                        ReactionBar {
                            key: "r{line.id}",
                            id: line.id,
                            counts: line.reactions.clone(),
                            can_edit: mine && line.file.is_none(),
                            can_delete,
                        }
                    }
                }
            }
        }
    }
}
