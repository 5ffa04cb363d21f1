//! A message's text with URLs as links (opened in the system browser) and long words wrapped.

use dioxus::prelude::*;

use crate::model::text::{Segment, segments};

#[component]
pub fn MessageText(text: String) -> Element {
    let parts: Vec<(bool, String)> = segments(&text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => (false, t.to_string()),
            Segment::Link(l) => (true, l.to_string()),
        })
        .collect();
    rsx! {
        span { class: "text",
            for (is_link, part) in parts {
                if is_link {
                    a { href: "{part}", target: "_blank", rel: "noopener noreferrer", "{part}" }
                } else {
                    "{part}"
                }
            }
        }
    }
}
