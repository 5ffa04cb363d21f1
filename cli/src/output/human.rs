//! The readable form of a report: `[14:03:07] #lobby <alice> hi`, `* bob joined #lobby`, and
//! `! ...` for errors. Times are local; server events use the server's timestamp.
//!
//! Everything the server sent is escaped before it is printed (see [`escape`]), so only this
//! module decides where a line starts. A message of several lines prints its first line as
//! usual and each further line indented under the time, after [`CONTINUATION`]:
//!
//! ```text
//! [14:03:07] #lobby <alice> hi
//!            | [12:00] mallory: fake
//! ```
//!
//! Every other line starts with the time, so a message's line cannot pass for a message.

use super::escape::{escape, message_lines};
use anseo_shared::protocol::human_size;

use super::{AttachmentEntry, Direction, PresenceKind, Report, RoomEntry};
use crate::clock;

/// What marks a message's second and further lines, after a margin as wide as the time.
const CONTINUATION: &str = "| ";

/// The lines to print for `report`: each starts with the local time, except the continuation
/// lines of a message.
pub fn render(report: &Report) -> String {
    let time = match timestamp(report) {
        Some(ts) => clock::local_hms(ts),
        None => clock::now_hms(),
    };
    let stamp = format!("[{time}] ");
    let margin = " ".repeat(stamp.chars().count());
    let stamped = body(report).into_iter().map(|line| format!("{stamp}{}", escape(&line)));
    let continued =
        continuation(report).into_iter().map(|line| format!("{margin}{CONTINUATION}{}", escape(&line)));
    stamped.chain(continued).collect::<Vec<_>>().join("\n")
}

fn timestamp(report: &Report) -> Option<u64> {
    match report {
        Report::Message { ts, .. }
        | Report::Edited { ts, .. }
        | Report::Deleted { ts, .. }
        | Report::Moderation { ts, .. }
        | Report::Dm { ts, .. }
        | Report::Presence { ts, .. }
        | Report::RoomCreated { ts, .. }
        | Report::Online { ts, .. }
        | Report::StrokeBegin { ts, .. }
        | Report::StrokePoints { ts, .. }
        | Report::StrokeEnd { ts, .. }
        | Report::StrokeDeleted { ts, .. }
        | Report::BoardCleared { ts, .. } => Some(*ts),
        _ => None,
    }
}

/// The lines after the time, as sent (not escaped yet): one for every report but the help; a
/// message's first line only.
fn body(report: &Report) -> Vec<String> {
    if let Report::Help { commands } = report {
        return std::iter::once("commands:".to_string())
            .chain(commands.iter().map(|c| format!("  {c}")))
            .collect();
    }
    vec![line(report)]
}

/// The lines of a message after its first, as sent (not escaped yet); for a file, the
/// command that downloads it last.
fn continuation(report: &Report) -> Vec<String> {
    match report {
        Report::Message { deleted: true, .. } => Vec::new(),
        Report::Message { text, attachment, .. } | Report::Dm { text, attachment, .. } => {
            let mut lines = message_lines(text).split_off(1);
            lines.extend(attachment.iter().map(|file| format!("/get {}", file.hash)));
            lines
        }
        _ => Vec::new(),
    }
}

/// What a message says about the file it carries: `[board.jpg, 1.2 MiB, image/jpeg 640x480] `.
fn shared(attachment: &Option<AttachmentEntry>) -> String {
    let Some(file) = attachment else { return String::new() };
    let pixels = match (file.width, file.height) {
        (Some(width), Some(height)) => format!(" {width}x{height}"),
        _ => String::new(),
    };
    format!("[{}, {}, {}{pixels}] ", file.name, human_size(file.size), file.mime)
}

/// A message's first line, tabs expanded.
fn first_line(text: &str) -> String {
    message_lines(text).swap_remove(0)
}

/// The one line of a report that is not the help.
fn line(report: &Report) -> String {
    match report {
        Report::Welcome { server, name, room, users, online, .. } if *online as usize > users.len() => {
            format!(
                "* connected to {server} as {name}, in #{room}; {online} online, among them {}...; /users lists \
             everyone; /help lists the commands",
                users.join(", ")
            )
        }
        Report::Welcome { server, name, room, users, .. } => format!(
            "* connected to {server} as {name}, in #{room}; {} online: {}; /help lists the commands",
            users.len(),
            users.join(", ")
        ),
        Report::Message { room, from, deleted: true, .. } => format!("#{room} <{from}> (message deleted)"),
        Report::Message { room, from, text, attachment, edited, .. } => {
            let edited = if *edited { " (edited)" } else { "" };
            format!("#{room} <{from}> {}{}{edited}", shared(attachment), first_line(text))
        }
        Report::Edited { room, id, by, text, .. } => {
            format!("* {by} edited message {id} in #{room}: {}", first_line(text))
        }
        Report::Deleted { room, id, by, .. } => format!("* {by} deleted message {id} in #{room}"),
        Report::Moderation { room, action, by, target, topic, until, .. } => {
            moderation_line(room, action, by, target, topic.as_deref(), *until)
        }
        Report::Dm { from, to, text, attachment, .. } => {
            format!("<{from}> -> <{to}> {}{}", shared(attachment), first_line(text))
        }
        Report::Transfer { direction, done, total, .. } => {
            let verb = if *direction == Direction::Up { "sent" } else { "received" };
            format!("* {verb} {} of {}", human_size(*done), human_size(*total))
        }
        Report::Downloaded { path, size, .. } => format!("* saved {path} ({}), checked", human_size(*size)),
        Report::Presence { event, user, room, new_name, .. } => presence(*event, user, room, new_name),
        Report::RoomCreated { room, topic, .. } => format!("* room #{room} was created{}", about(topic)),
        Report::Online { online, .. } => format!("* {online} online"),
        Report::Users { users } => format!("* {} online: {}", users.len(), users.join(", ")),
        Report::Rooms { rooms } => rooms_list(rooms),
        Report::Joined { room, topic, members } => {
            format!("* you joined #{room}{}; members: {}", about(topic), members.join(", "))
        }
        Report::Left { room } => format!("* you left #{room}"),
        Report::Renamed { new, .. } => format!("* you are now known as {new}"),
        Report::Switched { room: Some(room) } => format!("* talking in #{room}"),
        Report::Switched { room: None } => "* you are in no room; /join one to talk".to_string(),
        Report::Info { message } => format!("* {message}"),
        Report::Reconnecting { attempt: 1 } => "* connection lost; reconnecting...".to_string(),
        Report::Reconnecting { attempt } => format!("* reconnecting... (attempt {attempt})"),
        Report::Resumed { missed } => format!("* resumed ({missed} missed)"),
        Report::Help { .. } => "commands:".to_string(),
        Report::Error { message, .. } => format!("! {message}"),
        Report::Closed { reason } => format!("* disconnected: {reason}"),
        Report::StrokeBegin { room, by, colour, tool, .. } => {
            format!("* {by} is drawing on the board of #{room} ({tool}, {colour})")
        }
        Report::StrokePoints { room, by, points, .. } => {
            format!("* {by} drew {} more points on the board of #{room}", points.len())
        }
        Report::StrokeEnd { room, by, stroke, .. } => {
            format!("* {by} finished stroke {stroke} on the board of #{room}")
        }
        Report::StrokeDeleted { room, by, stroke, .. } => {
            format!("* {by} deleted stroke {stroke} from the board of #{room}")
        }
        Report::BoardCleared { room, by, .. } => format!("* {by} cleared the board of #{room}"),
        Report::Reaction { room, id, by, emoji, on: true, .. } => {
            format!("* {by} reacted {emoji} to message {id} in #{room}")
        }
        Report::Reaction { room, id, by, emoji, on: false, .. } => {
            format!("* {by} took back {emoji} from message {id} in #{room}")
        }
        Report::SearchResults { text, results, .. } if results.is_empty() => {
            format!("* nothing found for \"{text}\"")
        }
        Report::SearchResults { text, results, more } => {
            let found: Vec<String> = results
                .iter()
                .map(|r| match r["room"].as_str() {
                    Some(room) => format!(
                        "  #{room} <{}> {} (id {})",
                        r["from"].as_str().unwrap_or(""),
                        r["text"].as_str().unwrap_or(""),
                        r["id"]
                    ),
                    None => format!(
                        "  <{}> -> <{}> {} (id {})",
                        r["from"].as_str().unwrap_or(""),
                        r["to"].as_str().unwrap_or(""),
                        r["text"].as_str().unwrap_or(""),
                        r["id"]
                    ),
                })
                .collect();
            let more = if *more { "\n  (and older ones)" } else { "" };
            format!("* found for \"{text}\", newest first:\n{}{more}", found.join("\n"))
        }
        Report::Typing { from, room: Some(room), .. } => format!("* {from} is typing in #{room}"),
        Report::Typing { from, .. } => format!("* {from} is typing to you"),
        Report::Board { room, strokes: 0, .. } => format!("* the board of #{room} is empty"),
        Report::Board { room, strokes, authors, .. } => {
            let by: Vec<String> = authors.iter().map(|a| format!("{} ({})", a.name, a.strokes)).collect();
            format!("* the board of #{room} has {strokes} strokes, by {}", by.join(", "))
        }
    }
}

fn presence(event: PresenceKind, user: &str, room: &Option<String>, new_name: &Option<String>) -> String {
    let room = room.as_deref().unwrap_or("?");
    match event {
        PresenceKind::Online => format!("* {user} is online"),
        PresenceKind::Offline => format!("* {user} went offline"),
        PresenceKind::Join => format!("* {user} joined #{room}"),
        PresenceKind::Leave => format!("* {user} left #{room}"),
        PresenceKind::Nick => format!("* {user} is now known as {}", new_name.as_deref().unwrap_or("?")),
    }
}

fn about(topic: &str) -> String {
    if topic.is_empty() { String::new() } else { format!(" ({topic})") }
}

fn rooms_list(rooms: &[RoomEntry]) -> String {
    let entries: Vec<String> = rooms
        .iter()
        .map(|r| {
            let people =
                if r.members == 1 { "1 member".to_string() } else { format!("{} members", r.members) };
            format!(
                "#{} ({people}){}",
                r.name,
                if r.topic.is_empty() { String::new() } else { format!(": {}", r.topic) }
            )
        })
        .collect();
    format!("* {} rooms: {}", rooms.len(), entries.join(", "))
}

/// One moderation notice, as a line: "* alice muted bob in #class for 10 minutes".
fn moderation_line(
    room: &str,
    action: &str,
    by: &str,
    target: &str,
    topic: Option<&str>,
    until: Option<u64>,
) -> String {
    match action {
        "topic" => format!("* {by} set the topic of #{room}: {}", topic.unwrap_or_default()),
        "mute" => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let minutes = until.unwrap_or_default().saturating_sub(now.as_millis() as u64).div_ceil(60_000);
            format!("* {by} muted {target} in #{room} for {minutes} min")
        }
        "unmute" => format!("* {by} let {target} speak again in #{room}"),
        "kick" => format!("* {by} put {target} out of #{room}"),
        "ban" => format!("* {by} banned {target} from #{room}"),
        "unban" => format!("* {by} lifted the ban on {target} in #{room}"),
        "op" => format!("* {by} made {target} a moderator of #{room}"),
        "deop" => format!("* {by} took moderation of #{room} from {target}"),
        other => format!("* {by}: {other} {target} in #{room}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_lines_read_naturally() {
        let message = Report::Message {
            room: "lobby".into(),
            from: "alice".into(),
            text: "hi".into(),
            id: 1,
            seq: 1,
            ts: 1_700_000_000_000,
            client_msg_id: 1,
            history: false,
            attachment: None,
            edited: Default::default(),
            deleted: Default::default(),
        };
        let line = render(&message);
        assert!(line.starts_with('[') && line.ends_with("] #lobby <alice> hi"), "{line}");
        let dm = Report::Dm {
            from: "alice".into(),
            to: "bob".into(),
            text: "psst".into(),
            id: 2,
            ts: 0,
            client_msg_id: 2,
            attachment: None,
        };
        assert_eq!(body(&dm), ["<alice> -> <bob> psst"]);
        let joined = Report::Presence {
            event: PresenceKind::Join,
            user: "bob".into(),
            room: Some("lobby".into()),
            new_name: None,
            ts: 0,
        };
        assert_eq!(body(&joined), ["* bob joined #lobby"]);
        assert_eq!(body(&Report::error("empty", "the message is empty")), ["! the message is empty"]);
    }

    #[test]
    fn a_file_shows_its_name_size_and_how_to_get_it() {
        let mut shared = message("alice", "the board");
        if let Report::Message { attachment: file, .. } = &mut shared {
            *file = Some(AttachmentEntry {
                name: "board.jpg".into(),
                size: 1536,
                mime: "image/jpeg".into(),
                hash: "ab".repeat(32),
                width: Some(640),
                height: Some(480),
            });
        }
        let rendered = render(&shared);
        let lines: Vec<&str> = rendered.lines().collect();
        assert!(
            lines[0].ends_with("<alice> [board.jpg, 1.5 KiB, image/jpeg 640x480] the board"),
            "{rendered}"
        );
        assert_eq!(lines[1], format!("           | /get {}", "ab".repeat(32)));
    }

    #[test]
    fn rooms_show_members_and_topic() {
        let rooms = vec![
            RoomEntry { name: "dev".into(), topic: "Rust".into(), members: 1 },
            RoomEntry { name: "lobby".into(), topic: String::new(), members: 3 },
        ];
        assert_eq!(body(&Report::Rooms { rooms }), ["* 2 rooms: #dev (1 member): Rust, #lobby (3 members)"]);
    }

    #[test]
    fn every_help_line_gets_a_time() {
        let help = Report::Help { commands: vec!["/quit  leave".into(), "/help  this".into()] };
        assert_eq!(render(&help).lines().count(), 3);
        assert!(render(&help).lines().all(|l| l.starts_with('[')));
    }

    fn message(from: &str, text: &str) -> Report {
        Report::Message {
            room: "lobby".into(),
            from: from.into(),
            text: text.into(),
            id: 1,
            seq: 1,
            ts: 1_700_000_000_000,
            client_msg_id: 1,
            history: false,
            attachment: None,
            edited: Default::default(),
            deleted: Default::default(),
        }
    }

    #[test]
    fn a_second_line_of_a_message_is_marked_as_its_continuation() {
        let rendered = render(&message("alice", "hi\n[12:00] mallory: fake\n\tindented"));
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines.len(), 3, "{rendered}");
        assert!(lines[0].ends_with("] #lobby <alice> hi"), "{rendered}");
        assert_eq!(lines[1], "           | [12:00] mallory: fake");
        assert_eq!(lines[2], "           |     indented");
        let dm = Report::Dm {
            from: "a".into(),
            to: "b".into(),
            text: "x\ny".into(),
            id: 1,
            ts: 0,
            client_msg_id: 1,
            attachment: None,
        };
        assert!(render(&dm).ends_with("\n           | y"), "{}", render(&dm));
    }

    #[test]
    fn what_the_server_sends_is_escaped_everywhere() {
        let rendered = render(&message("mal\u{202e}lory", "abc\u{202e}fed \u{1b}[2J"));
        assert!(rendered.ends_with("<mal\\u{202e}lory> abc\\u{202e}fed \\u{1b}[2J"), "{rendered}");
        let error = Report::error("x", "bad\n[12:00] #lobby <bob> fake");
        assert_eq!(render(&error).lines().count(), 1);
        assert!(render(&error).ends_with("! bad\\u{a}[12:00] #lobby <bob> fake"));
        let rooms = Report::Rooms {
            rooms: vec![RoomEntry { name: "dev".into(), topic: "\u{2067}topic\u{2069}".into(), members: 1 }],
        };
        assert!(render(&rooms).ends_with("#dev (1 member): \\u{2067}topic\\u{2069}"), "{}", render(&rooms));
        let closed = Report::Closed { reason: "bye\r\u{85}".into() };
        assert!(render(&closed).ends_with("* disconnected: bye\\u{d}\\u{85}"), "{}", render(&closed));
        let nick = Report::Presence {
            event: PresenceKind::Nick,
            user: "a\u{200b}b".into(),
            room: None,
            new_name: Some("c\u{feff}".into()),
            ts: 0,
        };
        assert!(render(&nick).ends_with("* a\\u{200b}b is now known as c\\u{feff}"), "{}", render(&nick));
    }
}
