//! Consecutive messages from one sender: name and local time once, then the lines. Own
//! messages sit on the right in the accent colour.

use chrono::{DateTime, Local};
use dioxus::prelude::*;

use super::{Avatar, FileCard, MessageText, ReactionBar};
use crate::model::ChatLine;
use crate::model::notify::mentions;

/// `HH:MM` in the local time zone for a server timestamp (ms since the Unix epoch).
pub fn local_time(ts: u64) -> String {
    DateTime::from_timestamp_millis(ts as i64)
        .map(|t| t.with_timezone(&Local).format("%H:%M").to_string())
        .unwrap_or_default()
}

#[component]
pub fn MessageGroup(from: String, lines: Vec<ChatLine>, mine: bool, reactable: bool, me: String) -> Element {
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
                        if let Some(file) = line.file.clone() {
                            FileCard { file }
                        }
                        if !line.text.is_empty() {
                            MessageText { text: line.text.clone() }
                        }
                    }
                    if reactable {
                        ReactionBar { key: "r{line.id}", id: line.id, counts: line.reactions.clone() }
                    }
                }
            }
        }
    }
}
