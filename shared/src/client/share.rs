//! Sharing a file in chat, as the app and the terminal client do it: the file is read for
//! what it is (its media type sniffed from its bytes), a JPEG or PNG loses the details hidden
//! in it that tell where it was taken (unless the user keeps them), a picture gets its size
//! and a small preview, the bytes go up (see [`upload`](Commands::upload)), and the message
//! that carries the file follows.

#[cfg(feature = "client")]
use std::io::Read;
#[cfg(feature = "client")]
use std::path::{Path, PathBuf};

use super::chat_event::Addressee;
use super::commands::Commands;
use super::error::ClientError;
#[cfg(feature = "client")]
use super::transfer::{DiskFile, hash_file};
#[cfg(feature = "web")]
use super::transfer::{PageFile, UploadSource, hash_source};
use super::transfer::{TransferError, Transfers, Uploaded};
use crate::client::commands::Link;
#[cfg(feature = "client")]
use crate::media::strip_metadata;
use crate::media::{SNIFF_LEN, picture_preview, sniff_mime};
use crate::protocol::{Attachment, ErrorCode, FileHash, Picture};

/// Pictures larger than this are sent as they are: no stripping or preview (which read
/// the whole picture into memory).
#[cfg(feature = "client")]
const MAX_PICTURE_BYTES: u64 = 256 * 1024 * 1024;

/// In the browser, pictures up to this size are read whole (into the page's memory) to be
/// stripped and previewed; larger ones are sent as they are.
#[cfg(feature = "web")]
const MAX_PAGE_PICTURE_BYTES: u64 = 32 * 1024 * 1024;

/// A picture's size and preview, if it can be read (otherwise it goes as a plain file).
fn picture_of(bytes: &[u8]) -> Option<Picture> {
    picture_preview(bytes)
        .map(|preview| Picture { width: preview.width, height: preview.height, preview: preview.jpeg })
        .map_err(|reason| tracing::debug!(%reason, "no preview"))
        .ok()
}

#[cfg(feature = "client")]
/// A file ready to upload: the bytes to send (the file itself, or a copy without its
/// hidden details) and what the message will say about it.
#[derive(Debug)]
pub struct Prepared {
    /// The file to upload.
    pub path: PathBuf,
    /// Holds the stripped copy until it has been sent.
    _stripped: Option<tempfile::TempPath>,
    /// The name the message shows (the original file's).
    pub name: String,
    pub mime: String,
    pub picture: Option<Picture>,
    /// Whether hidden details (EXIF, GPS...) were taken out.
    pub stripped: bool,
}

#[cfg(feature = "client")]
impl Prepared {
    /// The attachment for the message, once the bytes are up.
    pub fn attachment(&self, uploaded: &Uploaded) -> Attachment {
        Attachment {
            hash: uploaded.hash,
            name: self.name.clone(),
            size: uploaded.size,
            mime: self.mime.clone(),
            picture: self.picture.clone(),
        }
    }
}

#[cfg(feature = "client")]
/// Reads the file at `path` for sharing (see the module's documentation); blocking, so run it
/// off the async threads. `keep_metadata` sends a picture's hidden details along.
pub fn prepare(path: &Path, keep_metadata: bool) -> Result<Prepared, TransferError> {
    let error = |reason: &dyn std::fmt::Display| TransferError::File {
        path: path.display().to_string(),
        reason: reason.to_string(),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| error(&"not a file"))?;
    let mut file = std::fs::File::open(path).map_err(|e| error(&e))?;
    let size = file.metadata().map_err(|e| error(&e))?.len();
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file).take(SNIFF_LEN as u64).read_to_end(&mut head).map_err(|e| error(&e))?;
    let mime = sniff_mime(&head).to_string();
    let mut prepared =
        Prepared { path: path.to_path_buf(), _stripped: None, name, mime, picture: None, stripped: false };
    if !prepared.mime.starts_with("image/") || size > MAX_PICTURE_BYTES {
        return Ok(prepared);
    }
    let mut bytes = head;
    file.read_to_end(&mut bytes).map_err(|e| error(&e))?;
    prepared.picture = picture_of(&bytes);
    if !keep_metadata && let Some(clean) = strip_metadata(&bytes, &prepared.mime).map_err(|e| error(&e))? {
        let copy = write_temporary(&clean).map_err(|e| error(&e))?;
        prepared.path = copy.to_path_buf();
        prepared._stripped = Some(copy);
        prepared.stripped = true;
    }
    Ok(prepared)
}

#[cfg(feature = "client")]
/// `bytes` in a temporary file, deleted when the handle goes.
fn write_temporary(bytes: &[u8]) -> std::io::Result<tempfile::TempPath> {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new()?;
    file.write_all(bytes)?;
    file.flush()?;
    Ok(file.into_temp_path())
}

/// A file shared: its message is on its way (its echo carries `client_msg_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub client_msg_id: u64,
    pub attachment: Attachment,
    pub uploaded: Uploaded,
}

impl<L: Transfers + Link + Sync> Commands<L> {
    /// Shares the file at `path` with `to` (see the module's documentation), with `caption`;
    /// `progress` hears the file's hash, the bytes the server has so far, and the size.
    #[cfg(feature = "client")]
    pub async fn send_file(
        &self,
        to: &Addressee,
        path: &Path,
        caption: &str,
        keep_metadata: bool,
        mut progress: impl FnMut(FileHash, u64, u64) + Send,
    ) -> Result<Shared, TransferError> {
        let owned = path.to_path_buf();
        let prepared = tokio::task::spawn_blocking(move || prepare(&owned, keep_metadata))
            .await
            .map_err(|e| TransferError::File { path: path.display().to_string(), reason: e.to_string() })??;
        let (hash, size) = hash_file(&prepared.path).await?;
        let mut source = DiskFile::new(&prepared.path);
        let uploaded =
            self.upload_from(&mut source, hash, size, |done, total| progress(hash, done, total)).await?;
        self.share_uploaded(to, caption, prepared.attachment(&uploaded), uploaded).await
    }

    /// Shares a file picked in the page with `to`, like [`send_file`](Self::send_file)
    /// (pictures up to 32 MiB lose their hidden details and get a preview; larger ones go as
    /// they are).
    #[cfg(feature = "web")]
    pub async fn send_page_file(
        &self,
        to: &Addressee,
        mut file: PageFile,
        caption: &str,
        mut progress: impl FnMut(FileHash, u64, u64) + Send,
    ) -> Result<Shared, TransferError> {
        let head = file.read_at(0, SNIFF_LEN).await?;
        let mime = sniff_mime(&head).to_string();
        let (picture, uploaded) = if mime.starts_with("image/") && file.size() <= MAX_PAGE_PICTURE_BYTES {
            let bytes = file.read_at(0, file.size() as usize).await?;
            let picture = picture_of(&bytes);
            let clean = crate::media::strip_metadata(&bytes, &mime).ok().flatten().unwrap_or(bytes);
            let (hash, size) = (*blake3::hash(&clean).as_bytes(), clean.len() as u64);
            let mut source = clean.as_slice();
            (
                picture,
                self.upload_from(&mut source, hash, size, |done, total| progress(hash, done, total)).await?,
            )
        } else {
            let (hash, size) = hash_source(&mut file).await?;
            (None, self.upload_from(&mut file, hash, size, |done, total| progress(hash, done, total)).await?)
        };
        let attachment =
            Attachment { hash: uploaded.hash, name: file.name(), size: uploaded.size, mime, picture };
        self.share_uploaded(to, caption, attachment, uploaded).await
    }

    /// Sends the message that carries `attachment`, now that its bytes are up.
    async fn share_uploaded(
        &self,
        to: &Addressee,
        caption: &str,
        attachment: Attachment,
        uploaded: Uploaded,
    ) -> Result<Shared, TransferError> {
        let client_msg_id =
            self.share(to, caption, attachment.clone()).await.map_err(|error| match error {
                ClientError::Disconnected(reason) => TransferError::Ended(reason),
                error => TransferError::Refused { code: ErrorCode::InvalidText, message: error.to_string() },
            })?;
        Ok(Shared { client_msg_id, attachment, uploaded })
    }
}
