//! The web client's files, embedded at build time from web/dist/ (see `build.rs` and
//! scripts/build-web.sh): the page, its script and the app's WebAssembly.

use anseo_shared::trust::Fingerprint;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// One embedded file.
pub struct Asset {
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

/// The file at `name` (as in `anseo.js` or `snippets/…/inline0.js`), if the web client has it.
pub fn find(name: &str) -> Option<Asset> {
    ASSETS
        .iter()
        .find(|(asset, _, _)| *asset == name)
        .map(|(_, media_type, bytes)| Asset { media_type, bytes })
}

/// The page, with the server's fingerprint written in for the app to show; `None` when this
/// server was built without the web client.
pub fn page(fingerprint: &Fingerprint) -> Option<String> {
    let page = std::str::from_utf8(find("index.html")?.bytes).ok()?;
    Some(page.replace("{{fingerprint}}", &fingerprint.to_hex()))
}
