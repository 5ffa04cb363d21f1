//! The chat screen: rooms and conversations, the open conversation, and who is online. Side
//! by side on a wide window; one pane at a time on a phone. Files dropped onto the conversation
//! are sent there.

use dioxus::html::HasFileData;
use dioxus::prelude::*;

use super::use_dispatch;
use crate::components::{
    BoardView, Composer, ConnectionStatus, ConversationHeader, ErrorBanner, InviteDialog, JoinDialog,
    MessageList, NickDialog, PasswordDialog, PictureViewer, RoomList, RoomTabs, SearchDialog, TransferList,
    TypingLine, UserList, picked,
};
use crate::model::{Action, Dialog, Pane, RoomView, Target};

/// Tells the app when the window gets or loses the focus (and how it is now).
const FOCUS_SCRIPT: &str = r#"
window.addEventListener('focus', () => dioxus.send(true));
window.addEventListener('blur', () => dioxus.send(false));
dioxus.send(document.hasFocus());
"#;

#[component]
pub fn ChatScreen() -> Element {
    #[cfg(test)]
    crate::renders::drawn("ChatScreen");
    let dispatch = use_dispatch();
    // Whether the window has the focus: what the user sees raises no notification.
    use_hook(move || {
        crate::notifier::ask_permission();
        spawn(async move {
            let mut eval = document::eval(FOCUS_SCRIPT);
            while let Ok(focused) = eval.recv::<bool>().await {
                dispatch.act(Action::Focus(focused));
            }
        })
    });
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let pane = match chat.pane {
        Pane::Rooms => "rooms",
        Pane::Chat => "chat",
        Pane::Users => "users",
    };
    let list_key = match &chat.current {
        Target::Room(room) => format!("room-{room}"),
        Target::Direct(user) => format!("direct-{user}"),
    };
    let dialog = chat.dialog;
    let board = chat.room_view == RoomView::Board && matches!(chat.current, Target::Room(_));
    // Files dropped onto the conversation are sent there. Without `prevent_default` on
    // dragover the page would not take the drop.
    let ondragover = move |event: DragEvent| event.prevent_default();
    let ondrop = move |event: DragEvent| {
        event.prevent_default();
        for file in event.files() {
            dispatch.act(Action::SendFile(picked(&file)));
        }
    };
    rsx! {
        div { class: "chat-layout pane-{pane}",
            RoomList {}
            section { class: "conversation", aria_label: "Conversation", ondragover, ondrop,
                ConversationHeader {}
                RoomTabs {}
                ConnectionStatus { banner: true }
                ErrorBanner {}
                if board {
                    BoardView {}
                } else {
                    // Its own template, so that the key is honoured (dioxus keys only a
                    // template's root): another conversation mounts a fresh list.
                    {rsx! { MessageList { key: "{list_key}" } }}
                    TransferList {}
                    TypingLine {}
                    Composer {}
                }
            }
            UserList {}
            PictureViewer {}
            {match dialog {
                Some(Dialog::JoinRoom) => rsx! { JoinDialog {} },
                Some(Dialog::Nick) => rsx! { NickDialog {} },
                Some(Dialog::Password) => rsx! { PasswordDialog {} },
                Some(Dialog::Invite) => rsx! { InviteDialog {} },
                Some(Dialog::Search) => rsx! { SearchDialog {} },
                None => rsx! {},
            }}
        }
    }
}
