//! The files going up or down now, above the composer: each with its name, a progress bar,
//! how much of it has travelled, and a Cancel button.

use anseo_shared::protocol::human_size;
use dioxus::prelude::*;

use crate::dispatch::use_dispatch;
use crate::model::{Action, Transfer};

#[component]
pub fn TransferList() -> Element {
    let dispatch = use_dispatch();
    let transfers =
        dispatch.model.read().chat.as_ref().map(|chat| chat.transfers.clone()).unwrap_or_default();
    if transfers.is_empty() {
        return rsx! {};
    }
    rsx! {
        ul { class: "transfers", aria_label: "Files on their way",
            for transfer in transfers {
                TransferRow { key: "{transfer.id}", transfer }
            }
        }
    }
}

#[component]
fn TransferRow(transfer: Transfer) -> Element {
    let dispatch = use_dispatch();
    let id = transfer.id;
    let verb = if transfer.up { "Sending" } else { "Saving" };
    let amount = format!("{} of {}", human_size(transfer.done), human_size(transfer.total));
    let percent = percent(transfer.done, transfer.total);
    rsx! {
        li { class: "transfer",
            span { class: "transfer-name", "{verb} {transfer.name}" }
            progress { max: "100", value: "{percent}", aria_label: "{verb} {transfer.name}", "{percent}%" }
            span { class: "transfer-amount", "{amount}" }
            button {
                class: "transfer-cancel",
                r#type: "button",
                onclick: move |_| dispatch.act(Action::CancelTransfer(id)),
                "Cancel"
            }
        }
    }
}

/// How much of `total` is `done`, in whole percent (100 for an empty file).
fn percent(done: u64, total: u64) -> u64 {
    (done.min(total) * 100).checked_div(total).unwrap_or(100)
}
