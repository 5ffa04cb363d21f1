//! The data folder: private to the server's user (the folder 0700, the database and its WAL
//! files 0600, whatever the umask), and used by one server at a time (`anseo.lock`, locked
//! while the server runs and holding its process id, so a second server names the first).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::StoreError;

/// The lock file's name in the data folder.
const LOCK_FILE: &str = "anseo.lock";

/// The data folder's mode on Unix: the owner only.
#[cfg(unix)]
const FOLDER_MODE: u32 = 0o700;

/// The mode of the files in it on Unix: the owner only.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// The data folder, locked for this process until dropped.
#[derive(Debug)]
pub struct FolderLock {
    /// Locked while open; the lock ends with the process, however it ends.
    _file: File,
}

impl FolderLock {
    /// Creates `dir` if needed, makes it private, and locks it; refuses with the holder's
    /// process id when another server has it.
    pub fn acquire(dir: &Path) -> Result<FolderLock, StoreError> {
        prepare(dir)?;
        let path = dir.join(LOCK_FILE);
        let io_error = |source| StoreError::Lock { path: path.clone(), source };
        let mut file =
            private_options().read(true).write(true).truncate(false).open(&path).map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::InUse { dir: dir.into(), holder: holder(&mut file) });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        writeln!(file, "{}", std::process::id()).map_err(io_error)?;
        Ok(FolderLock { _file: file })
    }
}

/// The process id written in a held lock file, as far as it can be read.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    match text.trim().parse::<u32>() {
        Ok(pid) => format!("process {pid}"),
        Err(_) => "another process".to_string(),
    }
}

/// Creates `dir` if needed and makes it private (an existing folder too).
pub fn prepare(dir: &Path) -> Result<(), StoreError> {
    let error = |source| StoreError::CreateDir { path: dir.into(), source };
    std::fs::create_dir_all(dir).map_err(error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).map_err(error)?.permissions().mode() & 0o777;
        if mode != FOLDER_MODE {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(FOLDER_MODE)).map_err(error)?;
            tracing::info!(
                "made the data folder {} private (mode {mode:o} -> {FOLDER_MODE:o})",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Creates the database file `path` empty and private if it does not exist yet, so SQLite
/// (which gives its WAL files the database's mode) never creates anything readable by others.
pub fn create_private(path: &Path) -> Result<(), StoreError> {
    let created = private_options().write(true).truncate(false).open(path);
    created.map(drop).map_err(|source| StoreError::Permissions { path: path.into(), source })
}

/// Makes the database and its WAL files private (files of an older server may not be).
pub fn restrict(database: &Path) -> Result<(), StoreError> {
    for path in [database.to_path_buf(), sibling(database, "-wal"), sibling(database, "-shm")] {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let Ok(metadata) = std::fs::metadata(&path) else { continue };
            if metadata.permissions().mode() & 0o777 != FILE_MODE {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(FILE_MODE))
                    .map_err(|source| StoreError::Permissions { path: path.clone(), source })?;
            }
        }
        #[cfg(not(unix))]
        let _ = path;
    }
    Ok(())
}

/// `anseo.db` with `suffix` appended (`anseo.db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Options that create a file owner-only from the moment it exists.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options
}
