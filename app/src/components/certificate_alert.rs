//! The warning shown when a server presents a different certificate than before. There is no
//! way around it from here: the user has to find out why.

use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::{Action, CertificateWarning};

#[component]
pub fn CertificateAlert(warning: CertificateWarning) -> Element {
    let dispatch = use_dispatch();
    let expected = warning.expected.grouped();
    let actual = warning.actual.grouped();
    rsx! {
        div { class: "cert-alert", role: "alert", id: "certificate-alert",
            h2 { "Warning: the server's identity changed" }
            p {
                strong { "{warning.server}" }
                " presented a different certificate than the one you trusted. Someone on the network may be "
                "impersonating the server to read your messages, so Anseo refused to connect."
            }
            p { "If the server was reinstalled, ask its administrator for the new fingerprint and remove the old entry from your known-servers file." }
            dl {
                dt { "Expected" }
                dd { pre { class: "fingerprint", "{expected}" } }
                dt { "Presented" }
                dd { pre { class: "fingerprint", "{actual}" } }
            }
            button {
                class: "secondary",
                aria_label: "Dismiss the warning",
                onclick: move |_| dispatch.act(Action::DismissCertificateWarning),
                "Dismiss"
            }
        }
    }
}
