//! The composer's paperclip: picks files and shares them in the open conversation. The
//! desktop app reads a picked file from disk by its path; the browser reads the page's file.

use dioxus::html::FileData;
use dioxus::prelude::*;

use super::{Icon, IconKind};
use crate::dispatch::use_dispatch;
use crate::model::{Action, PickedFile};

#[component]
pub fn AttachButton() -> Element {
    let dispatch = use_dispatch();
    let onchange = move |event: FormEvent| {
        for file in event.files() {
            dispatch.act(Action::SendFile(picked(&file)));
        }
    };
    rsx! {
        label { class: "icon-button attach", title: "Send a file", aria_label: "Send a file",
            input { r#type: "file", id: "attach-file", multiple: true, onchange }
            Icon { kind: IconKind::Paperclip }
        }
    }
}

/// A file picked or dropped in the page, as the app sends it.
pub fn picked(file: &FileData) -> PickedFile {
    #[cfg(target_arch = "wasm32")]
    if let Some(file) = file.inner().downcast_ref::<web_sys::File>() {
        return PickedFile::Page(anseo_shared::client::PageFile(file.clone()));
    }
    PickedFile::Path(file.path())
}
