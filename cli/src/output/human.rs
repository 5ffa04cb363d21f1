//! The readable form of a report: `[14:03:07] #lobby <alice> hi`, `* bob joined #lobby`, and
//! `! ...` for errors. Times are local; server events use the server's timestamp.

use super::{PresenceKind, Report, RoomEntry};
use crate::clock;

/// The lines to print for `report`, each starting with the local time.
pub fn render(report: &Report) -> String {
    let time = match timestamp(report) {
        Some(ts) => clock::local_hms(ts),
        None => clock::now_hms(),
    };
    body(report).lines().map(|line| format!("[{time}] {line}")).collect::<Vec<_>>().join("\n")
}

fn timestamp(report: &Report) -> Option<u64> {
    match report {
        Report::Message { ts, .. }
        | Report::Dm { ts, .. }
        | Report::Presence { ts, .. }
        | Report::RoomCreated { ts, .. } => Some(*ts),
        _ => None,
    }
}

/// The text after the time.
fn body(report: &Report) -> String {
    match report {
        Report::Welcome { server, name, room, users, .. } => format!(
            "* connected to {server} as {name}, in #{room}; {} online: {}; /help lists the commands",
            users.len(),
            users.join(", ")
        ),
        Report::Message { room, from, text, .. } => format!("#{room} <{from}> {text}"),
        Report::Dm { from, to, text, .. } => format!("<{from}> -> <{to}> {text}"),
        Report::Presence { event, user, room, new_name, .. } => presence(*event, user, room, new_name),
        Report::RoomCreated { room, topic, .. } => format!("* room #{room} was created{}", about(topic)),
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
        Report::Help { commands } => std::iter::once("commands:".to_string())
            .chain(commands.iter().map(|c| format!("  {c}")))
            .collect::<Vec<_>>()
            .join("\n"),
        Report::Error { message, .. } => format!("! {message}"),
        Report::Closed { reason } => format!("* disconnected: {reason}"),
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
        };
        assert_eq!(body(&dm), "<alice> -> <bob> psst");
        let joined = Report::Presence {
            event: PresenceKind::Join,
            user: "bob".into(),
            room: Some("lobby".into()),
            new_name: None,
            ts: 0,
        };
        assert_eq!(body(&joined), "* bob joined #lobby");
        assert_eq!(body(&Report::error("empty", "the message is empty")), "! the message is empty");
    }

    #[test]
    fn rooms_show_members_and_topic() {
        let rooms = vec![
            RoomEntry { name: "dev".into(), topic: "Rust".into(), members: 1 },
            RoomEntry { name: "lobby".into(), topic: String::new(), members: 3 },
        ];
        assert_eq!(body(&Report::Rooms { rooms }), "* 2 rooms: #dev (1 member): Rust, #lobby (3 members)");
    }

    #[test]
    fn every_help_line_gets_a_time() {
        let help = Report::Help { commands: vec!["/quit  leave".into(), "/help  this".into()] };
        assert_eq!(render(&help).lines().count(), 3);
        assert!(render(&help).lines().all(|l| l.starts_with('[')));
    }
}
