//! The server's invite, to show a newcomer: a QR code their phone's camera opens (the web
//! client's join page, which checks the certificate the link pins) and the links to copy.

use dioxus::prelude::*;
use qrcode::QrCode;
use qrcode::render::svg;

use super::Dialog;
use crate::dispatch::use_dispatch;
use crate::model::Action;

#[component]
pub fn InviteDialog() -> Element {
    let dispatch = use_dispatch();
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let close = move |_| dispatch.act(Action::CloseDialog);
    let Some(invite) = chat.invite() else {
        return rsx! {
            Dialog { id: "invite", title: "Invite someone", oncancel: close,
                p { "This device does not know the server's certificate fingerprint yet, so it cannot make an invite. The server's banner shows its invite and QR code." }
                div { class: "dialog-actions",
                    button { class: "primary", onclick: move |_| dispatch.act(Action::CloseDialog), "Close" }
                }
            }
        };
    };
    let web_link = invite.web_link();
    let code = qr_svg(&web_link);
    rsx! {
        Dialog { id: "invite", title: "Invite someone", oncancel: close,
            p { "Let them scan this with their phone's camera, or send them the link. It opens Anseo for this server, and makes sure it is the real one." }
            if let Some(code) = code {
                div { class: "invite-qr", role: "img", aria_label: "QR code of the invite link", dangerous_inner_html: "{code}" }
            }
            p { class: "invite-link", id: "invite-link", "{web_link}" }
            p { class: "invite-link muted", "For the app: {invite.app_link()}" }
            div { class: "dialog-actions",
                button { class: "primary", onclick: move |_| dispatch.act(Action::CloseDialog), "Done" }
            }
        }
    }
}

/// `link` as an SVG QR code, dark on light.
fn qr_svg(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(220, 220)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build(),
    )
}
