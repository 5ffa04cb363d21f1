//! `Direct`: a private message to one user. The recipient gets it and the sender gets the
//! same frame as confirmation; nobody else sees it. A user who is offline but has claimed
//! their name gets it at their next login (it waits in the store); anyone else must be online.
//! A message that could not be written is answered `unavailable`, like a room message. At
//! most [`MAX_WAITING`] wait for one name: beyond that, the newest is refused to its sender.

use anseo_shared::protocol::{Attachment, DirectMessage, ErrorCode, ServerMsg, fold_name, normalize_name};

use super::say::Unsaved;
use super::{CommandError, content};
use crate::accounts::MAX_WAITING;
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, encode};
use crate::store::{StoredDirect, WriteOp};

#[derive(Debug)]
pub struct Direct {
    pub to: String,
    pub text: String,
    pub client_msg_id: u64,
    pub attachment: Option<Attachment>,
}

impl Direct {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let to = normalize_name(&self.to).map_err(|e| CommandError::user_name(&self.to, e))?;
        content::check(hub, &self.text, self.attachment.as_ref())?;

        let mut state = hub.lock();
        let recipient = state.find_user(&to);
        let waits_offline = recipient.is_none() && hub.store().is_some() && state.is_claimed(&to);
        if recipient.is_none() && !waits_offline {
            return Err(CommandError::new(ErrorCode::NoSuchUser, format!("no user '{to}' is online")));
        }
        let place = match waits_offline.then(|| hub.accounts()).flatten() {
            Some(accounts) => Some(accounts.waiting().place_for(&fold_name(&to)).ok_or_else(|| {
                let message =
                    format!("{to} has {MAX_WAITING} messages waiting; try again when they have read them");
                CommandError::new(ErrorCode::Unavailable, message)
            })?),
            None => None,
        };
        if !state.first_send(me, self.client_msg_id) {
            return Err(CommandError::new(ErrorCode::AlreadyPosted, "already posted"));
        }
        let from = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
        let instance = state.instance(me);
        let to = recipient.and_then(|id| state.user(id)).map(|u| u.name.clone()).unwrap_or(to);
        let message = DirectMessage {
            id: state.next_message_id(),
            from,
            to,
            text: self.text,
            ts: now_ms(),
            client_msg_id: self.client_msg_id,
            attachment: self.attachment,
        };
        let stored = StoredDirect {
            id: message.id,
            sender: message.from.clone(),
            recipient: message.to.clone(),
            text: message.text.clone(),
            ts_ms: message.ts,
            client_msg_id: message.client_msg_id,
            pending_for: waits_offline.then(|| fold_name(&message.to)),
            instance: instance.unwrap_or(0),
            attachment: message.attachment.clone(),
        };
        let Some(frame) = encode(&ServerMsg::Direct(message)) else { return Ok(()) };
        let parties: Vec<ClientId> = match recipient {
            Some(recipient) if recipient != me => vec![recipient, me],
            _ => vec![me],
        };
        let Some(store) = hub.store() else {
            for party in parties {
                state.deliver(party, frame.clone());
            }
            return Ok(());
        };
        // Delivered once durable, like room messages.
        let outboxes = state.chat_outboxes(parties);
        let unsaved = Unsaved {
            hub: hub.handle(),
            instance,
            sender: state.chat_outboxes([me]),
            client_msg_id: self.client_msg_id,
        };
        store
            .submit(WriteOp::Direct(stored), move |committed| {
                if !committed {
                    return unsaved.refuse();
                }
                if let Some(place) = place {
                    place.keep();
                }
                for outbox in outboxes {
                    outbox.push(frame.clone());
                }
            })
            .map_err(|busy| {
                state.forget_send(me, self.client_msg_id);
                CommandError::new(ErrorCode::Unavailable, busy.to_string())
            })
    }
}
