//! Group commit: one thread owns the writing connection, takes everything queued, writes it in
//! one transaction, then runs each write's completion in order. Each write has a savepoint of
//! its own, so one that fails (its completion is told) does not undo the others. Completions
//! must not block for long (they hand frames to bounded queues).

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use super::{Store, WriteOp};

/// Writes waiting for the writer thread, at most; beyond that the server is too busy.
const QUEUE: usize = 64 * 1024;
/// Writes in one transaction, at most.
const BATCH: usize = 4096;

/// What runs after a write committed (`true`) or failed (`false`).
pub type Completion = Box<dyn FnOnce(bool) + Send>;

struct Job {
    /// None for a barrier: nothing to write, `done` just runs after everything before it.
    op: Option<WriteOp>,
    done: Completion,
}

/// The writer queue was full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy writing; try again in a moment")]
pub struct StoreBusy;

/// The handle for queueing writes. Dropping every handle lets the thread finish the queue and
/// exit; join it to be sure everything is on disk.
#[derive(Clone)]
pub struct StoreWriter {
    jobs: SyncSender<Job>,
}

impl StoreWriter {
    /// Starts the writer thread on `store`.
    pub fn spawn(store: Store) -> (StoreWriter, JoinHandle<()>) {
        let (jobs, queue) = sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || write_loop(store, queue))
            .expect("spawn the store writer thread");
        (StoreWriter { jobs }, thread)
    }

    /// Queues a write without blocking; `done` runs on the writer thread after the commit.
    pub fn submit(&self, op: WriteOp, done: impl FnOnce(bool) + Send + 'static) -> Result<(), StoreBusy> {
        self.queue(Job { op: Some(op), done: Box::new(done) })
    }

    /// Runs `done` on the writer thread once every write queued before it has been committed
    /// (or has failed): what a reader waits for to see everything accepted so far.
    pub fn after_queued_writes(&self, done: impl FnOnce() + Send + 'static) -> Result<(), StoreBusy> {
        self.queue(Job { op: None, done: Box::new(move |_| done()) })
    }

    fn queue(&self, job: Job) -> Result<(), StoreBusy> {
        match self.jobs.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(StoreBusy),
        }
    }
}

fn write_loop(mut store: Store, queue: Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = write(&mut store, &batch);
        for (job, committed) in batch.into_iter().zip(outcomes) {
            (job.done)(committed);
        }
    }
}

/// Writes the batch; returns, for each job, whether its write was committed (a barrier
/// counts as committed when the transaction was).
fn write(store: &mut Store, batch: &[Job]) -> Vec<bool> {
    let outcomes = match store.write_batch(batch.iter().filter_map(|job| job.op.as_ref())) {
        Ok(outcomes) => outcomes,
        Err(error) => {
            tracing::error!(%error, writes = batch.len(), "could not write to the store");
            return vec![false; batch.len()];
        }
    };
    let mut outcomes = outcomes.into_iter();
    batch
        .iter()
        .map(|job| {
            if job.op.is_none() {
                return true;
            }
            match outcomes.next() {
                Some(Ok(())) => true,
                Some(Err(error)) => {
                    tracing::error!(%error, "could not write to the store");
                    false
                }
                None => false,
            }
        })
        .collect()
}
