//! `anseo`: the Anseo chat app. Parses the command line and opens the window.

use clap::Parser;

fn main() {
    anseo_app::launch(anseo_app::Args::parse());
}
