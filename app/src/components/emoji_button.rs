//! The composer's emoji button: a grid of emoji; a click puts one into the message box where
//! the caret is. (Typing `:tada:` works too: shortcodes become emoji when the message is sent.)

use dioxus::prelude::*;

use crate::dispatch::run_script;

/// How many emoji the grid offers: the first of Unicode's "Smileys & Emotion" and "People &
/// Body" groups, then a few everyday symbols.
const OFFERED: usize = 64;
const EXTRA: [&str; 8] = ["👍", "👎", "👏", "🙏", "🎉", "🔥", "✅", "❌"];

/// The emoji the grid shows.
pub fn offered() -> Vec<&'static str> {
    let smileys =
        emojis::iter().filter(|e| e.group() == emojis::Group::SmileysAndEmotion && e.skin_tone().is_none());
    let mut out: Vec<&'static str> = EXTRA.to_vec();
    out.extend(smileys.map(|e| e.as_str()).filter(|e| !EXTRA.contains(e)).take(OFFERED - EXTRA.len()));
    out
}

#[component]
pub fn EmojiButton() -> Element {
    let mut open = use_signal(|| false);
    rsx! {
        div { class: "emoji-button",
            button {
                class: "icon-button",
                id: "emoji-button",
                aria_label: "Insert an emoji",
                aria_expanded: open(),
                title: "Emoji (or type :shortcode:, like :tada:)",
                onclick: move |_| open.toggle(),
                "☺"
            }
            if open() {
                div { class: "emoji-grid", role: "menu", aria_label: "Emoji",
                    for emoji in offered() {
                        button {
                            class: "emoji-choice",
                            role: "menuitem",
                            onclick: move |_| {
                                open.set(false);
                                insert(emoji);
                            },
                            "{emoji}"
                        }
                    }
                }
            }
        }
    }
}

/// Puts `emoji` into the message box at the caret, as if typed.
fn insert(emoji: &str) {
    let emoji = serde_json::to_string(emoji).unwrap_or_default();
    run_script(&format!(
        "const box = document.getElementById('composer'); if (box) {{ \
         const at = box.selectionStart ?? box.value.length; \
         box.setRangeText({emoji}, at, box.selectionEnd ?? at, 'end'); \
         box.dispatchEvent(new Event('input', {{ bubbles: true }})); box.focus(); }}"
    ));
}
