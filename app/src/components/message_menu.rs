//! The "⋯" at the end of a room message's reaction row: Edit (the user's own messages) and
//! Delete (their own, or anyone's in a room they own or moderate).

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::Action;

#[component]
pub fn MessageMenu(id: u64, can_edit: bool, can_delete: bool) -> Element {
    let dispatch = use_dispatch();
    let mut open = use_signal(|| false);
    if !can_edit && !can_delete {
        return rsx! {};
    }
    rsx! {
        button {
            class: "reaction add-reaction message-menu-button",
            aria_label: "Message actions",
            aria_haspopup: "menu",
            aria_expanded: open(),
            onclick: move |_| open.toggle(),
            "⋯"
        }
        if open() {
            div { class: "reaction-offer message-menu", role: "menu",
                if can_edit {
                    button {
                        class: "menu-choice",
                        role: "menuitem",
                        onclick: move |_| {
                            open.set(false);
                            dispatch.act(Action::StartEdit(id));
                        },
                        "Edit"
                    }
                }
                if can_delete {
                    button {
                        class: "menu-choice danger",
                        role: "menuitem",
                        onclick: move |_| {
                            open.set(false);
                            dispatch.act(Action::DeleteMessage(id));
                        },
                        "Delete"
                    }
                }
            }
        }
    }
}
