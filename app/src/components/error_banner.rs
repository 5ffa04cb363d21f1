//! The last failed command ("no such user", "rate limited"...), until dismissed.

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::Action;

#[component]
pub fn ErrorBanner() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let error = model.chat.as_ref().and_then(|c| c.error.clone());
    let Some(error) = error.filter(|_| model.chat.as_ref().is_some_and(|c| c.dialog.is_none())) else {
        return rsx! {};
    };
    rsx! {
        div { class: "error-banner", role: "alert",
            span { "{error}" }
            button {
                class: "icon-button",
                aria_label: "Dismiss",
                onclick: move |_| dispatch.act(Action::DismissError),
                "×"
            }
        }
    }
}
