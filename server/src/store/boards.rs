//! Whiteboards in the store: one row per stroke on a board (its points packed into a blob,
//! 4 bytes each), changed in place by each operation, so the store holds the board as it is,
//! not every operation ever sent: a deleted stroke or a cleared board leaves nothing behind.
//! The number of a board's last operation is kept with its room.

use anseo_shared::protocol::{BoardOp, Point, Stroke, StrokeStyle, Tool};
use rusqlite::{Connection, params};

use super::{Store, StoreError, from_sql, to_sql};

/// One board operation, numbered, to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBoardOp {
    pub room: String,
    pub seq: u64,
    /// Who sent it.
    pub by: String,
    pub op: BoardOp,
}

/// Applies `op` to the stored board and records its number.
pub(super) fn apply(transaction: &Connection, stored: &StoredBoardOp) -> rusqlite::Result<()> {
    let room = &stored.room;
    match &stored.op {
        BoardOp::Begin { stroke, style, points } => transaction
            .prepare_cached(
                "INSERT INTO board_strokes (room, stroke, author, colour, width, tool, points, ended, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
            )?
            .execute(params![
                room,
                to_sql(*stroke),
                stored.by,
                style.colour,
                style.width,
                tool_code(style.tool),
                pack(points),
                stored.seq
            ])
            .map(drop)?,
        BoardOp::Points { stroke, points } => transaction
            .prepare_cached("UPDATE board_strokes SET points = points || ?3 WHERE room = ?1 AND stroke = ?2")?
            .execute(params![room, to_sql(*stroke), pack(points)])
            .map(drop)?,
        BoardOp::End { stroke } => transaction
            .prepare_cached("UPDATE board_strokes SET ended = 1 WHERE room = ?1 AND stroke = ?2")?
            .execute(params![room, to_sql(*stroke)])
            .map(drop)?,
        BoardOp::Delete { stroke } => transaction
            .prepare_cached("DELETE FROM board_strokes WHERE room = ?1 AND stroke = ?2")?
            .execute(params![room, to_sql(*stroke)])
            .map(drop)?,
        BoardOp::Clear => transaction
            .prepare_cached("DELETE FROM board_strokes WHERE room = ?1")?
            .execute([room])
            .map(drop)?,
    }
    transaction
        .prepare_cached("UPDATE rooms SET board_seq = ?2 WHERE name = ?1")?
        .execute(params![room, stored.seq])
        .map(drop)
}

impl Store {
    /// Every stroke on every board, by room name, each board's in the order they were begun.
    pub fn strokes(&self) -> Result<Vec<(String, Stroke)>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT room, stroke, author, colour, width, tool, points, ended FROM board_strokes
                 ORDER BY room, seq",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| {
                let stroke = Stroke {
                    id: from_sql(row.get(1)?),
                    by: row.get(2)?,
                    style: StrokeStyle { colour: row.get(3)?, width: row.get(4)?, tool: tool(row.get(5)?) },
                    points: unpack(&row.get::<_, Vec<u8>>(6)?),
                    ended: row.get(7)?,
                };
                Ok((row.get(0)?, stroke))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.error(e))
    }
}

fn tool_code(tool: Tool) -> u8 {
    match tool {
        Tool::Pen => 0,
        Tool::Highlighter => 1,
        Tool::Eraser => 2,
    }
}

fn tool(code: u8) -> Tool {
    match code {
        1 => Tool::Highlighter,
        2 => Tool::Eraser,
        _ => Tool::Pen,
    }
}

/// Points as 4 bytes each: x then y, little-endian.
fn pack(points: &[Point]) -> Vec<u8> {
    points.iter().flat_map(|p| [p.x.to_le_bytes(), p.y.to_le_bytes()].concat()).collect()
}

fn unpack(bytes: &[u8]) -> Vec<Point> {
    bytes
        .chunks_exact(4)
        .map(|c| Point { x: u16::from_le_bytes([c[0], c[1]]), y: u16::from_le_bytes([c[2], c[3]]) })
        .collect()
}
