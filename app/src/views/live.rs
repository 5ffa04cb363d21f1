//! The chat screen over a model given from outside, with no network behind it: the caller
//! applies events as the network task would and sees what is drawn. For the render-count tests
//! (`render_tests.rs`) and the `render_cost` example.

use std::cell::RefCell;

use dioxus::core::Mutations;
use dioxus::prelude::*;

use super::{ChatScreen, Dispatch};
use crate::model::{Command, Model, NetEvent};

thread_local! {
    /// The model of the screen drawn last on this thread, for [`LiveScreen::apply`].
    static MODEL: RefCell<Option<Signal<Model>>> = const { RefCell::new(None) };
}

#[component]
fn Live(model: Model) -> Element {
    let model = use_signal(|| model);
    MODEL.with(|live| *live.borrow_mut() = Some(model));
    let network = use_coroutine(|_commands: UnboundedReceiver<Command>| async {});
    use_context_provider(|| Dispatch::new(model, network));
    rsx! { ChatScreen {} }
}

/// A chat screen drawn over `model`, changed only through [`apply`](Self::apply).
pub struct LiveScreen {
    dom: VirtualDom,
    model: Signal<Model>,
}

impl LiveScreen {
    /// Draws the chat screen over `model`; also returns the edits of that first drawing.
    pub fn open(model: Model) -> (LiveScreen, Mutations) {
        let mut dom = VirtualDom::new_with_props(Live, LiveProps { model });
        let first = dom.rebuild_to_vec();
        let model = MODEL.with(|live| live.borrow().expect("drawn"));
        (LiveScreen { dom, model }, first)
    }

    /// Applies `event` as the network task would and draws what changed; returns the edits.
    pub fn apply(&mut self, event: NetEvent) -> Mutations {
        let mut model = self.model;
        self.dom.in_runtime(|| model.write().apply(event));
        self.dom.render_immediate_to_vec()
    }
}
