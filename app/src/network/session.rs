//! One logged-in session: the client core's events become [`NetEvent`]s, the views'
//! [`Command`]s become calls on the [`Resilient`] handle, until the user leaves or the session
//! ends for good (a changed certificate or a refused login while reconnecting, or the server
//! closing it for a reason reconnecting cannot fix).
//!
//! Commands run in a task of their own, in order: while the connection is down the client
//! core queues them, and a full queue must hold up sending, never the events that would free
//! it. Login tokens the server sends are saved here and never reach the model.

use std::time::Duration;

use anseo_shared::client::{ChatEvent, ClientError, Disconnect, Resilient};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Reporter;
use super::login::LoggedIn;
use super::model_events::net_event;
use crate::model::{Command, LoginFailure, NetEvent, PendingLine, Target};
use crate::tokens::TokenStore;

/// How long leaving may take before the app goes on without the server's answer.
const QUIT_WAIT: Duration = Duration::from_secs(3);

/// Serves the session until the user quits (then `LoggedOut`) or it ends (then
/// `LoginFailed` with the reason).
pub async fn serve(
    logged_in: LoggedIn,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    events: &Reporter,
    tokens: &TokenStore,
) {
    let LoggedIn { client, welcome, events: mut incoming, server } = logged_in;
    let mut name = welcome.name;
    let (queue, queued) = mpsc::unbounded_channel();
    let sender = tokio::spawn(send_commands(client.clone(), queued, events.clone()));
    loop {
        tokio::select! {
            event = incoming.recv() => {
                let event = event.unwrap_or(ChatEvent::Closed(Disconnect::Lost("the session ended".into())));
                if let ChatEvent::Closed(reason) = event {
                    sender.abort();
                    let failure = LoginFailure::session_ended(&reason, &server, &name);
                    if failure.refuses_saved_login() {
                        forget(tokens, &server, &name);
                    }
                    events.send(NetEvent::LoginFailed(failure)).await;
                    return;
                }
                if let Some(event) = report(event, &server, &mut name, tokens) {
                    events.send(event).await;
                }
            }
            command = commands.recv() => match command {
                None | Some(Command::Quit) => {
                    quit(&client, sender).await;
                    events.send(NetEvent::LoggedOut).await;
                    events.quit_done();
                    return;
                }
                // Already logged in.
                Some(Command::Connect { .. } | Command::TrustAndConnect { .. }) => {}
                Some(command) => { let _ = queue.send(command); }
            },
        }
    }
}

/// The model's view of a client core event (`None`: nothing to show). Saves login tokens and
/// follows this user's name.
fn report(event: ChatEvent, server: &str, name: &mut String, tokens: &TokenStore) -> Option<NetEvent> {
    match event {
        ChatEvent::TokenIssued { name: owner, token, ts } => match tokens.save(server, &owner, &token) {
            Ok(()) => Some(NetEvent::TokenStored { name: owner, ts }),
            Err(e) => Some(NetEvent::CommandFailed(format!(
                "This device could not keep the login for {owner}, so the password will be asked \
                 for next time: {e}"
            ))),
        },
        event => {
            if let ChatEvent::Renamed { new, .. } = &event {
                *name = new.clone();
            }
            net_event(event)
        }
    }
}

/// Runs the views' commands in order; reports each message handed to the client core (it is
/// pending until its echo) and each command it refused.
async fn send_commands(client: Resilient, mut queued: mpsc::UnboundedReceiver<Command>, events: Reporter) {
    while let Some(command) = queued.recv().await {
        match execute(&client, command).await {
            Ok(Some(sending)) => events.send(NetEvent::Sending(sending)).await,
            Ok(None) => {}
            Err(message) => events.send(NetEvent::CommandFailed(message)).await,
        }
    }
}

/// Hands one command to the client core; a message comes back as the line now pending, a
/// refusal (before anything was sent) in words.
async fn execute(client: &Resilient, command: Command) -> Result<Option<PendingLine>, String> {
    let failed = |e: ClientError| e.to_string();
    let done = match command {
        Command::Say { room, text } => {
            let client_msg_id = client.say(&room, &text).await.map_err(failed)?;
            return Ok(Some(PendingLine { client_msg_id, to: Target::Room(room), text }));
        }
        Command::Direct { to, text } => {
            let client_msg_id = client.direct(&to, &text).await.map_err(failed)?;
            return Ok(Some(PendingLine { client_msg_id, to: Target::Direct(to), text }));
        }
        Command::Join { room, topic } => client.join(&room, topic.as_deref()).await,
        Command::Leave { room } => client.leave(&room).await,
        Command::Nick { name } => client.nick(&name).await,
        Command::History { room, before, limit } => client.history(&room, before, limit).await,
        Command::SetPassword { password } => client.set_password(password.expose()).await,
        Command::Connect { .. } | Command::TrustAndConnect { .. } | Command::Quit => Ok(()),
    };
    done.map(|()| None).map_err(failed)
}

/// Leaves cleanly: commands not sent yet are dropped, the server is told (briefly waited for).
async fn quit(client: &Resilient, sender: JoinHandle<()>) {
    sender.abort();
    let _ = tokio::time::timeout(QUIT_WAIT, client.quit()).await;
}

fn forget(tokens: &TokenStore, server: &str, name: &str) {
    if let Err(e) = tokens.forget(server, name) {
        tracing::warn!(error = %e, "cannot forget a refused saved login");
    }
}
