//! The message box. Enter sends, Shift+Enter starts a new line; a counter appears near the
//! server's limit and a message over it cannot be sent (the reason is shown).
//!
//! The text area is not driven by the model: a driven input drops characters when typing is
//! fast. A small script owns Enter: it takes the text, clears the box and hands the text over
//! in one step, so nothing typed right after Enter is lost or sent twice.
//!
//! A keystroke stays in the page: the script counts the draft's characters itself and tells
//! the app only from 80 % of the limit on (and once when it drops below), when the counter
//! shows. The length then lives in a signal of this component (not in the shared model, which
//! every other component reads), so the counter re-renders the composer alone. Only while an
//! error about the last send shows does a keystroke reach the model (to clear it).

use dioxus::prelude::*;
use serde::Deserialize;

use super::{AttachButton, EmojiButton, Icon, IconKind, VoiceButton};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, PickedFile, Target, counter_from, draft_counter};

/// What the composer's script tells the app.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FromPage {
    /// Send this text (Enter or the send button).
    Send(String),
    /// The draft is this many characters long (only near the limit).
    Chars(usize),
    /// The draft, while an error about the last send shows (typing clears it).
    Draft(String),
    /// A picture pasted into the box: its type and bytes (base64), to send as a file.
    Picture { mime: String, data: String },
    /// A pasted picture too large to go through the page.
    PictureTooLarge(u64),
    /// Something was pasted that the page cannot see (a picture, in WebKitGTK).
    ClipboardPicture,
    /// The user is typing (said at most every 3 s).
    Typing,
}

/// The largest picture that can be pasted (it crosses into the app as base64).
const PASTE_MAX: u64 = 32 << 20;

const COMPOSER_SCRIPT: &str = r#"
const PASTE_MAX = 33554432;
const box = document.getElementById('composer');
if (box && !box.dataset.wired) {
  box.dataset.wired = '1';
  const grow = () => { box.style.height = 'auto'; box.style.height = Math.min(box.scrollHeight, 180) + 'px'; };

  let counting = false;
  const count = () => {
    const chars = [...box.value].length;
    const shown = chars >= Number(box.dataset.countFrom || 0);
    if (shown || counting) dioxus.send({ chars });
    counting = shown;
    if (box.dataset.error === '1') dioxus.send({ draft: box.value });
  };
  const send = () => {
    const text = box.value;
    if (text.trim() === '') return;
    if ([...text].length > Number(box.dataset.max || 0)) return;
    box.value = '';
    grow();
    box.dispatchEvent(new Event('input', { bubbles: true }));
    dioxus.send({ send: text });
    if (window.anseoScrollToBottom) window.anseoScrollToBottom();
  };
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  let typedAt = 0;
  const typing = () => {
    const now = Date.now();
    if (box.value.trim() !== '' && now - typedAt >= 3000) { typedAt = now; dioxus.send('typing'); }
  };
  box.addEventListener('input', () => { grow(); count(); typing(); });
  // A pasted picture (a screenshot, an image copied in a browser) is sent as a file; text
  // pastes as text.
  box.addEventListener('paste', (e) => {
    const items = [...(e.clipboardData ? e.clipboardData.items : [])];
    const pictures = items.filter((item) => item.kind === 'file' && item.type.startsWith('image/'));
    // WebKitGTK hands the page nothing for a picture on the clipboard: the app reads it.
    if (items.length === 0) { e.preventDefault(); dioxus.send('clipboard_picture'); return; }
    if (pictures.length === 0) return;
    e.preventDefault();
    for (const item of pictures) {
      const file = item.getAsFile();
      if (!file) continue;
      if (file.size > PASTE_MAX) { dioxus.send({ picture_too_large: file.size }); continue; }
      const reader = new FileReader();
      reader.onload = () => dioxus.send({ picture: { mime: file.type, data: String(reader.result).split(',')[1] || '' } });
      reader.readAsDataURL(file);
    }
  });
  window.anseoSend = () => { send(); box.focus(); };
  box.focus();
}
"#;

#[component]
pub fn Composer() -> Element {
    #[cfg(test)]
    crate::renders::drawn("Composer");
    let dispatch = use_dispatch();
    let mut wiring = use_signal(|| None::<dioxus::core::Task>);
    // Starts from the model's draft (empty, unless the composer is drawn again over one).
    let mut draft_chars =
        use_signal(|| dispatch.model.peek().chat.as_ref().map_or(0, |chat| chat.draft.chars().count()));
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let placeholder = match &chat.current {
        Target::Room(room) => format!("Message #{room}"),
        Target::Direct(user) => format!("Message {user}"),
    };
    let max = chat.max_message_chars;
    let chars = draft_chars();
    let too_long = chars > max;
    let counter = draft_counter(chars, max);
    let shows_error = chat.composer_error.is_some();
    let problem = if too_long {
        Some(format!("Too long to send: {chars} characters, the server allows {max}"))
    } else {
        chat.composer_error.clone()
    };
    let onmounted = move |_| {
        if let Some(task) = wiring.take() {
            task.cancel();
        }
        let task = spawn(async move {
            let mut eval = document::eval(COMPOSER_SCRIPT);
            while let Ok(message) = eval.recv::<FromPage>().await {
                match message {
                    FromPage::Send(text) => dispatch.act(Action::Send(text)),
                    FromPage::Typing => {
                        let command = dispatch.model.peek().chat.as_ref().and_then(|chat| chat.typing_command());
                        if let Some(command) = command {
                            dispatch.send(command);
                        }
                    }
                    FromPage::Chars(chars) => draft_chars.set(chars),
                    FromPage::Draft(text) => dispatch.act(Action::Draft(text)),
                    FromPage::Picture { mime, data } => dispatch.act(pasted(&mime, &data)),
                    FromPage::ClipboardPicture => dispatch.act(clipboard_picture()),
                    FromPage::PictureTooLarge(size) => dispatch.act(Action::ShowError(format!(
                        "The pasted picture is {}; at most {} can be pasted. Save it and send it with the paperclip.",
                        anseo_shared::protocol::human_size(size),
                        anseo_shared::protocol::human_size(PASTE_MAX),
                    ))),
                }
            }
        });
        wiring.set(Some(task));
    };
    rsx! {
        div { class: "composer",
            if let Some(problem) = problem {
                p { class: "composer-error", role: "alert", id: "composer-error", "{problem}" }
            }
            div { class: "composer-row",
                AttachButton {}
                EmojiButton {}
                if cfg!(any(target_arch = "wasm32", not(any(target_os = "android", target_os = "ios")))) {
                    VoiceButton {}
                }
                textarea {
                    id: "composer",
                    rows: "1",
                    placeholder: "{placeholder}",
                    aria_label: "{placeholder}",
                    "data-max": "{max}",
                    "data-count-from": "{counter_from(max)}",
                    "data-error": if shows_error { "1" } else { "0" },
                    enterkeyhint: "send",
                    onmounted,
                }
                if let Some(counter) = counter {
                    span {
                        class: if too_long { "counter over" } else { "counter" },
                        aria_live: "polite",
                        id: "composer-counter",
                        "{counter}"
                    }
                }
                button {
                    class: "send",
                    aria_label: "Send message",
                    title: "Send (Enter)",
                    disabled: too_long,
                    onclick: move |_| run_script("window.anseoSend && window.anseoSend()"),
                    Icon { kind: IconKind::Send }
                }
            }
        }
    }
}

/// What to do with a pasted picture: kept in a file (see `crate::media::keep_pasted`) and sent
/// like a picked one, or the reason it cannot be.
#[cfg(not(target_arch = "wasm32"))]
fn pasted(mime: &str, data: &str) -> Action {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
        return Action::ShowError("The pasted picture could not be read.".into());
    };
    match crate::media::keep_pasted(&bytes, mime) {
        Ok(path) => Action::SendFile(PickedFile::Path(path)),
        Err(error) => Action::ShowError(format!("The pasted picture could not be kept to send it: {error}")),
    }
}

/// The picture on the clipboard, read with GTK (WebKitGTK does not give it to the page) and
/// kept in a file to be sent; nothing when there is no picture.
#[cfg(target_os = "linux")]
fn clipboard_picture() -> Action {
    let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
    let Some(picture) = clipboard.wait_for_image() else {
        return Action::ShowError("There is no picture on the clipboard to paste.".into());
    };
    match picture.save_to_bufferv("png", &[]) {
        Ok(png) => match crate::media::keep_pasted(&png, "image/png") {
            Ok(path) => Action::SendFile(PickedFile::Path(path)),
            Err(error) => {
                Action::ShowError(format!("The pasted picture could not be kept to send it: {error}"))
            }
        },
        Err(error) => Action::ShowError(format!("The pasted picture could not be read: {error}")),
    }
}

/// Elsewhere the page sees pasted pictures itself.
#[cfg(not(target_os = "linux"))]
fn clipboard_picture() -> Action {
    Action::ShowError("There is no picture on the clipboard to paste.".into())
}

/// In the browser: the pasted picture as a file of the page's, sent like a picked one.
#[cfg(target_arch = "wasm32")]
fn pasted(mime: &str, data: &str) -> Action {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
        return Action::ShowError("The pasted picture could not be read.".into());
    };
    let extension = mime.strip_prefix("image/").unwrap_or("png");
    let name = format!("pasted {}.{extension}", chrono::Local::now().format("%Y-%m-%d %H-%M-%S"));
    match anseo_shared::client::PageFile::from_bytes(&bytes, &name, mime) {
        Ok(file) => Action::SendFile(PickedFile::Page(file)),
        Err(error) => Action::ShowError(format!("The pasted picture could not be read: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{COMPOSER_SCRIPT, FromPage, PASTE_MAX};

    #[test]
    fn the_scripts_messages_are_read() {
        let read = |json: &str| serde_json::from_str::<FromPage>(json).unwrap();
        assert_eq!(read(r#"{"send":"hello"}"#), FromPage::Send("hello".into()));
        assert_eq!(read(r#"{"chars":1601}"#), FromPage::Chars(1601));
        assert_eq!(read(r#"{"draft":"he"}"#), FromPage::Draft("he".into()));
        assert_eq!(
            read(r#"{"picture":{"mime":"image/png","data":"iVBO"}}"#),
            FromPage::Picture { mime: "image/png".into(), data: "iVBO".into() }
        );
        assert_eq!(read(r#"{"picture_too_large":40000000}"#), FromPage::PictureTooLarge(40_000_000));
        assert_eq!(read(r#""clipboard_picture""#), FromPage::ClipboardPicture);
    }

    #[test]
    fn the_page_and_the_app_agree_on_the_largest_paste() {
        assert!(COMPOSER_SCRIPT.contains(&format!("const PASTE_MAX = {PASTE_MAX};")));
    }
}
