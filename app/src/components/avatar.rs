//! A round badge with a user's initial, coloured by their name so people are easy to tell apart.

use dioxus::prelude::*;

/// A hue (0-359) derived from the name, stable across runs.
pub fn hue(name: &str) -> u32 {
    name.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32)) % 360
}

#[component]
pub fn Avatar(name: String, #[props(default = false)] small: bool) -> Element {
    let initial: String = name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    let class = if small { "avatar small" } else { "avatar" };
    let hue = hue(&name);
    rsx! {
        span { class, style: "--hue: {hue}", aria_hidden: "true", "{initial}" }
    }
}
