//! "Servers on this network" on the login screen: the servers announcing themselves, each a
//! button that fills the server field (the certificate is still checked as for any server;
//! a lock marks those this device already trusts).

use dioxus::prelude::*;

use super::{Icon, IconKind};
use crate::dispatch::{run_script, use_dispatch};
use crate::model::{Action, Discovered};

#[component]
pub fn DiscoveredList(servers: Vec<Discovered>) -> Element {
    let dispatch = use_dispatch();
    if servers.is_empty() {
        return rsx! {};
    }
    rsx! {
        section { class: "discovered", aria_label: "Servers on this network",
            h2 { class: "discovered-title", "Servers on this network" }
            ul {
                for found in servers {
                    li { key: "{found.server}",
                        button {
                            class: "discovered-server",
                            r#type: "button",
                            onclick: {
                                let server = found.server.clone();
                                move |_| {
                                    // The field is not driven by the model: set what it shows.
                                    let shown = serde_json::to_string(&server).unwrap_or_default();
                                    run_script(&format!("const f = document.getElementById('login-server'); if (f) f.value = {shown};"));
                                    dispatch.act(Action::PickDiscovered(server.clone()));
                                }
                            },
                            span { class: "discovered-name", "{found.name}" }
                            span { class: "discovered-address", "{found.server}" }
                            if found.known {
                                span { class: "discovered-known", title: "This device trusts its certificate", Icon { kind: IconKind::Lock } }
                            }
                        }
                    }
                }
            }
        }
    }
}
