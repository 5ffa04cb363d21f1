//! The buttons at the bottom of a form dialog: Cancel, and the one that does what the dialog
//! is for (disabled while its answer is awaited).

use dioxus::prelude::*;

#[component]
pub fn DialogActions(
    /// The confirming button's text.
    confirm: String,
    /// What the confirming button does, for screen readers.
    confirm_label: String,
    #[props(default)] busy: bool,
    onconfirm: EventHandler<()>,
    oncancel: EventHandler<()>,
) -> Element {
    rsx! {
        div { class: "dialog-actions",
            button { class: "secondary", aria_label: "Cancel", onclick: move |_| oncancel.call(()), "Cancel" }
            button {
                class: "primary",
                aria_label: "{confirm_label}",
                disabled: busy,
                onclick: move |_| onconfirm.call(()),
                "{confirm}"
            }
        }
    }
}
