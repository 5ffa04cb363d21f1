//! The login form: what the user typed, what is wrong with it, and the server-identity
//! questions (trust a new server, refuse a changed one). The password is optional: it is
//! needed only for a claimed name this device has no saved login for.

use anseo_shared::protocol::normalize_name;
use anseo_shared::trust::Fingerprint;

use super::{LoginFailure, Secret};

/// The state of the login screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginForm {
    pub name: String,
    /// `HOST:PORT`.
    pub server: String,
    /// A fingerprint given on the command line: the server must present exactly this one.
    /// In the browser, the fingerprint of the page's own server, shown for comparing.
    pub pin: Option<Fingerprint>,
    /// The pin came from an invite link typed or pasted into the server field (another
    /// address typed there drops it).
    pub pin_from_link: bool,
    /// The server is the one that served this page (the web client): there is no address
    /// to type, and the browser checked its certificate.
    pub page_server: bool,
    /// What is wrong with the name, checked as the user types (same rules as the server).
    pub name_error: Option<String>,
    /// What is wrong with the address, checked as the user types.
    pub server_error: Option<String>,
    /// For a claimed name: empty means "use the login saved on this device, if any".
    pub password: Secret,
    /// Why the password is needed or was refused, in words; the field takes the focus.
    pub password_error: Option<String>,
    /// Why the last attempt failed, in words.
    pub error: Option<String>,
    /// A connection attempt is under way.
    pub connecting: bool,
    /// The server is not known yet: ask the user to compare its fingerprint.
    pub trust_prompt: Option<TrustPrompt>,
    /// The server presented a different certificate than before: refuse and warn.
    pub certificate_warning: Option<CertificateWarning>,
    /// Servers announcing themselves on this network, as last heard (desktop).
    pub discovered: Vec<Discovered>,
    /// Why this device cannot look for servers on the network, if it cannot.
    pub discovery_error: Option<String>,
}

/// A server that announced itself on the network: a hint, never trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The name it shows.
    pub name: String,
    /// `HOST:PORT` to dial.
    pub server: String,
    /// The fingerprint it announced (not checked: anyone can announce anything).
    pub announced: Option<Fingerprint>,
    /// This device already trusts a certificate for that address.
    pub known: bool,
}

/// "Do you trust this server?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPrompt {
    pub server: String,
    pub fingerprint: Fingerprint,
    /// The fingerprint the server announced on the network, when it was found there.
    pub announced: Option<Fingerprint>,
}

impl TrustPrompt {
    /// What the announcement says about the presented certificate, if the server was found
    /// on the network.
    pub fn announcement(&self) -> Option<&'static str> {
        Some(match self.announced? == self.fingerprint {
            true => {
                "It matches the fingerprint the server announced on this network (compare it with the banner all the same: an announcement proves nothing)."
            }
            false => {
                "It does NOT match the fingerprint announced on this network for this server: someone may be pretending to be it. Do not trust it unless it matches the server's banner."
            }
        })
    }
}

/// The server's certificate is not the one expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateWarning {
    pub server: String,
    pub expected: Fingerprint,
    pub actual: Fingerprint,
}

impl LoginForm {
    /// Records a keystroke in the name field and re-checks it.
    pub fn edit_name(&mut self, name: String) {
        self.name_error = name_problem(&name);
        self.name = name;
        self.error = None;
        self.password_error = None;
    }

    /// Records a keystroke in the password field.
    pub fn edit_password(&mut self, password: Secret) {
        self.password = password;
        self.password_error = None;
        self.error = None;
    }

    /// The password to log in with, if one was typed.
    pub fn typed_password(&self) -> Option<Secret> {
        (!self.password.is_empty()).then(|| self.password.clone())
    }

    /// Records a keystroke in the address field and re-checks it.
    /// The server field changed: an address, or an invite link (which also pins the
    /// certificate it names).
    pub fn edit_server(&mut self, server: String) {
        self.error = None;
        self.certificate_warning = None;
        let looks_like_link = server.contains("://");
        match server.parse::<anseo_shared::trust::Invite>() {
            Ok(invite) => {
                self.server_error = None;
                self.server = invite.server;
                self.pin = Some(invite.fingerprint);
                self.pin_from_link = true;
                return;
            }
            Err(problem) if looks_like_link => {
                self.server_error = Some(format!("This invite link cannot be used: {problem}."));
            }
            Err(_) => self.server_error = server_problem(&server),
        }
        if self.pin_from_link {
            self.pin = None;
            self.pin_from_link = false;
        }
        self.server = server;
    }

    /// Whether the form may be submitted; sets the field errors when not.
    pub fn validate(&mut self) -> bool {
        self.name_error = name_problem(&self.name);
        self.server_error = server_problem(&self.server);
        self.name_error.is_none() && self.server_error.is_none()
    }

    /// Shows why connecting failed.
    pub fn fail(&mut self, failure: LoginFailure) {
        self.connecting = false;
        match failure {
            LoginFailure::UnknownServer { server, fingerprint } => {
                let announced = self
                    .discovered
                    .iter()
                    .find(|found| found.server == server)
                    .and_then(|found| found.announced);
                self.trust_prompt = Some(TrustPrompt { server, fingerprint, announced });
            }
            LoginFailure::CertificateChanged { server, expected, actual } => {
                let server = if server.is_empty() { self.server.trim().to_string() } else { server };
                self.certificate_warning = Some(CertificateWarning { server, expected, actual });
            }
            LoginFailure::NameTaken(name) => {
                self.name_error = Some(format!("'{name}' is already taken; choose another name"));
            }
            LoginFailure::InvalidName(reason) => self.name_error = Some(format!("not allowed: {reason}")),
            LoginFailure::Other(message) => self.error = Some(capitalize(&message)),
            failure @ (LoginFailure::PasswordRequired(_)
            | LoginFailure::WrongPassword { .. }
            | LoginFailure::AccountRequired(_)
            | LoginFailure::InvalidPassword(_)
            | LoginFailure::SavedLoginRefused(_)) => self.password_error = password_message(failure),
        }
    }
}

/// What to say under the password field for a refused login.
fn password_message(failure: LoginFailure) -> Option<String> {
    let message = match failure {
        LoginFailure::PasswordRequired(name) => format!("The name '{name}' is claimed: enter its password"),
        LoginFailure::WrongPassword { name, retry_after_ms: 0 } => {
            format!("Wrong password for '{name}'; check it and try again")
        }
        LoginFailure::WrongPassword { name, retry_after_ms } => {
            format!("Wrong password for '{name}'; try again in {} s", retry_after_ms.div_ceil(1000))
        }
        LoginFailure::AccountRequired(name) => {
            format!("This server only accepts claimed names: enter a password to claim '{name}'")
        }
        LoginFailure::InvalidPassword(reason) => capitalize(&reason),
        LoginFailure::SavedLoginRefused(name) => format!(
            "The login kept on this device for '{name}' is no longer accepted (was the password \
             changed?): enter its password"
        ),
        _ => return None,
    };
    Some(message)
}

/// What is wrong with a name, in words, or `None`. An empty field gets no complaint until the
/// form is submitted (see [`LoginForm::validate`]).
fn name_problem(name: &str) -> Option<String> {
    normalize_name(name.trim()).err().map(|e| capitalize(&e.to_string()))
}

fn server_problem(server: &str) -> Option<String> {
    let server = server.trim();
    if server.is_empty() {
        return Some("Enter the server address, e.g. 192.168.1.5:4433".into());
    }
    match server.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => None,
        _ => Some("Expected HOST:PORT, e.g. 192.168.1.5:4433".into()),
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
