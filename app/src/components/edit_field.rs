//! A message being edited, in place of its text: a field with the text, Enter or Save sends
//! the new text, Escape or Cancel leaves it as it was.

use dioxus::prelude::*;

use crate::dispatch::{run_script, use_dispatch};
use crate::model::Action;

#[component]
pub fn EditField(id: u64, text: String) -> Element {
    let dispatch = use_dispatch();
    let mut value = use_signal(|| text.clone());
    let field = format!("edit-{id}");
    let focus = format!("const f = document.getElementById('{field}'); if (f) {{ f.focus(); f.select(); }}");
    rsx! {
        form {
            class: "edit-form",
            onsubmit: move |e| {
                e.prevent_default();
                dispatch.act(Action::SaveEdit(value()));
            },
            input {
                id: "{field}",
                class: "edit-input",
                aria_label: "Edit message",
                initial_value: text,
                onmounted: move |_| run_script(&focus),
                oninput: move |e| value.set(e.value()),
                onkeydown: move |e| {
                    if e.key() == Key::Escape {
                        dispatch.act(Action::CancelEdit);
                    }
                },
            }
            div { class: "edit-actions",
                button { r#type: "button", class: "ghost", onclick: move |_| dispatch.act(Action::CancelEdit), "Cancel" }
                button { r#type: "submit", class: "primary", "Save" }
            }
        }
    }
}
