//! The session loop: input lines become commands, the server's events become reports, until
//! the user leaves or the server ends the session.
//!
//! Leaving (`/quit` or end of input) first waits until the server has answered every command
//! already sent, as long as answers keep coming (messages beyond the server's rate limit leave
//! paced, so a long paste takes a while), so `printf 'hi\n' | anseo-cli ...` delivers `hi` and
//! prints its echo before the connection closes. A message that could not be delivered is
//! reported as a `not_sent` error, never dropped silently.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anseo_shared::client::{Addressee, ChatEvent, ClientError, Disconnect, Resilient, unique_path};
use anseo_shared::protocol::{
    Attachment, BoardOp, FileHash, HistoryPage, LOBBY, ModCommand, TextError, expand_shortcodes, fold_name,
    hash_from_hex, hash_to_hex, normalize_room,
};
use tokio::sync::{Notify, mpsc};
use tokio::time::{Instant, timeout_at};

use crate::args::Args;
use crate::board::{Boards, DRAW_USAGE, draw_ops};
use crate::command::{self, Command, HELP, ParseError};
use crate::history::Oldest;
use crate::input;
use crate::login;
use crate::output::{Output, Report};
use crate::pending::Pending;
use crate::rooms::Rooms;
use crate::status::Status;
use crate::transfers::{Note, Transfers};

/// How long leaving waits for the next answer to commands already sent.
const DRAIN: Duration = Duration::from_secs(5);

/// Connects, chats until the end, and returns the exit status.
pub async fn run(args: Args) -> Status {
    let output = Output::new(args.json);
    let login::LoggedIn { client, welcome, events } = match login::login(&args).await {
        Ok(connected) => connected,
        Err(failure) => return failure.finish(output),
    };
    let (transfers, notes) = Transfers::new(args.json);
    let mut session = Session {
        client: client.clone(),
        output,
        transfers,
        files: HashMap::new(),
        download_dir: args.download_dir(),
        keep_metadata: args.keep_metadata,
        name: welcome.name.clone(),
        rooms: Rooms::new(&welcome.room),
        pending: Pending::default(),
        oldest: Oldest::default(),
        history_requests: HashSet::new(),
        boards: Boards::default(),
        message_rooms: HashMap::new(),
        my_reactions: HashMap::new(),
        reacting: HashMap::new(),
    };
    let welcome = Report::welcome(args.server().trim(), &welcome);
    let ended = match output.print(&welcome) {
        Ok(()) => session.run(input::stdin_lines(), events, notes).await,
        Err(error) => Err(error),
    };
    match ended {
        Ok(End::Left) => Status::Left,
        Ok(End::Disconnected(reason)) => {
            eprintln!("anseo-cli: {}", crate::output::escape(&reason.to_string()));
            Status::of_disconnect(&reason)
        }
        Err(error) => {
            eprintln!("anseo-cli: {error:#}");
            client.quit().await;
            Status::Other
        }
    }
}

/// How a session ended.
enum End {
    Left,
    Disconnected(Disconnect),
}

/// Whether to go on reading input.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

struct Session {
    client: Resilient,
    output: Output,
    /// This user's name, as the server last confirmed it.
    name: String,
    rooms: Rooms,
    pending: Pending,
    /// The oldest message shown per room, where `/history` continues from.
    oldest: Oldest,
    /// Rooms (folded names) with a `/history` request awaiting its page.
    history_requests: HashSet<String>,
    /// Files going up or down.
    transfers: Transfers,
    /// The name of each file seen in a message, by hash: what `/get` saves it as.
    files: HashMap<FileHash, String>,
    /// Where `/get` saves files unless told.
    download_dir: PathBuf,
    /// Whether `/send` keeps a picture's hidden details.
    keep_metadata: bool,
    /// The boards of this user's rooms.
    boards: Boards,
    /// The room of every message seen, by id, for `/react`.
    message_rooms: HashMap<u64, String>,
    /// This user's reaction on each message, by id.
    my_reactions: HashMap<u64, String>,
    /// This user's reactions sent and not echoed yet, per message id: until the last echo,
    /// `my_reactions` already says how they leave the message, and an earlier echo must not
    /// undo that (three quick `/react`s would otherwise not toggle three times).
    reacting: HashMap<u64, u32>,
}

impl Session {
    async fn run(
        &mut self,
        mut lines: mpsc::Receiver<String>,
        mut events: mpsc::Receiver<ChatEvent>,
        mut notes: mpsc::Receiver<Note>,
    ) -> anyhow::Result<End> {
        let interrupted = Arc::new(Notify::new());
        let notify = interrupted.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                notify.notify_one();
            }
        });
        loop {
            tokio::select! {
                biased;
                event = events.recv() => {
                    if let Some(end) = self.on_event(event)? {
                        return Ok(end);
                    }
                }
                () = interrupted.notified() => return self.leave(&mut events, &mut notes, None).await,
                Some(note) = notes.recv() => self.on_note(note)?,
                line = lines.recv() => {
                    let Some(line) = line else {
                        return self.leave(&mut events, &mut notes, Some(&interrupted)).await;
                    };
                    if self.on_line(&line).await? == Flow::Quit {
                        return self.leave(&mut events, &mut notes, Some(&interrupted)).await;
                    }
                }
            }
        }
    }

    /// Waits for the files still going up or down (unless interrupted), then for answers to
    /// what was sent while they keep coming; then quits cleanly and reports what the client
    /// core could not deliver.
    async fn leave(
        &mut self,
        events: &mut mpsc::Receiver<ChatEvent>,
        notes: &mut mpsc::Receiver<Note>,
        interrupted: Option<&Notify>,
    ) -> anyhow::Result<End> {
        if let Some(interrupted) = interrupted {
            while self.transfers.running() > 0 {
                tokio::select! {
                    biased;
                    event = events.recv() => {
                        if let Some(end) = self.on_event(event)? {
                            return Ok(end);
                        }
                    }
                    Some(note) = notes.recv() => self.on_note(note)?,
                    () = interrupted.notified() => break,
                }
            }
        }
        let mut deadline = Instant::now() + DRAIN;
        while !self.pending.is_empty() {
            let expected = self.pending.len();
            let Ok(event) = timeout_at(deadline, events.recv()).await else { break };
            if let Some(end) = self.on_event(event)? {
                return Ok(end);
            }
            if self.pending.len() < expected {
                deadline = Instant::now() + DRAIN;
            }
        }
        self.client.quit().await;
        while let Ok(event) = events.try_recv() {
            self.pending.answered_by(&event, &self.name);
            if let ChatEvent::Unsent { client_msg_id, reason } = event {
                self.pending.gave_up(client_msg_id);
                self.output.print(&Report::unsent(client_msg_id, reason))?;
            }
        }
        // Still unanswered (the connection was down while leaving): not sent either.
        for client_msg_id in self.pending.unanswered_sends() {
            let reason = "not sent: the server did not confirm it before you left".to_string();
            self.output.print(&Report::unsent(client_msg_id, reason))?;
        }
        self.output.print(&Report::Closed { reason: Disconnect::Quit.to_string() })?;
        Ok(End::Left)
    }

    /// Reports one event; returns how the session ended if it did.
    fn on_event(&mut self, event: Option<ChatEvent>) -> anyhow::Result<Option<End>> {
        let event = event.unwrap_or_else(|| ChatEvent::Closed(Disconnect::Lost("the session ended".into())));
        match event {
            ChatEvent::Closed(reason) => {
                // This loop stops reading events before it calls `quit`, so a `Quit` seen here
                // is a connection closed under us (the client core reports some closes so).
                let reason = match reason {
                    Disconnect::Quit => Disconnect::Lost("the connection was closed".into()),
                    reason => reason,
                };
                self.output.print(&Report::Closed { reason: reason.to_string() })?;
                return Ok(Some(End::Disconnected(reason)));
            }
            ChatEvent::History(page) => self.show_history(page)?,
            ChatEvent::Unsent { client_msg_id, reason } => {
                self.pending.gave_up(client_msg_id);
                self.output.print(&Report::unsent(client_msg_id, reason))?;
            }
            ChatEvent::Presence(presence) => {
                let report = Report::from_presence(presence);
                if self.output.is_json() || !self.is_about_me(&report) {
                    self.output.print(&report)?;
                }
            }
            event => {
                self.pending.answered_by(&event, &self.name);
                self.follow(&event)?;
                match Report::from_event(event) {
                    // A line per batch of points would drown a person's screen.
                    Some(Report::StrokePoints { .. } | Report::Typing { .. }) if !self.output.is_json() => {}
                    Some(report) => self.output.print(&report)?,
                    None => {}
                }
            }
        }
        Ok(None)
    }

    /// Reports how a transfer is going; a file shared is a message awaiting its echo.
    fn on_note(&mut self, note: Note) -> anyhow::Result<()> {
        if note.is_last() {
            self.transfers.ended();
        }
        match note {
            Note::Progress(report) | Note::Downloaded(report) | Note::Failed(report) => {
                self.output.print(&report)
            }
            Note::Shared { client_msg_id } => {
                self.pending.sent(client_msg_id);
                Ok(())
            }
        }
    }

    /// Remembers the name of a file a message carries, for `/get`.
    fn saw_file(&mut self, attachment: Option<&Attachment>) {
        if let Some(file) = attachment {
            self.files.insert(file.hash, file.name.clone());
        }
    }

    /// Keeps the name and rooms in step with the server's replies.
    fn follow(&mut self, event: &ChatEvent) -> anyhow::Result<()> {
        match event {
            ChatEvent::Joined { room, .. } => self.rooms.joined(&room.name),
            ChatEvent::Board(event) => self.boards.apply(event),
            ChatEvent::Reaction(reaction) if reaction.by == self.name => {
                if let Some(waiting) = self.reacting.get_mut(&reaction.id) {
                    *waiting -= 1;
                    if *waiting == 0 {
                        self.reacting.remove(&reaction.id);
                    }
                    return Ok(());
                }
                match reaction.on {
                    true => self.my_reactions.insert(reaction.id, reaction.emoji.clone()),
                    false => self.my_reactions.remove(&reaction.id),
                };
            }
            ChatEvent::SearchResults { text, results, more } => {
                let report = Report::search_results(text.clone(), results.clone(), *more, &self.name);
                self.output.print(&report)?;
            }
            ChatEvent::Reactions { room, reactions } => {
                for reaction in reactions.iter().filter(|r| r.by == self.name) {
                    self.my_reactions.insert(reaction.id, reaction.emoji.clone());
                }
                for report in Report::reactions(room, reactions.clone()) {
                    self.output.print(&report)?;
                }
            }
            ChatEvent::BoardState { room, board } => self.boards.replace(room, board.clone()),
            ChatEvent::Left { room, .. } => {
                self.oldest.forget(room);
                self.boards.forget(room);
                if let Some(switched) = self.forget_room(room) {
                    self.output.print(&switched)?;
                }
            }
            ChatEvent::Renamed { new, .. } => self.name = new.clone(),
            ChatEvent::Message { message, .. } => {
                self.message_rooms.insert(message.id, message.room.clone());
                self.oldest.saw(&message.room, message.seq);
                self.saw_file(message.attachment.as_ref());
            }
            ChatEvent::Direct { message, .. } => self.saw_file(message.attachment.as_ref()),
            _ => {}
        }
        Ok(())
    }

    /// Prints the messages of a history page this session has not shown yet, oldest first.
    fn show_history(&mut self, page: HistoryPage) -> anyhow::Result<()> {
        let requested = self.history_requests.remove(&fold_name(&page.room));
        if requested {
            self.pending.page_arrived();
        }
        let room = page.room.clone();
        let more = page.more;
        for message in &page.messages {
            self.saw_file(message.attachment.as_ref());
            self.message_rooms.insert(message.id, message.room.clone());
        }
        let (page, shown) = self.oldest.unseen(page);
        for report in Report::history(page) {
            self.output.print(&report)?;
        }
        if requested && shown == 0 && !self.output.is_json() {
            let what = if more { "no older messages arrived" } else { "no older messages" };
            self.output.print(&Report::Info { message: format!("{what} in #{room}") })?;
        }
        Ok(())
    }

    /// Asks for `count` messages of the current room older than the oldest one shown.
    async fn request_history(&mut self, count: u32) -> Option<Report> {
        let Some(room) = self.rooms.current().map(str::to_string) else {
            return Some(not_in_a_room());
        };
        let before = self.oldest.of(&room);
        if before == Some(1) {
            return Some(Report::Info { message: format!("no older messages in #{room}") });
        }
        let sent = self.client.history(&room, before, count).await;
        if sent.is_ok() {
            self.history_requests.insert(fold_name(&room));
        }
        self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
    }

    /// Readable output leaves out presence about this user: the replies already say it.
    fn is_about_me(&self, report: &Report) -> bool {
        match report {
            Report::Presence { user, new_name, .. } => {
                *user == self.name || new_name.as_deref() == Some(self.name.as_str())
            }
            _ => false,
        }
    }

    async fn on_line(&mut self, line: &str) -> anyhow::Result<Flow> {
        let report = match command::parse(line) {
            Ok(Command::Quit) => return Ok(Flow::Quit),
            Ok(command) => self.execute(command).await,
            Err(ParseError::Usage(usage)) => Some(Report::error("usage", format!("usage: {usage}"))),
            Err(ParseError::Unknown(word)) => Some(Report::error(
                "unknown_command",
                format!("unknown command /{word}; /help lists the commands"),
            )),
        };
        if let Some(report) = report {
            self.output.print(&report)?;
        }
        Ok(Flow::Continue)
    }

    /// Carries out a command; returns what to print about it, if anything.
    async fn execute(&mut self, command: Command<'_>) -> Option<Report> {
        match command {
            Command::Say(text) => {
                let Some(room) = self.rooms.current().map(str::to_string) else {
                    return Some(not_in_a_room());
                };
                let sent = self.client.say(&room, text).await;
                self.message_sent(sent, ROOM_NAME)
            }
            Command::Msg { to, text } => {
                let sent = self.client.direct(to, text).await;
                self.message_sent(sent, USER_NAME)
            }
            Command::Join { room, topic } => {
                let sent = self.client.join(room, topic).await;
                if sent.is_ok() {
                    self.rooms.switch(&normalize_room(room).unwrap_or_else(|_| room.to_string()));
                }
                self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, true)))
            }
            Command::Leave(room) => self.leave_room(room).await,
            Command::Switch(room) => Some(self.switch(room)),
            Command::Rooms => {
                let sent = self.client.list_rooms().await;
                self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
            }
            Command::Users => {
                let sent = self.client.list_users().await;
                self.command_sent(sent.map_err(|e| refusal(e, USER_NAME, false)))
            }
            Command::Nick(name) => {
                let sent = self.client.nick(name).await;
                self.command_sent(sent.map_err(|e| refusal(e, USER_NAME, false)))
            }
            Command::History(count) => self.request_history(count).await,
            Command::Send { to, file, caption } => self.send_file(to, file, caption),
            Command::Get { hash, path } => self.get_file(hash, path),
            Command::Draw(args) => match draw_ops(args) {
                Some(ops) => self.draw(ops).await,
                None => Some(Report::error("usage", format!("usage: {DRAW_USAGE}"))),
            },
            Command::Undo => {
                let Some(room) = self.rooms.current().map(str::to_string) else {
                    return Some(not_in_a_room());
                };
                match self.boards.of(&room).last_stroke_of(&self.name) {
                    Some(stroke) => self.draw(vec![BoardOp::Delete { stroke }]).await,
                    None => {
                        Some(Report::Info { message: format!("you have no stroke on the board of #{room}") })
                    }
                }
            }
            Command::BoardDelete(stroke) => self.draw(vec![BoardOp::Delete { stroke }]).await,
            Command::BoardClear => self.draw(vec![BoardOp::Clear]).await,
            Command::Board => match self.rooms.current() {
                Some(room) => Some(Report::board(room, &self.boards.of(room))),
                None => Some(not_in_a_room()),
            },
            Command::BoardExport(path) => Some(self.export_board(path)),
            Command::React { id, emoji } => self.react(id, emoji).await,
            Command::Edit { id, text } => {
                let room = self.room_of_message(id);
                let sent = self.client.edit(&room, id, text).await;
                self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
            }
            Command::Delete(id) => {
                let room = self.room_of_message(id);
                let sent = self.client.delete(&room, id).await;
                self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
            }
            Command::Moderate(command) => {
                let room = match (&command, self.rooms.current()) {
                    (_, Some(room)) => room.to_string(),
                    (ModCommand::Disconnect { .. }, None) => LOBBY.to_string(),
                    (_, None) => return Some(not_in_a_room()),
                };
                // A disconnect is not answered (the user just goes offline).
                let answered = !matches!(command, ModCommand::Disconnect { .. });
                let sent = self.client.moderate(&room, command).await;
                match sent {
                    Ok(()) if !answered => None,
                    sent => self.command_sent(sent.map_err(|e| refusal(e, USER_NAME, false))),
                }
            }
            Command::Search(text) => {
                let sent = self.client.search(text, None, 20).await;
                self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
            }
            Command::Help => {
                Some(Report::Help { commands: HELP.iter().map(|line| line.to_string()).collect() })
            }
            Command::Quit => None,
        }
    }

    /// Sends board operations for the current room, each awaiting its echo.
    async fn draw(&mut self, ops: Vec<BoardOp>) -> Option<Report> {
        let Some(room) = self.rooms.current().map(str::to_string) else {
            return Some(not_in_a_room());
        };
        for op in ops {
            let sent = self.client.draw(&room, op).await;
            if let Some(refused) = self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false))) {
                return Some(refused);
            }
        }
        None
    }

    /// Puts `emoji` (or `:shortcode:`) on message `id`, or takes it off if it is this user's
    /// reaction to it already.
    async fn react(&mut self, id: u64, emoji: &str) -> Option<Report> {
        let Some(room) = self.message_rooms.get(&id).cloned() else {
            return Some(Report::error("not_found", format!("no message {id} in your rooms")));
        };
        let emoji = expand_shortcodes(emoji);
        let on = self.my_reactions.get(&id) != Some(&emoji);
        let sent = self.client.react(&room, id, &emoji, on).await;
        // Counted as done at once, so that a script's next `/react` toggles from here.
        if sent.is_ok() {
            match on {
                true => self.my_reactions.insert(id, emoji),
                false => self.my_reactions.remove(&id),
            };
            *self.reacting.entry(id).or_default() += 1;
        }
        self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)))
    }

    /// Writes the current room's board to `path` as SVG.
    fn export_board(&self, path: &str) -> Report {
        let Some(room) = self.rooms.current() else { return not_in_a_room() };
        let svg = self.boards.of(room).to_svg();
        match std::fs::write(path, svg) {
            Ok(()) => Report::Info { message: format!("saved the board of #{room} as {path}") },
            Err(error) => Report::error("file", format!("cannot write {path}: {error}")),
        }
    }

    /// Notes a message or DM sent (awaiting its echo), or reports why it was not.
    fn message_sent(&mut self, sent: Result<u64, ClientError>, name_code: &str) -> Option<Report> {
        match sent {
            Ok(client_msg_id) => {
                self.pending.sent(client_msg_id);
                None
            }
            Err(error) => refusal(error, name_code, false),
        }
    }

    /// Notes a command sent (awaiting its reply), or returns why it was not.
    /// The room message `id` was seen in, or else the current room (the server says
    /// `not_found` when it is not there).
    fn room_of_message(&self, id: u64) -> String {
        let current = || self.rooms.current().unwrap_or(LOBBY).to_string();
        self.message_rooms.get(&id).cloned().unwrap_or_else(current)
    }

    fn command_sent(&mut self, sent: Result<(), Option<Report>>) -> Option<Report> {
        match sent {
            Ok(()) => {
                self.pending.commanded();
                None
            }
            Err(report) => report,
        }
    }

    /// Starts sharing `file` in the current room, or with `to`.
    fn send_file(&mut self, to: Option<&str>, file: &str, caption: &str) -> Option<Report> {
        let to = match to {
            Some(user) => Addressee::User(user.to_string()),
            None => match self.rooms.current() {
                Some(room) => Addressee::Room(room.to_string()),
                None => return Some(not_in_a_room()),
            },
        };
        let path = PathBuf::from(file);
        if !path.is_file() {
            return Some(Report::error("file", format!("{file}: no such file")));
        }
        self.transfers.send(self.client.clone(), to, path, caption.to_string(), self.keep_metadata);
        None
    }

    /// Starts downloading the file `hash` to `path` (a folder, or the file to write), or
    /// to the download folder under the name its message gave.
    fn get_file(&mut self, hash: &str, path: Option<&str>) -> Option<Report> {
        let Some(hash) = hash_from_hex(hash.trim()) else {
            return Some(Report::error("usage", "usage: /get HASH [PATH], HASH as 64 hex digits"));
        };
        let name = self.files.get(&hash).cloned().unwrap_or_else(|| hash_to_hex(&hash));
        let dest = match path.map(Path::new) {
            Some(path) if path.is_dir() => path.join(&name),
            Some(path) => path.to_path_buf(),
            None => self.download_dir.join(&name),
        };
        self.transfers.get(self.client.clone(), hash, unique_path(&dest));
        None
    }

    async fn leave_room(&mut self, room: Option<&str>) -> Option<Report> {
        let Some(room) = room.or(self.rooms.current()).map(str::to_string) else {
            return Some(not_in_a_room());
        };
        let sent = self.client.leave(&room).await;
        let refused = self.command_sent(sent.map_err(|e| refusal(e, ROOM_NAME, false)));
        if refused.is_some() {
            return refused;
        }
        self.forget_room(&normalize_room(&room).unwrap_or(room))
    }

    /// Drops `room` from this user's rooms; returns a `switched` report when plain text now
    /// goes elsewhere.
    fn forget_room(&mut self, room: &str) -> Option<Report> {
        let before = self.rooms.current().map(str::to_string);
        self.rooms.left(room);
        let now = self.rooms.current().map(str::to_string);
        (now != before).then_some(Report::Switched { room: now })
    }

    fn switch(&mut self, room: &str) -> Report {
        match normalize_room(room) {
            Ok(room) => {
                self.rooms.switch(&room);
                Report::Switched { room: Some(room) }
            }
            Err(error) => Report::error(ROOM_NAME, format!("bad room name: {error}")),
        }
    }
}

/// The error code for a bad user name.
const USER_NAME: &str = "invalid_name";
/// The error code for a bad room name.
const ROOM_NAME: &str = "invalid_room";

fn not_in_a_room() -> Report {
    Report::error("not_in_room", "you are in no room; /join one first")
}

/// The error report for a command the client core refused to send. Name errors get
/// `name_code` (`invalid_name` for users, `invalid_room` for rooms); text errors are about the
/// topic when `topic` is set. `None` when the connection is gone: the `closed` event follows.
fn refusal(error: ClientError, name_code: &str, topic: bool) -> Option<Report> {
    let report = match error {
        ClientError::Disconnected(_) => return None,
        ClientError::Password(error) => Report::error("invalid_password", error.to_string()),
        ClientError::Name(error) => {
            Report::error(name_code, capitalised_reason(&error.to_string(), name_code))
        }
        ClientError::Text(TextError::TooLong { chars, max }) if topic => {
            Report::error("topic_too_long", format!("the topic has {chars} characters; the limit is {max}"))
        }
        ClientError::Attachment(error) => Report::error("invalid_text", error.to_string()),
        ClientError::Board(error) => Report::error("usage", error.to_string()),
        ClientError::Emoji(error) => Report::error("invalid_text", error.to_string()),
        ClientError::Text(error) => {
            let code = match error {
                TextError::Empty => "empty",
                TextError::TooLong { .. } => "too_long",
                TextError::ControlCharacter(_) => "invalid_text",
            };
            Report::error(code, error.to_string())
        }
    };
    Some(report)
}

/// Name errors say "the name ..."; for a room, say "the room name ...".
fn capitalised_reason(reason: &str, name_code: &str) -> String {
    match (name_code, reason.strip_prefix("the name")) {
        ("invalid_room", Some(rest)) => format!("the room name{rest}"),
        _ => reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::protocol::NameError;

    use super::*;

    fn code(report: Option<Report>) -> String {
        match report {
            Some(Report::Error { code, .. }) => code,
            other => panic!("not an error report: {other:?}"),
        }
    }

    #[test]
    fn client_side_refusals_use_the_server_codes() {
        assert_eq!(code(refusal(ClientError::Text(TextError::Empty), "invalid_room", false)), "empty");
        let too_long = || ClientError::Text(TextError::TooLong { chars: 11, max: 10 });
        assert_eq!(code(refusal(too_long(), "invalid_room", false)), "too_long");
        assert_eq!(code(refusal(too_long(), "invalid_room", true)), "topic_too_long");
        assert_eq!(code(refusal(ClientError::Name(NameError::Empty), "invalid_name", false)), "invalid_name");
        assert!(refusal(ClientError::Disconnected(Disconnect::Quit), "invalid_name", false).is_none());
    }

    #[test]
    fn room_name_errors_say_room() {
        let report = refusal(ClientError::Name(NameError::BadCharacter('!')), "invalid_room", false);
        let Some(Report::Error { message, .. }) = report else { panic!() };
        assert!(message.starts_with("the room name may only contain"), "{message}");
    }
}
