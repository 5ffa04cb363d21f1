//! Review findings 11 and 12, with the server's default limits unless a test is about a limit:
//! every command is paid from a budget (lists and history from a request budget beside the
//! message rate), budgets follow the name and the address across reconnects, one client
//! paging history does not hold up anyone else, logins per address are budgeted, and a rush
//! of logins that leaves a presence writer behind the ring resynchronises its client instead
//! of cutting it off.

use std::time::{Duration, Instant};

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{ClientMsg, ErrorCode, PresenceEvent, ServerMsg};
use tokio::sync::mpsc::Receiver;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::support::{TestServer, WAIT, expect_event};

/// The default request budget: 100 at once.
const DEFAULT_REQUEST_BURST: usize = 100;

/// How long a join or a history page may take while someone else pages as fast as they may.
const PROMPT: Duration = Duration::from_secs(3);

/// Counts the answers to `count` list requests: (lists answered, refused for speed).
async fn list_answers(events: &mut Receiver<Event>, count: usize) -> (usize, usize) {
    let (mut answered, mut refused) = (0, 0);
    while answered + refused < count {
        let refusal = expect_event(events, "an answer to a list request", |e| match e {
            Event::Server(ServerMsg::Users { .. }) => Some(false),
            Event::Server(ServerMsg::Error(error)) => {
                assert_eq!(error.code, ErrorCode::RateLimited, "{error:?}");
                assert!(error.message.contains("try again in"), "{}", error.message);
                Some(true)
            }
            Event::Closed(reason) => panic!("disconnected while listing: {reason}"),
            _ => None,
        })
        .await;
        if refusal {
            refused += 1;
        } else {
            answered += 1;
        }
    }
    (answered, refused)
}

/// Sends `count` list requests at once and counts the answers.
async fn spam_lists(client: &mut Connected, count: usize) -> (usize, usize) {
    for _ in 0..count {
        client.client.send(ClientMsg::ListUsers).await.expect("send a list request");
    }
    list_answers(&mut client.events, count).await
}

/// Waits until `watcher` hears that `name` went offline, so the name is free again.
async fn gone(watcher: &mut Connected, name: &str) {
    expect_event(&mut watcher.events, &format!("{name} going offline"), |e| match e {
        Event::Presence(frame) => {
            matches!(&frame.event, PresenceEvent::Offline { user } if user == name).then_some(())
        }
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_users_is_budgeted_and_a_reconnect_does_not_refill_the_budget() {
    const SPAM: usize = 120;
    // Few enough that the refusals in a row (which carry over too) stay below the abuse limit.
    const AFTER_RECONNECT: usize = 30;
    let server = TestServer::start();
    let mut watcher = server.login("watcher").await;
    let mut spammer = server.login("spammer").await;

    let (answered, refused) = spam_lists(&mut spammer, SPAM).await;
    assert!(refused > 0, "{SPAM} list requests at once were all answered");
    assert!(answered >= DEFAULT_REQUEST_BURST, "the burst is answered: {answered}");
    // Messages are paid from their own budget, untouched by the lists.
    let id = spammer.client.say("lobby", "still here").await.unwrap();
    expect_event(&mut spammer.events, "the message's echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.client_msg_id == id => Some(()),
        Event::Server(ServerMsg::Error(error)) => panic!("the message was refused: {error:?}"),
        _ => None,
    })
    .await;

    // The same name again: the budget it left with, refilled only by the time that passed.
    spammer.client.quit().await;
    gone(&mut watcher, "spammer").await;
    let started = Instant::now();
    let mut again = server.login("spammer").await;
    let (_, refused) = spam_lists(&mut again, AFTER_RECONNECT).await;
    assert!(refused > 0, "a reconnect brought a fresh burst ({:?} after the spam)", started.elapsed());

    // Another name from the same address fares no better.
    again.client.quit().await;
    gone(&mut watcher, "spammer").await;
    let mut renamed = server.login("someone_new").await;
    let (_, refused) = spam_lists(&mut renamed, AFTER_RECONNECT).await;
    assert!(refused > 0, "a new name from the same address brought a fresh burst");
    assert!(server.log().contains("rate limited (requests)"), "{}", server.log());
}

/// Pages `room`'s history as fast as the server lets it (waiting as long as a refusal says)
/// until `stop`; tells `limited` when first refused. Returns the pages read and the refusals.
async fn page_until_stopped(
    mut pager: Connected,
    room: &str,
    limited: oneshot::Sender<()>,
    mut stop: oneshot::Receiver<()>,
) -> (usize, usize) {
    let (mut pages, mut refused) = (0, 0);
    let mut limited = Some(limited);
    loop {
        let ask = ClientMsg::History { room: room.into(), before: None, limit: 200 };
        pager.client.send(ask).await.expect("the pager may keep asking");
        let wait = expect_event(&mut pager.events, "a page or a refusal", |e| match e {
            Event::Server(ServerMsg::History(page)) if page.room == room => Some(None),
            Event::Server(ServerMsg::Error(error)) if error.code == ErrorCode::RateLimited => {
                Some(Some(retry_after(&error.message)))
            }
            Event::Server(ServerMsg::Error(error)) => panic!("the pager got {error:?}"),
            Event::Closed(reason) => panic!("the pager was disconnected: {reason}"),
            _ => None,
        })
        .await;
        match wait {
            None => pages += 1,
            Some(wait) => {
                refused += 1;
                if let Some(limited) = limited.take() {
                    let _ = limited.send(());
                }
                // Waiting as told is the pager's pace, not a pause for the test.
                tokio::time::sleep(wait).await;
            }
        }
        if stop.try_recv().is_ok() {
            return (pages, refused);
        }
    }
}

/// The wait a "slow down: try again in N ms" refusal asks for.
fn retry_after(message: &str) -> Duration {
    let millis = message
        .split_whitespace()
        .find_map(|word| word.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no retry time in {message:?}"));
    Duration::from_millis(millis)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_paging_history_as_fast_as_it_may_does_not_hold_up_anothers_join_or_history() {
    const MESSAGES: usize = 40;
    let server = TestServer::start();
    let mut writer = server.login("writer").await;
    writer.client.join("archive", None).await.unwrap();
    for i in 1..=MESSAGES {
        writer.client.say("archive", &format!("note {i}")).await.unwrap();
    }
    let last = format!("note {MESSAGES}");
    expect_event(&mut writer.events, "the last note's echo", |e| match e {
        Event::Server(ServerMsg::Message(m)) if m.text == last => Some(()),
        Event::Server(ServerMsg::Error(error)) => panic!("the writer got {error:?}"),
        _ => None,
    })
    .await;

    let pager = server.login("pager").await;
    pager.client.join("archive", None).await.unwrap();
    let (limited_tx, limited) = oneshot::channel();
    let (stop, stop_rx) = oneshot::channel();
    let paging = tokio::spawn(page_until_stopped(pager, "archive", limited_tx, stop_rx));
    tokio::time::timeout(WAIT, limited).await.expect("the pager was never refused").unwrap();

    let mut reader = server.login("reader").await;
    for round in 0..5 {
        let started = Instant::now();
        reader.client.join("archive", None).await.unwrap();
        let page = next_page(&mut reader.events, "the page that comes with the join").await;
        assert_eq!(page, MESSAGES, "round {round}: the join's page");
        reader.client.history("archive", None, 200).await.unwrap();
        assert_eq!(next_page(&mut reader.events, "a requested page").await, MESSAGES);
        let took = started.elapsed();
        assert!(took < PROMPT, "round {round}: the join and a page took {took:?}");
        reader.client.leave("archive").await.unwrap();
        expect_event(&mut reader.events, "leaving the archive", |e| match e {
            Event::Server(ServerMsg::Left { .. }) => Some(()),
            Event::Server(ServerMsg::Error(error)) => panic!("the reader got {error:?}"),
            _ => None,
        })
        .await;
    }
    let _ = stop.send(());
    let (pages, refused) = tokio::time::timeout(WAIT, paging).await.expect("the pager stops").unwrap();
    assert!(pages >= DEFAULT_REQUEST_BURST && refused > 0, "{pages} pages, {refused} refusals");
    assert!(!server.log().contains("disconnecting"), "{}", server.log());
}

/// The number of messages in the next archive page; any error fails the test.
async fn next_page(events: &mut Receiver<Event>, what: &str) -> usize {
    expect_event(events, what, |e| match e {
        Event::Server(ServerMsg::History(page)) if page.room == "archive" => Some(page.messages.len()),
        Event::Server(ServerMsg::Error(error)) => panic!("{what}: {error:?}"),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_from_one_address_beyond_the_budget_of_a_minute_are_refused_in_words() {
    // Two may be connected at once, so two logins may come at once; then one a minute.
    let server =
        TestServer::start_with(&["--max-logins-per-minute", "1", "--max-connections-per-address", "2"]);
    let _stays = server.login("one").await;
    server.login("two").await.client.quit().await;
    // Until the server has let go of two's connection, a third is refused for the connection
    // cap, before it logs in; then the login budget refuses it.
    let deadline = Instant::now() + WAIT;
    let reason = loop {
        match connect(&ConnectOptions::new(&server.addr, "three", server.trust())).await {
            Err(ConnectError::Unavailable(reason)) => break reason,
            Err(other) if other.to_string().contains("too many connections") && Instant::now() < deadline => {
                tokio::task::yield_now().await
            }
            Err(other) => panic!("expected a refusal for logging in too often, got {other}"),
            Ok(_) => panic!("a third login in a minute was let in"),
        }
    };
    assert!(reason.starts_with("too many logins from your address: try again in"), "{reason}");
    assert!(!reason.ends_with('.'), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rush_of_300_logins_and_logouts_does_not_cut_off_an_observer() {
    const SESSIONS: usize = 300;
    const AT_ONCE: usize = 50;
    // A ring of one event: every login (Online, then Joined for the lobby) leaves each
    // presence writer behind it, as a rush does a full-size ring.
    let server = TestServer::start_with(&["--presence-backlog", "1"]);
    let Connected { client: observer, events, .. } = server.login("observer").await;
    let (stop, stop_rx) = oneshot::channel();
    let watching = tokio::spawn(watch_snapshots(events, stop_rx));

    for batch in 0..SESSIONS / AT_ONCE {
        let mut rush = JoinSet::new();
        for n in 0..AT_ONCE {
            let options =
                ConnectOptions::new(&server.addr, format!("rush{}", batch * AT_ONCE + n), server.trust());
            rush.spawn(async move {
                let connected =
                    connect(&options).await.unwrap_or_else(|e| panic!("a rush login failed: {e}"));
                connected.client.quit().await;
            });
        }
        while let Some(done) = rush.join_next().await {
            done.expect("a rush session");
        }
    }
    let _latecomer = server.login("latecomer").await;
    let _ = stop.send(());
    let watched = tokio::time::timeout(WAIT, watching).await.expect("watching ends").unwrap();
    assert!(watched.snapshots > 0, "the observer was never sent a snapshot");
    // The observer still hears who comes: the latecomer, as an event or in a snapshot.
    let mut events = watched.events;
    if !watched.heard_latecomer {
        expect_event(&mut events, "news of the latecomer", |e| {
            assert!(!matches!(e, Event::Closed(_)), "the observer was disconnected: {e:?}");
            is_news_of_latecomer(e).then_some(())
        })
        .await;
    }
    observer.list_users().await.expect("the observer is still connected");
    assert!(!server.log().contains("too slow"), "{}", server.log());
}

/// What the observer saw during the rush.
struct Watched {
    /// Lists of who is online it was sent unasked.
    snapshots: usize,
    heard_latecomer: bool,
    events: Receiver<Event>,
}

/// Watches the observer's events until `stop`, failing if it is disconnected.
async fn watch_snapshots(mut events: Receiver<Event>, mut stop: oneshot::Receiver<()>) -> Watched {
    let (mut snapshots, mut heard_latecomer) = (0, false);
    loop {
        let event = tokio::select! {
            _ = &mut stop => return Watched { snapshots, heard_latecomer, events },
            event = events.recv() => event.expect("the observer's events went on"),
        };
        heard_latecomer |= is_news_of_latecomer(&event);
        match event {
            Event::Server(ServerMsg::Users { .. }) => snapshots += 1,
            Event::Closed(reason) => panic!("the observer was disconnected: {reason}"),
            _ => {}
        }
    }
}

/// The latecomer's Online event, or a list of who is online that has the latecomer.
fn is_news_of_latecomer(event: &Event) -> bool {
    match event {
        Event::Presence(frame) => {
            matches!(&frame.event, PresenceEvent::Online { user } if user == "latecomer")
        }
        Event::Server(ServerMsg::Users { users, .. }) => users.iter().any(|u| u == "latecomer"),
        _ => false,
    }
}
