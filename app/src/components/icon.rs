//! Small line icons drawn with SVG (no icon font needed), sized by the surrounding text.

use dioxus::prelude::*;

/// The icons the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Pencil,
    Power,
    Send,
    Back,
    People,
    Plus,
    Lock,
    Paperclip,
    Microphone,
    Stop,
    Qr,
    Search,
    Bell,
    BellOff,
}

#[component]
pub fn Icon(kind: IconKind) -> Element {
    let path = match kind {
        IconKind::Pencil => "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
        IconKind::Power => "M12 3v8M6.3 6.3a8 8 0 1 0 11.4 0",
        IconKind::Send => "M4 12 20 4l-6 16-3-7-7-1z",
        IconKind::Back => "M15 5l-7 7 7 7",
        IconKind::People => {
            "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 6.5M18 14a6.5 6.5 0 0 1 3.5 6"
        }
        IconKind::Plus => "M12 5v14M5 12h14",
        IconKind::Lock => "M6 11h12v10H6zM8.5 11V7.5a3.5 3.5 0 0 1 7 0V11",
        IconKind::Paperclip => {
            "M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1L13 4.3a3.4 3.4 0 0 1 4.8 4.8l-8.2 8.2a1.7 1.7 0 0 1-2.4-2.4L15 7.1"
        }
        IconKind::Microphone => {
            "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"
        }
        IconKind::Stop => "M7 7h10v10H7z",
        IconKind::Bell => "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
        IconKind::BellOff => "M6 16V11a6 6 0 0 1 9.5-4.9M18 11v5l2 2H8M10 20a2 2 0 0 0 4 0M4 4l16 16",
        IconKind::Search => "M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5 20 20",
        IconKind::Qr => "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2M18 14h2",
    };
    rsx! {
        svg {
            class: "icon",
            view_box: "0 0 24 24",
            width: "20",
            height: "20",
            fill: "none",
            stroke: "currentColor",
            stroke_width: "2",
            stroke_linecap: "round",
            stroke_linejoin: "round",
            "aria-hidden": "true",
            path { d: "{path}" }
        }
    }
}
