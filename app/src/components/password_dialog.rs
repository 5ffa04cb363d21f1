//! Claim your name with a password, or change its password. The server answers with a login
//! for this device (so it is not asked again here); other devices need the password from now
//! on. A password the rules refuse shows why, and the dialog stays open.

use dioxus::prelude::*;

use super::{Dialog, DialogActions, TextField};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, Secret};

#[component]
pub fn PasswordDialog() -> Element {
    let dispatch = use_dispatch();
    // What the (undriven) field holds, from its input events.
    let mut password = use_signal(String::new);
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let me = chat.me.clone();
    let error = chat.error.clone();
    let saving = chat.saving_password;
    let submit = move || dispatch.act(Action::SetPassword(Secret::new(password())));
    rsx! {
        Dialog { id: "password", title: "Protect the name {me}",
            oncancel: move |_| dispatch.act(Action::CloseDialog),
            onconfirm: move |_| submit(),
            p { class: "muted",
                "With a password, only you can use this name on this server. This device stays "
                "logged in; elsewhere you will be asked for the password. Setting it again changes it."
            }
            TextField {
                id: "new-password",
                label: "New password (at least 8 characters)",
                error: None,
                disabled: saving,
                secret: true,
                autocomplete: "new-password",
                onmounted: move |_| run_script("document.getElementById('new-password')?.focus()"),
                oninput: move |value| password.set(value),
            }
            if let Some(error) = error {
                p { class: "form-error", role: "alert", id: "password-error", "{error}" }
            }
            DialogActions {
                confirm: if saving { "Saving…" } else { "Save password" },
                confirm_label: "Save password",
                busy: saving,
                onconfirm: move |_| submit(),
                oncancel: move |_| dispatch.act(Action::CloseDialog),
            }
        }
    }
}
