//! The Board tab of a room: the pen the user draws with, the stroke being drawn (sent in
//! batches about 30 times a second, so others see it grow), undo of the user's own last
//! stroke, clearing, and the server's board operations applied to each room's board.
//!
//! The board itself ([`Board`]) is the server's: a stroke shows on it once the server echoes
//! it. While the user draws, the view shows the points drawn so far over it
//! ([`Drawing::points`]), so the line follows the pointer at once.

use anseo_shared::board::Board;
use anseo_shared::protocol::{
    BoardEvent, BoardOp, DEFAULT_MAX_STROKE_POINTS, MAX_POINTS_PER_OP, Point, StrokeStyle, Tool, fold_name,
};

use super::{Chat, Command, Target};

/// How often the points of a stroke being drawn are sent, in milliseconds (about 30 a second).
pub const BATCH_MS: u64 = 33;

/// The colours the pen offers, `0xRRGGBB`.
pub const COLOURS: [u32; 6] = [0x1f2328, 0xd1242f, 0x0969da, 0x1a7f37, 0xbc4c00, 0x8250df];
/// The widths the pen offers, in board units (the board is 10000 wide).
pub const WIDTHS: [u16; 3] = [30, 80, 200];

/// What the messages area of a room shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoomView {
    #[default]
    Messages,
    Board,
}

/// A stroke the user is drawing now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    pub room: String,
    pub stroke: u64,
    pub style: StrokeStyle,
    /// Every point drawn so far, to show at once.
    pub points: Vec<Point>,
    /// The points not sent yet.
    unsent: Vec<Point>,
    /// When points were last sent (milliseconds, the view's clock).
    sent_at_ms: u64,
}

impl Chat {
    /// The board of the open room, if a room is open.
    pub fn open_board(&self) -> Option<&Board> {
        match &self.current {
            Target::Room(room) => self.rooms.get(room).map(|room| &room.board),
            Target::Direct(_) => None,
        }
    }

    /// Shows the messages or the board of the open room.
    pub(super) fn show_room_view(&mut self, view: RoomView) {
        self.room_view = view;
        if view == RoomView::Board
            && let Target::Room(room) = &self.current
            && let Some(room) = self.rooms.get_mut(room)
        {
            room.board_changed = false;
        }
    }

    /// The pointer went down on the board at `point`: a stroke begins with the pen's style.
    pub(super) fn start_stroke(&mut self, point: Point, stroke: u64, now_ms: u64) -> Option<Command> {
        let Target::Room(room) = self.current.clone() else { return None };
        let style = self.pen;
        self.drawing = Some(Drawing {
            room: room.clone(),
            stroke,
            style,
            points: vec![point],
            unsent: Vec::new(),
            sent_at_ms: now_ms,
        });
        Some(Command::Draw { room, ops: vec![BoardOp::Begin { stroke, style, points: vec![point] }] })
    }

    /// The pointer moved to `point` while drawing: the point is kept, and the points not sent
    /// yet go out once a batch's time has passed.
    pub(super) fn extend_stroke(&mut self, point: Point, now_ms: u64) -> Option<Command> {
        let drawing = self.drawing.as_mut()?;
        let full = drawing.points.len() >= DEFAULT_MAX_STROKE_POINTS as usize;
        if drawing.points.last() == Some(&point) || full {
            return None;
        }
        drawing.points.push(point);
        drawing.unsent.push(point);
        let due = now_ms.saturating_sub(drawing.sent_at_ms) >= BATCH_MS
            || drawing.unsent.len() >= MAX_POINTS_PER_OP;
        if !due {
            return None;
        }
        drawing.sent_at_ms = now_ms;
        let points = std::mem::take(&mut drawing.unsent);
        let (room, stroke) = (drawing.room.clone(), drawing.stroke);
        Some(Command::Draw { room, ops: vec![BoardOp::Points { stroke, points }] })
    }

    /// The pointer went up (or left the board): the rest of the points, and the end.
    pub(super) fn finish_stroke(&mut self) -> Option<Command> {
        let drawing = self.drawing.take()?;
        let stroke = drawing.stroke;
        let mut ops = Vec::new();
        if !drawing.unsent.is_empty() {
            ops.push(BoardOp::Points { stroke, points: drawing.unsent });
        }
        ops.push(BoardOp::End { stroke });
        Some(Command::Draw { room: drawing.room, ops })
    }

    /// Takes back the user's own last stroke on the open room's board.
    pub(super) fn undo_stroke(&mut self) -> Option<Command> {
        let Target::Room(room) = &self.current else { return None };
        let stroke = self.rooms.get(room)?.board.last_stroke_of(&self.me)?;
        Some(Command::Draw { room: room.clone(), ops: vec![BoardOp::Delete { stroke }] })
    }

    /// Clears the open room's board: its creator only (the server refuses anyone else).
    pub(super) fn clear_board(&mut self) -> Option<Command> {
        let Target::Room(room) = &self.current else { return None };
        if !self.created(room) {
            return None;
        }
        Some(Command::Draw { room: room.clone(), ops: vec![BoardOp::Clear] })
    }

    /// Whether this user created `room` (and so may clear its board).
    pub fn created(&self, room: &str) -> bool {
        self.rooms
            .get(room)
            .is_some_and(|r| !r.creator.is_empty() && fold_name(&r.creator) == fold_name(&self.me))
    }

    /// The pen: its tool, colour or width changed.
    pub(super) fn set_pen(&mut self, tool: Option<Tool>, colour: Option<u32>, width: Option<u16>) {
        self.pen.tool = tool.unwrap_or(self.pen.tool);
        self.pen.colour = colour.unwrap_or(self.pen.colour);
        self.pen.width = width.unwrap_or(self.pen.width);
    }

    /// An operation on a room's board, from the server.
    pub(super) fn board_event(&mut self, event: BoardEvent) {
        let watching = self.is_watching_board(&event.room);
        let Some(room) = self.rooms.get_mut(&event.room) else { return };
        room.board.apply_event(&event);
        if !watching && event.by != self.me {
            room.board_changed = true;
        }
    }

    /// A room's board as it is, from the server.
    pub(super) fn board_state(&mut self, room: String, board: Board) {
        let watching = self.is_watching_board(&room);
        let Some(state) = self.rooms.get_mut(&room) else { return };
        if !watching && board.seq() > state.board.seq() {
            state.board_changed = true;
        }
        state.board = board;
    }

    fn is_watching_board(&self, room: &str) -> bool {
        self.room_view == RoomView::Board && self.current == Target::Room(room.to_string())
    }
}

/// The pen a session starts with.
pub const DEFAULT_PEN: StrokeStyle = StrokeStyle { colour: COLOURS[0], width: WIDTHS[0], tool: Tool::Pen };
