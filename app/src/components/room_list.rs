//! The sidebar: rooms (with unread counts and the create/join button), direct conversations,
//! and this user's own entry with "change name", "password" and "disconnect".

use dioxus::prelude::*;

use super::{Avatar, ConnectionStatus, Icon, IconKind, Logo};
use crate::dispatch::use_dispatch;
use crate::model::{Action, Dialog, Target};

#[component]
pub fn RoomList() -> Element {
    #[cfg(test)]
    crate::renders::drawn("RoomList");
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let rooms: Vec<(String, u32, u32)> =
        chat.rooms.iter().map(|(name, room)| (name.clone(), room.unread, room.mentions)).collect();
    let directs: Vec<(String, u32, bool)> =
        chat.directs.iter().map(|(user, c)| (user.clone(), c.unread, chat.is_online(user))).collect();
    let current = chat.current.clone();
    let me = chat.me.clone();
    rsx! {
        nav { class: "sidebar", aria_label: "Rooms and conversations",
            header { class: "sidebar-header",
                Logo {}
                ConnectionStatus { banner: false }
            }
            div { class: "sidebar-scroll",
                div { class: "section-title",
                    span { "Rooms" }
                    button {
                        class: "icon-button",
                        id: "open-join-dialog",
                        aria_label: "Create or join a room",
                        title: "Create or join a room",
                        onclick: move |_| dispatch.act(Action::OpenDialog(Dialog::JoinRoom)),
                        Icon { kind: IconKind::Plus }
                    }
                }
                ul { class: "nav-list",
                    for (name, unread, mentions) in rooms {
                        li { key: "{name}",
                            button {
                                class: if current == Target::Room(name.clone()) { "nav-item active" } else { "nav-item" },
                                aria_label: if unread > 0 { "Room {name}, {unread} unread" } else { "Room {name}" },
                                onclick: {
                                    let name = name.clone();
                                    move |_| dispatch.act(Action::Select(Target::Room(name.clone())))
                                },
                                span { class: "hash", aria_hidden: "true", "#" }
                                span { class: "nav-name", "{name}" }
                                if mentions > 0 {
                                    span { class: "badge mention", title: "{mentions} mentioning you", "@{mentions}" }
                                }
                                if unread > 0 {
                                    span { class: "badge", "{unread}" }
                                }
                            }
                        }
                    }
                }
                div { class: "section-title", span { "Direct messages" } }
                if directs.is_empty() {
                    p { class: "muted hint", "Click someone in the list of people online to write to them privately." }
                }
                ul { class: "nav-list",
                    for (user, unread, online) in directs {
                        li { key: "{user}",
                            button {
                                class: if current == Target::Direct(user.clone()) { "nav-item active" } else { "nav-item" },
                                aria_label: if unread > 0 { "Conversation with {user}, {unread} unread" } else { "Conversation with {user}" },
                                onclick: {
                                    let user = user.clone();
                                    move |_| dispatch.act(Action::Select(Target::Direct(user.clone())))
                                },
                                Avatar { name: user.clone(), small: true }
                                span { class: "nav-name", "{user}" }
                                if !online {
                                    span { class: "muted small", "offline" }
                                }
                                if unread > 0 {
                                    span { class: "badge", "{unread}" }
                                }
                            }
                        }
                    }
                }
            }
            footer { class: "me",
                Avatar { name: me.clone() }
                div { class: "me-name",
                    strong { "{me}" }
                    span { class: "muted small", "You" }
                }
                button {
                    class: "icon-button",
                    aria_label: "Change your name",
                    title: "Change your name",
                    onclick: move |_| dispatch.act(Action::OpenDialog(Dialog::Nick)),
                    Icon { kind: IconKind::Pencil }
                }
                button {
                    class: "icon-button",
                    id: "open-password-dialog",
                    aria_label: "Protect your name with a password",
                    title: "Protect your name with a password",
                    onclick: move |_| dispatch.act(Action::OpenDialog(Dialog::Password)),
                    Icon { kind: IconKind::Lock }
                }
                button {
                    class: "icon-button danger",
                    id: "disconnect",
                    aria_label: "Disconnect",
                    title: "Disconnect",
                    onclick: move |_| dispatch.act(Action::Disconnect),
                    Icon { kind: IconKind::Power }
                }
            }
        }
    }
}
