//! What the root component starts with: the login form pre-filled from the command line,
//! else from the last login, and where the app keeps its files.

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
    pub fn from_args(args: Args) -> Self {
        let paths = network::Paths::default();
        let last = LastLogin::load(&paths.last_login);
        let name = args.name.unwrap_or(last.name);
        let server = args.server.unwrap_or(last.server);
        Startup { model: Model::new(name, server, args.fingerprint), paths }
    }
}
