//! Logging in: with the password typed on the form, else with the login this device kept for
//! the server and name (a token), else by name alone. A saved login the server refuses (the
//! password was changed since) is forgotten, and the form asks for the password. What an
//! earlier session of the same name left unconfirmed on this device is sent again.

use anseo_shared::client::{
    Carried, ChatEvent, ConnectError, ConnectOptions, PlatformConnection, Resilient, ResumeOptions, Trust,
    connect_resilient_carrying,
};
use anseo_shared::protocol::{Credential, Welcome};
use tokio::sync::mpsc;

use crate::model::{LoginFailure, Secret};
use crate::tokens::TokenStore;
use crate::unsent::UnsentStore;

/// What the form asked for.
pub struct LoginRequest {
    pub server: String,
    pub name: String,
    pub password: Option<Secret>,
    pub trust: Trust,
}

/// A resilient session, just logged in.
pub struct LoggedIn {
    pub client: Resilient,
    pub welcome: Welcome,
    pub events: mpsc::Receiver<ChatEvent>,
    /// The server address as typed (trimmed): the key for saved logins.
    pub server: String,
    /// The name as typed (trimmed): the other key.
    pub name: String,
}

/// Logs in, reconnecting by itself from then on (also after the server restarts).
pub async fn log_in(
    request: &LoginRequest,
    tokens: &TokenStore,
    unsent: &UnsentStore,
) -> Result<LoggedIn, LoginFailure> {
    let server = request.server.trim().to_string();
    let name = request.name.trim();
    let saved = match &request.password {
        Some(_) => None,
        None => tokens.get(&server, name),
    };
    let credential = match (&request.password, &saved) {
        (Some(password), _) => Some(Credential::Password(password.expose().to_string())),
        (None, Some(token)) => Some(Credential::Token(token.clone())),
        (None, None) => None,
    };
    let mut connect = ConnectOptions::new(&server, name, request.trust.clone());
    connect.credential = credential;
    let options = ResumeOptions { connect, reconnect_after_shutdown: true };
    let carried = unsent.take(&server, name);
    match connect_resilient(options, carried).await {
        Ok((client, welcome, events)) => {
            Ok(LoggedIn { client, welcome, events, server, name: name.to_string() })
        }
        Err(error) => {
            let failure = LoginFailure::from(&error);
            if saved.is_none() || !failure.refuses_saved_login() {
                return Err(failure);
            }
            if let Err(e) = tokens.forget(&server, name) {
                tracing::warn!(error = %e, "cannot forget a refused saved login");
            }
            Err(LoginFailure::SavedLoginRefused(name.to_string()))
        }
    }
}

/// A resilient session over the platform's connection: QUIC natively; in the browser, to
/// the server that served the page over its WebTransport, or its WebSocket.
async fn connect_resilient(
    options: ResumeOptions,
    carried: Option<Carried>,
) -> Result<(Resilient, Welcome, mpsc::Receiver<ChatEvent>), ConnectError> {
    connect_resilient_carrying::<PlatformConnection>(options, carried).await
}
