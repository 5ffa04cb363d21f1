//! "bob is typing…" above the composer, for the open conversation; while anyone shows as
//! typing, a tick a second ages the signals (they show for 6 s after the last one).

use std::time::Duration;

use anseo_shared::client::rt;
use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::Action;
use crate::model::typing::typing_line;

#[component]
pub fn TypingLine() -> Element {
    let dispatch = use_dispatch();
    // Runs again whenever the model changes: while someone shows as typing, a tick a second
    // (nothing at all otherwise, so no timer runs in a quiet chat).
    let _ticker = use_resource(move || async move {
        let anyone = dispatch.model.read().chat.as_ref().is_some_and(|chat| !chat.typing.is_empty());
        if anyone {
            rt::sleep(Duration::from_secs(1)).await;
            dispatch.act(Action::Tick);
        }
    });
    let model = dispatch.model.read();
    let line = model.chat.as_ref().and_then(|chat| typing_line(&chat.typing_here()));
    rsx! {
        p { class: "typing-line", id: "typing-line", aria_live: "polite",
            if let Some(line) = line {
                span { "{line}" }
            }
        }
    }
}
