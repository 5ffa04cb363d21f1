//! What the app's own side of drawing costs, without the webview: the time from a message
//! arriving (the model applies it) to its render (the VirtualDom has diffed what changed and
//! has the edits for the page), with 0 and 10,000 messages in the open room. (A keystroke
//! costs the app nothing here: the page keeps it.) Prints one line per case.
//!
//! Run: `cargo run --release -p anseo-app --example render_cost`

use std::time::{Duration, Instant};

use anseo_app::model::{Action, Model, NetEvent};
use anseo_app::views::LiveScreen;
use anseo_shared::client::ChatEvent;
use anseo_shared::protocol::{Limits, RoomInfo, RoomMessage, SendRate, Welcome};

/// Arrivals timed per case.
const SAMPLES: u64 = 1000;

fn main() {
    for loaded in [0, 10_000] {
        let arrival = measure(loaded);
        println!("{loaded:>6} messages loaded: a message's arrival to its render {}", figures(arrival));
    }
}

/// Median and 99th percentile, in microseconds.
fn figures(mut samples: Vec<Duration>) -> String {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    format!("p50 {:.0} µs, p99 {:.0} µs", at(0.5), at(0.99))
}

fn measure(loaded: u64) -> Vec<Duration> {
    let mut model = Model::new("typist".into(), "127.0.0.1:4433".into(), None);
    model.act(Action::SubmitLogin);
    model.apply(NetEvent::Connected(welcome()));
    for seq in 1..=loaded {
        model.apply(message(seq));
    }
    let (mut screen, _) = LiveScreen::open(model);

    let mut arrival = Vec::new();
    for seq in loaded + 1..=loaded + SAMPLES {
        let event = message(seq);
        let started = Instant::now();
        screen.apply(event);
        arrival.push(started.elapsed());
    }
    arrival
}

/// Lobby message `seq`, from one of three people in turn, three lines each.
fn message(seq: u64) -> NetEvent {
    let from = ["ann", "ben", "cat"][(seq / 3 % 3) as usize];
    NetEvent::Chat(ChatEvent::Message {
        message: RoomMessage {
            id: seq,
            room: "lobby".into(),
            seq,
            from: from.into(),
            text: format!("message number {seq}, with a few words to wrap"),
            ts: 1_700_000_000_000 + seq * 1000,
            client_msg_id: 0,
            attachment: None,
            kind: Default::default(),
            state: Default::default(),
        },
        confirms: None,
    })
}

fn welcome() -> Welcome {
    Welcome {
        name: "typist".into(),
        room: "lobby".into(),
        limits: Limits { max_message_chars: 2000, max_frame_len: 65536 },
        users: vec!["typist".into(), "ann".into(), "ben".into(), "cat".into()],
        rooms: vec![RoomInfo { name: "lobby".into(), topic: "General chat".into(), members: 4 }],
        members: vec!["typist".into(), "ann".into(), "ben".into(), "cat".into()],
        presence_seq: 0,
        ts: 0,
        send_rate: SendRate { burst: 50, micros_per_send: 100_000 },
        users_online: 4,
        rooms_total: 1,
    }
}
