//! The file a message carries: a picture's preview (sent with the message, at most 16 KiB),
//! then the full picture once the app has it in its cache (a click shows it large); a voice
//! clip's player once it is in the cache; for any file a card with its name, size and type;
//! and a button that saves it into the download folder, with where it went (or why not).

use anseo_shared::protocol::{Attachment, human_size};
use base64::Engine;
use dioxus::prelude::*;

use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, Download, Inline, Media, inline};

/// The widest a picture's preview is drawn, in CSS pixels.
const PREVIEW_WIDTH: u32 = 320;

#[component]
pub fn FileCard(file: Attachment) -> Element {
    let dispatch = use_dispatch();
    let shown = inline(&file);
    let hash = file.hash;
    // Once drawn, a picture or clip comes into the cache (the page's memory, in the browser)
    // by itself.
    use_hook(move || {
        if shown.is_some() {
            spawn(async move { dispatch.act(Action::FetchMedia(hash)) });
        }
    });
    let model = dispatch.model.read();
    let chat = model.chat.as_ref();
    let state = chat.and_then(|chat| chat.downloads.get(&file.hash).cloned());
    let media = chat.and_then(|chat| chat.media.get(&file.hash).cloned());
    let cached = match &media {
        Some(Media::Ready(url)) => Some(url.clone()),
        _ => None,
    };
    let saving = state == Some(Download::Saving);
    let status = match &state {
        None => None,
        Some(Download::Saving) => Some("Saving…".to_string()),
        Some(Download::Saved(path)) => Some(format!("Saved to {path}")),
        Some(Download::Failed(reason)) => Some(format!("Not saved: {reason}")),
    };
    // On the desktop, a saved file opens with the program for its kind.
    let saved = match state {
        Some(Download::Saved(path)) if cfg!(not(target_arch = "wasm32")) => Some(path),
        _ => None,
    };
    let details = format!("{} · {}", human_size(file.size), file.mime);
    let name = file.name.clone();
    let download = move |_| dispatch.act(Action::Download { hash, name: name.clone() });
    let large = file.clone();
    let view = move |_| dispatch.act(Action::ViewPicture(large.clone()));
    rsx! {
        figure { class: "file", "data-hash": "{anseo_shared::protocol::hash_to_hex(&file.hash)}",
            if let Some(picture) = &file.picture {
                img {
                    class: "file-preview",
                    src: cached.clone().unwrap_or_else(|| preview_url(&picture.preview)),
                    alt: "{file.name}",
                    title: "Show it large",
                    width: "{picture.width.min(PREVIEW_WIDTH)}",
                    style: "aspect-ratio: {picture.width} / {picture.height}",
                    onclick: view,
                }
            }
            if shown == Some(Inline::Audio) {
                match (&cached, &media) {
                    (Some(url), _) => rsx! { AudioPlayer { url: url.clone(), hash: anseo_shared::protocol::hash_to_hex(&file.hash) } },
                    (None, Some(Media::Failed(reason))) => rsx! { span { class: "file-status", "Cannot play it here: {reason}" } },
                    (None, _) => rsx! { span { class: "file-status", "Fetching the clip…" } },
                }
            }
            figcaption { class: "file-meta",
                span { class: "file-name", "{file.name}" }
                span { class: "file-details", "{details}" }
                button { class: "file-download", r#type: "button", disabled: saving, onclick: download, "Download" }
                if let Some(status) = status {
                    span { class: "file-status", role: "status", "{status}" }
                }
                if let Some(path) = saved {
                    button {
                        class: "file-download",
                        r#type: "button",
                        onclick: move |_| open_saved(&path, dispatch),
                        "Open"
                    }
                }
            }
        }
    }
}

/// A player for a clip in the media cache (`hash` in hex names it in the page). WebKitGTK's
/// player cannot read the app's own address scheme (the request fails as a format error), so
/// the page fetches the clip from the asset handler and plays it from a `blob:` address in its
/// memory (in the browser the clip is one already).
#[component]
fn AudioPlayer(url: String, hash: String) -> Element {
    let id = format!("audio-{hash}");
    // In the browser the clip is in the page's memory already.
    if url.starts_with("blob:") {
        return rsx! { audio { id: "{id}", class: "file-audio", controls: true, preload: "metadata", src: "{url}" } };
    }
    let script = format!(
        "fetch('{url}').then(r => r.blob()).then(b => {{ const a = document.getElementById('{id}'); \
         if (a && !a.src) a.src = URL.createObjectURL(b); }})"
    );
    rsx! {
        audio {
            id: "{id}",
            class: "file-audio",
            controls: true,
            preload: "metadata",
            "data-src": "{url}",
            onmounted: move |_| run_script(&script),
        }
    }
}

/// A `data:` address for a preview: small enough (at most 16 KiB) to travel in the page.
pub fn preview_url(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// Opens the saved file at `path` (desktop), or says why it cannot.
fn open_saved(path: &str, dispatch: crate::dispatch::Dispatch) {
    #[cfg(not(target_arch = "wasm32"))]
    if let Err(message) = crate::media::open_saved(path) {
        dispatch.act(Action::ShowError(message));
    }
    #[cfg(target_arch = "wasm32")]
    let _ = (path, dispatch);
}
