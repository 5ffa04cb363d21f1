//! The whiteboards of this user's rooms, as the server last said, and the board commands:
//! `/draw` (a stroke from the command line, for scripts and tests), `/undo`, `/board-delete`,
//! `/board-clear`, `/board` (who drew what) and `/board-export` (the board as SVG, the same
//! bytes on every client).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use anseo_shared::board::Board;
use anseo_shared::protocol::{
    BOARD_SIZE, BoardEvent, BoardOp, MAX_POINTS_PER_OP, MAX_STROKE_WIDTH, Point, StrokeStyle, Tool,
    fold_name, parse_colour,
};

/// The boards of the rooms this user is in, by folded room name.
#[derive(Debug, Default)]
pub struct Boards {
    boards: HashMap<String, Board>,
}

impl Boards {
    /// The board of `room` (empty when nothing was drawn or heard of).
    pub fn of(&self, room: &str) -> Board {
        self.boards.get(&fold_name(room)).cloned().unwrap_or_default()
    }

    /// The server sent the board of `room` as it is.
    pub fn replace(&mut self, room: &str, board: Board) {
        self.boards.insert(fold_name(room), board);
    }

    /// An operation on a board, from the server.
    pub fn apply(&mut self, event: &BoardEvent) {
        self.boards.entry(fold_name(&event.room)).or_default().apply_event(event);
    }

    /// This user left `room`: its board is no longer followed.
    pub fn forget(&mut self, room: &str) {
        self.boards.remove(&fold_name(room));
    }
}

/// Why `/draw`'s arguments are not a stroke.
pub const DRAW_USAGE: &str = "/draw COLOUR WIDTH X1,Y1 [X2,Y2 ...] with COLOUR a name (black, red, blue, \
     green, orange, purple, yellow, white) or #rrggbb, WIDTH 1 to 1000, and X,Y from 0 to 10000";

/// The operations that draw the stroke `/draw COLOUR WIDTH X1,Y1 X2,Y2 ...` describes: its
/// beginning with the first points, the rest in batches, and its end.
pub fn draw_ops(args: &str) -> Option<Vec<BoardOp>> {
    let mut words = args.split_whitespace();
    let colour = parse_colour(words.next()?)?;
    let width: u16 = words.next()?.parse().ok().filter(|w| (1..=MAX_STROKE_WIDTH).contains(w))?;
    let points = words.map(parse_point).collect::<Option<Vec<Point>>>()?;
    if points.is_empty() {
        return None;
    }
    let stroke = new_stroke_id();
    let style = StrokeStyle { colour, width, tool: Tool::Pen };
    let mut batches = points.chunks(MAX_POINTS_PER_OP).map(<[Point]>::to_vec);
    let mut ops = vec![BoardOp::Begin { stroke, style, points: batches.next().unwrap_or_default() }];
    ops.extend(batches.map(|points| BoardOp::Points { stroke, points }));
    ops.push(BoardOp::End { stroke });
    Some(ops)
}

/// `X,Y` on the board.
fn parse_point(word: &str) -> Option<Point> {
    let (x, y) = word.split_once(',')?;
    let (x, y): (u16, u16) = (x.trim().parse().ok()?, y.trim().parse().ok()?);
    (x <= BOARD_SIZE && y <= BOARD_SIZE).then_some(Point { x, y })
}

/// A stroke id no other stroke on the board is likely to have: random, 53 bits (so it stays
/// exact as a JSON number in a browser).
pub fn new_stroke_id() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    (hasher.finish() >> 11).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_stroke_begins_goes_on_in_batches_and_ends() {
        let points: Vec<String> = (0..2500).map(|i| format!("{},{}", i % 10_001, i % 7)).collect();
        let ops = draw_ops(&format!("red 4 {}", points.join(" "))).unwrap();
        assert_eq!(ops.len(), 4);
        let BoardOp::Begin { stroke, style, points } = &ops[0] else { panic!("{ops:?}") };
        assert_eq!(*style, StrokeStyle { colour: 0xd1242f, width: 4, tool: Tool::Pen });
        assert_eq!(points.len(), MAX_POINTS_PER_OP);
        assert_eq!(points[1], Point { x: 1, y: 1 });
        assert!(
            matches!(&ops[2], BoardOp::Points { stroke: s, points } if s == stroke && points.len() == 500)
        );
        assert_eq!(ops[3], BoardOp::End { stroke: *stroke });
    }

    #[test]
    fn a_stroke_off_the_board_or_without_points_is_refused() {
        assert!(draw_ops("red 4 10001,0").is_none());
        assert!(draw_ops("red 0 1,1").is_none());
        assert!(draw_ops("mauve 4 1,1").is_none());
        assert!(draw_ops("#00ff00 4").is_none());
        assert!(draw_ops("#00ff00 4 1;1").is_none());
        assert!(draw_ops("#00ff00 1000 1,1").is_some());
    }
}
