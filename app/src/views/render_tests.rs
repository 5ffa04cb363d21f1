//! What is drawn again when something changes, counted with 10,000 messages in the open room:
//! a keystroke draws the composer alone, and a new message draws its own group, not the list
//! of groups before it.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use dioxus::core::{ElementId, Mutation};
use dioxus::html::{PlatformEventData, SerializedFormData, SerializedHtmlEventConverter};
use dioxus::prelude::*;

use super::tests::{chatting, say};
use super::{ChatScreen, Dispatch};
use crate::model::{Command, Model, NetEvent};
use crate::renders;

const SENDERS: [&str; 3] = ["bob", "carol", "dave"];

thread_local! {
    /// The live model of the screen under test, so the test can change it from outside.
    static MODEL: RefCell<Option<Signal<Model>>> = const { RefCell::new(None) };
}

#[component]
fn Live(model: Model) -> Element {
    let model = use_signal(|| model);
    MODEL.with(|live| *live.borrow_mut() = Some(model));
    let network = use_coroutine(|_commands: UnboundedReceiver<Command>| async {});
    use_context_provider(|| Dispatch::new(model, network));
    rsx! { ChatScreen {} }
}

/// The chat screen over the lobby with `count` more messages, in runs of three lines per
/// sender (so one group holds three lines), drawn once.
struct Screen {
    dom: VirtualDom,
    /// The composer's text area, found by its input listener.
    composer: ElementId,
}

impl Screen {
    fn open(count: u64) -> Screen {
        let mut model = chatting();
        for seq in 4..4 + count {
            model.apply(say("lobby", seq, SENDERS[(seq / 3 % 3) as usize], "x"));
        }
        let mut dom = VirtualDom::new_with_props(Live, LiveProps { model });
        let mutations = dom.rebuild_to_vec();
        let composer = mutations
            .edits
            .iter()
            .find_map(|edit| match edit {
                Mutation::NewEventListener { name, id } if name == "input" => Some(*id),
                _ => None,
            })
            .expect("the composer listens for input");
        renders::take();
        Screen { dom, composer }
    }

    /// Applies `event` as the network task would, draws what changed and says what was drawn.
    fn arrive(&mut self, event: NetEvent) -> BTreeMap<&'static str, usize> {
        self.dom.in_runtime(|| {
            let mut model = MODEL.with(|live| live.borrow().expect("drawn"));
            model.write().apply(event);
        });
        self.dom.render_immediate_to_vec();
        renders::take()
    }

    /// Types `text` into the composer (one input event, as the webview sends per keystroke),
    /// draws what changed and says what was drawn.
    fn type_in(&mut self, text: &str) -> BTreeMap<&'static str, usize> {
        dioxus::html::set_event_converter(Box::new(SerializedHtmlEventConverter));
        let data = SerializedFormData::new(text.to_string(), Vec::new());
        let event = Event::new(Rc::new(PlatformEventData::new(Box::new(data))) as Rc<dyn Any>, true);
        self.dom.runtime().handle_event("input", event, self.composer);
        self.dom.render_immediate_to_vec();
        renders::take()
    }
}

fn only(component: &'static str) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([(component, 1)])
}

#[test]
fn a_keystroke_draws_the_composer_alone_with_0_and_10_000_messages() {
    for count in [0, 10_000] {
        let mut screen = Screen::open(count);
        assert_eq!(screen.type_in("h"), only("Composer"), "with {count} messages");
        assert_eq!(screen.type_in("he"), only("Composer"), "with {count} messages");
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
