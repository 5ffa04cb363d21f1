//! Invite links and their QR codes: one link per address the server is reachable at (see
//! `anseo_shared::trust::Invite`), printed in the banner with a QR code of the first in the
//! terminal, and by `anseo-server invite`, which can also write the QR code as SVG or PNG.

use std::net::SocketAddr;
use std::path::Path;

use anseo_shared::trust::{Fingerprint, Invite};
use qrcode::QrCode;
use qrcode::render::{svg, unicode};

/// Pixels per QR module in a PNG, and the PNG's least size.
const PNG_MODULE: u32 = 8;

/// The invites for a server reachable at `reachable` with the certificate `fingerprint`.
pub fn invites(reachable: &[SocketAddr], fingerprint: Fingerprint) -> Vec<Invite> {
    reachable.iter().map(|address| Invite { server: address.to_string(), fingerprint }).collect()
}

/// The banner's lines for `invites`: each link, for a browser (or a phone's camera) and for the
/// app.
pub fn lines(invites: &[Invite]) -> Vec<String> {
    invites
        .iter()
        .flat_map(|invite| {
            [format!("  invite: {}", invite.web_link()), format!("      or: {}", invite.app_link())]
        })
        .collect()
}

/// `link` as a QR code in the terminal: two modules a character (UTF-8 half blocks), dark on
/// light with the quiet zone around it, so a phone's camera reads it off the screen.
pub fn terminal_qr(link: &str) -> Result<Vec<String>, qrcode::types::QrError> {
    let code = QrCode::new(link.as_bytes())?;
    let text = code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build();
    Ok(text.lines().map(str::to_string).collect())
}

/// Writes `link`'s QR code to `path` as SVG.
pub fn write_svg(link: &str, path: &Path) -> anyhow::Result<()> {
    let code = QrCode::new(link.as_bytes())?;
    let image = code.render::<svg::Color>().min_dimensions(256, 256).build();
    std::fs::write(path, image)?;
    Ok(())
}

/// Writes `link`'s QR code to `path` as PNG.
pub fn write_png(link: &str, path: &Path) -> anyhow::Result<()> {
    let code = QrCode::new(link.as_bytes())?;
    let image = code.render::<image::Luma<u8>>().module_dimensions(PNG_MODULE, PNG_MODULE).build();
    image.save_with_format(path, image::ImageFormat::Png)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_both_links() {
        let fingerprint = Fingerprint::of_der(b"cert");
        let reachable: Vec<SocketAddr> =
            vec!["192.168.1.5:4433".parse().unwrap(), "[fd00::5]:4433".parse().unwrap()];
        let lines = lines(&invites(&reachable, fingerprint));
        let hex = fingerprint.to_hex();
        assert_eq!(lines[0], format!("  invite: https://192.168.1.5:4433/join#fp={hex}"));
        assert_eq!(lines[1], format!("      or: anseo://192.168.1.5:4433?fp={hex}"));
        assert_eq!(lines[2], format!("  invite: https://[fd00::5]:4433/join#fp={hex}"));
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn the_terminal_qr_code_is_square_half_blocks() {
        let qr = terminal_qr("https://192.168.1.5:4433/join#fp=00").unwrap();
        let width = qr[0].chars().count();
        assert!(qr.iter().all(|line| line.chars().count() == width));
        // Two modules a line: about half as many lines as columns.
        assert!(qr.len() * 2 >= width && qr.len() * 2 <= width + 2, "{} lines of {width}", qr.len());
    }
}
