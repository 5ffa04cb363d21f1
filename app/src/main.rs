//! `anseo`: the Anseo chat app. Parses the command line and opens the window; built for the
//! web, it starts in the page that loaded it.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::Parser;
    anseo_app::launch(anseo_app::Args::parse());
}

#[cfg(target_arch = "wasm32")]
fn main() {
    // A panic would otherwise show only as "unreachable" in the browser's console.
    std::panic::set_hook(Box::new(|panic| web_sys::console::error_1(&panic.to_string().into())));
    anseo_app::launch_page();
}
