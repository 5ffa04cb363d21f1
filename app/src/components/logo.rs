//! The app's mark and name.

use dioxus::prelude::*;

#[component]
pub fn Logo() -> Element {
    rsx! {
        div { class: "logo",
            span { class: "logo-mark", aria_hidden: "true", "a" }
            span { class: "logo-name", "Anseo" }
        }
    }
}
