//! One logged-in session: the client core's events go to the model as [`NetEvent::Chat`], the
//! views' [`Command`]s become calls on the [`Resilient`] handle, until the user leaves or the
//! session ends for good (a changed certificate or a refused login while reconnecting, or the
//! server closing it for a reason reconnecting cannot fix).
//!
//! One loop does both, one command at a time: while the client core holds a command back (its
//! outbox is full), the next ones wait in the bounded command queue and events keep flowing,
//! so a full queue holds up sending, never the events that would free it. Login tokens the
//! server sends are saved here and never reach the model; the messages not confirmed yet are
//! kept here as they come and go ([`UnsentStore`]).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anseo_shared::client::{ChatEvent, ClientError, Disconnect, Resilient, rt};
use tokio::sync::mpsc;

use super::Reporter;
use super::login::LoggedIn;
use super::transfers::Transfers;
use crate::model::{Command, LoginFailure, NetEvent};
use crate::read_marks::{MarkSaver, ReadMarks};
use crate::tokens::TokenStore;
use crate::unsent::{Unconfirmed, UnsentStore};

/// How long leaving may take before the app goes on without the server's answer.
const QUIT_WAIT: Duration = Duration::from_secs(3);

/// A command being handed to the client core; resolves to the refusal in words, if any.
type Handing = Pin<Box<dyn Future<Output = Option<String>> + Send>>;

/// Serves the session until the user quits (then `LoggedOut`) or it ends (then
/// `LoginFailed` with the reason).
pub async fn serve(
    logged_in: LoggedIn,
    commands: &mut mpsc::Receiver<Command>,
    events: &Reporter,
    tokens: &TokenStore,
    unsent: &UnsentStore,
    marks: &ReadMarks,
) {
    let LoggedIn { client, events: mut incoming, server, name: login_name, .. } = logged_in;
    let mut handing: Option<Handing> = None;
    let mut unconfirmed = Unconfirmed::default();
    let mut transfers = Transfers::default();
    let mut saver = MarkSaver::default();
    loop {
        tokio::select! {
            biased;
            refusal = in_flight(&mut handing) => {
                handing = None;
                if let Some(message) = refusal {
                    events.send(NetEvent::CommandFailed(message)).await;
                }
            }
            event = incoming.recv() => {
                let event = event.unwrap_or(ChatEvent::Closed(Disconnect::Lost("the session ended".into())));
                if let ChatEvent::Closed(reason) = event {
                    let name = client.name();
                    let failure = LoginFailure::session_ended(&reason, &server, &name);
                    if failure.refuses_saved_login() {
                        forget(tokens, &server, &name);
                    }
                    saver.flush(marks, &server, &login_name);
                    events.send(NetEvent::LoginFailed(failure)).await;
                    return;
                }
                if unconfirmed.follow(&event)
                    && let Err(e) = unsent.keep(&server, &login_name, &client.carry(unconfirmed.sends()))
                {
                    tracing::warn!(error = %e, "cannot keep the unconfirmed messages on this device");
                }
                events.send(report(event, &server, tokens)).await;
            }
            command = commands.recv(), if handing.is_none() => match command {
                None | Some(Command::Quit) => {
                    // A command still being handed over is dropped with the session.
                    saver.flush(marks, &server, &login_name);
                    let _ = rt::timeout(QUIT_WAIT, client.quit()).await;
                    events.send(NetEvent::LoggedOut).await;
                    events.quit_done();
                    return;
                }
                // Already logged in.
                Some(Command::Connect { .. } | Command::TrustAndConnect { .. }) => {}
                // A file takes a while: it comes down beside the commands, not before them.
                Some(Command::Download { hash, name }) => transfers.download(client.clone(), hash, name, events.events.clone()),
                Some(Command::SendFile { to, file }) => transfers.send_file(client.clone(), to, file, events.events.clone()),
                Some(Command::CancelTransfer { id }) => transfers.cancel(id),
                Some(Command::FetchMedia { hash }) => transfers.fetch_media(client.clone(), hash, events.events.clone()),
                Some(Command::KeepReadMarks(rooms)) => saver.offer(marks, &server, &login_name, rooms),
                Some(command) => handing = Some(Box::pin(execute(client.clone(), command))),
            },
        }
    }
}

/// Waits for the command being handed over, or forever when there is none.
async fn in_flight(handing: &mut Option<Handing>) -> Option<String> {
    match handing {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}

/// The model's view of a client core event. Saves login tokens.
fn report(event: ChatEvent, server: &str, tokens: &TokenStore) -> NetEvent {
    let ChatEvent::TokenIssued { name, token, ts } = event else { return NetEvent::Chat(event) };
    match tokens.save(server, &name, &token) {
        Ok(()) => NetEvent::TokenStored { name, ts },
        Err(e) => NetEvent::CommandFailed(format!(
            "This device could not keep the login for {name}, so the password will be asked for next \
             time: {e}"
        )),
    }
}

/// Hands one command to the client core; a refusal (before anything was sent) comes back in
/// words. A message sent comes back from the core as `ChatEvent::Sending`.
async fn execute(client: Resilient, command: Command) -> Option<String> {
    let done = match command {
        Command::Say { room, text } => client.say(&room, &text).await.map(drop),
        Command::Direct { to, text } => client.direct(&to, &text).await.map(drop),
        Command::Join { room, topic } => client.join(&room, topic.as_deref()).await,
        Command::Leave { room } => client.leave(&room).await,
        Command::Nick { name } => client.nick(&name).await,
        Command::History { room, before, limit } => client.history(&room, before, limit).await,
        Command::SetPassword { password } => client.set_password(password.expose()).await,
        Command::Draw { room, ops } => draw(&client, &room, ops).await,
        Command::React { room, id, emoji, on } => client.react(&room, id, &emoji, on).await,
        Command::Edit { room, id, text } => client.edit(&room, id, &text).await,
        Command::Delete { room, id } => client.delete(&room, id).await,
        Command::Moderate { room, command } => client.moderate(&room, command).await,
        Command::Typing { place } => client.typing(place).await,
        Command::Search { text, before, limit } => client.search(&text, before, limit).await,
        Command::ListUsers => client.list_users().await,
        Command::Watch { users } => client.watch(users).await,
        Command::Connect { .. }
        | Command::TrustAndConnect { .. }
        | Command::Download { .. }
        | Command::SendFile { .. }
        | Command::CancelTransfer { .. }
        | Command::FetchMedia { .. }
        | Command::KeepReadMarks(_)
        | Command::Quit => Ok(()),
    };
    done.err().map(|e: ClientError| e.to_string())
}

/// Sends board operations in order, stopping at the first refused.
async fn draw(
    client: &Resilient,
    room: &str,
    ops: Vec<anseo_shared::protocol::BoardOp>,
) -> Result<(), ClientError> {
    for op in ops {
        client.draw(room, op).await?;
    }
    Ok(())
}

fn forget(tokens: &TokenStore, server: &str, name: &str) {
    if let Err(e) = tokens.forget(server, name) {
        tracing::warn!(error = %e, "cannot forget a refused saved login");
    }
}
