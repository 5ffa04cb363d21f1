//! A labelled text input with its error underneath. The input is not driven by the model
//! (`initial_value` only), so fast typing never loses characters. A `secret` field is a
//! password field; with `focus_on_error` the field takes the focus when an error appears, so
//! the user can type the answer straight away.

use dioxus::prelude::*;

use crate::views::run_script;

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
    #[props(default = false)] secret: bool,
    #[props(default = false)] focus_on_error: bool,
) -> Element {
    let error_id = format!("{id}-error");
    let invalid = if error.is_some() { "true" } else { "false" };
    let (kind, autocomplete) = if secret { ("password", "current-password") } else { ("text", "off") };
    let focus = format!("document.getElementById('{id}')?.focus()");
    rsx! {
        div { class: "field",
            label { r#for: "{id}", "{label}" }
            input {
                id: "{id}",
                r#type: kind,
                autocomplete,
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
                p {
                    class: "field-error",
                    id: "{error_id}",
                    role: "alert",
                    onmounted: move |_| {
                        if focus_on_error {
                            run_script(&focus);
                        }
                    },
                    "{error}"
                }
            }
        }
    }
}
