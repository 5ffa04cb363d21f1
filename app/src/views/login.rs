//! The login screen: name, server address and (for a claimed name) password, errors in
//! words, and the server-identity dialogs (trust a new server, refuse a changed one). Tab goes
//! name → server → password → Connect; Enter connects from any field. In the browser the
//! server is the page's own: no address to type, its fingerprint shown for comparing.

use dioxus::prelude::*;

use super::{run_script, use_dispatch};
use crate::components::{CertificateAlert, DiscoveredList, Logo, TextField, TrustDialog};
use crate::model::{Action, Secret};

#[component]
pub fn LoginScreen() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let form = &model.login;
    // The fields are not driven by the model after the first render (typing fast into a
    // driven input loses characters); these are only their starting values.
    let initial = use_hook(|| (form.name.clone(), form.server.clone()));
    let connecting = form.connecting;
    let pin = form.pin.map(|fingerprint| fingerprint.grouped());
    let page_server = form.page_server.then(|| form.server.clone());
    let onkeydown = move |event: KeyboardEvent| {
        if event.key() == Key::Enter {
            dispatch.act(Action::SubmitLogin);
        }
    };
    rsx! {
        main { class: "login", onkeydown,
            section { class: "login-card", aria_label: "Log in",
                Logo {}
                p { class: "login-tagline", "Chat with everyone on your network" }
                if let Some(warning) = form.certificate_warning.clone() {
                    CertificateAlert { warning }
                }
                TextField {
                    id: "login-name",
                    label: "Your name",
                    initial: initial.0.clone(),
                    placeholder: "e.g. alice",
                    error: form.name_error.clone(),
                    disabled: connecting,
                    onmounted: move |_| run_script("document.getElementById('login-name')?.focus()"),
                    oninput: move |value| dispatch.act(Action::EditName(value)),
                }
                if let Some(server) = &page_server {
                    p { class: "login-server", id: "login-server", "Server {server}" }
                } else {
                    TextField {
                        id: "login-server",
                        label: "Server address or invite link",
                        initial: initial.1.clone(),
                        placeholder: "HOST:PORT, e.g. 192.168.1.5:4433, or a pasted invite link",
                        error: form.server_error.clone(),
                        disabled: connecting,
                        oninput: move |value| dispatch.act(Action::EditServer(value)),
                    }
                }
                TextField {
                    id: "login-password",
                    label: "Password (only for a claimed name)",
                    initial: String::new(),
                    placeholder: "Leave empty unless your name is claimed",
                    error: form.password_error.clone(),
                    disabled: connecting,
                    secret: true,
                    focus_on_error: true,
                    oninput: move |value| dispatch.act(Action::EditPassword(Secret::new(value))),
                }
                if let Some(pin) = pin {
                    div { class: "login-pin", id: "login-fingerprint",
                        if page_server.is_some() {
                            span { "This server's certificate (your browser shows the same SHA-256 fingerprint)" }
                        } else {
                            span { "Pinned certificate" }
                        }
                        pre { "{pin}" }
                    }
                }
                if let Some(error) = form.error.clone() {
                    p { class: "form-error", role: "alert", id: "login-error", "{error}" }
                }
                button {
                    class: "primary wide",
                    id: "login-connect",
                    aria_label: "Connect",
                    disabled: connecting,
                    onclick: move |_| dispatch.act(Action::SubmitLogin),
                    if connecting {
                        span { class: "spinner", aria_hidden: "true" }
                        "Connecting…"
                    } else {
                        "Connect"
                    }
                }
                if page_server.is_none() {
                    DiscoveredList { servers: form.discovered.clone() }
                    if let Some(note) = form.discovery_error.clone() {
                        p { class: "muted small", id: "discovery-note", role: "note", "{note}" }
                    }
                }
                p { class: "login-footnote",
                    "Messages travel encrypted. The server is recognised by its certificate fingerprint."
                }
            }
        }
        if let Some(prompt) = form.trust_prompt.clone() {
            TrustDialog { prompt }
        }
    }
}
