//! Which room plain text goes to, and which rooms this user is in.
//!
//! Commands go to the server in order on one stream, so the current room changes as soon as the
//! user types `/join` or `/switch`: a message typed right after `/join dev` goes to `dev` even
//! before the server has confirmed the join. Membership itself follows the server's replies.

/// The user's rooms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rooms {
    current: Option<String>,
    joined: Vec<String>,
}

impl Rooms {
    /// Starts in `room` (the room of the Welcome).
    pub fn new(room: &str) -> Self {
        Rooms { current: Some(room.to_string()), joined: vec![room.to_string()] }
    }

    /// Where plain text goes, if anywhere.
    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// Plain text goes to `room` from now on.
    pub fn switch(&mut self, room: &str) {
        self.current = Some(room.to_string());
    }

    /// The server confirmed that this user joined `room`.
    pub fn joined(&mut self, room: &str) {
        if !self.joined.iter().any(|r| r == room) {
            self.joined.push(room.to_string());
        }
    }

    /// This user left (or asked to leave) `room`: when it was the current room, plain text goes
    /// to the room joined most recently among those left, if any.
    pub fn left(&mut self, room: &str) {
        self.joined.retain(|r| r != room);
        if self.current.as_deref() == Some(room) {
            self.current = self.joined.last().cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_the_current_room_falls_back_to_the_latest_joined() {
        let mut rooms = Rooms::new("lobby");
        rooms.switch("dev");
        rooms.joined("dev");
        rooms.switch("ops");
        rooms.joined("ops");
        assert_eq!(rooms.current(), Some("ops"));
        rooms.left("ops");
        assert_eq!(rooms.current(), Some("dev"));
        rooms.left("lobby");
        assert_eq!(rooms.current(), Some("dev"));
        rooms.left("dev");
        assert_eq!(rooms.current(), None);
    }

    #[test]
    fn leaving_another_room_keeps_the_current_one() {
        let mut rooms = Rooms::new("lobby");
        rooms.joined("dev");
        rooms.left("dev");
        assert_eq!(rooms.current(), Some("lobby"));
    }
}
