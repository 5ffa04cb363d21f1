//! The open conversation's messages: only the newest [`PAGE`](crate::model::PAGE) entries are
//! drawn (10,000 messages stay fast), with "show earlier" for more. Sticks to the bottom as
//! messages arrive unless the user scrolled up; then a "new messages" marker appears.

use dioxus::prelude::*;

use super::MessageGroup;
use crate::model::{Action, Block, Target, blocks};
use crate::views::{run_script, use_dispatch};

/// Keeps the list at the bottom while the user is there, and reports (true/false) when the
/// user scrolls away from the bottom or back.
const SCROLL_SCRIPT: &str = r#"
const list = document.getElementById('messages');
if (list) {
  let stick = true;
  const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  const toBottom = () => { stick = true; list.scrollTop = list.scrollHeight; };
  list.addEventListener('scroll', () => {
    const bottom = atBottom();
    if (bottom !== stick) { stick = bottom; dioxus.send(bottom); }
  });
  const follow = () => { if (stick) list.scrollTop = list.scrollHeight; };
  new MutationObserver(follow).observe(list, { childList: true, subtree: true, characterData: true });
  new ResizeObserver(follow).observe(list);
  window.anseoScrollToBottom = toBottom;
  toBottom();
}
"#;

#[component]
pub fn MessageList() -> Element {
    let dispatch = use_dispatch();
    let mut watcher = use_signal(|| None::<dioxus::core::Task>);
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let Some(timeline) = chat.current_timeline() else { return rsx! {} };
    let hidden = timeline.len().saturating_sub(chat.shown);
    let blocks = blocks(timeline.last(chat.shown));
    let no_blocks = blocks.is_empty();
    let me = chat.me.clone();
    let new_below = chat.new_below;
    let empty_text = match &chat.current {
        Target::Room(room) => format!("This is the start of #{room}. Say hello!"),
        Target::Direct(user) => format!("This is the start of your private conversation with {user}."),
    };
    let onmounted = move |_| {
        if let Some(task) = watcher.take() {
            task.cancel();
        }
        let task = spawn(async move {
            let mut eval = document::eval(SCROLL_SCRIPT);
            while let Ok(at_bottom) = eval.recv::<bool>().await {
                dispatch.act(Action::Scrolled { at_bottom });
            }
        });
        watcher.set(Some(task));
    };
    rsx! {
        div { class: "messages-wrap",
            div {
                class: "messages",
                id: "messages",
                role: "log",
                aria_label: "Messages",
                aria_live: "polite",
                tabindex: "0",
                onmounted,
                if hidden > 0 {
                    button {
                        class: "show-earlier",
                        aria_label: "Show earlier messages",
                        onclick: move |_| dispatch.act(Action::ShowEarlier),
                        "Show earlier messages ({hidden} more)"
                    }
                } else if no_blocks {
                    div { class: "empty-state",
                        p { "{empty_text}" }
                    }
                }
                for block in blocks {
                    {match block {
                        Block::Notice(notice) => rsx! {
                            p { class: "notice", role: "note", "{notice.text}" }
                        },
                        Block::Group { from, lines } => {
                            let key = lines.first().map_or(0, |l| l.id);
                            rsx! {
                            MessageGroup {
                                key: "{key}",
                                mine: from == me,
                                from,
                                lines,
                            }
                            }
                        }
                    }}
                }
            }
            if new_below > 0 {
                button {
                    class: "new-marker",
                    aria_label: "Jump to new messages",
                    onclick: move |_| {
                        run_script("window.anseoScrollToBottom && window.anseoScrollToBottom()");
                        dispatch.act(Action::Scrolled { at_bottom: true });
                    },
                    if new_below == 1 { "1 new message ↓" } else { "{new_below} new messages ↓" }
                }
            }
        }
    }
}
