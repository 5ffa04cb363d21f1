//! Change your name.

use dioxus::prelude::*;

use crate::model::Action;
use crate::views::{run_script, use_dispatch};

#[component]
pub fn NickDialog() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let me = chat.me.clone();
    let error = chat.error.clone();
    let mut name = use_signal(|| me.clone());
    let submit = move || dispatch.act(Action::ChangeNick(name()));
    let onkeydown = move |event: KeyboardEvent| match event.key() {
        Key::Enter => submit(),
        Key::Escape => dispatch.act(Action::CloseDialog),
        _ => {}
    };
    rsx! {
        div { class: "backdrop",
            div {
                class: "dialog",
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "nick-title",
                onkeydown,
                h2 { id: "nick-title", "Change your name" }
                div { class: "field",
                    label { r#for: "nick-name", "New name" }
                    input {
                        id: "nick-name",
                        r#type: "text",
                        autocomplete: "off",
                        initial_value: me,
                        onmounted: move |_| run_script("const e = document.getElementById('nick-name'); if (e) { e.focus(); e.select(); }"),
                        oninput: move |e| name.set(e.value()),
                    }
                }
                if let Some(error) = error {
                    p { class: "form-error", role: "alert", "{error}" }
                }
                div { class: "dialog-actions",
                    button {
                        class: "secondary",
                        aria_label: "Cancel",
                        onclick: move |_| dispatch.act(Action::CloseDialog),
                        "Cancel"
                    }
                    button {
                        class: "primary",
                        aria_label: "Change name",
                        onclick: move |_| submit(),
                        "Change"
                    }
                }
            }
        }
    }
}
