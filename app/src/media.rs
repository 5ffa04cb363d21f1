//! Pictures and voice clips shown in the app from its own cache, not as data addresses: a
//! file a message carries is downloaded (verified against its hash) into the cache folder
//! under its hash, and the page asks for it at `/media/HASH`, which [`serve`] answers from
//! that folder (desktop; the browser keeps them in the page's memory, see
//! `network/transfers/page.rs`).
//! Pictures pasted into the message box are kept here in files of their own to be sent.

use std::path::PathBuf;

#[cfg(feature = "desktop")]
use anseo_shared::protocol::hash_from_hex;
use anseo_shared::protocol::{FileHash, hash_to_hex};

/// Where downloaded media are kept: the platform's cache folder (`~/.cache/anseo/media`).
pub fn media_dir() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("anseo").join("media")
}

/// The cached copy of the file `hash` (there once it is complete and verified).
pub fn cached(hash: &FileHash) -> PathBuf {
    media_dir().join(hash_to_hex(hash))
}

/// The page's address for the cached copy of `hash` (answered by [`serve`]).
pub fn url_of(hash: &FileHash) -> String {
    format!("/media/{}", hash_to_hex(hash))
}

/// Opens a downloaded file with the program the desktop uses for files of its kind.
pub fn open_saved(path: &str) -> Result<(), String> {
    open::that_detached(path).map_err(|error| format!("{path} could not be opened: {error}"))
}

/// Keeps a pasted picture in a file of its own in the temporary folder, named after the time
/// it was pasted ("pasted 2026-12-04 11-30-05.png"), so it can be sent like a picked file.
pub fn keep_pasted(bytes: &[u8], mime: &str) -> std::io::Result<PathBuf> {
    let extension = match mime {
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/bmp" => "bmp",
        _ => "png",
    };
    let dir = std::env::temp_dir().join("anseo-pasted");
    std::fs::create_dir_all(&dir)?;
    let when = chrono::Local::now().format("%Y-%m-%d %H-%M-%S");
    let path = anseo_shared::client::unique_path(&dir.join(format!("pasted {when}.{extension}")));
    std::fs::write(&path, bytes)?;
    Ok(path)
}

/// Answers the page's request for `/media/HASH` with the cached file and its type, sniffed
/// from its first bytes, or the part of it a `Range` header asks for (players ask for parts,
/// and only that part is read); 404 for anything not in the cache.
#[cfg(feature = "desktop")]
pub fn serve(request: dioxus::desktop::AssetRequest, responder: dioxus::desktop::RequestAsyncResponder) {
    use dioxus::desktop::wry::http::{Response, StatusCode, header};
    let hash = request.uri().path().strip_prefix("/media/").and_then(hash_from_hex);
    let opened = hash.and_then(|hash| std::fs::File::open(cached(&hash)).ok());
    let sized = opened.and_then(|file| Some((file.metadata().ok()?.len() as usize, file)));
    let Some((total, mut file)) = sized else {
        if let Ok(response) = Response::builder().status(StatusCode::NOT_FOUND).body(Vec::new()) {
            responder.respond(response);
        }
        return;
    };
    let asked = request.headers().get(header::RANGE).and_then(|value| value.to_str().ok());
    let range = match asked.map(|value| byte_range(value, total)) {
        None => total.checked_sub(1).map(|last| (0, last)),
        Some(Some(range)) => Some(range),
        Some(None) => {
            let refused = Response::builder()
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{total}"))
                .body(Vec::new());
            if let Ok(response) = refused {
                responder.respond(response);
            }
            return;
        }
    };
    let head = read_at(&mut file, 0, anseo_shared::media::SNIFF_LEN.min(total));
    let body = range.map_or(Ok(Vec::new()), |(start, end)| read_at(&mut file, start, end + 1 - start));
    let (Ok(head), Ok(body)) = (head, body) else { return };
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, anseo_shared::media::sniff_mime(&head))
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, body.len());
    let response = match (asked, range) {
        (Some(_), Some((start, end))) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{total}"))
            .body(body),
        _ => builder.body(body),
    };
    if let Ok(response) = response {
        responder.respond(response);
    }
}

/// `len` bytes of `file` from `start`.
#[cfg(feature = "desktop")]
fn read_at(file: &mut std::fs::File, start: usize, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(start as u64))?;
    let mut bytes = vec![0; len];
    file.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// The first and last byte of a `Range: bytes=START-END` (or `START-`, or `-SUFFIX`) in a file
/// of `total` bytes; `None` when it is not one range inside the file.
pub fn byte_range(value: &str, total: usize) -> Option<(usize, usize)> {
    let (start, end) = value.trim().strip_prefix("bytes=")?.split_once('-')?;
    let last = total.checked_sub(1)?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => (total.saturating_sub(suffix.parse::<usize>().ok().filter(|&n| n > 0)?), last),
        (start, "") => (start.parse().ok()?, last),
        (start, end) => (start.parse().ok()?, end.parse::<usize>().ok()?.min(last)),
    };
    (start <= end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn byte_ranges_are_read_as_players_send_them() {
        assert_eq!(byte_range("bytes=0-1445", 16_000), Some((0, 1445)));
        assert_eq!(byte_range("bytes=100-", 16_000), Some((100, 15_999)));
        assert_eq!(byte_range("bytes=-500", 16_000), Some((15_500, 15_999)));
        assert_eq!(byte_range("bytes=0-99999", 16_000), Some((0, 15_999)), "cut at the end");
        assert_eq!(byte_range("bytes=16000-", 16_000), None, "past the end");
        assert_eq!(byte_range("bytes=0-1,5-9", 16_000), None, "several ranges");
        assert_eq!(byte_range("bytes=0-", 0), None, "an empty file");
        assert_eq!(byte_range("items=0-5", 100), None);
    }
}
