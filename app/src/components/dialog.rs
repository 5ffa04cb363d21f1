//! The frame every dialog shares: a dimmed backdrop and a modal box labelled by its title,
//! where Escape cancels and, for a dialog with a form, Enter confirms.

use dioxus::prelude::*;

#[component]
pub fn Dialog(
    /// Names the title element (`{id}-title`) the box is labelled by.
    id: String,
    title: String,
    oncancel: EventHandler<()>,
    /// What Enter does; without it, Enter is left to the focused button.
    onconfirm: Option<EventHandler<()>>,
    children: Element,
) -> Element {
    let onkeydown = move |event: KeyboardEvent| match (event.key(), onconfirm) {
        (Key::Escape, _) => oncancel.call(()),
        (Key::Enter, Some(onconfirm)) => onconfirm.call(()),
        _ => {}
    };
    rsx! {
        div { class: "backdrop",
            div {
                class: "dialog",
                role: "dialog",
                aria_modal: "true",
                aria_labelledby: "{id}-title",
                onkeydown,
                h2 { id: "{id}-title", "{title}" }
                {children}
            }
        }
    }
}
