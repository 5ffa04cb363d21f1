//! Saving a board as a picture (SVG, the same bytes as `anseo-cli /board-export`): into the
//! download folder on a desktop, through the browser's downloads in a page.

/// Saves `svg` as `name`; where it went, in words.
#[cfg(not(target_arch = "wasm32"))]
pub fn save_svg(name: &str, svg: &str) -> Result<String, String> {
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(|| ".".into());
    let path = anseo_shared::client::unique_path(&dir.join(name));
    std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// Saves `svg` as `name`; where it went, in words.
#[cfg(target_arch = "wasm32")]
pub fn save_svg(name: &str, svg: &str) -> Result<String, String> {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    crate::dispatch::run_script(&format!(
        "const url = URL.createObjectURL(new Blob([{}], {{ type: 'image/svg+xml' }})); \
         const a = document.createElement('a'); a.href = url; a.download = {}; a.click(); \
         setTimeout(() => URL.revokeObjectURL(url), 60000);",
        quoted(svg),
        quoted(name)
    ));
    Ok(format!("your browser's downloads ({name})"))
}

/// The file name a room's board is saved under: `board-ROOM.svg`.
pub fn file_name(room: &str) -> String {
    let safe: String =
        room.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("board-{safe}.svg")
}
