//! The screens, one per file, and the root component that picks between them.
//!
//! Views read the model through [`Dispatch`] and change it only by sending [`Action`]s.

mod app;
mod chat;
mod login;

#[cfg(test)]
mod tests;

pub use app::App;
pub use chat::ChatScreen;
pub use login::LoginScreen;

use dioxus::prelude::*;

use crate::model::{Action, Command, Model};

/// The model signal and the network task's handle, provided to every component.
#[derive(Clone, Copy)]
pub struct Dispatch {
    pub model: Signal<Model>,
    network: Coroutine<Command>,
}

impl Dispatch {
    pub fn new(model: Signal<Model>, network: Coroutine<Command>) -> Self {
        Dispatch { model, network }
    }

    /// Applies a user action and hands the resulting command, if any, to the network task.
    pub fn act(&self, action: Action) {
        let mut model = self.model;
        let command = model.write().act(action);
        if let Some(command) = command {
            self.network.send(command);
        }
    }
}

/// The [`Dispatch`] provided by [`App`].
pub fn use_dispatch() -> Dispatch {
    use_context()
}

/// Runs a script in the page (focus, scrolling); nothing to do when there is no page (tests).
pub fn run_script(script: &str) {
    let _ = document::eval(script);
}
