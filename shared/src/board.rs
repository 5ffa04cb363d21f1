//! A room's whiteboard as a value: the strokes on it, in the order they were begun, and the
//! number of the last operation applied. The server checks each operation against it
//! ([`Board::check`]: whose stroke, how long, how full) and applies what it accepts; every
//! client applies the server's numbered operations and snapshots to its own copy, so that all
//! copies of a board are equal, down to the bytes of [`Board::to_svg`].

use crate::protocol::{
    BOARD_SIZE, BoardEvent, BoardOp, BoardSnapshot, Point, Stroke, StrokeStyle, Tool, colour_hex, fold_name,
};

/// How much a board holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardLimits {
    /// Points in one stroke, at most: a longer stroke is cut there and ended.
    pub max_stroke_points: u32,
    /// Strokes on the board, at most.
    pub max_strokes: u32,
    /// Points on the whole board, at most: what keeps a board's snapshot, sent to everyone
    /// who joins the room, well inside one client's queue.
    pub max_points: u32,
}

/// A board.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    seq: u64,
    strokes: Vec<Stroke>,
}

/// What the server makes of an operation it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The operations to apply and send, in order: the one asked for, or for a stroke that
    /// reached its limit the points that still fit followed by its end.
    pub ops: Vec<BoardOp>,
    /// Whether the stroke was cut at its limit (the sender is told).
    pub cut: bool,
}

/// Why the server refuses an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardRefusal {
    #[error("there is no stroke {0} on the board")]
    NoSuchStroke(u64),
    #[error("stroke {0} is someone else's; only its author can change it")]
    NotYours(u64),
    #[error("only the room's creator can delete someone else's stroke or clear the board")]
    NotCreator,
    #[error("stroke {0} is finished already")]
    Ended(u64),
    #[error("there is a stroke {0} on the board already")]
    Duplicate(u64),
    #[error("the board has {max} strokes, the most allowed; delete some or clear it")]
    Full { max: u32 },
    #[error("the stroke has {max} points, the most allowed; it ends there")]
    TooLong { max: u32 },
    #[error("the board holds {max} points, the most allowed; delete some strokes or clear it")]
    TooManyPoints { max: u32 },
}

impl Board {
    /// The number of the last operation applied (0 for a board never drawn on).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The strokes, in the order they were begun (later ones over earlier ones).
    pub fn strokes(&self) -> &[Stroke] {
        &self.strokes
    }

    /// A board restored as it was after operation `seq`.
    pub fn restored(seq: u64, strokes: Vec<Stroke>) -> Board {
        Board { seq, strokes }
    }

    /// How many points all its strokes have.
    pub fn points(&self) -> usize {
        self.strokes.iter().map(|stroke| stroke.points.len()).sum()
    }

    fn stroke(&self, id: u64) -> Option<&Stroke> {
        self.strokes.iter().find(|stroke| stroke.id == id)
    }

    /// Whether `by` may send `op` now; `creator` says whether `by` created the room. The
    /// operation must be well formed already (`validate_board_op`).
    pub fn check(
        &self,
        op: BoardOp,
        by: &str,
        creator: bool,
        limits: BoardLimits,
    ) -> Result<Checked, BoardRefusal> {
        let own = |id: u64| -> Result<&Stroke, BoardRefusal> {
            let stroke = self.stroke(id).ok_or(BoardRefusal::NoSuchStroke(id))?;
            match fold_name(&stroke.by) == fold_name(by) {
                true => Ok(stroke),
                false => Err(BoardRefusal::NotYours(id)),
            }
        };
        let max_points = limits.max_stroke_points as usize;
        let board_full = |adding: usize| self.points() + adding > limits.max_points as usize;
        match op {
            BoardOp::Begin { ref points, .. } | BoardOp::Points { ref points, .. }
                if board_full(points.len().min(max_points)) =>
            {
                Err(BoardRefusal::TooManyPoints { max: limits.max_points })
            }
            BoardOp::Begin { stroke, style, mut points } => {
                if self.stroke(stroke).is_some() {
                    return Err(BoardRefusal::Duplicate(stroke));
                }
                if self.strokes.len() >= limits.max_strokes as usize {
                    return Err(BoardRefusal::Full { max: limits.max_strokes });
                }
                let cut = points.len() > max_points;
                points.truncate(max_points);
                let mut ops = vec![BoardOp::Begin { stroke, style, points }];
                if cut {
                    ops.push(BoardOp::End { stroke });
                }
                Ok(Checked { ops, cut })
            }
            BoardOp::Points { stroke, mut points } => {
                let existing = own(stroke)?;
                if existing.ended {
                    return Err(BoardRefusal::Ended(stroke));
                }
                let room = max_points.saturating_sub(existing.points.len());
                let cut = points.len() > room;
                points.truncate(room);
                let mut ops = Vec::new();
                if !points.is_empty() {
                    ops.push(BoardOp::Points { stroke, points });
                }
                if cut {
                    ops.push(BoardOp::End { stroke });
                }
                Ok(Checked { ops, cut })
            }
            BoardOp::End { stroke } => {
                if own(stroke)?.ended {
                    return Err(BoardRefusal::Ended(stroke));
                }
                Ok(Checked { ops: vec![op], cut: false })
            }
            BoardOp::Delete { stroke } => match own(stroke) {
                Ok(_) => Ok(Checked { ops: vec![op], cut: false }),
                Err(BoardRefusal::NotYours(_)) if creator => Ok(Checked { ops: vec![op], cut: false }),
                Err(BoardRefusal::NotYours(_)) => Err(BoardRefusal::NotCreator),
                Err(other) => Err(other),
            },
            BoardOp::Clear if creator => Ok(Checked { ops: vec![op], cut: false }),
            BoardOp::Clear => Err(BoardRefusal::NotCreator),
        }
    }

    /// Applies operation `seq` by `by` (checked by the server; a client applies what the
    /// server sent). An operation at or below the last one applied is skipped: it was applied
    /// already, or is in the snapshot. Returns whether it was applied.
    pub fn apply(&mut self, seq: u64, by: &str, op: &BoardOp) -> bool {
        if seq <= self.seq {
            return false;
        }
        self.seq = seq;
        match op {
            BoardOp::Begin { stroke, style, points } => self.strokes.push(Stroke {
                id: *stroke,
                by: by.to_string(),
                style: *style,
                points: points.clone(),
                ended: false,
            }),
            BoardOp::Points { stroke, points } => {
                if let Some(existing) = self.strokes.iter_mut().find(|s| s.id == *stroke) {
                    existing.points.extend_from_slice(points);
                }
            }
            BoardOp::End { stroke } => {
                if let Some(existing) = self.strokes.iter_mut().find(|s| s.id == *stroke) {
                    existing.ended = true;
                }
            }
            BoardOp::Delete { stroke } => self.strokes.retain(|s| s.id != *stroke),
            BoardOp::Clear => self.strokes.clear(),
        }
        true
    }

    /// Applies an event from the server.
    pub fn apply_event(&mut self, event: &BoardEvent) -> bool {
        self.apply(event.seq, &event.by, &event.op)
    }

    /// The board as a snapshot, in pages of at most `page_points` points (a stroke is never
    /// split; every snapshot has at least one page).
    pub fn snapshot(&self, room: &str, page_points: usize) -> Vec<BoardSnapshot> {
        let mut pages = Vec::new();
        let mut strokes: Vec<Stroke> = Vec::new();
        let mut points = 0;
        for stroke in &self.strokes {
            if !strokes.is_empty() && points + stroke.points.len() > page_points {
                pages.push(std::mem::take(&mut strokes));
                points = 0;
            }
            points += stroke.points.len();
            strokes.push(stroke.clone());
        }
        pages.push(strokes);
        let last = pages.len() - 1;
        let page =
            |(i, strokes)| BoardSnapshot { room: room.to_string(), seq: self.seq, strokes, more: i < last };
        pages.into_iter().enumerate().map(page).collect()
    }

    /// The board from the pages of a snapshot (in order).
    pub fn from_snapshot(pages: impl IntoIterator<Item = BoardSnapshot>) -> Board {
        let mut board = Board::default();
        for page in pages {
            board.seq = page.seq;
            board.strokes.extend(page.strokes);
        }
        board
    }

    /// The last stroke `by` began that is still on the board: what an undo deletes.
    pub fn last_stroke_of(&self, by: &str) -> Option<u64> {
        let by = fold_name(by);
        self.strokes.iter().rev().find(|stroke| fold_name(&stroke.by) == by).map(|stroke| stroke.id)
    }

    /// Who drew how many of the strokes, in the order they first drew.
    pub fn authors(&self) -> Vec<(String, usize)> {
        let mut authors: Vec<(String, usize)> = Vec::new();
        for stroke in &self.strokes {
            match authors.iter_mut().find(|(name, _)| *name == stroke.by) {
                Some((_, count)) => *count += 1,
                None => authors.push((stroke.by.clone(), 1)),
            }
        }
        authors
    }

    /// The board as an SVG picture, 1000 pixels square over the logical space: the same
    /// bytes for the same board on every client.
    pub fn to_svg(&self) -> String {
        let size = BOARD_SIZE;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"1000\" height=\"1000\">\n\
             <rect width=\"{size}\" height=\"{size}\" fill=\"{BACKGROUND}\"/>\n"
        );
        for stroke in &self.strokes {
            svg.push_str(&stroke_svg(stroke));
            svg.push('\n');
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// The board's background, which the eraser paints.
pub const BACKGROUND: &str = "#ffffff";

/// How see-through the highlighter's ink is.
pub const HIGHLIGHTER_OPACITY: &str = "0.35";

/// One stroke as an SVG path element.
pub fn stroke_svg(stroke: &Stroke) -> String {
    let (colour, opacity) = paint(&stroke.style);
    let opacity = match opacity {
        Some(opacity) => format!(" stroke-opacity=\"{opacity}\""),
        None => String::new(),
    };
    format!(
        "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"{opacity} stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
        path_data(&stroke.points),
        stroke.style.width
    )
}

/// How a stroke of `style` is painted: its SVG stroke colour (the background for the eraser)
/// and its opacity when it is see-through (the highlighter). The export and the app's board
/// both paint with it, so they look the same.
pub fn paint(style: &StrokeStyle) -> (String, Option<&'static str>) {
    match style.tool {
        Tool::Eraser => (BACKGROUND.to_string(), None),
        Tool::Pen => (colour_hex(style.colour), None),
        Tool::Highlighter => (colour_hex(style.colour), Some(HIGHLIGHTER_OPACITY)),
    }
}

/// `M x y L x y ...`; a single point draws a dot (a line to itself).
pub fn path_data(points: &[Point]) -> String {
    let mut data = String::new();
    for (i, point) in points.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        data.push_str(&format!("{command}{} {}", point.x, point.y));
    }
    if let [only] = points {
        data.push_str(&format!("L{} {}", only.x, only.y));
    }
    data
}

#[cfg(test)]
mod tests;
