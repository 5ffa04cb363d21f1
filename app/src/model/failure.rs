//! Why a login failed or a session ended, as the model needs it: [`LoginFailure`] (the client
//! core's error is not `Clone`), made from a [`ConnectError`] at login, or from the reason a
//! resilient session gave up with ([`LoginFailure::session_ended`]): a changed certificate
//! still gets the prominent warning, and a refused saved login asks for the password.

use anseo_shared::client::{ConnectError, Disconnect, GaveUp, GaveUpKind};
use anseo_shared::trust::Fingerprint;

/// Why connecting failed, or why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFailure {
    UnknownServer {
        server: String,
        fingerprint: Fingerprint,
    },
    CertificateChanged {
        server: String,
        expected: Fingerprint,
        actual: Fingerprint,
    },
    NameTaken(String),
    InvalidName(String),
    /// The name is claimed and no password (or saved login) came with the login.
    PasswordRequired(String),
    /// The password is wrong; after repeated tries the server asks to wait `retry_after_ms`.
    WrongPassword {
        name: String,
        retry_after_ms: u64,
    },
    /// The server admits claimed names only.
    AccountRequired(String),
    /// The password chosen to claim a name breaks the rules; the reason in words.
    InvalidPassword(String),
    /// The login this device kept for the name is no longer accepted (the password was
    /// changed); it has been forgotten.
    SavedLoginRefused(String),
    /// Anything else, already in words.
    Other(String),
}

impl From<&ConnectError> for LoginFailure {
    fn from(error: &ConnectError) -> Self {
        match error {
            ConnectError::UnknownServer { server, fingerprint } => {
                LoginFailure::UnknownServer { server: server.clone(), fingerprint: *fingerprint }
            }
            ConnectError::CertificateChanged { server, expected, actual } => {
                LoginFailure::CertificateChanged {
                    server: server.clone(),
                    expected: *expected,
                    actual: *actual,
                }
            }
            ConnectError::FingerprintMismatch { expected, actual } => LoginFailure::CertificateChanged {
                server: String::new(),
                expected: *expected,
                actual: *actual,
            },
            ConnectError::NameTaken(name) => LoginFailure::NameTaken(name.clone()),
            ConnectError::InvalidName(reason) => LoginFailure::InvalidName(reason.clone()),
            ConnectError::PasswordRequired(name) => LoginFailure::PasswordRequired(name.clone()),
            ConnectError::WrongPassword { name, retry_after_ms } => {
                LoginFailure::WrongPassword { name: name.clone(), retry_after_ms: *retry_after_ms }
            }
            ConnectError::AccountRequired(name) => LoginFailure::AccountRequired(name.clone()),
            ConnectError::InvalidPassword(reason) => LoginFailure::InvalidPassword(reason.clone()),
            other => LoginFailure::Other(other.to_string()),
        }
    }
}

impl LoginFailure {
    /// Why a logged-in session of `name` on `server` ended for good (it did not or could not
    /// reconnect).
    pub fn session_ended(reason: &Disconnect, server: &str, name: &str) -> Self {
        match reason {
            Disconnect::GaveUp(GaveUp {
                kind: GaveUpKind::CertificateChanged { expected, actual }, ..
            }) => LoginFailure::CertificateChanged {
                server: server.to_string(),
                expected: *expected,
                actual: *actual,
            },
            Disconnect::GaveUp(GaveUp { kind: GaveUpKind::CredentialRefused, .. }) => {
                LoginFailure::SavedLoginRefused(name.to_string())
            }
            // The client core reports some closes by the network as Quit; the user did not quit.
            Disconnect::Quit => LoginFailure::Other("the connection was closed".into()),
            other => LoginFailure::Other(other.to_string()),
        }
    }

    /// Whether this failure of a login with a saved token means the token is no good any
    /// more. A wrong-password answer with a wait may come from a name blocked by others'
    /// guesses without the token being checked, so the token is kept then.
    pub fn refuses_saved_login(&self) -> bool {
        matches!(
            self,
            LoginFailure::PasswordRequired(_)
                | LoginFailure::WrongPassword { retry_after_ms: 0, .. }
                | LoginFailure::SavedLoginRefused(_)
        )
    }
}
