//! One input line, parsed. A line is one message: there are no escapes, and a message cannot
//! span lines. A line starting with `/` is a command; `//` sends the rest with one `/`.

use anseo_shared::client::parse_moderation;
use anseo_shared::protocol::{MAX_HISTORY_PAGE, ModCommand};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// Plain text for the current room.
    Say(&'a str),
    Join {
        room: &'a str,
        topic: Option<&'a str>,
    },
    /// Leave the given room, or the current one.
    Leave(Option<&'a str>),
    Switch(&'a str),
    Rooms,
    Users,
    Msg {
        to: &'a str,
        text: &'a str,
    },
    Nick(&'a str),
    /// Print this many older messages of the current room.
    History(u32),
    /// Share a file in the current room, or privately with `to`, with a caption.
    Send {
        to: Option<&'a str>,
        file: &'a str,
        caption: &'a str,
    },
    /// Download an attachment by its hash, to `path` (a file or a folder) or the download folder.
    Get {
        hash: &'a str,
        path: Option<&'a str>,
    },
    /// Draw a stroke on the current room's board: `COLOUR WIDTH X1,Y1 ...` unparsed.
    Draw(&'a str),
    /// Delete this user's last stroke on the current room's board.
    Undo,
    /// Delete the stroke with this id from the current room's board.
    BoardDelete(u64),
    /// Clear the current room's board.
    BoardClear,
    /// Say who drew what on the current room's board.
    Board,
    /// Write the current room's board as SVG to this file.
    BoardExport(&'a str),
    /// Search the user's rooms and direct messages.
    Search(&'a str),
    /// Put a reaction on message `id` (or take it off when it is yours already).
    React {
        id: u64,
        emoji: &'a str,
    },
    /// Replace the text of this user's message `id`.
    Edit {
        id: u64,
        text: &'a str,
    },
    /// Delete message `id` (this user's own, or any as the room's owner or a moderator).
    Delete(u64),
    /// Keep order in the current room (topic, mute, kick, ban, moderators), or disconnect a
    /// user (server admins).
    Moderate(ModCommand),
    Help,
    Quit,
}

/// How many older messages `/history` shows when not told.
pub const DEFAULT_HISTORY: u32 = 20;

/// Why a line is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The command exists but its arguments are missing; the usage line says how.
    Usage(&'static str),
    Unknown(String),
}

/// One line per command, for `/help` and usage errors.
pub const HELP: &[&str] = &[
    "TEXT               send TEXT to the current room (start with // to send a leading /)",
    "/join ROOM [TOPIC] join ROOM (created with TOPIC if new) and talk there",
    "/leave [ROOM]      leave ROOM (default: the current room)",
    "/switch ROOM       send plain text to ROOM from now on",
    "/rooms             list every room",
    "/users             list everyone online",
    "/msg USER TEXT     send a private message",
    "/nick NAME         change your name",
    "/history [N]       show N (default 20, at most 200) older messages of the current room",
    "/send FILE [TEXT]  share FILE in the current room (quote a path with spaces: \"my file.pdf\")",
    "/send @USER FILE [TEXT]  send FILE privately to USER",
    "/get HASH [PATH]   download the attachment HASH to PATH (default: the download folder)",
    "/draw COLOUR WIDTH X1,Y1 X2,Y2 ...  draw a stroke on the current room's board (COLOUR: red, #0969da...; X, Y: 0 to 10000)",
    "/undo              delete your last stroke on the current room's board",
    "/board-delete ID   delete stroke ID (yours; any if you created the room)",
    "/board-clear       clear the current room's board (if you created the room)",
    "/board             say who drew what on the current room's board",
    "/board-export FILE.svg  save the current room's board as a picture",
    "/search TEXT       search your rooms and direct messages (newest first)",
    "/react ID EMOJI    put EMOJI (or :shortcode:) on message ID, or take it off if it is yours",
    "/edit ID TEXT      change the text of your message ID",
    "/delete ID         delete message ID (yours; any if you own or moderate the room)",
    "/topic TEXT        set the current room's topic (owner and moderators)",
    "/mute NAME [MIN]   stop NAME sending in the current room for MIN minutes (default 10)",
    "/unmute NAME       let NAME send in the current room again",
    "/kick NAME         put NAME out of the current room",
    "/ban NAME          put NAME out of the current room for good",
    "/unban NAME        let NAME join the current room again",
    "/op NAME           make NAME a moderator of the current room (owner only)",
    "/deop NAME         take moderation of the current room from NAME (owner only)",
    "/disconnect NAME   disconnect NAME from the server (server admins only)",
    "/help              show this list",
    "/quit              leave (end of input does the same)",
];

/// Parses one line (without its line ending).
pub fn parse(line: &str) -> Result<Command<'_>, ParseError> {
    let Some(command) = line.strip_prefix('/') else { return Ok(Command::Say(line)) };
    if command.starts_with('/') {
        return Ok(Command::Say(command));
    }
    let (word, rest) = split_word(command);
    let (first, after_first) = split_word(rest);
    let first = (!first.is_empty()).then_some(first);
    let after_first = (!after_first.is_empty()).then_some(after_first);
    match word.to_lowercase().as_str() {
        "join" => match first {
            Some(room) => Ok(Command::Join { room, topic: after_first }),
            None => Err(ParseError::Usage("/join ROOM [TOPIC]")),
        },
        "leave" => Ok(Command::Leave(first)),
        "switch" => first.map(Command::Switch).ok_or(ParseError::Usage("/switch ROOM")),
        "rooms" => Ok(Command::Rooms),
        "users" => Ok(Command::Users),
        "msg" => match first {
            Some(to) => Ok(Command::Msg { to, text: after_first.unwrap_or("") }),
            None => Err(ParseError::Usage("/msg USER TEXT")),
        },
        "nick" => first.map(Command::Nick).ok_or(ParseError::Usage("/nick NAME")),
        "history" => match first.map(str::parse::<u32>) {
            None => Ok(Command::History(DEFAULT_HISTORY)),
            Some(Ok(count)) if (1..=MAX_HISTORY_PAGE).contains(&count) => Ok(Command::History(count)),
            Some(_) => Err(ParseError::Usage("/history [N], N from 1 to 200")),
        },
        "send" => parse_send(rest),
        "get" => match first {
            Some(hash) => Ok(Command::Get { hash, path: after_first }),
            None => Err(ParseError::Usage("/get HASH [PATH]")),
        },
        "draw" => Ok(Command::Draw(rest)),
        "undo" => Ok(Command::Undo),
        "board-delete" => match first.map(str::parse::<u64>) {
            Some(Ok(id)) => Ok(Command::BoardDelete(id)),
            _ => Err(ParseError::Usage("/board-delete ID")),
        },
        "board-clear" => Ok(Command::BoardClear),
        "board" => Ok(Command::Board),
        "board-export" => match rest {
            "" => Err(ParseError::Usage("/board-export FILE.svg")),
            path => Ok(Command::BoardExport(path)),
        },
        "search" => match rest {
            "" => Err(ParseError::Usage("/search TEXT")),
            text => Ok(Command::Search(text)),
        },
        "react" => match (first.map(str::parse::<u64>), after_first) {
            (Some(Ok(id)), Some(emoji)) => Ok(Command::React { id, emoji }),
            _ => Err(ParseError::Usage("/react ID EMOJI")),
        },
        "edit" => match (first.map(str::parse::<u64>), after_first) {
            (Some(Ok(id)), Some(text)) => Ok(Command::Edit { id, text }),
            _ => Err(ParseError::Usage("/edit ID TEXT")),
        },
        "delete" => match first.map(str::parse::<u64>) {
            Some(Ok(id)) => Ok(Command::Delete(id)),
            _ => Err(ParseError::Usage("/delete ID")),
        },
        "topic" | "mute" | "unmute" | "kick" | "ban" | "unban" | "op" | "deop" | "disconnect" => {
            match parse_moderation(line) {
                Some(Ok(command)) => Ok(Command::Moderate(command)),
                Some(Err(usage)) => Err(ParseError::Usage(usage)),
                None => Err(ParseError::Unknown(word.to_string())),
            }
        }
        "help" => Ok(Command::Help),
        "quit" => Ok(Command::Quit),
        _ => Err(ParseError::Unknown(word.to_string())),
    }
}

/// `/send [@USER] FILE [CAPTION]`, FILE in double quotes when it has spaces.
fn parse_send(rest: &str) -> Result<Command<'_>, ParseError> {
    const USAGE: ParseError = ParseError::Usage("/send [@USER] FILE [TEXT]");
    let (to, rest) = match rest.strip_prefix('@') {
        Some(addressed) => {
            let (user, after) = split_word(addressed);
            (Some(user).filter(|user| !user.is_empty()), after)
        }
        None => (None, rest),
    };
    let (file, caption) = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"').map(|(file, after)| (file, after.trim())).ok_or(USAGE)?,
        None => split_word(rest),
    };
    if file.is_empty() || (rest.starts_with('@') && to.is_none()) {
        return Err(USAGE);
    }
    Ok(Command::Send { to, file, caption })
}

/// Splits off the first whitespace-separated word; the rest keeps its inner spacing.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (s, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept_exactly() {
        assert_eq!(parse("  hello  there "), Ok(Command::Say("  hello  there ")));
        assert_eq!(parse(""), Ok(Command::Say("")));
        assert_eq!(parse("//etc/passwd"), Ok(Command::Say("/etc/passwd")));
    }

    #[test]
    fn commands_and_their_arguments() {
        assert_eq!(parse("/join dev"), Ok(Command::Join { room: "dev", topic: None }));
        assert_eq!(
            parse("/join #dev  Rust  and QUIC "),
            Ok(Command::Join { room: "#dev", topic: Some("Rust  and QUIC") })
        );
        assert_eq!(parse("/leave"), Ok(Command::Leave(None)));
        assert_eq!(parse("/leave dev"), Ok(Command::Leave(Some("dev"))));
        assert_eq!(parse("/switch dev"), Ok(Command::Switch("dev")));
        assert_eq!(parse("/ROOMS"), Ok(Command::Rooms));
        assert_eq!(parse("/users"), Ok(Command::Users));
        assert_eq!(parse("/msg bob hi  there"), Ok(Command::Msg { to: "bob", text: "hi  there" }));
        assert_eq!(parse("/msg bob"), Ok(Command::Msg { to: "bob", text: "" }));
        assert_eq!(parse("/nick robert"), Ok(Command::Nick("robert")));
        assert_eq!(parse("/history"), Ok(Command::History(DEFAULT_HISTORY)));
        assert_eq!(parse("/history 200"), Ok(Command::History(200)));
        assert_eq!(parse("/help"), Ok(Command::Help));
        assert_eq!(parse("/quit"), Ok(Command::Quit));
    }

    #[test]
    fn missing_arguments_and_unknown_commands() {
        assert_eq!(parse("/join"), Err(ParseError::Usage("/join ROOM [TOPIC]")));
        assert_eq!(parse("/switch "), Err(ParseError::Usage("/switch ROOM")));
        assert_eq!(parse("/msg"), Err(ParseError::Usage("/msg USER TEXT")));
        assert_eq!(parse("/nick"), Err(ParseError::Usage("/nick NAME")));
        assert_eq!(parse("/history 0"), Err(ParseError::Usage("/history [N], N from 1 to 200")));
        assert_eq!(parse("/history 201"), Err(ParseError::Usage("/history [N], N from 1 to 200")));
        assert_eq!(parse("/history lots"), Err(ParseError::Usage("/history [N], N from 1 to 200")));
        assert_eq!(parse("/dance now"), Err(ParseError::Unknown("dance".into())));
        assert_eq!(parse("/send"), Err(ParseError::Usage("/send [@USER] FILE [TEXT]")));
        assert_eq!(parse("/send @bob"), Err(ParseError::Usage("/send [@USER] FILE [TEXT]")));
        assert_eq!(parse("/send \"unclosed.pdf"), Err(ParseError::Usage("/send [@USER] FILE [TEXT]")));
        assert_eq!(parse("/get"), Err(ParseError::Usage("/get HASH [PATH]")));
    }

    #[test]
    fn files_to_send_and_get() {
        let send = |to, file, caption| Ok(Command::Send { to, file, caption });
        assert_eq!(parse("/send notes.pdf"), send(None, "notes.pdf", ""));
        assert_eq!(parse("/send board.jpg  the  board"), send(None, "board.jpg", "the  board"));
        assert_eq!(parse("/send @bob clip.ogg listen"), send(Some("bob"), "clip.ogg", "listen"));
        assert_eq!(parse("/send \"my file.pdf\" homework"), send(None, "my file.pdf", "homework"));
        assert_eq!(parse("/send @bob \"a b.png\""), send(Some("bob"), "a b.png", ""));
        assert_eq!(parse("/get abc12"), Ok(Command::Get { hash: "abc12", path: None }));
        assert_eq!(parse("/get abc12 /tmp/x"), Ok(Command::Get { hash: "abc12", path: Some("/tmp/x") }));
    }

    #[test]
    fn board_commands() {
        assert_eq!(parse("/draw red 4 1,2 3,4"), Ok(Command::Draw("red 4 1,2 3,4")));
        assert_eq!(parse("/undo"), Ok(Command::Undo));
        assert_eq!(parse("/board-delete 42"), Ok(Command::BoardDelete(42)));
        assert_eq!(parse("/board-delete x"), Err(ParseError::Usage("/board-delete ID")));
        assert_eq!(parse("/board-clear"), Ok(Command::BoardClear));
        assert_eq!(parse("/board"), Ok(Command::Board));
        assert_eq!(parse("/board-export my board.svg"), Ok(Command::BoardExport("my board.svg")));
        assert_eq!(parse("/board-export"), Err(ParseError::Usage("/board-export FILE.svg")));
        assert_eq!(parse("/react 12 👍"), Ok(Command::React { id: 12, emoji: "👍" }));
        assert_eq!(parse("/react 12"), Err(ParseError::Usage("/react ID EMOJI")));
        assert_eq!(parse("/react x 👍"), Err(ParseError::Usage("/react ID EMOJI")));
    }

    #[test]
    fn edits_deletes_and_keeping_order() {
        assert_eq!(parse("/edit 7 at  one"), Ok(Command::Edit { id: 7, text: "at  one" }));
        assert_eq!(parse("/edit 7"), Err(ParseError::Usage("/edit ID TEXT")));
        assert_eq!(parse("/delete 7"), Ok(Command::Delete(7)));
        assert_eq!(parse("/delete"), Err(ParseError::Usage("/delete ID")));
        let moderate = |command| Ok(Command::Moderate(command));
        assert_eq!(parse("/topic Maths  at 9"), moderate(ModCommand::Topic { topic: "Maths  at 9".into() }));
        assert_eq!(parse("/mute bob"), moderate(ModCommand::Mute { name: "bob".into(), minutes: 10 }));
        assert_eq!(parse("/mute bob 3"), moderate(ModCommand::Mute { name: "bob".into(), minutes: 3 }));
        assert!(matches!(parse("/mute bob 0"), Err(ParseError::Usage(_))));
        assert_eq!(parse("/kick bob"), moderate(ModCommand::Kick { name: "bob".into() }));
        assert_eq!(parse("/ban bob"), moderate(ModCommand::Ban { name: "bob".into() }));
        assert_eq!(parse("/op carol"), moderate(ModCommand::Op { name: "carol".into() }));
        assert_eq!(parse("/disconnect eve"), moderate(ModCommand::Disconnect { name: "eve".into() }));
        assert_eq!(parse("/kick"), Err(ParseError::Usage("/kick NAME")));
    }
}
