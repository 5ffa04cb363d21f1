//! "Is this the server you mean?": shows a new server's fingerprint in readable groups and asks
//! the user to compare it with the server's startup banner before trusting it.

use dioxus::prelude::*;

use super::Dialog;
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, TrustPrompt};

#[component]
pub fn TrustDialog(prompt: TrustPrompt) -> Element {
    let dispatch = use_dispatch();
    let grouped = prompt.fingerprint.grouped();
    rsx! {
        Dialog { id: "trust", title: "New server", oncancel: move |_| dispatch.act(Action::CancelTrust),
            p { "This is the first time you connect to " strong { "{prompt.server}" } ". Its certificate fingerprint is:" }
            pre { class: "fingerprint", aria_label: "Server fingerprint", "{grouped}" }
            if let Some(announcement) = prompt.announcement() {
                p { class: "announcement", id: "trust-announcement", "{announcement}" }
            }
            p {
                "Compare it with the fingerprint the server printed when it started (its startup banner). "
                "Trust it only if every group matches; otherwise someone may be pretending to be the server."
            }
            div { class: "dialog-actions",
                button {
                    class: "secondary",
                    aria_label: "Cancel and go back",
                    onclick: move |_| dispatch.act(Action::CancelTrust),
                    "Cancel"
                }
                button {
                    class: "primary",
                    id: "trust-accept",
                    aria_label: "Trust this server and connect",
                    onmounted: move |_| run_script("document.getElementById('trust-accept')?.focus()"),
                    onclick: move |_| dispatch.act(Action::TrustServer),
                    "Trust and connect"
                }
            }
        }
    }
}
