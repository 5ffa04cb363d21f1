//! Connecting with the right trust: the pinned fingerprint if one was given, else the
//! known-servers file. A server not in that file is trusted only with `--trust-new` or after a
//! "yes" at a prompt (only when stdin is a terminal), then remembered and connected to again
//! with its fingerprint pinned. A changed certificate is always refused.
//!
//! The session is resilient: a lost connection is re-established by itself (see
//! [`anseo_shared::client::Resilient`]); a server that says it is shutting down ends it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anseo_shared::client::{
    ChatEvent, ConnectError, ConnectOptions, Resilient, ResumeOptions, Trust, connect_resilient,
};
use anseo_shared::protocol::Welcome;
use anseo_shared::protocol::{Credential, normalize_name};
use anseo_shared::trust::{Fingerprint, KnownServers};
use tokio::sync::mpsc;

use crate::args::Args;
use crate::status::{Failure, Status};

/// A logged-in session.
pub struct LoggedIn {
    pub client: Resilient,
    pub welcome: Welcome,
    pub events: mpsc::Receiver<ChatEvent>,
}

/// Connects and logs in as `args.name`. Following an invite link, the server is remembered
/// in the known-servers file once it has shown the certificate the link pins.
pub async fn login(args: &Args) -> Result<LoggedIn, Failure> {
    if let Err(error) = normalize_name(args.name()) {
        let reason = format!("the name is not allowed: {error}");
        return Err(Failure::new(Status::NameRejected, "invalid_name", reason));
    }
    let known_servers = args.known_servers.clone().unwrap_or_else(KnownServers::default_path);
    let trust = match args.pin() {
        Some(fingerprint) => Trust::Pinned(fingerprint),
        None => Trust::KnownServers(known_servers.clone()),
    };
    let credential = password(args)
        .map_err(|reason| Failure::new(Status::BadArguments, "password", reason))?
        .map(Credential::Password);
    let connect = |trust| {
        let options = ConnectOptions::new(args.server(), args.name(), trust);
        let options = match &credential {
            Some(credential) => options.with_credential(credential.clone()),
            None => options,
        };
        async move {
            let (client, welcome, events) =
                connect_resilient(ResumeOptions { connect: options, reconnect_after_shutdown: false })
                    .await?;
            Ok::<_, ConnectError>(LoggedIn { client, welcome, events })
        }
    };
    let error = match connect(trust).await {
        Ok(logged_in) => {
            if let Some(invite) = &args.link {
                remember(&known_servers, &invite.server, invite.fingerprint);
            }
            return Ok(logged_in);
        }
        Err(error) => error,
    };
    match error {
        ConnectError::UnknownServer { server, fingerprint } => {
            trust_first_use(args, &known_servers, &server, fingerprint).await?;
            connect(Trust::Pinned(fingerprint)).await.map_err(|error| Failure::connect(error, None))
        }
        error @ ConnectError::CertificateChanged { .. } => {
            let hint = format!(
                "if the server's certificate was really replaced, delete its line from {}",
                known_servers.display()
            );
            Err(Failure::connect(error, Some(hint)))
        }
        error => Err(Failure::connect(error, None)),
    }
}

/// The password from `--password-file` or `--ask-password`, if either was given; the error
/// says why it could not be read.
fn password(args: &Args) -> Result<Option<String>, String> {
    if let Some(file) = &args.password_file {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read the password file {}: {e}", file.display()))?;
        let first = text.lines().next().unwrap_or_default().to_string();
        if first.is_empty() {
            return Err(format!("the password file {} is empty", file.display()));
        }
        return Ok(Some(first));
    }
    if args.ask_password {
        let prompt = format!("password for {}: ", args.name());
        return rpassword::prompt_password(prompt)
            .map(Some)
            .map_err(|e| format!("cannot read the password from the terminal: {e}"));
    }
    Ok(None)
}

/// Adds the server an invite link pinned to the known-servers file (a warning if it cannot).
fn remember(path: &std::path::Path, server: &str, fingerprint: anseo_shared::trust::Fingerprint) {
    let remembered = KnownServers::load(path).and_then(|mut known| known.remember(server, fingerprint));
    if let Err(error) = remembered {
        tracing::warn!(%error, "cannot remember the server in the known-servers file");
    }
}

/// Decides whether to trust a server met for the first time, and remembers it if so.
async fn trust_first_use(
    args: &Args,
    known_servers: &Path,
    server: &str,
    fingerprint: Fingerprint,
) -> Result<(), Failure> {
    let refused = |hint: String| {
        let error = ConnectError::UnknownServer { server: server.to_string(), fingerprint };
        Failure::connect(error, Some(hint))
    };
    let trusted = if args.trust_new {
        true
    } else if std::io::stdin().is_terminal() {
        ask(server.to_string(), fingerprint, known_servers.to_path_buf()).await
    } else {
        return Err(refused(
            "if it matches the fingerprint in the server's banner, run again with --trust-new \
             (or --fingerprint HEX)"
                .to_string(),
        ));
    };
    if !trusted {
        return Err(refused("you chose not to trust it".to_string()));
    }
    let remembered =
        KnownServers::load(known_servers).and_then(|mut known| known.remember(server, fingerprint));
    if let Err(error) = remembered {
        return Err(Failure::new(Status::Other, "known_servers", error.to_string()));
    }
    eprintln!("anseo-cli: trusting {server} from now on (remembered in {})", known_servers.display());
    Ok(())
}

/// Shows the fingerprint on stderr and asks the person at the terminal; only "y"/"yes" trusts.
async fn ask(server: String, fingerprint: Fingerprint, file: PathBuf) -> bool {
    let question = move || {
        let indented: Vec<String> = fingerprint.grouped().lines().map(|l| format!("    {l}")).collect();
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "{server} is not a known server. Its certificate fingerprint (SHA-256) is:\n{}\n\
             Compare it with the fingerprint in the server's banner (or `anseo-server fingerprint` \
             on the server machine).\nTrust this server and remember it in {}? [y/N] ",
            indented.join("\n"),
            file.display()
        );
        let _ = stderr.flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
    };
    tokio::task::spawn_blocking(question).await.unwrap_or(false)
}
