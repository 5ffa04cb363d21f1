//! The shared whiteboard of a room, as operations. A board is drawn in a fixed logical space,
//! [`BOARD_SIZE`] units both ways, so every screen shows the same board whatever its size. A
//! stroke is begun (with its style and maybe its first points), grows by batches of points
//! while it is drawn (about 30 a second, so others see it grow), and ends; it can be deleted
//! later (by its author, or by the room's creator), and the creator can clear the whole board.
//!
//! The server numbers every operation of a room's board (`seq`, 1, 2, 3... per room, apart from
//! message numbers), so a client applies each once and in order, and sends a joining or
//! returning client the board as it is ([`BoardSnapshot`]) instead of every point ever drawn.

use serde::{Deserialize, Serialize};

/// The board's width and height in logical units: coordinates run from 0 to this, inclusive.
pub const BOARD_SIZE: u16 = 10_000;
/// Points one operation carries, at most (a frame from a client stays well under its limit).
pub const MAX_POINTS_PER_OP: usize = 1000;
/// The widest stroke, in logical units.
pub const MAX_STROKE_WIDTH: u16 = 1000;
/// The points of one stroke, at most, unless the server says otherwise.
pub const DEFAULT_MAX_STROKE_POINTS: u32 = 5000;
/// The strokes on one board, at most, unless the server says otherwise.
pub const DEFAULT_MAX_BOARD_STROKES: u32 = 2000;
/// Points on one board, at most, unless the server says otherwise (its snapshot, at up to 6
/// bytes a point, stays well inside a client's 1 MiB queue).
pub const DEFAULT_MAX_BOARD_POINTS: u32 = 60_000;
/// Board operations one client may send per second, unless the server says otherwise (a
/// drawer sends about 30 batches a second).
pub const DEFAULT_BOARD_OPS_PER_SEC: u32 = 60;

/// A point on the board, in logical units (`0..=BOARD_SIZE` both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Point {
    pub x: u16,
    pub y: u16,
}

/// What a stroke does to the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tool {
    /// Opaque ink.
    Pen,
    /// See-through ink over what is below.
    Highlighter,
    /// Paints the board's background over what is below.
    Eraser,
}

impl Tool {
    /// The tool's name in the terminal client and its JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Pen => "pen",
            Tool::Highlighter => "highlighter",
            Tool::Eraser => "eraser",
        }
    }
}

/// How a stroke looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StrokeStyle {
    /// `0xRRGGBB`.
    pub colour: u32,
    /// In logical units, 1 to [`MAX_STROKE_WIDTH`].
    pub width: u16,
    pub tool: Tool,
}

/// One change to a board. Append only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoardOp {
    /// A new stroke, `stroke` chosen by its author (unique on the board), with its first
    /// points (maybe none yet).
    Begin { stroke: u64, style: StrokeStyle, points: Vec<Point> },
    /// More points of a stroke still being drawn, by its author.
    Points { stroke: u64, points: Vec<Point> },
    /// The stroke is finished.
    End { stroke: u64 },
    /// The stroke is taken off the board (by its author, or the room's creator).
    Delete { stroke: u64 },
    /// Every stroke is taken off the board (the room's creator only).
    Clear,
}

/// An operation on a room's board as the server numbered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardEvent {
    pub room: String,
    /// 1, 2, 3... per room's board, without gaps.
    pub seq: u64,
    /// Who did it.
    pub by: String,
    pub ts: u64,
    pub op: BoardOp,
}

/// A stroke on a board, as a snapshot carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stroke {
    pub id: u64,
    /// Its author.
    pub by: String,
    pub style: StrokeStyle,
    pub points: Vec<Point>,
    /// Whether its author finished it.
    pub ended: bool,
}

/// A room's board as it is after operation `seq`, in pages: the strokes in the order they
/// were begun (later ones drawn over earlier ones), `more` on every page but the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardSnapshot {
    pub room: String,
    pub seq: u64,
    pub strokes: Vec<Stroke>,
    pub more: bool,
}

/// Why a board operation is malformed, before any board is looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardOpError {
    #[error("a point ({x}, {y}) is off the board (0 to {BOARD_SIZE} both ways)")]
    OffBoard { x: u16, y: u16 },
    #[error("{count} points in one operation; at most {MAX_POINTS_PER_OP}")]
    TooManyPoints { count: usize },
    #[error("a stroke width of {width}; it must be 1 to {MAX_STROKE_WIDTH}")]
    BadWidth { width: u16 },
    #[error("the colour {colour:#x} is not 0xRRGGBB")]
    BadColour { colour: u32 },
}

/// Checks what an operation carries on its own: points on the board and not too many of them,
/// a width and colour in range.
pub fn validate_board_op(op: &BoardOp) -> Result<(), BoardOpError> {
    let points = match op {
        BoardOp::Begin { style, points, .. } => {
            if style.width == 0 || style.width > MAX_STROKE_WIDTH {
                return Err(BoardOpError::BadWidth { width: style.width });
            }
            if style.colour > 0xFF_FFFF {
                return Err(BoardOpError::BadColour { colour: style.colour });
            }
            points
        }
        BoardOp::Points { points, .. } => points,
        BoardOp::End { .. } | BoardOp::Delete { .. } | BoardOp::Clear => return Ok(()),
    };
    if points.len() > MAX_POINTS_PER_OP {
        return Err(BoardOpError::TooManyPoints { count: points.len() });
    }
    match points.iter().find(|p| p.x > BOARD_SIZE || p.y > BOARD_SIZE) {
        Some(p) => Err(BoardOpError::OffBoard { x: p.x, y: p.y }),
        None => Ok(()),
    }
}

/// `0xRRGGBB` as `#rrggbb`.
pub fn colour_hex(colour: u32) -> String {
    format!("#{:06x}", colour & 0xFF_FFFF)
}

/// `#rrggbb`, `rrggbb` or a colour name the terminal client knows, as `0xRRGGBB`.
pub fn parse_colour(text: &str) -> Option<u32> {
    let named = match text.to_ascii_lowercase().as_str() {
        "black" => Some(0x1f2328),
        "red" => Some(0xd1242f),
        "blue" => Some(0x0969da),
        "green" => Some(0x1a7f37),
        "orange" => Some(0xbc4c00),
        "purple" => Some(0x8250df),
        "yellow" => Some(0xf2cc0c),
        "white" => Some(0xffffff),
        _ => None,
    };
    named.or_else(|| {
        let hex = text.strip_prefix('#').unwrap_or(text);
        (hex.len() == 6).then(|| u32::from_str_radix(hex, 16).ok()).flatten()
    })
}
