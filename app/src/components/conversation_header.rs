//! The open conversation's header: name, topic and member count (or the other user's status),
//! back and "who is online" buttons on narrow screens, and "leave" for rooms.

use dioxus::prelude::*;

use super::{Avatar, ConnectionStatus, Icon, IconKind};
use crate::dispatch::use_dispatch;
use crate::model::notify::NotifyLevel;
use crate::model::{Action, Dialog, Pane, Target};

/// What a room's notification setting is called.
fn level_name(level: NotifyLevel) -> &'static str {
    match level {
        NotifyLevel::All => "All",
        NotifyLevel::Mentions => "Mentions",
        NotifyLevel::Nothing => "None",
    }
}

/// The setting a click on the bell moves to.
fn next_level(level: NotifyLevel) -> NotifyLevel {
    match level {
        NotifyLevel::Mentions => NotifyLevel::All,
        NotifyLevel::All => NotifyLevel::Nothing,
        NotifyLevel::Nothing => NotifyLevel::Mentions,
    }
}

#[component]
pub fn ConversationHeader() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let (title, subtitle, leave, avatar) = match &chat.current {
        Target::Room(name) => {
            let room = chat.rooms.get(name);
            let members = chat.member_count(name);
            let people = if members == 1 { "1 member".to_string() } else { format!("{members} members") };
            let topic = room.map(|r| r.topic.clone()).unwrap_or_default();
            let subtitle = if topic.is_empty() { people } else { format!("{topic} · {people}") };
            let leave = (name != anseo_shared::protocol::LOBBY).then(|| name.clone());
            (format!("# {name}"), subtitle, leave, None)
        }
        Target::Direct(user) => {
            let state = if chat.is_online(user) { "Online · private conversation" } else { "Offline" };
            (user.clone(), state.to_string(), None, Some(user.clone()))
        }
    };
    let online = chat.online_count();
    let notify = match &chat.current {
        Target::Room(name) => chat.rooms.get(name).map(|room| (name.clone(), room.notify)),
        Target::Direct(_) => None,
    };
    let unread_elsewhere: u32 =
        chat.rooms.values().map(|r| r.unread).chain(chat.directs.values().map(|c| c.unread)).sum();
    rsx! {
        header { class: "conv-header",
            button {
                class: "icon-button phone-only",
                aria_label: if unread_elsewhere > 0 { "Back to rooms ({unread_elsewhere} unread)" } else { "Back to rooms" },
                onclick: move |_| dispatch.act(Action::ShowPane(Pane::Rooms)),
                Icon { kind: IconKind::Back }
                if unread_elsewhere > 0 {
                    span { class: "badge", "{unread_elsewhere}" }
                }
            }
            if let Some(user) = avatar {
                Avatar { name: user }
            }
            div { class: "conv-title",
                h1 { id: "conversation-title", "{title}" }
                p { class: "muted small", id: "conversation-subtitle", "{subtitle}" }
            }
            div { class: "phone-only", ConnectionStatus { banner: false } }
            if let Some(room) = leave {
                button {
                    class: "ghost",
                    aria_label: "Leave room {room}",
                    onclick: move |_| dispatch.act(Action::LeaveRoom(room.clone())),
                    "Leave"
                }
            }
            if let Some((room, level)) = notify {
                button {
                    class: "ghost",
                    id: "notify-level",
                    title: "Notifications for this room: {level_name(level)} (click to change)",
                    aria_label: "Notifications for {room}: {level_name(level)}",
                    onclick: move |_| dispatch.act(Action::SetNotify { room: room.clone(), level: next_level(level) }),
                    Icon { kind: if level == NotifyLevel::Nothing { IconKind::BellOff } else { IconKind::Bell } }
                    span { class: "small", "{level_name(level)}" }
                }
            }
            button {
                class: "ghost",
                id: "open-search",
                aria_label: "Search messages",
                title: "Search your rooms and direct messages",
                onclick: move |_| dispatch.act(Action::OpenDialog(Dialog::Search)),
                Icon { kind: IconKind::Search }
            }
            button {
                class: "ghost",
                id: "open-invite-dialog",
                aria_label: "Invite someone",
                title: "Invite someone: a QR code and a link to this server",
                onclick: move |_| dispatch.act(Action::OpenDialog(Dialog::Invite)),
                Icon { kind: IconKind::Qr }
            }
            button {
                class: "ghost narrow-only",
                aria_label: "Show who is online ({online})",
                onclick: move |_| dispatch.act(Action::ShowPane(Pane::Users)),
                Icon { kind: IconKind::People }
                span { "{online}" }
            }
        }
    }
}
