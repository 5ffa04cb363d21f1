//! Change your name.

use dioxus::prelude::*;

use super::{Dialog, DialogActions, TextField};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::Action;

#[component]
pub fn NickDialog() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let me = chat.me.clone();
    let error = chat.error.clone();
    let mut name = use_signal(|| me.clone());
    let submit = move || dispatch.act(Action::ChangeNick(name()));
    rsx! {
        Dialog { id: "nick", title: "Change your name",
            oncancel: move |_| dispatch.act(Action::CloseDialog),
            onconfirm: move |_| submit(),
            TextField {
                id: "nick-name",
                label: "New name",
                initial: me,
                error: None,
                onmounted: move |_| run_script("const e = document.getElementById('nick-name'); if (e) { e.focus(); e.select(); }"),
                oninput: move |value| name.set(value),
            }
            if let Some(error) = error {
                p { class: "form-error", role: "alert", "{error}" }
            }
            DialogActions {
                confirm: "Change",
                confirm_label: "Change name",
                onconfirm: move |_| submit(),
                oncancel: move |_| dispatch.act(Action::CloseDialog),
            }
        }
    }
}
