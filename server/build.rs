//! Embeds the web client (web/dist/, built by scripts/build-web.sh) into the server binary,
//! so one file deploys everything: writes `web_assets.rs` into OUT_DIR, a list of
//! (path below web/dist/, media type, bytes). Without web/dist/ the list is empty and the server says
//! how to build it. `ANSEO_WEB_DIST` names another folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=ANSEO_WEB_DIST");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = manifest.join("..").join("web");
    let dist = std::env::var_os("ANSEO_WEB_DIST").map_or_else(|| web.join("dist"), PathBuf::from);
    // Creating or removing dist/ changes the folder above it.
    println!("cargo:rerun-if-changed={}", web.display());
    let mut code = String::from("pub static ASSETS: &[(&str, &str, &[u8])] = &[\n");
    for (name, path) in files(&dist) {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({name:?}, {:?}, include_bytes!({:?})),",
            media_type(&name),
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("web_assets.rs");
    std::fs::write(out, code).expect("write web_assets.rs");
}

/// The files under `dist` (wasm-bindgen puts scripts of the app's crates under
/// `snippets/`), by their path below it with `/` between folders, sorted.
fn files(dist: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    collect(dist, "", &mut files);
    files.sort();
    files
}

fn collect(folder: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    println!("cargo:rerun-if-changed={}", folder.display());
    for entry in entries.filter_map(Result::ok) {
        let Ok(name) = entry.file_name().into_string() else { continue };
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            collect(&entry.path(), &format!("{prefix}{name}/"), files);
        } else if kind.is_file() {
            files.push((format!("{prefix}{name}"), entry.path()));
        }
    }
}

/// The file's media type by its extension; text in UTF-8.
fn media_type(name: &str) -> String {
    let media_type = mime_guess::from_path(name).first_or_octet_stream();
    match media_type.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", media_type.essence_str()),
        _ => media_type.essence_str().to_string(),
    }
}
