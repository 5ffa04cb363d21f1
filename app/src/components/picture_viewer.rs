//! A picture shown large over everything: the full picture from the app's cache once it is
//! there, else its preview. A click anywhere closes it.

use dioxus::prelude::*;

use super::file_card::preview_url;
use crate::dispatch::use_dispatch;
use crate::model::{Action, Media};

#[component]
pub fn PictureViewer() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let Some(file) = chat.viewing.as_ref() else { return rsx! {} };
    let src = match (chat.media.get(&file.hash), &file.picture) {
        (Some(Media::Ready(url)), _) => url.clone(),
        (_, Some(picture)) => preview_url(&picture.preview),
        (_, None) => String::new(),
    };
    rsx! {
        div {
            class: "viewer",
            role: "dialog",
            aria_label: "{file.name}",
            onclick: move |_| dispatch.act(Action::ClosePicture),
            img { class: "viewer-picture", src: "{src}", alt: "{file.name}" }
            p { class: "viewer-name", "{file.name} — click to close" }
        }
    }
}
