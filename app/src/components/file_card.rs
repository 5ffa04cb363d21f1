//! The file a message carries: a picture's preview (sent with the message, at most 16 KiB),
//! or a card with the file's name, size and type; and a button that saves it into the
//! download folder, with where it went (or why not) once it is down.

use anseo_shared::protocol::{Attachment, human_size};
use base64::Engine;
use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::{Action, Download};

/// The widest a picture's preview is drawn, in CSS pixels.
const PREVIEW_WIDTH: u32 = 320;

#[component]
pub fn FileCard(file: Attachment) -> Element {
    let dispatch = use_dispatch();
    let state = dispatch.model.read().chat.as_ref().and_then(|chat| chat.downloads.get(&file.hash).cloned());
    let saving = state == Some(Download::Saving);
    let status = match state {
        None => None,
        Some(Download::Saving) => Some("Saving…".to_string()),
        Some(Download::Saved(path)) => Some(format!("Saved to {path}")),
        Some(Download::Failed(reason)) => Some(format!("Not saved: {reason}")),
    };
    let details = format!("{} · {}", human_size(file.size), file.mime);
    let (hash, name) = (file.hash, file.name.clone());
    let download = move |_| dispatch.act(Action::Download { hash, name: name.clone() });
    rsx! {
        figure { class: "file", "data-hash": "{anseo_shared::protocol::hash_to_hex(&file.hash)}",
            if let Some(picture) = &file.picture {
                img {
                    class: "file-preview",
                    src: "{preview_url(&picture.preview)}",
                    alt: "{file.name}",
                    width: "{picture.width.min(PREVIEW_WIDTH)}",
                    style: "aspect-ratio: {picture.width} / {picture.height}",
                }
            }
            figcaption { class: "file-meta",
                span { class: "file-name", "{file.name}" }
                span { class: "file-details", "{details}" }
                button { class: "file-download", r#type: "button", disabled: saving, onclick: download, "Download" }
                if let Some(status) = status {
                    span { class: "file-status", role: "status", "{status}" }
                }
            }
        }
    }
}

/// A `data:` address for a preview: small enough (at most 16 KiB) to travel in the page.
fn preview_url(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}
