//! Transfers in the browser: a file picked in the page goes up read a slice at a time; a
//! download gathers in the page's memory, is checked against its hash, and is handed to the
//! browser as a `blob:` address (saved through a link, or shown and played in place).

use std::time::Duration;

use anseo_shared::client::{Addressee, PageMemory, Resilient, rt};
use anseo_shared::protocol::FileHash;

use super::Progress;
use crate::model::PickedFile;

/// How long a saved file's `blob:` address stays for the browser to save it from.
const KEEP_FOR_SAVING: Duration = Duration::from_secs(60);

/// Downloads `hash` and hands it to the browser to save as `name`; where it went, in words.
pub async fn save(
    client: &Resilient,
    hash: FileHash,
    name: &str,
    progress: &mut Progress,
) -> Result<String, String> {
    let url = into_page(client, hash, "application/octet-stream", |done, total| progress.report(done, total))
        .await?;
    let anchor = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("a").ok())
        .and_then(|element| {
            web_sys::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(element).ok()
        })
        .ok_or("the page cannot save files")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The browser has copied the file by then: let the page's memory go.
    rt::spawn(async move {
        rt::sleep(KEEP_FOR_SAVING).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(format!("your browser's downloads ({name})"))
}

/// Shares `file` with `to`.
pub async fn share(
    client: &Resilient,
    to: Addressee,
    file: PickedFile,
    progress: &mut Progress,
) -> Result<(), String> {
    let PickedFile::Page(file) = file else {
        return Err("the browser sends files picked in the page".into());
    };
    let sent = client.send_page_file(&to, file, "", |_, done, total| progress.report(done, total)).await;
    sent.map(drop).map_err(|error| error.to_string())
}

/// Downloads `hash` into the page's memory; a `blob:` address for it.
pub async fn fetch(client: &Resilient, hash: FileHash) -> Result<String, String> {
    into_page(client, hash, "", |_, _| {}).await
}

/// Downloads `hash` into the page's memory, checked, as a `blob:` address of type `mime`.
async fn into_page(
    client: &Resilient,
    hash: FileHash,
    mime: &str,
    progress: impl FnMut(u64, u64) + Send,
) -> Result<String, String> {
    let mut memory = PageMemory::default();
    client.download_into(hash, &mut memory, progress).await.map_err(|error| error.to_string())?;
    memory.object_url(mime)
}
