//! The Anseo wire protocol, version 3, as pure data: no sockets, no clocks, no tasks.
//!
//! A client opens one bidirectional QUIC stream. Its first frame is [`ClientMsg::Hello`]; the
//! server answers [`ServerMsg::Welcome`] or [`ServerMsg::Rejected`]. After that the stream
//! carries the client's commands and the server's replies and chat. The server opens one
//! long-lived unidirectional stream per client for [`PresenceFrame`]s.
//!
//! Every frame is a big-endian `u32` length followed by a postcard body, at most
//! [`MAX_FRAME_LEN`] bytes from a client and [`MAX_SERVER_FRAME_LEN`] from the server. postcard encodes enum variants by position, so variants are only
//! ever appended; `tests` freeze the bytes.

mod amend;
mod attachment;
mod board;
mod codec;
pub mod discovery;
#[cfg(feature = "codec")]
mod framed;
mod messages;
mod reaction;
mod transfer;
mod validate;
mod web;

pub use amend::{
    DEFAULT_MUTE_MINUTES, MAX_MUTE_MINUTES, MessageKind, MessageState, ModAction, ModCommand, Moderation,
};
pub use attachment::{
    Attachment, AttachmentError, MAX_FILE_NAME_CHARS, MAX_MIME_LEN, MAX_PREVIEW_BYTES, Picture, human_size,
    validate_attachment, validate_file_name,
};
pub use board::{
    BOARD_SIZE, BoardEvent, BoardOp, BoardOpError, BoardSnapshot, DEFAULT_BOARD_OPS_PER_SEC,
    DEFAULT_MAX_BOARD_POINTS, DEFAULT_MAX_BOARD_STROKES, DEFAULT_MAX_STROKE_POINTS, MAX_POINTS_PER_OP,
    MAX_STROKE_WIDTH, Point, Stroke, StrokeStyle, Tool, colour_hex, parse_colour, validate_board_op,
};
pub use codec::{FrameError, encode_frame, encode_frame_into};
#[cfg(feature = "codec")]
pub use framed::FrameCodec;
pub use messages::*;
pub use reaction::{MAX_EMOJI_BYTES, NotAnEmoji, Reaction, ReactionEntry, expand_shortcodes, validate_emoji};
pub use transfer::{
    FileHash, MAX_TRANSFER_FRAME, TransferReply, TransferRequest, hash_from_hex, hash_to_hex,
};
pub use validate::{
    NameError, PasswordError, TextError, fold_name, is_control_or_format, name_skeleton, normalize_name,
    normalize_room, validate_caption, validate_password, validate_search, validate_text, validate_topic,
};
pub use web::{SERVER_FACTS_PATH, ServerFacts, WEBSOCKET_PATH, WEBTRANSPORT_PATH, WebTransportFacts};

/// The ALPN token: the protocol's name and major version.
pub const ALPN: &[u8] = b"anseo/1";
/// The protocol version carried in Hello. Version 2 added attachments to messages, version 3
/// the kind and state of room messages (edits, deletions, moderation notices); a server
/// refuses a client of another version with `UnsupportedVersion`.
pub const PROTOCOL_VERSION: u16 = 3;
/// The UDP port the server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 4433;
/// The room every user is in after login.
pub const LOBBY: &str = "lobby";
/// Largest frame body the server accepts from a client, in bytes.
pub const MAX_FRAME_LEN: usize = 64 * 1024;
/// Largest frame body a client accepts from the server, in bytes: a Welcome or a user list
/// of a full server (10,000 names) is larger than a client's commands ever are.
pub const MAX_SERVER_FRAME_LEN: usize = 1024 * 1024;
/// Default and hard upper bound of the message length, in characters.
pub const DEFAULT_MAX_MESSAGE_CHARS: u32 = 2000;
/// The server refuses `--max-message-chars` above this so a message always fits a frame.
pub const MAX_MESSAGE_CHARS_LIMIT: u32 = 10_000;
/// Longest user name, in characters.
pub const MAX_NAME_CHARS: usize = 32;
/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 64;
/// Messages a room's history starts with after a join.
pub const HISTORY_ON_JOIN: u32 = 50;
/// The most messages one history page holds (fewer when they would not fit a frame).
pub const MAX_HISTORY_PAGE: u32 = 200;
/// Shortest password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest room topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 200;

/// QUIC application close codes, so a client can tell why the server hung up.
pub mod close_code {
    /// The client said goodbye (quit), or the server closed a finished session.
    pub const NORMAL: u32 = 0;
    /// The server is shutting down.
    pub const SHUTDOWN: u32 = 1;
    /// The peer broke the protocol (bad frame, command before Hello, second Hello).
    pub const PROTOCOL: u32 = 2;
    /// The client did not read fast enough and its queue overflowed.
    pub const TOO_SLOW: u32 = 3;
    /// The login was rejected (the Rejected frame says why).
    pub const REJECTED: u32 = 4;
    /// The client broke a limit repeatedly (flooding).
    pub const ABUSE: u32 = 5;
    /// A server admin disconnected the user.
    pub const REMOVED: u32 = 6;
}

/// Over a WebSocket (the browser's fallback when it has no WebTransport), the client's two
/// streams share one socket: every binary message starts with the byte of its stream and
/// carries bytes of that stream, length-prefixed frames as on QUIC. A client sends only on
/// [`CHAT`](channel::CHAT).
pub mod channel {
    /// The duplex stream: the client's commands, the server's replies and chat.
    pub const CHAT: u8 = 0;
    /// The server's presence stream.
    pub const PRESENCE: u8 = 1;
}

/// WebSocket close codes for applications start at 4000: a [`close_code`] `c` is sent as
/// `4000 + c`.
pub const WEBSOCKET_CLOSE_BASE: u16 = 4000;

/// The WebSocket close code that carries the application close code `code`.
pub fn websocket_close_code(code: u32) -> u16 {
    WEBSOCKET_CLOSE_BASE.saturating_add(u16::try_from(code).unwrap_or(999).min(999))
}

/// The application close code a WebSocket close code carries, if it carries one.
pub fn from_websocket_close_code(code: u16) -> Option<u32> {
    code.checked_sub(WEBSOCKET_CLOSE_BASE).filter(|c| *c < 1000).map(u32::from)
}

#[cfg(all(test, feature = "codec"))]
mod tests;
