//! "Messages" and "Board" under a room's header: which of the two the room shows. A dot on
//! Board says the board changed while the messages were showing.

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::{Action, RoomView, Target};

#[component]
pub fn RoomTabs() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let Target::Room(room) = &chat.current else { return rsx! {} };
    let changed = chat.rooms.get(room).is_some_and(|room| room.board_changed);
    let view = chat.room_view;
    let tab = |this: RoomView| if view == this { "room-tab selected" } else { "room-tab" };
    rsx! {
        div { class: "room-tabs", role: "tablist", aria_label: "Messages or board",
            button {
                class: tab(RoomView::Messages),
                id: "tab-messages",
                role: "tab",
                aria_selected: view == RoomView::Messages,
                onclick: move |_| dispatch.act(Action::ShowRoomView(RoomView::Messages)),
                "Messages"
            }
            button {
                class: tab(RoomView::Board),
                id: "tab-board",
                role: "tab",
                aria_selected: view == RoomView::Board,
                aria_label: if changed { "Board (changed)" } else { "Board" },
                onclick: move |_| dispatch.act(Action::ShowRoomView(RoomView::Board)),
                "Board"
                if changed {
                    span { class: "tab-dot", "aria-hidden": "true" }
                }
            }
        }
    }
}
