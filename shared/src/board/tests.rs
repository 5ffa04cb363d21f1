use super::*;
use crate::protocol::StrokeStyle;

const LIMITS: BoardLimits = BoardLimits { max_stroke_points: 5, max_strokes: 2, max_points: 8 };
const PEN: StrokeStyle = StrokeStyle { colour: 0xd1242f, width: 20, tool: Tool::Pen };

fn points(n: u16) -> Vec<Point> {
    (0..n).map(|i| Point { x: i * 10, y: 100 + i }).collect()
}

/// Checks `op` by `by` and applies what comes out, numbering from the board's last.
fn send(board: &mut Board, by: &str, creator: bool, op: BoardOp) -> Result<Checked, BoardRefusal> {
    let checked = board.check(op, by, creator, LIMITS)?;
    for op in &checked.ops {
        let seq = board.seq() + 1;
        assert!(board.apply(seq, by, op));
    }
    Ok(checked)
}

#[test]
fn a_stroke_grows_until_its_limit_then_is_cut_and_ended() {
    let mut board = Board::default();
    send(&mut board, "amy", false, BoardOp::Begin { stroke: 1, style: PEN, points: points(2) }).unwrap();
    let checked = send(&mut board, "amy", false, BoardOp::Points { stroke: 1, points: points(2) }).unwrap();
    assert!(!checked.cut);
    let checked = send(&mut board, "amy", false, BoardOp::Points { stroke: 1, points: points(3) }).unwrap();
    assert!(checked.cut);
    assert_eq!(checked.ops, [BoardOp::Points { stroke: 1, points: points(1) }, BoardOp::End { stroke: 1 }]);
    assert_eq!(board.strokes()[0].points.len(), 5);
    assert!(board.strokes()[0].ended);
    assert_eq!(
        send(&mut board, "amy", false, BoardOp::Points { stroke: 1, points: points(1) }),
        Err(BoardRefusal::Ended(1))
    );
    assert_eq!(board.seq(), 4);
}

#[test]
fn only_the_author_changes_a_stroke_and_only_the_creator_deletes_others_or_clears() {
    let mut board = Board::default();
    send(&mut board, "amy", false, BoardOp::Begin { stroke: 1, style: PEN, points: points(1) }).unwrap();
    assert_eq!(send(&mut board, "bob", false, BoardOp::End { stroke: 1 }), Err(BoardRefusal::NotYours(1)));
    assert_eq!(send(&mut board, "bob", false, BoardOp::Delete { stroke: 1 }), Err(BoardRefusal::NotCreator));
    assert_eq!(send(&mut board, "bob", false, BoardOp::Clear), Err(BoardRefusal::NotCreator));
    assert_eq!(
        send(&mut board, "bob", false, BoardOp::Delete { stroke: 7 }),
        Err(BoardRefusal::NoSuchStroke(7))
    );
    // The author's name is compared ignoring case.
    send(&mut board, "AMY", false, BoardOp::End { stroke: 1 }).unwrap();
    send(&mut board, "bob", false, BoardOp::Begin { stroke: 2, style: PEN, points: points(1) }).unwrap();
    assert_eq!(
        send(&mut board, "bob", false, BoardOp::Begin { stroke: 3, style: PEN, points: vec![] }),
        Err(BoardRefusal::Full { max: 2 })
    );
    assert_eq!(
        send(&mut board, "bob", false, BoardOp::Begin { stroke: 2, style: PEN, points: vec![] }),
        Err(BoardRefusal::Duplicate(2))
    );
    assert_eq!(board.last_stroke_of("amy"), Some(1));
    send(&mut board, "cat", true, BoardOp::Delete { stroke: 1 }).unwrap();
    assert_eq!(board.authors(), [("bob".to_string(), 1)]);
    send(&mut board, "cat", true, BoardOp::Clear).unwrap();
    assert!(board.strokes().is_empty());
    assert_eq!(board.seq(), 5);
}

#[test]
fn a_snapshot_in_pages_plus_later_events_gives_the_same_board_and_the_same_svg() {
    let mut server = Board::default();
    let mut live = Board::default();
    let ops = [
        ("amy", BoardOp::Begin { stroke: 1, style: PEN, points: points(3) }),
        (
            "bob",
            BoardOp::Begin {
                stroke: 2,
                style: StrokeStyle { tool: Tool::Highlighter, ..PEN },
                points: points(1),
            },
        ),
        ("amy", BoardOp::Points { stroke: 1, points: points(2) }),
        ("bob", BoardOp::End { stroke: 2 }),
    ];
    let mut events = Vec::new();
    for (by, op) in ops {
        let seq = server.seq() + 1;
        server.apply(seq, by, &op);
        let event = BoardEvent { room: "art".into(), seq, by: by.into(), ts: 0, op };
        live.apply_event(&event);
        events.push(event);
    }
    let pages = server.snapshot("art", 3);
    assert_eq!(pages.len(), 2);
    assert!(pages[0].more && !pages[1].more);
    let mut late = Board::from_snapshot(pages);
    // Events the snapshot already holds are skipped.
    for event in &events {
        assert!(!late.apply_event(event));
    }
    assert_eq!(late, live);
    assert_eq!(late.to_svg(), live.to_svg());
    let svg = live.to_svg();
    assert!(svg.contains("<path d=\"M0 100L10 101L20 102L0 100L10 101\" fill=\"none\" stroke=\"#d1242f\" stroke-width=\"20\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"), "{svg}");
    assert!(
        svg.contains(
            "d=\"M0 100L0 100\" fill=\"none\" stroke=\"#d1242f\" stroke-width=\"20\" stroke-opacity=\"0.35\""
        ),
        "{svg}"
    );
    assert_eq!(Board::default().snapshot("art", 3).len(), 1);
}

#[test]
fn the_whole_board_holds_a_bounded_number_of_points() {
    let mut board = Board::default();
    send(&mut board, "amy", false, BoardOp::Begin { stroke: 1, style: PEN, points: points(5) }).unwrap();
    send(&mut board, "amy", false, BoardOp::Begin { stroke: 2, style: PEN, points: points(3) }).unwrap();
    assert_eq!(
        send(&mut board, "amy", false, BoardOp::Points { stroke: 2, points: points(1) }),
        Err(BoardRefusal::TooManyPoints { max: 8 })
    );
    send(&mut board, "amy", false, BoardOp::Delete { stroke: 1 }).unwrap();
    send(&mut board, "amy", false, BoardOp::Points { stroke: 2, points: points(1) }).unwrap();
    assert_eq!(board.points(), 4);
}
