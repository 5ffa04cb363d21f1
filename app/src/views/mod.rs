//! The screens, one per file, and the root component that picks between them.
//!
//! Views read the model through [`Dispatch`] (`crate::dispatch`) and change it only by
//! sending actions.

mod app;
mod chat;
mod live;
mod login;

#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod tests;

pub use app::App;
pub use chat::ChatScreen;
pub use live::LiveScreen;
pub use login::LoginScreen;

pub use crate::dispatch::{Dispatch, run_script, use_dispatch};
