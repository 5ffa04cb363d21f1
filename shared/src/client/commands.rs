//! The commands a session takes, once for both kinds: [`Commands`] checks each command as the
//! server would (names, rooms, texts, topics, passwords) and hands it to its [`Link`], which
//! is either one raw connection ([`Client`](super::Client)) or a resilient session's
//! supervisor ([`Resilient`](super::Resilient)). What differs between the two (quitting,
//! migrating, counting unconfirmed sends) is implemented on each alias.

use std::future::Future;

use super::chat_event::Addressee;
use super::error::ClientError;
use crate::protocol::{
    Attachment, BoardOp, ClientMsg, ModCommand, Place, normalize_name, normalize_room, validate_attachment,
    validate_board_op, validate_caption, validate_emoji, validate_password, validate_search, validate_text,
    validate_topic,
};

/// Where a session's commands go. Sealed: the trait lives in a private module, so only the
/// client core's two links implement it.
pub trait Link {
    /// The longest message the server accepts, in characters.
    fn max_message_chars(&self) -> usize;
    /// A fresh client message id for a send (1, 2, ... per session).
    fn next_client_msg_id(&self) -> u64;
    /// Hands one command on, unchecked.
    fn send(&self, message: ClientMsg) -> impl Future<Output = Result<(), ClientError>> + Send;
}

/// A handle on a session that sends commands. Cheap to clone; every clone drives the same
/// session.
#[derive(Clone)]
pub struct Commands<L> {
    pub(super) link: L,
}

impl<L: Link + Sync> Commands<L> {
    /// Sends `text` to `room`; returns the client message id its echo will carry.
    pub async fn say(&self, room: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.link.max_message_chars())?;
        let room = normalize_room(room)?;
        let client_msg_id = self.link.next_client_msg_id();
        self.send(ClientMsg::Say { room, text: text.into(), client_msg_id, attachment: None }).await?;
        Ok(client_msg_id)
    }

    /// Sends a private message to `to`; returns the client message id its copy will carry.
    pub async fn direct(&self, to: &str, text: &str) -> Result<u64, ClientError> {
        validate_text(text, self.link.max_message_chars())?;
        let to = normalize_name(to)?;
        let client_msg_id = self.link.next_client_msg_id();
        self.send(ClientMsg::Direct { to, text: text.into(), client_msg_id, attachment: None }).await?;
        Ok(client_msg_id)
    }

    /// Shares a file the server has stored (see [`upload`](Self::upload)) in a room or with
    /// one user, with `caption` (which may be empty); returns the client message id its
    /// echo will carry.
    pub async fn share(
        &self,
        to: &Addressee,
        caption: &str,
        attachment: Attachment,
    ) -> Result<u64, ClientError> {
        validate_caption(caption, self.link.max_message_chars())?;
        validate_attachment(&attachment)?;
        let client_msg_id = self.link.next_client_msg_id();
        let (text, attachment) = (caption.to_string(), Some(attachment));
        let message = match to {
            Addressee::Room(room) => {
                ClientMsg::Say { room: normalize_room(room)?, text, client_msg_id, attachment }
            }
            Addressee::User(user) => {
                ClientMsg::Direct { to: normalize_name(user)?, text, client_msg_id, attachment }
            }
        };
        self.send(message).await?;
        Ok(client_msg_id)
    }

    /// Joins `room`, creating it with `topic` when it does not exist.
    pub async fn join(&self, room: &str, topic: Option<&str>) -> Result<(), ClientError> {
        let room = normalize_room(room)?;
        let topic = topic.map(str::trim).filter(|t| !t.is_empty());
        if let Some(topic) = topic {
            validate_topic(topic)?;
        }
        self.send(ClientMsg::Join { room, topic: topic.map(Into::into) }).await
    }

    /// Leaves `room`.
    pub async fn leave(&self, room: &str) -> Result<(), ClientError> {
        self.send(ClientMsg::Leave { room: normalize_room(room)? }).await
    }

    /// Asks to be called `name` from now on.
    pub async fn nick(&self, name: &str) -> Result<(), ClientError> {
        self.send(ClientMsg::Nick { name: normalize_name(name)? }).await
    }

    /// Says whom the caller shows (the visible part of its user list): on a large server,
    /// where presence does not go to everyone, the session hears of these people's comings
    /// and goings, and of those it has direct conversations with. Sent only when it changes.
    pub async fn watch(&self, users: Vec<String>) -> Result<(), ClientError> {
        self.send(ClientMsg::Watch { users }).await
    }

    /// Asks for the list of online users. A raw client gets the first page (a `Users` frame);
    /// a resilient session gets the whole list as one `ChatEvent::Users`, however many pages
    /// the server sends it in.
    pub async fn list_users(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListUsers).await
    }

    /// Asks for the list of rooms; answered as for [`list_users`](Self::list_users).
    pub async fn list_rooms(&self) -> Result<(), ClientError> {
        self.send(ClientMsg::ListRooms).await
    }

    /// Asks for up to `limit` messages of `room` older than sequence number `before` (the
    /// latest when `None`).
    pub async fn history(&self, room: &str, before: Option<u64>, limit: u32) -> Result<(), ClientError> {
        self.send(ClientMsg::History { room: normalize_room(room)?, before, limit }).await
    }

    /// Sends an operation on the board of `room` (see [`BoardOp`]); everyone in the room,
    /// this user included, gets it back numbered ([`ChatEvent::Board`](super::ChatEvent)).
    /// A long stroke goes as a `Begin` followed by `Points` batches of at most
    /// [`MAX_POINTS_PER_OP`](crate::protocol::MAX_POINTS_PER_OP).
    pub async fn draw(&self, room: &str, op: BoardOp) -> Result<(), ClientError> {
        validate_board_op(&op)?;
        self.send(ClientMsg::Board { room: normalize_room(room)?, op }).await
    }

    /// Puts this user's reaction `emoji` on message `id` of `room` (replacing any other of
    /// theirs), or takes it off (`on` false).
    pub async fn react(&self, room: &str, id: u64, emoji: &str, on: bool) -> Result<(), ClientError> {
        validate_emoji(emoji)?;
        self.send(ClientMsg::React { room: normalize_room(room)?, id, emoji: emoji.into(), on }).await
    }

    /// Tells the others in `place` that this user is typing (at most every
    /// [`TYPING_EVERY_MS`](crate::protocol::TYPING_EVERY_MS): the server drops what comes faster).
    pub async fn typing(&self, place: Place) -> Result<(), ClientError> {
        let place = match place {
            Place::Room(room) => Place::Room(normalize_room(&room)?),
            Place::Direct(user) => Place::Direct(normalize_name(&user)?),
        };
        self.send(ClientMsg::Typing { place }).await
    }

    /// Searches this user's rooms and direct messages for `text`, newest first, older than
    /// message `before` when given (the last id of the page before).
    pub async fn search(&self, text: &str, before: Option<u64>, limit: u32) -> Result<(), ClientError> {
        let text = text.trim();
        validate_search(text)?;
        self.send(ClientMsg::Search { text: text.into(), before, limit }).await
    }

    /// Replaces the text of this user's message `id` in `room` with `text`. Everyone in the
    /// room gets it as a [`MessageKind::Edit`](crate::protocol::MessageKind) message.
    pub async fn edit(&self, room: &str, id: u64, text: &str) -> Result<(), ClientError> {
        validate_text(text, self.max_message_chars())?;
        self.send(ClientMsg::Edit { room: normalize_room(room)?, id, text: text.into() }).await
    }

    /// Deletes message `id` of `room` (this user's own, or anyone's as the room's owner or a
    /// moderator); everyone gets a [`MessageKind::Delete`](crate::protocol::MessageKind) message.
    pub async fn delete(&self, room: &str, id: u64) -> Result<(), ClientError> {
        self.send(ClientMsg::Delete { room: normalize_room(room)?, id }).await
    }

    /// Keeps order in `room` (see [`ModCommand`]); the room gets a notice of it.
    pub async fn moderate(&self, room: &str, command: ModCommand) -> Result<(), ClientError> {
        let command = match command {
            ModCommand::Topic { topic } => {
                validate_topic(topic.trim())?;
                ModCommand::Topic { topic: topic.trim().into() }
            }
            other => other,
        };
        self.send(ClientMsg::Moderate { room: normalize_room(room)?, command }).await
    }

    /// Claims this user's current name with `password`, or changes its password (revoking
    /// saved login tokens); answered with a login token.
    pub async fn set_password(&self, password: &str) -> Result<(), ClientError> {
        validate_password(password)?;
        self.send(ClientMsg::SetPassword { password: password.into() }).await
    }

    /// Sends a protocol message without client-side checks. Tests use this to play a
    /// misbehaving client; applications use the typed methods. A resilient session queues it
    /// while reconnecting and sends it after the resume.
    pub async fn send(&self, message: ClientMsg) -> Result<(), ClientError> {
        self.link.send(message).await
    }

    /// The longest message the server accepts, in characters.
    pub fn max_message_chars(&self) -> usize {
        self.link.max_message_chars()
    }
}
