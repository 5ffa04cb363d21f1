//! Accounts: a name claimed with a password can only be used with that password (or a login
//! token the server gave a device). Unclaimed names work as before, unless the server requires
//! accounts.
//!
//! Checking happens before the login: [`Accounts::admit`] decides, from the store, whether the
//! name is open, to be claimed, or verified. Claiming happens only after the login succeeded,
//! so nobody can claim the name of someone who is online with it. Password hashing (argon2id,
//! deliberately slow) and store reads run on blocking threads; writes go through the store's
//! writer and are awaited.

mod secret;
mod throttle;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anseo_shared::protocol::{Credential, Rejection, fold_name, validate_password};

use crate::hub::now_ms;
use crate::store::{Store, StoreError, StoreWriter, StoredDirect, WriteOp};
use throttle::Throttle;

/// What a login may do, once the hub accepts the name.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// The name is not claimed: log in by name.
    Open,
    /// The name is not claimed and a password came with the login: claim it after the login.
    Claim(String),
    /// The name is claimed and the credential is right; a password login gets a new token.
    Verified { issue_token: bool },
}

/// Claiming, changing a password or issuing a token failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the account could not be saved; try again in a moment")]
    Store,
    #[error("the password could not be processed: {0}")]
    Hash(String),
}

/// The accounts of one server.
pub struct Accounts {
    reader: Arc<Mutex<Store>>,
    writer: StoreWriter,
    throttle: Mutex<Throttle>,
    /// Only claimed names may log in.
    require: bool,
}

impl Accounts {
    /// Accounts read through `reader` (its own connection) and written through `writer`.
    pub fn new(reader: Store, writer: StoreWriter, require: bool) -> Accounts {
        Accounts { reader: Arc::new(Mutex::new(reader)), writer, throttle: Mutex::default(), require }
    }

    /// Whether only claimed names may log in.
    pub fn required(&self) -> bool {
        self.require
    }

    /// Decides whether `name` may log in from `address` with `credential`.
    pub async fn admit(
        &self,
        name: &str,
        credential: Option<Credential>,
        address: IpAddr,
    ) -> Result<Admission, Rejection> {
        let key = fold_name(name);
        let wrong = |retry_after_ms| Rejection::WrongPassword { name: name.to_string(), retry_after_ms };
        if let Some(wait) = self.throttle().blocked(&key, address, Instant::now()) {
            return Err(wrong(wait.as_millis() as u64));
        }
        let unavailable = |error: StoreError| {
            tracing::error!(%error, "could not read an account");
            Rejection::Unavailable { reason: "the account could not be read".into() }
        };
        let stored = self.read(move |store| store.password_hash(&key)).await.map_err(unavailable)?;
        let key = fold_name(name);
        let by_password = matches!(credential, Some(Credential::Password(_)));
        let verified = match (stored, credential) {
            (None, None) if self.require => return Err(Rejection::AccountRequired { name: name.into() }),
            (None, None) => return Ok(Admission::Open),
            (None, Some(Credential::Password(password))) => {
                validate_password(&password)
                    .map_err(|e| Rejection::InvalidPassword { reason: e.to_string() })?;
                return Ok(Admission::Claim(password));
            }
            (Some(_), None) => return Err(Rejection::PasswordRequired { name: name.into() }),
            // A token for a name without an account: from an account that no longer exists.
            (None, Some(Credential::Token(_))) => false,
            (Some(hash), Some(Credential::Password(password))) => {
                let matches =
                    tokio::task::spawn_blocking(move || secret::password_matches(&password, &hash)).await;
                matches.unwrap_or(false)
            }
            (Some(_), Some(Credential::Token(token))) => {
                let hash = secret::token_hash(&token);
                let lookup_key = key.clone();
                self.read(move |store| store.token_is_valid(&lookup_key, &hash)).await.map_err(unavailable)?
            }
        };
        if !verified {
            let wait = self.throttle().failed(&key, address, Instant::now());
            tracing::warn!("wrong password for {name} from {address}");
            return Err(wrong(wait.as_millis() as u64));
        }
        self.throttle().succeeded(&key);
        Ok(Admission::Verified { issue_token: by_password })
    }

    /// Claims `name` with `password`, or sets its new password (revoking every token), and
    /// returns a token for this device.
    pub async fn set_password(&self, name: &str, password: String) -> Result<String, AccountError> {
        let hash = tokio::task::spawn_blocking(move || secret::hash_password(&password))
            .await
            .map_err(|_| AccountError::Hash("hashing stopped".into()))?
            .map_err(AccountError::Hash)?;
        let op = WriteOp::SetPassword {
            name_key: fold_name(name),
            name: name.to_string(),
            password_hash: hash,
            now_ms: now_ms(),
        };
        self.write(op).await?;
        self.issue_token(name).await
    }

    /// A new login token for the claimed `name`.
    pub async fn issue_token(&self, name: &str) -> Result<String, AccountError> {
        let token = secret::new_token().map_err(AccountError::Hash)?;
        let op = WriteOp::AddToken {
            name_key: fold_name(name),
            token_hash: secret::token_hash(&token),
            now_ms: now_ms(),
        };
        self.write(op).await?;
        Ok(token)
    }

    /// Direct messages that waited for `name` while it was offline, oldest first (at most
    /// 1,000 per login). Read after every write queued before, so none sent before the login
    /// is missed; [`Accounts::delivered`] marks them handed over.
    pub async fn waiting_directs(&self, name: &str) -> Vec<StoredDirect> {
        let (committed_tx, committed) = tokio::sync::oneshot::channel();
        let queued = self.writer.after_queued_writes(move || {
            let _ = committed_tx.send(());
        });
        if queued.is_err() || committed.await.is_err() {
            return Vec::new();
        }
        let key = fold_name(name);
        self.read(move |store| store.pending_directs(&key, 1000)).await.unwrap_or_else(|error| {
            tracing::error!(%error, "could not read waiting direct messages");
            Vec::new()
        })
    }

    /// The direct messages `ids` reached their recipient.
    pub async fn delivered(&self, ids: Vec<u64>) {
        if !ids.is_empty() && self.write(WriteOp::Delivered { ids }).await.is_err() {
            tracing::error!("could not mark direct messages delivered; they will be delivered again");
        }
    }

    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reader = self.reader.clone();
        let read = tokio::task::spawn_blocking(move || {
            let store = reader.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            query(&store)
        });
        read.await.unwrap_or_else(|_| Err(StoreError::Gone))
    }

    async fn write(&self, op: WriteOp) -> Result<(), AccountError> {
        let (done_tx, done) = tokio::sync::oneshot::channel();
        self.writer
            .submit(op, move |committed| {
                let _ = done_tx.send(committed);
            })
            .map_err(|_| AccountError::Store)?;
        match done.await {
            Ok(true) => Ok(()),
            _ => Err(AccountError::Store),
        }
    }

    fn throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.throttle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
