//! A labelled text input with its error underneath. The input is not driven by the model
//! (`initial_value` only), so fast typing never loses characters.

use dioxus::prelude::*;

#[component]
pub fn TextField(
    id: String,
    label: String,
    initial: String,
    placeholder: String,
    error: Option<String>,
    disabled: bool,
    onmounted: EventHandler<MountedEvent>,
    oninput: EventHandler<String>,
) -> Element {
    let error_id = format!("{id}-error");
    let invalid = if error.is_some() { "true" } else { "false" };
    rsx! {
        div { class: "field",
            label { r#for: "{id}", "{label}" }
            input {
                id: "{id}",
                r#type: "text",
                autocomplete: "off",
                spellcheck: "false",
                autocapitalize: "off",
                placeholder,
                initial_value: initial,
                disabled,
                aria_invalid: invalid,
                aria_describedby: error_id.clone(),
                onmounted: move |e| onmounted.call(e),
                oninput: move |e| oninput.call(e.value()),
            }
            if let Some(error) = error {
                p { class: "field-error", id: "{error_id}", role: "alert", "{error}" }
            }
        }
    }
}
