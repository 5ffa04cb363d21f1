//! Transfers in the browser: a file the person picked in the page, read a slice at a time
//! ([`PageFile`]), and a download gathered in the page's memory ([`PageMemory`]), handed to
//! the page as a `blob:` address once it is complete and checked.

use wasm_bindgen_futures::JsFuture;

use super::TransferError;
use super::store::{DownloadSink, UploadSource};
use crate::protocol::FileHash;

/// A file picked in the page (the file input, a drop, a paste).
#[derive(Debug, Clone)]
pub struct PageFile(pub web_sys::File);

impl PartialEq for PageFile {
    /// The same file object.
    fn eq(&self, other: &Self) -> bool {
        js_sys::Object::is(&self.0, &other.0)
    }
}

impl Eq for PageFile {}

impl PageFile {
    /// A file of the page's holding `bytes` (a pasted picture), named `name`, of type `mime`.
    pub fn from_bytes(bytes: &[u8], name: &str, mime: &str) -> Result<PageFile, String> {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::FilePropertyBag::new();
        options.set_type(mime);
        web_sys::File::new_with_u8_array_sequence_and_options(&parts, name, &options)
            .map(PageFile)
            .map_err(|error| format!("{error:?}"))
    }

    pub fn name(&self) -> String {
        self.0.name()
    }

    pub fn size(&self) -> u64 {
        self.0.size() as u64
    }
}

impl UploadSource for PageFile {
    async fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, TransferError> {
        let end = offset.saturating_add(len as u64).min(self.size());
        if offset >= end {
            return Ok(Vec::new());
        }
        let unreadable = |error: js_sys::wasm_bindgen::JsValue| TransferError::File {
            path: self.name(),
            reason: format!("the browser could not read it ({error:?})"),
        };
        let slice = self.0.slice_with_f64_and_f64(offset as f64, end as f64).map_err(unreadable)?;
        let buffer = JsFuture::from(slice.array_buffer()).await.map_err(unreadable)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// A download gathered in the page's memory (a page keeps no files of its own).
#[derive(Debug, Default)]
pub struct PageMemory {
    bytes: Vec<u8>,
}

impl PageMemory {
    /// A `blob:` address of the bytes as `mime`, for a link, a picture or a player.
    pub fn object_url(&self, mime: &str) -> Result<String, String> {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(self.bytes.as_slice()));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|error| format!("{error:?}"))?;
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|error| format!("{error:?}"))
    }
}

impl DownloadSink for PageMemory {
    async fn kept(&mut self) -> Result<u64, TransferError> {
        Ok(self.bytes.len() as u64)
    }

    async fn append(&mut self, bytes: Vec<u8>) -> Result<(), TransferError> {
        self.bytes.extend_from_slice(&bytes);
        Ok(())
    }

    async fn discard(&mut self) {
        self.bytes = Vec::new();
    }

    async fn hash(&mut self) -> Result<FileHash, TransferError> {
        Ok(*blake3::hash(&self.bytes).as_bytes())
    }
}
