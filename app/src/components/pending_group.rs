//! This user's messages that the server has not confirmed yet, under the conversation: muted,
//! with "Sending…", or "Waiting for the connection…" while it is down. Each goes away when
//! its echo arrives and takes its place in the list. A message that was not sent (the server
//! refused it, or the session ended first) stays here with the reason and two buttons: send
//! it again, or discard it.

use dioxus::prelude::*;

use super::MessageText;
use crate::dispatch::use_dispatch;
use crate::model::Action;

/// One unconfirmed message as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingView {
    pub client_msg_id: u64,
    pub text: String,
    /// Why it was not sent, when it failed.
    pub failed: Option<String>,
}

#[component]
pub fn PendingGroup(lines: Vec<PendingView>, waiting: bool) -> Element {
    let dispatch = use_dispatch();
    let state = if waiting { "Waiting for the connection…" } else { "Sending…" };
    let any_waiting = lines.iter().any(|line| line.failed.is_none());
    rsx! {
        article { class: "group mine pending", aria_label: "Your messages not sent yet",
            div { class: "group-body",
                div { class: "group-meta",
                    span { class: "you-tag", "you" }
                    if any_waiting {
                        span { class: "time", id: "pending-state", "{state}" }
                    }
                }
                for (class, line) in lines.into_iter().map(|line| (bubble_class(&line), line)) {
                    div { key: "{line.client_msg_id}", class,
                        MessageText { text: line.text }
                        if let Some(reason) = line.failed {
                            p { class: "send-failed", role: "alert", "Not sent: {reason}" }
                            div { class: "send-failed-actions",
                                button {
                                    class: "ghost",
                                    onclick: move |_| dispatch.act(Action::RetrySend(line.client_msg_id)),
                                    "Send again"
                                }
                                button {
                                    class: "ghost",
                                    onclick: move |_| dispatch.act(Action::DiscardUnsent(line.client_msg_id)),
                                    "Discard"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn bubble_class(line: &PendingView) -> &'static str {
    if line.failed.is_some() { "bubble failed" } else { "bubble" }
}
