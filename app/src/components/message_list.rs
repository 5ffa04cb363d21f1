//! The open conversation's messages: only the newest [`PAGE`](crate::model::PAGE) entries are
//! drawn (10,000 messages stay fast), with "show earlier" for more. Sticks to the bottom as
//! messages arrive unless the user scrolled up; then a "new messages" marker appears.
//! Scrolling to the top shows earlier entries, then loads older messages of a room; what the
//! user was reading stays in place when they are put above it. This user's messages not
//! confirmed yet come last.

use dioxus::prelude::*;

use super::{BlockView, ListStart, PendingGroup, PendingView};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, Block, History, Status, blocks_with_line};

/// Runs in the page: keeps the list at the bottom while the user is there, keeps the first
/// visible message in place otherwise (WebKit has no CSS scroll anchoring, so older messages
/// put above it would push it down), and reports "bottom" and "away" when the user scrolls
/// to the bottom or away from it, and "top" on reaching the top (again after each change).
const SCROLL_SCRIPT: &str = r#"
const list = document.getElementById('messages');
if (list) {
  let stick = true;
  let nearTop = false;
  let anchor = null;
  const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  const atTop = () => list.scrollTop < 48 && list.scrollHeight > list.clientHeight;
  const remember = () => {
    const top = list.getBoundingClientRect().top;
    anchor = null;
    for (const line of list.querySelectorAll('[data-id]')) {
      const rect = line.getBoundingClientRect();
      if (rect.bottom > top) { anchor = { id: line.dataset.id, offset: rect.top - top }; break; }
    }
  };
  const report = () => {
    const bottom = atBottom();
    if (bottom !== stick) { stick = bottom; dioxus.send(bottom ? 'bottom' : 'away'); }
    const top = atTop();
    if (top && !nearTop) { dioxus.send('top'); }
    nearTop = top;
    remember();
  };
  const toBottom = () => { stick = true; list.scrollTop = list.scrollHeight; };
  list.addEventListener('scroll', report);
  const follow = () => {
    // Hidden (another pane on a phone): keep the place for when it is shown again.
    if (list.clientHeight === 0) return;
    if (stick) {
      list.scrollTop = list.scrollHeight;
    } else if (anchor) {
      const line = list.querySelector(`[data-id="${anchor.id}"]`);
      if (line) {
        list.scrollTop += line.getBoundingClientRect().top - list.getBoundingClientRect().top - anchor.offset;
      }
    }
    nearTop = false;
    report();
  };
  new MutationObserver(follow).observe(list, { childList: true, subtree: true, characterData: true });
  new ResizeObserver(follow).observe(list);
  window.anseoScrollToBottom = toBottom;
  toBottom();
}
"#;

#[component]
pub fn MessageList() -> Element {
    #[cfg(test)]
    crate::renders::drawn("MessageList");
    let dispatch = use_dispatch();
    let mut watcher = use_signal(|| None::<dioxus::core::Task>);
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let Some(timeline) = chat.current_timeline() else { return rsx! {} };
    let hidden = timeline.len().saturating_sub(chat.shown);
    let first_unread = chat.first_unread();
    let blocks = chat.with_reactions(blocks_with_line(timeline.numbered_last(chat.shown), first_unread));
    let reactable = matches!(chat.current, crate::model::Target::Room(_));
    let empty = blocks.is_empty();
    let me = chat.me.clone();
    let editing = chat.editing;
    let deletable: Vec<String> = blocks
        .iter()
        .filter_map(|block| match block {
            Block::Group { from, .. } if chat.may_delete(from) => Some(from.clone()),
            _ => None,
        })
        .collect();
    let chat_may_delete = move |from: &str| deletable.iter().any(|name| name == from);
    let new_below = chat.new_below;
    let current = chat.current.clone();
    let history = chat.current_room().map_or(History::default(), |(_, room)| room.history);
    let pending: Vec<PendingView> = chat
        .pending
        .to(&current)
        .map(|line| PendingView {
            client_msg_id: line.client_msg_id,
            text: line.text.clone(),
            failed: chat.pending.failure(line.client_msg_id).map(str::to_string),
        })
        .collect();
    let waiting = chat.status != Status::Connected;
    // A search result opened: bring its message into view (when it is loaded) and mark it.
    if let Some(id) = chat.jump_to {
        spawn(async move {
            run_script(&format!(
                "const b = document.querySelector('.bubble[data-id=\"{id}\"]'); \
                 if (b) {{ b.scrollIntoView({{ block: 'center' }}); b.classList.add('jumped'); \
                 setTimeout(() => b.classList.remove('jumped'), 2500); }}"
            ));
            dispatch.act(Action::Jumped);
        });
    }
    let onmounted = move |_| {
        if let Some(task) = watcher.take() {
            task.cancel();
        }
        let task = spawn(async move {
            let mut eval = document::eval(SCROLL_SCRIPT);
            while let Ok(place) = eval.recv::<String>().await {
                dispatch.act(match place.as_str() {
                    "top" => Action::LoadOlder,
                    "bottom" => Action::Scrolled { at_bottom: true },
                    _ => Action::Scrolled { at_bottom: false },
                });
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
                ListStart { current, hidden, empty, history }
                for block in blocks {
                    BlockView {
                        key: "{block.key()}",
                        mine: matches!(&block, Block::Group { from, .. } if *from == me),
                        reactable,
                        me: me.clone(),
                        editing: editing.filter(|id| matches!(&block, Block::Group { lines, .. } if lines.iter().any(|l| l.id == *id))),
                        can_delete: matches!(&block, Block::Group { from, .. } if chat_may_delete(from)),
                        block,
                    }
                }
                if !pending.is_empty() {
                    PendingGroup { lines: pending, waiting }
                }
            }
            if first_unread.is_some() {
                button {
                    class: "unread-jump",
                    aria_label: "Jump to the first new message",
                    onclick: move |_| dispatch.act(Action::JumpToUnread),
                    "New messages since you were here ↑"
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
