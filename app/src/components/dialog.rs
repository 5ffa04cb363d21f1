//! The frame every dialog shares: a dimmed backdrop and a modal box labelled by its title,
//! which gets the dialog's key presses (Enter to confirm, Escape to cancel, as each decides).

use dioxus::prelude::*;

#[component]
pub fn Dialog(
    /// Names the title element (`{id}-title`) the box is labelled by.
    id: String,
    title: String,
    onkeydown: EventHandler<KeyboardEvent>,
    children: Element,
) -> Element {
    rsx! {
        div { class: "backdrop",
            div {
                class: "dialog",
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "{id}-title",
                onkeydown: move |event| onkeydown.call(event),
                h2 { id: "{id}-title", "{title}" }
                {children}
            }
        }
    }
}
