//! Everyone online, this user marked; clicking someone opens a private conversation. On a
//! large server the list starts with a screenful of names, and "Show everyone" fetches the rest.

use dioxus::prelude::*;

use super::{Avatar, Icon, IconKind};
use crate::dispatch::use_dispatch;
use crate::model::{Action, Pane};

#[component]
pub fn UserList() -> Element {
    #[cfg(test)]
    crate::renders::drawn("UserList");
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let users = chat.users.clone();
    let me = chat.me.clone();
    let count = chat.online_count();
    let more = chat.more_online();
    rsx! {
        aside { class: "users", aria_label: "People online",
            header { class: "users-header",
                button {
                    class: "icon-button narrow-only",
                    aria_label: "Back to the conversation",
                    onclick: move |_| dispatch.act(Action::ShowPane(Pane::Chat)),
                    Icon { kind: IconKind::Back }
                }
                h2 { "Online — {count}" }
            }
            ul { class: "user-list", id: "user-list",
                for user in users {
                    li { key: "{user}",
                        if user == me {
                            div { class: "user me-entry", aria_label: "{user} (you)",
                                Avatar { name: user.clone(), small: true }
                                span { class: "user-name", "{user}" }
                                span { class: "you-tag", "you" }
                            }
                        } else {
                            button {
                                class: "user",
                                aria_label: "Write to {user}",
                                title: "Write to {user} privately",
                                onclick: {
                                    let user = user.clone();
                                    move |_| dispatch.act(Action::OpenDirect(user.clone()))
                                },
                                Avatar { name: user.clone(), small: true }
                                span { class: "user-name", "{user}" }
                                span { class: "presence-dot", aria_hidden: "true" }
                            }
                        }
                    }
                }
            }
            if more {
                button {
                    class: "show-everyone",
                    onclick: move |_| dispatch.act(Action::ShowEveryone),
                    "Show everyone ({count})"
                }
            }
        }
    }
}
