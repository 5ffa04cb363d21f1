//! Shows the model's notifications with the platform's own: D-Bus notifications on Linux
//! (notify-rust; macOS and Windows have theirs), the browser's Notification API in a page
//! (once the user allowed it). Phones show none yet.

use crate::model::notify::Notification;

/// Shows `notification`, without waiting for the platform.
#[cfg(all(not(target_arch = "wasm32"), not(target_os = "android"), not(target_os = "ios")))]
pub fn show(notification: Notification) {
    std::thread::spawn(move || {
        let shown = notify_rust::Notification::new()
            .appname("Anseo")
            .summary(&notification.title)
            .body(&notification.body)
            .show();
        if let Err(error) = shown {
            tracing::info!(%error, "cannot show a notification (is there a notification service?)");
        }
    });
}

/// Shows `notification` through the browser, if the user allowed notifications.
#[cfg(target_arch = "wasm32")]
pub fn show(notification: Notification) {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    crate::dispatch::run_script(&format!(
        "if (window.Notification && Notification.permission === 'granted') new Notification({}, {{ body: {} }});",
        quoted(&notification.title),
        quoted(&notification.body)
    ));
}

/// Phones: not yet.
#[cfg(any(target_os = "android", target_os = "ios"))]
pub fn show(_notification: Notification) {}

/// Asks the browser for permission to notify (a no-op elsewhere).
pub fn ask_permission() {
    #[cfg(target_arch = "wasm32")]
    crate::dispatch::run_script(
        "if (window.Notification && Notification.permission === 'default') Notification.requestPermission();",
    );
}
