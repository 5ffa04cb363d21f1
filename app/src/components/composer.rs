//! The message box. Enter sends, Shift+Enter starts a new line; a counter appears near the
//! server's limit and a message over it cannot be sent (the reason is shown).
//!
//! The text area is not driven by the model: a driven input drops characters when typing is
//! fast. A small script owns Enter: it takes the text, clears the box and hands the text over
//! in one step, so nothing typed right after Enter is lost or sent twice.
//!
//! A keystroke re-renders this component alone: the draft's length lives in a signal of its
//! own (for the counter), not in the shared model, which every other component reads. Only
//! while an error about the last send shows does a keystroke reach the model (to clear it).

use dioxus::prelude::*;

use super::{Icon, IconKind};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, Target, draft_counter};

const COMPOSER_SCRIPT: &str = r#"
const box = document.getElementById('composer');
if (box && !box.dataset.wired) {
  box.dataset.wired = '1';
  const grow = () => { box.style.height = 'auto'; box.style.height = Math.min(box.scrollHeight, 180) + 'px'; };
  const send = () => {
    const text = box.value;
    if (text.trim() === '') return;
    if ([...text].length > Number(box.dataset.max || 0)) return;
    box.value = '';
    grow();
    box.dispatchEvent(new Event('input', { bubbles: true }));
    dioxus.send(text);
    if (window.anseoScrollToBottom) window.anseoScrollToBottom();
  };
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  box.addEventListener('input', grow);
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
            while let Ok(text) = eval.recv::<String>().await {
                dispatch.act(Action::Send(text));
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
                textarea {
                    id: "composer",
                    rows: "1",
                    placeholder: "{placeholder}",
                    aria_label: "{placeholder}",
                    "data-max": "{max}",
                    enterkeyhint: "send",
                    onmounted,
                    oninput: move |e| {
                        let text = e.value();
                        draft_chars.set(text.chars().count());
                        if shows_error {
                            dispatch.act(Action::Draft(text));
                        }
                    },
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
