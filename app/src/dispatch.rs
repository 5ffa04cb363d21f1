//! How components reach the model: [`Dispatch`] holds the model signal and the network task's
//! handle, and every component gets it from the context with [`use_dispatch`]. Its own module,
//! so views and components both depend on it and not on each other.

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
        let (command, marks) = {
            let mut model = model.write();
            let command = model.act(action);
            (command, model.chat.as_mut().and_then(|chat| chat.read_marks_to_keep()))
        };
        for command in command.into_iter().chain(marks) {
            self.network.send(command);
        }
    }
}

impl Dispatch {
    /// Hands a command straight to the network task, the model unchanged (nothing redraws).
    pub fn send(&self, command: Command) {
        self.network.send(command);
    }
}

/// The [`Dispatch`] provided by the app's root view.
pub fn use_dispatch() -> Dispatch {
    use_context()
}

/// Runs a script in the page (focus, scrolling); nothing to do when there is no page (tests).
pub fn run_script(script: &str) {
    let _ = document::eval(script);
}
