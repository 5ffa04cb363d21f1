//! What is drawn again when something changes, counted with 10,000 messages in the open room:
//! a keystroke draws nothing (the page keeps it), and a new message draws its own group, not
//! the list of groups before it.

use std::collections::BTreeMap;

use dioxus::core::Mutation;

use super::LiveScreen;
use super::tests::{chatting, say};
use crate::model::NetEvent;
use crate::renders;

const SENDERS: [&str; 3] = ["bob", "carol", "dave"];

/// The chat screen over the lobby with `count` more messages, in runs of three lines per
/// sender (so one group holds three lines), drawn once.
struct Screen {
    live: LiveScreen,
    /// The events the screen listens for, as the page is told.
    listens_for: Vec<String>,
}

impl Screen {
    fn open(count: u64) -> Screen {
        let mut model = chatting();
        for seq in 4..4 + count {
            model.apply(say("lobby", seq, SENDERS[(seq / 3 % 3) as usize], "x"));
        }
        let (live, first) = LiveScreen::open(model);
        let listens_for = first
            .edits
            .iter()
            .filter_map(|edit| match edit {
                Mutation::NewEventListener { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        renders::take();
        Screen { live, listens_for }
    }

    /// Applies `event` as the network task would, draws what changed and says what was drawn.
    fn arrive(&mut self, event: NetEvent) -> BTreeMap<&'static str, usize> {
        self.live.apply(event);
        renders::take()
    }
}

#[test]
fn a_keystroke_stays_in_the_page_with_0_and_10_000_messages() {
    for count in [0, 10_000] {
        let screen = Screen::open(count);
        // Nothing on the screen listens for typing, so the page sends the app nothing per
        // keystroke: the composer's script counts the characters and reports them only near
        // the limit, to the composer's own signal.
        // (The paperclip's file picker listens for `change`, which fires once a file is
        // picked, never per keystroke; nothing else may.)
        let typing = ["input", "keydown", "keyup", "keypress"];
        let heard: Vec<&String> =
            screen.listens_for.iter().filter(|name| typing.contains(&name.as_str())).collect();
        assert!(heard.is_empty(), "with {count} messages the screen listens for {heard:?}");
        let changes = screen.listens_for.iter().filter(|name| name.as_str() == "change").count();
        assert!(changes <= 1, "with {count} messages the screen listens for {changes} changes");
        assert!(screen.listens_for.contains(&"click".to_string()), "{:?}", screen.listens_for);
    }
}

#[test]
fn a_new_message_draws_its_own_group_and_not_the_ones_before_it() {
    let mut screen = Screen::open(10_000);
    // Every part that shows the conversation looks again once, but of the 50 groups on screen
    // none is drawn again: the new message starts a group of its own, and the page of the
    // newest 150 entries moves on by one, past the oldest group on screen (one line).
    let drawn = screen.arrive(say("lobby", 10_004, "erin", "just now"));
    let looked_again =
        [("ChatScreen", 1), ("Composer", 1), ("MessageList", 1), ("RoomList", 1), ("UserList", 1)];
    let mut expected = BTreeMap::from(looked_again);
    expected.insert("MessageGroup", 1);
    assert_eq!(drawn, expected);
    // The next one joins erin's group, which is drawn again; the page moves on past the
    // first line of the oldest group on screen, which is drawn again without it.
    let drawn = screen.arrive(say("lobby", 10_005, "erin", "and again"));
    expected.insert("MessageGroup", 2);
    assert_eq!(drawn, expected);
}

#[test]
fn a_message_in_another_room_draws_no_group() {
    let mut screen = Screen::open(10_000);
    let drawn = screen.arrive(say("maths", 1, "bob", "elsewhere"));
    assert_eq!(drawn.get("MessageGroup"), None, "{drawn:?}");
    assert_eq!(drawn.get("RoomList"), Some(&1), "the unread count changes: {drawn:?}");
}
