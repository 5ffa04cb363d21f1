//! Logging in with a credential, and claiming a name, as the account tests need it.

use anseo_shared::client::{ConnectError, ConnectOptions, Connected, Event, connect};
use anseo_shared::protocol::{Credential, ServerMsg};

use super::{TestServer, expect_event};

/// A password credential.
pub fn password(text: &str) -> Credential {
    Credential::Password(text.to_string())
}

/// Logs in as `name`, with `credential` if given; the error if it fails.
pub async fn try_login(
    server: &TestServer,
    name: &str,
    credential: Option<Credential>,
) -> Result<Connected, ConnectError> {
    let mut options = ConnectOptions::new(&server.addr, name, server.trust());
    options.credential = credential;
    connect(&options).await
}

/// Logs in as `name` with `credential`, panicking with the reason if that fails.
pub async fn login_with(server: &TestServer, name: &str, credential: Credential) -> Connected {
    match try_login(server, name, Some(credential)).await {
        Ok(connected) => connected,
        Err(error) => panic!("login as {name} failed: {error}\n{}", server.log()),
    }
}

/// Claims `name` with `secret` and leaves once the claim is done (its token arrived): the
/// claim is hashed after the login, so leaving at once could race it.
pub async fn claim(server: &TestServer, name: &str, secret: &str) {
    let mut client = login_with(server, name, password(secret)).await;
    expect_event(&mut client.events, "the login token", |e| match e {
        Event::Server(ServerMsg::Token { .. }) => Some(()),
        _ => None,
    })
    .await;
    client.client.quit().await;
}
