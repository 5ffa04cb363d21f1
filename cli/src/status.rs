//! Exit codes, and how each failure to connect maps to one. Scripts rely on these numbers:
//! they are documented in `--help` and in `cli/JSON.md`.

use anseo_shared::client::{ConnectError, Disconnect, GaveUp, GaveUpKind};

use crate::output::{Output, Report};

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// The user left with `/quit` or end of input.
    Left = 0,
    /// Anything else went wrong (e.g. the known-servers file cannot be read, stdout closed).
    Other = 1,
    /// The arguments are wrong (clap exits with 2 itself), or the password file is unreadable.
    BadArguments = 2,
    /// The server cannot be reached (unreachable, bad address, name resolution failed).
    CannotConnect = 3,
    /// The server refused the name (taken or invalid) or its password.
    NameRejected = 4,
    /// The server's certificate is not trusted (pin mismatch, changed, unknown and refused).
    Untrusted = 5,
    /// The server ended the session.
    Disconnected = 6,
}

impl Status {
    /// The exit status for a failed connection.
    pub fn of_connect_error(error: &ConnectError) -> Status {
        match error {
            ConnectError::NameTaken(_)
            | ConnectError::InvalidName(_)
            | ConnectError::PasswordRequired(_)
            | ConnectError::WrongPassword { .. }
            | ConnectError::AccountRequired(_)
            | ConnectError::InvalidPassword(_) => Status::NameRejected,
            e if e.is_certificate_problem() => Status::Untrusted,
            ConnectError::Closed(_) => Status::Disconnected,
            ConnectError::KnownServers(_) => Status::Other,
            _ => Status::CannotConnect,
        }
    }

    /// The exit status for a session that ended without the user leaving: a reconnect refused
    /// for the server's certificate or the name's password says so, like a first login would.
    pub fn of_disconnect(reason: &Disconnect) -> Status {
        match reason {
            Disconnect::GaveUp(GaveUp { kind: GaveUpKind::CertificateChanged { .. }, .. }) => {
                Status::Untrusted
            }
            Disconnect::GaveUp(GaveUp { kind: GaveUpKind::CredentialRefused, .. }) => Status::NameRejected,
            _ => Status::Disconnected,
        }
    }
}

/// Why the client stops before chatting: the exit status, and what to tell the user.
#[derive(Debug)]
pub struct Failure {
    pub status: Status,
    /// The one-line reason for stderr (without the `anseo-cli: ` prefix).
    pub reason: String,
    /// What `--json` mode prints on stdout about it.
    pub report: Report,
}

impl Failure {
    pub fn new(status: Status, code: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Failure { status, report: Report::error(code, reason.clone()), reason }
    }

    /// A failed connection, with `hint` appended to its reason when there is something to do.
    pub fn connect(error: ConnectError, hint: Option<String>) -> Self {
        let status = Status::of_connect_error(&error);
        let reason = match hint {
            Some(hint) => format!("{error}; {hint}"),
            None => error.to_string(),
        };
        match error {
            ConnectError::Closed(_) => {
                Failure { status, report: Report::Closed { reason: reason.clone() }, reason }
            }
            error => Failure::new(status, connect_error_code(&error), reason),
        }
    }

    /// Tells the user (stderr, and stdout in `--json` mode) and returns the exit status.
    pub fn finish(self, output: Output) -> Status {
        if output.is_json() {
            // The exit status and stderr already say it: a closed stdout changes nothing.
            let _ = output.print(&self.report);
        }
        // The reason may quote what the server said: escaped, like every text from it.
        eprintln!("anseo-cli: {}", crate::output::escape(&self.reason));
        self.status
    }
}

/// The machine-readable code of a failed connection, for the `error` object in `--json` mode.
pub fn connect_error_code(error: &ConnectError) -> &'static str {
    match error {
        ConnectError::BadAddress(_) => "bad_address",
        ConnectError::Resolve { .. } => "unresolved",
        ConnectError::Unreachable { .. } => "unreachable",
        ConnectError::NameTaken(_) => "name_taken",
        ConnectError::InvalidName(_) => "invalid_name",
        ConnectError::UnsupportedVersion { .. } => "unsupported_version",
        ConnectError::ServerFull => "server_full",
        ConnectError::PasswordRequired(_) => "password_required",
        ConnectError::WrongPassword { .. } => "wrong_password",
        ConnectError::AccountRequired(_) => "account_required",
        ConnectError::InvalidPassword(_) => "invalid_password",
        ConnectError::Unavailable(_) => "unavailable",
        ConnectError::UnknownServer { .. } => "unknown_server",
        ConnectError::CertificateChanged { .. } => "certificate_changed",
        ConnectError::FingerprintMismatch { .. } => "fingerprint_mismatch",
        ConnectError::Closed(_) => "closed",
        ConnectError::KnownServers(_) => "known_servers",
        ConnectError::Socket(_) | ConnectError::Failed { .. } => "cannot_connect",
    }
}

#[cfg(test)]
mod tests {
    use anseo_shared::trust::Fingerprint;

    use super::*;

    #[test]
    fn each_failure_has_its_documented_code() {
        let fp = Fingerprint::of_der(b"x");
        let cases = [
            (ConnectError::BadAddress("x".into()), Status::CannotConnect),
            (ConnectError::Unreachable { server: "a:1".into(), secs: 5 }, Status::CannotConnect),
            (ConnectError::Resolve { server: "a:1".into(), reason: "no".into() }, Status::CannotConnect),
            (ConnectError::NameTaken("bob".into()), Status::NameRejected),
            (ConnectError::InvalidName("bad".into()), Status::NameRejected),
            (ConnectError::UnknownServer { server: "a:1".into(), fingerprint: fp }, Status::Untrusted),
            (ConnectError::FingerprintMismatch { expected: fp, actual: fp }, Status::Untrusted),
            (
                ConnectError::CertificateChanged { server: "a:1".into(), expected: fp, actual: fp },
                Status::Untrusted,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(Status::of_connect_error(&error), status, "{error}");
        }
    }

    #[test]
    fn a_session_that_gives_up_exits_like_the_login_that_failed() {
        let fp = Fingerprint::of_der(b"x");
        let gave_up = |error: ConnectError| Disconnect::GaveUp(GaveUp::from(&error));
        let changed = ConnectError::CertificateChanged { server: "a:1".into(), expected: fp, actual: fp };
        assert_eq!(Status::of_disconnect(&gave_up(changed)), Status::Untrusted);
        let refused = ConnectError::PasswordRequired("bob".into());
        assert_eq!(Status::of_disconnect(&gave_up(refused)), Status::NameRejected);
        let renamed = ConnectError::InvalidName("bad".into());
        assert_eq!(Status::of_disconnect(&gave_up(renamed)), Status::Disconnected);
        assert_eq!(Status::of_disconnect(&Disconnect::TimedOut), Status::Disconnected);
    }
}
