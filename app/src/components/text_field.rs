//! A labelled text input with its error underneath, for the login form and the dialogs. The
//! input is not driven by the model (`initial_value` only), so fast typing never loses
//! characters; no spelling fixes or capitals are forced on names. A `secret` field is a
//! password field (`autocomplete` says which kind, `current-password` by default); with
//! `focus_on_error` the field takes the focus when an error appears, so the user can type the
//! answer straight away.

use dioxus::prelude::*;

use crate::dispatch::run_script;

#[component]
pub fn TextField(
    id: String,
    label: String,
    #[props(default)] initial: String,
    #[props(default)] placeholder: String,
    error: Option<String>,
    #[props(default)] disabled: bool,
    /// Runs when the input is in the page (e.g. to focus it).
    onmounted: Option<EventHandler<MountedEvent>>,
    oninput: EventHandler<String>,
    #[props(default = false)] secret: bool,
    autocomplete: Option<String>,
    #[props(default = false)] focus_on_error: bool,
) -> Element {
    let error_id = format!("{id}-error");
    let invalid = if error.is_some() { "true" } else { "false" };
    let kind = if secret { "password" } else { "text" };
    let autocomplete = autocomplete.unwrap_or_else(|| if secret { "current-password" } else { "off" }.into());
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
                onmounted: move |e| {
                    if let Some(onmounted) = onmounted {
                        onmounted.call(e);
                    }
                },
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
