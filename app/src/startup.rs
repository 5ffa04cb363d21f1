//! What the root component starts with: the login form pre-filled from the command line,
//! else from the last login, and where the app keeps its files.

#[cfg(not(target_arch = "wasm32"))]
use crate::args::Args;
use crate::model::Model;
use crate::network;
use crate::settings::LastLogin;

/// What the root component starts with.
#[derive(Debug, Clone)]
pub struct Startup {
    pub model: Model,
    pub paths: network::Paths,
}

impl Startup {
    /// The login form pre-filled from the command line, else from the last login.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_args(args: Args) -> Self {
        let paths = network::Paths::default();
        let last = LastLogin::load(&paths.last_login);
        let name = args.name.unwrap_or(last.name);
        // On Android the link comes with the intent that opened the app, not the command line.
        #[cfg(target_os = "android")]
        let link = args.link.or_else(crate::android::launch_invite);
        #[cfg(not(target_os = "android"))]
        let link = args.link;
        let (server, pin) = match link {
            Some(invite) => (invite.server, Some(invite.fingerprint)),
            None => (args.server.unwrap_or(last.server), args.fingerprint),
        };
        Startup { model: Model::new(name, server, pin), paths }
    }

    /// The web client's start: the page's own server (its address from the page's, its
    /// fingerprint from the page, where the server wrote it) and the name used last.
    #[cfg(target_arch = "wasm32")]
    pub fn for_page() -> Self {
        let paths = network::Paths::default();
        let last = LastLogin::load(&paths.last_login);
        let window = web_sys::window();
        let host = window.as_ref().and_then(|window| window.location().host().ok()).unwrap_or_default();
        let fingerprint = window
            .and_then(|window| window.document())
            .and_then(|document| document.query_selector("meta[name=anseo-fingerprint]").ok().flatten())
            .and_then(|meta| meta.get_attribute("content"))
            .and_then(|hex| hex.parse().ok());
        Startup { model: Model::for_page(last.name, host, fingerprint), paths }
    }
}
