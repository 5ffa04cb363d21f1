//! Transfers on desktops and phones: files on disk, downloads into the download folder and
//! the media cache.

use anseo_shared::client::{Addressee, Resilient};
use anseo_shared::protocol::FileHash;

use super::Progress;
use crate::model::PickedFile;

/// Downloads `hash` into the download folder as `name` or a free name like it; where it went.
pub async fn save(
    client: &Resilient,
    hash: FileHash,
    name: &str,
    progress: &mut Progress,
) -> Result<String, String> {
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(|| ".".into());
    let dest = anseo_shared::client::unique_path(&dir.join(name));
    match client.download(hash, &dest, |done, total| progress.report(done, total)).await {
        Ok(file) => Ok(file.path.display().to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// Shares `file` with `to`.
pub async fn share(
    client: &Resilient,
    to: Addressee,
    file: PickedFile,
    progress: &mut Progress,
) -> Result<(), String> {
    let PickedFile::Path(path) = file;
    let sent = client.send_file(&to, &path, "", false, |_, done, total| progress.report(done, total)).await;
    sent.map(drop).map_err(|error| error.to_string())
}

/// Downloads `hash` into the media cache, unless it is there; the page's address for it.
pub async fn fetch(client: &Resilient, hash: FileHash) -> Result<String, String> {
    let path = crate::media::cached(&hash);
    if !path.is_file() {
        std::fs::create_dir_all(crate::media::media_dir()).map_err(|e| e.to_string())?;
        client.download(hash, &path, |_, _| {}).await.map_err(|error| error.to_string())?;
    }
    Ok(crate::media::url_of(&hash))
}
