//! A room's whiteboard: the strokes everyone drew (SVG over the board's fixed 10000-unit
//! square, so every screen shows the same board), drawn on with the mouse, a pen or a finger
//! (pointer events), and a toolbar: pen, highlighter, eraser, colours, widths, undo of your own
//! last stroke, clear.
//!
//! The board is the largest square that fits its element; a pointer's position over the
//! element, with the element's size in pixels (from `onresize`), gives its position on the
//! board.

use anseo_shared::board::{BACKGROUND, paint, path_data};
use anseo_shared::protocol::{BOARD_SIZE, Point, Stroke, StrokeStyle, Tool, colour_hex};
use dioxus::html::geometry::PixelsSize;
use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::Action;
use crate::model::board::{COLOURS, WIDTHS};

#[component]
pub fn BoardView() -> Element {
    let dispatch = use_dispatch();
    let mut size = use_signal(|| PixelsSize::new(1.0, 1.0));
    let model = dispatch.model.read();
    let Some(chat) = model.chat.as_ref() else { return rsx! {} };
    let Some(board) = chat.open_board() else { return rsx! {} };
    let strokes: Vec<Stroke> = board.strokes().to_vec();
    let label = format!("The room's board: {} strokes", strokes.len());
    let drawing = chat.drawing.as_ref().map(|d| (d.style, path_data(&d.points)));
    let pen = chat.pen;
    let has_own = board.last_stroke_of(&chat.me).is_some();
    let room = match &chat.current {
        crate::model::Target::Room(room) => room.clone(),
        crate::model::Target::Direct(_) => String::new(),
    };
    let may_clear = chat.created(&room);

    // The board is drawn as the largest square that fits the element, centred (SVG's
    // "meet"), whatever shape the element has on this screen.
    let to_board = move |x: f64, y: f64| {
        let size = size();
        let side = size.width.min(size.height).max(1.0);
        let scale = |v: f64, offset: f64| {
            ((v - offset) / side * f64::from(BOARD_SIZE)).round().clamp(0.0, f64::from(BOARD_SIZE)) as u16
        };
        Point { x: scale(x, (size.width - side) / 2.0), y: scale(y, (size.height - side) / 2.0) }
    };
    let onpointerdown = move |event: PointerEvent| {
        event.prevent_default();
        let at = event.element_coordinates();
        let point = to_board(at.x, at.y);
        dispatch.act(Action::StrokeStart { point, stroke: new_stroke_id(), now_ms: now_ms() });
    };
    let onpointermove = move |event: PointerEvent| {
        if event.held_buttons().is_empty() {
            return;
        }
        let at = event.element_coordinates();
        dispatch.act(Action::StrokeMove { point: to_board(at.x, at.y), now_ms: now_ms() });
    };
    rsx! {
        div { class: "board",
            BoardToolbar { pen, has_own, may_clear, room }
            div { class: "board-area",
                svg {
                    class: "board-canvas",
                    id: "board-canvas",
                    view_box: "0 0 {BOARD_SIZE} {BOARD_SIZE}",
                    role: "img",
                    "aria-label": "{label}",
                    onmounted: move |event| {
                        let data = event.data();
                        spawn(async move {
                            if let Ok(rect) = data.get_client_rect().await {
                                size.set(PixelsSize::new(rect.width(), rect.height()));
                            }
                        });
                    },
                    onresize: move |event| {
                        if let Ok(box_size) = event.get_border_box_size() {
                            size.set(box_size);
                        }
                    },
                    onpointerdown,
                    onpointermove,
                    onpointerup: move |_| dispatch.act(Action::StrokeEnd),
                    onpointerleave: move |_| dispatch.act(Action::StrokeEnd),
                    rect { width: "{BOARD_SIZE}", height: "{BOARD_SIZE}", fill: BACKGROUND }
                    for stroke in strokes {
                        BoardStroke { key: "{stroke.id}", stroke }
                    }
                    if let Some((style, d)) = drawing {
                        StrokePath { style, d }
                    }
                }
            }
        }
    }
}

/// A stroke on the board: memoised on the stroke, so a pointer move over a full board draws
/// only the stroke being drawn again.
#[component]
fn BoardStroke(stroke: Stroke) -> Element {
    rsx! {
        StrokePath { style: stroke.style, d: path_data(&stroke.points) }
    }
}

/// One stroke's path.
#[component]
fn StrokePath(style: StrokeStyle, d: String) -> Element {
    let (colour, opacity) = paint(&style);
    let opacity = opacity.unwrap_or("1");
    rsx! {
        path {
            d: "{d}",
            fill: "none",
            stroke: "{colour}",
            stroke_width: "{style.width}",
            stroke_opacity: opacity,
            stroke_linecap: "round",
            stroke_linejoin: "round",
        }
    }
}

/// The tools, colours and widths, undo and clear.
#[component]
fn BoardToolbar(pen: StrokeStyle, has_own: bool, may_clear: bool, room: String) -> Element {
    let dispatch = use_dispatch();
    let mut saved = use_signal(|| None::<String>);
    let tools = [(Tool::Pen, "Pen"), (Tool::Highlighter, "Highlighter"), (Tool::Eraser, "Eraser")];
    rsx! {
        div { class: "board-toolbar", role: "toolbar", aria_label: "Drawing tools",
            for (tool, label) in tools {
                button {
                    class: if pen.tool == tool { "board-tool selected" } else { "board-tool" },
                    aria_pressed: pen.tool == tool,
                    onclick: move |_| dispatch.act(Action::SetPen { tool: Some(tool), colour: None, width: None }),
                    "{label}"
                }
            }
            span { class: "board-sep" }
            for colour in COLOURS {
                button {
                    class: if pen.colour == colour { "board-colour selected" } else { "board-colour" },
                    style: "background: {colour_hex(colour)}",
                    aria_label: "Colour {colour_hex(colour)}",
                    aria_pressed: pen.colour == colour,
                    onclick: move |_| dispatch.act(Action::SetPen { tool: None, colour: Some(colour), width: None }),
                }
            }
            span { class: "board-sep" }
            for width in WIDTHS {
                button {
                    class: if pen.width == width { "board-width selected" } else { "board-width" },
                    aria_label: "Width {width}",
                    aria_pressed: pen.width == width,
                    onclick: move |_| dispatch.act(Action::SetPen { tool: None, colour: None, width: Some(width) }),
                    span { class: "board-width-dot", style: "width: {3 + width / 20}px; height: {3 + width / 20}px" }
                }
            }
            span { class: "board-grow" }
            button {
                class: "ghost",
                id: "board-undo",
                disabled: !has_own,
                title: "Take back your last stroke",
                onclick: move |_| dispatch.act(Action::UndoStroke),
                "Undo"
            }
            if may_clear {
                button {
                    class: "ghost",
                    id: "board-clear",
                    title: "Clear the board (you created the room)",
                    onclick: move |_| dispatch.act(Action::ClearBoard),
                    "Clear"
                }
            }
            button {
                class: "ghost",
                id: "board-export",
                title: "Save the board as a picture (SVG)",
                onclick: move |_| {
                    // Made only now: a large board's picture is not built at every redraw.
                    let svg = dispatch.model.read().chat.as_ref().and_then(|c| c.open_board().map(|b| b.to_svg()));
                    let Some(svg) = svg else { return };
                    match crate::export::save_svg(&crate::export::file_name(&room), &svg) {
                        Ok(path) => saved.set(Some(format!("Saved in {path}"))),
                        Err(error) => dispatch.act(Action::ShowError(format!("The board could not be saved: {error}"))),
                    }
                },
                "Save"
            }
            if let Some(note) = saved() {
                span { class: "board-saved muted small", role: "status", "{note}" }
            }
        }
    }
}

/// A stroke id no other stroke on the board is likely to have: random (mixed with the clock,
/// as a page's generator may start from a fixed seed), 53 bits (exact as a number in the
/// browser's JavaScript too).
fn new_stroke_id() -> u64 {
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    ((fastrand::u64(..) ^ nanos.rotate_left(29)) >> 11).max(1)
}

/// Milliseconds on the page's clock, to pace the batches of points.
fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis().max(0) as u64
}
