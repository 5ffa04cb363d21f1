//! One block of the message list: a group of messages from one sender, or a notice. Its own
//! component, keyed by the block's first entry and memoised on its props, so that when the
//! list changes only the blocks that changed are drawn again.

use dioxus::prelude::*;

use super::MessageGroup;
use crate::model::Block;

#[component]
pub fn BlockView(
    block: Block,
    mine: bool,
    reactable: bool,
    me: String,
    #[props(default)] editing: Option<u64>,
    #[props(default)] can_delete: bool,
) -> Element {
    match block {
        Block::Notice { notice, .. } => rsx! {
            p { class: "notice", role: "note", "{notice.text}" }
        },
        Block::NewMessages { .. } => rsx! {
            div { class: "unread-line", role: "separator", aria_label: "New messages", span { "New messages" } }
        },
        Block::Group { from, lines, .. } => rsx! {
            MessageGroup { mine, from, lines, reactable, me, editing, can_delete }
        },
    }
}
