//! Accounts: a name claimed with a password can only be used with that password (or a login
//! token the server gave a device). Unclaimed names work as before, unless the server requires
//! accounts.
//!
//! Checking happens before the login: [`Accounts::admit`] decides, from the store, whether the
//! name is open, to be claimed, or verified. Claiming happens only after the login succeeded,
//! so nobody can claim the name of someone who is online with it. Password hashing (argon2id,
//! deliberately slow) and store reads run on blocking threads; writes go through the store's
//! writer and are awaited.
//!
//! Hashing is costly (19 MiB and a core for a while each), so only [`HASHING_AT_ONCE`] run at
//! once, and one address may claim names or set passwords only so often
//! ([`PASSWORD_SETS`]). Wrong passwords are slowed down per name and per address
//! ([`throttle`]); login tokens are not, so a name's owner is never kept out by someone else
//! guessing its password.

mod secret;
mod throttle;
mod waiting;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anseo_shared::protocol::{Credential, Rejection, fold_name, validate_password};
use tokio::sync::Semaphore;

use crate::clock::now_ms;
use crate::limits::{AddressBuckets, RateLimit};
use crate::store::{Store, StoreError, StoreWriter, StoredDirect, WriteOp};
use throttle::Throttle;
pub use waiting::{MAX_WAITING, Place, WaitingDirects};

/// Password hashes computed at once, at most; more wait their turn.
pub const HASHING_AT_ONCE: usize = 2;

/// How often one address may claim a name or set a password: 10 at once, then one every 6 s.
pub const PASSWORD_SETS: RateLimit = RateLimit { burst: 10, per_sec: 1.0 / 6.0 };

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
    #[error("too many passwords set from your address; try again in {0} s")]
    TooManyFromAddress(u64),
}

/// The accounts of one server.
pub struct Accounts {
    reader: Arc<Mutex<Store>>,
    writer: StoreWriter,
    throttle: Mutex<Throttle>,
    /// Turns for hashing a password.
    hashing: Semaphore,
    /// Claims and password changes per address.
    password_sets: Mutex<AddressBuckets>,
    /// Direct messages waiting per offline name.
    waiting: Arc<WaitingDirects>,
    /// Only claimed names may log in.
    require: bool,
}

impl Accounts {
    /// Accounts read through `reader` (its own connection) and written through `writer`, with
    /// the direct messages `waiting` for offline names.
    pub fn new(reader: Store, writer: StoreWriter, waiting: WaitingDirects, require: bool) -> Accounts {
        Accounts {
            waiting: Arc::new(waiting),
            reader: Arc::new(Mutex::new(reader)),
            writer,
            throttle: Mutex::default(),
            hashing: Semaphore::new(HASHING_AT_ONCE),
            password_sets: Mutex::new(AddressBuckets::new(PASSWORD_SETS)),
            require,
        }
    }

    /// Whether only claimed names may log in.
    pub fn required(&self) -> bool {
        self.require
    }

    /// The direct messages waiting per offline name (shared with the writes' completions).
    pub fn waiting(&self) -> &Arc<WaitingDirects> {
        &self.waiting
    }

    /// Decides whether `name` may log in from `address` with `credential`.
    pub async fn admit(
        &self,
        name: &str,
        credential: Option<Credential>,
        address: IpAddr,
    ) -> Result<Admission, Rejection> {
        let key = fold_name(name);
        let lookup = key.clone();
        let stored = self.read(move |store| store.password_hash(&lookup)).await.map_err(unreadable)?;
        match (stored, credential) {
            (None, None) if self.require => Err(Rejection::AccountRequired { name: name.into() }),
            (None, None) => Ok(Admission::Open),
            (None, Some(Credential::Password(password))) => {
                validate_password(&password)
                    .map_err(|e| Rejection::InvalidPassword { reason: e.to_string() })?;
                self.may_set_password(address)
                    .map_err(|error| Rejection::Unavailable { reason: error.to_string() })?;
                Ok(Admission::Claim(password))
            }
            (Some(_), None) => Err(Rejection::PasswordRequired { name: name.into() }),
            // A token for a name without an account: from an account that no longer exists.
            (None, Some(Credential::Token(_))) => Err(wrong_password(name, Duration::ZERO)),
            (Some(hash), Some(Credential::Password(password))) => {
                self.check_password(name, &key, hash, password, address).await
            }
            (Some(_), Some(Credential::Token(token))) => self.check_token(name, key, &token).await,
        }
    }

    /// A password login: counted against the name and the address before it is checked.
    async fn check_password(
        &self,
        name: &str,
        key: &str,
        hash: String,
        password: String,
        address: IpAddr,
    ) -> Result<Admission, Rejection> {
        let wait_if_wrong = self
            .throttle()
            .attempt(key, address, Instant::now())
            .map_err(|wait| wrong_password(name, wait))?;
        let matches = self.hash(move || secret::password_matches(&password, &hash)).await;
        if !matches.unwrap_or(false) {
            tracing::warn!("wrong password for {name:?} from {address}");
            return Err(wrong_password(name, wait_if_wrong));
        }
        self.throttle().succeeded(key, address, Instant::now());
        Ok(Admission::Verified { issue_token: true })
    }

    /// A token login: never slowed down, so nobody can keep the owner out by guessing.
    async fn check_token(&self, name: &str, key: String, token: &str) -> Result<Admission, Rejection> {
        let hash = secret::token_hash(token);
        let valid = self.read(move |store| store.token_is_valid(&key, &hash)).await.map_err(unreadable)?;
        if !valid {
            tracing::info!("a revoked or unknown token for {name:?}");
            return Err(wrong_password(name, Duration::ZERO));
        }
        Ok(Admission::Verified { issue_token: false })
    }

    /// Takes the turn of `address` to claim a name or set a password, if it has one.
    pub fn may_set_password(&self, address: IpAddr) -> Result<(), AccountError> {
        let mut buckets = self.password_sets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        buckets
            .take(address, Instant::now())
            .map_err(|wait| AccountError::TooManyFromAddress(wait.as_secs_f64().ceil() as u64))
    }

    /// Claims `name` with `password`, or sets its new password (revoking every token), and
    /// returns a token for this device.
    pub async fn set_password(&self, name: &str, password: String) -> Result<String, AccountError> {
        let hash = self
            .hash(move || secret::hash_password(&password))
            .await
            .ok_or_else(|| AccountError::Hash("hashing stopped".into()))?
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

    /// Up to `limit` direct messages that waited for `name` while it was offline, oldest
    /// first. Read after every write queued before, so none sent before the login is missed;
    /// [`Accounts::delivered`] marks them handed over.
    pub async fn waiting_directs(&self, name: &str, limit: u32) -> Vec<StoredDirect> {
        let (committed_tx, committed) = tokio::sync::oneshot::channel();
        let queued = self.writer.after_queued_writes(move || {
            let _ = committed_tx.send(());
        });
        if queued.is_err() || committed.await.is_err() {
            return Vec::new();
        }
        let key = fold_name(name);
        self.read(move |store| store.pending_directs(&key, limit)).await.unwrap_or_else(|error| {
            tracing::error!(%error, "could not read waiting direct messages");
            Vec::new()
        })
    }

    /// The direct messages `ids` reached `name`; returns whether that is recorded.
    pub async fn delivered(&self, name: &str, ids: Vec<u64>) -> bool {
        if ids.is_empty() {
            return true;
        }
        let count = ids.len();
        if self.write(WriteOp::Delivered { ids }).await.is_err() {
            tracing::error!("could not mark direct messages delivered; they will be delivered again");
            return false;
        }
        self.waiting.release(&fold_name(name), count);
        true
    }

    /// Runs password hashing on a blocking thread, once it has one of the turns; `None` if
    /// the work could not finish.
    async fn hash<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let _turn = self.hashing.acquire().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
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

/// The refusal of a wrong password (or token), with the wait before the next try.
fn wrong_password(name: &str, wait: Duration) -> Rejection {
    Rejection::WrongPassword { name: name.to_string(), retry_after_ms: wait.as_millis() as u64 }
}

/// The refusal when the account could not be read.
fn unreadable(error: StoreError) -> Rejection {
    tracing::error!(%error, "could not read an account");
    Rejection::Unavailable { reason: "the account could not be read".into() }
}
