//! The composer's paperclip: picks files and shares them in the open conversation (desktop).
//! The app reads the file from disk, so it needs the file's path: the browser gives none, and
//! files do not travel from the browser yet, so the button is not drawn there.

use dioxus::prelude::*;

use super::{Icon, IconKind};
use crate::dispatch::use_dispatch;
use crate::model::Action;

#[component]
pub fn AttachButton() -> Element {
    let dispatch = use_dispatch();
    let onchange = move |event: FormEvent| {
        for file in event.files() {
            dispatch.act(Action::SendFile(file.path()));
        }
    };
    rsx! {
        label { class: "icon-button attach", title: "Send a file", aria_label: "Send a file",
            input { r#type: "file", id: "attach-file", multiple: true, onchange }
            Icon { kind: IconKind::Paperclip }
        }
    }
}
