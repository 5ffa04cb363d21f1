//! `Moderate`: keeping order in a room. The room's owner (its creator) and the server's
//! admins may do everything; moderators (named by the owner with `op`) may set the topic and
//! mute, kick or ban those below them. Each action is posted to the room as a notice naming
//! who did it, stored like a message, and takes effect at once in the hub: a muted person's
//! messages are refused with `muted`, a banned name cannot join again, a kicked one is put
//! out of the room. Admins may also disconnect a user from the server.

use anseo_shared::protocol::{
    ErrorCode, LOBBY, MAX_MUTE_MINUTES, MessageKind, ModAction, ModCommand, Moderation, ServerMsg,
    close_code, fold_name, normalize_name, normalize_room, validate_topic,
};

use super::CommandError;
use super::post::{After, Post, post};
use crate::clock::now_ms;
use crate::hub::{ClientId, Hub, MAX_ORDER_NAMES, Standing, State, encode};

#[derive(Debug)]
pub struct Moderate {
    pub room: String,
    pub command: ModCommand,
}

impl Moderate {
    pub fn apply(self, hub: &Hub, me: ClientId) -> Result<(), CommandError> {
        let mut state = hub.lock();
        if let ModCommand::Disconnect { name } = &self.command {
            return disconnect(&state, me, name);
        }
        let room_name = normalize_room(&self.room).map_err(|e| CommandError::room_name(&self.room, e))?;
        let Some(room) = state.room(&room_name) else {
            return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{room_name}'")));
        };
        let room_name = room.name.clone();
        let mine = state.standing_of(room, me);
        if !room.members.contains(&me) && mine < Standing::Owner {
            return Err(CommandError::new(ErrorCode::NotInRoom, format!("you are not in '{room_name}'")));
        }
        if mine == Standing::Member {
            let message = format!("only the owner or a moderator of '{room_name}' can do that");
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        let (action, target, text) = action_of(self.command, &room_name)?;
        let target = match action {
            ModAction::Topic => String::new(),
            _ => check_target(&state, &room_name, mine, action, &target)?,
        };
        if let Some(room) = state.room_mut(&room_name)
            && !room.order.has_room_for(action, &target, now_ms())
        {
            let message = format!(
                "'{room_name}' keeps {MAX_ORDER_NAMES} moderators, bans and mutes at most; lift some first"
            );
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        let after = carry_out(&mut state, &room_name, action, &target, &text);
        let kind = MessageKind::Moderation(Moderation { action, target });
        post(hub, &mut state, me, &room_name, Post { text, client_msg_id: 0, attachment: None, kind }, after)
    }
}

/// The action a command asks for, whom it is about and the notice's text (the topic).
fn action_of(command: ModCommand, room: &str) -> Result<(ModAction, String, String), CommandError> {
    let in_lobby = fold_name(room) == fold_name(LOBBY);
    Ok(match command {
        ModCommand::Topic { topic } => {
            let topic = topic.trim().to_string();
            validate_topic(&topic).map_err(|e| {
                CommandError::new(ErrorCode::TopicTooLong, format!("cannot set that topic: {e}"))
            })?;
            (ModAction::Topic, String::new(), topic)
        }
        ModCommand::Mute { name, minutes } => {
            let minutes = u64::from(minutes.clamp(1, MAX_MUTE_MINUTES));
            (ModAction::Mute { until: now_ms() + minutes * 60_000 }, name, String::new())
        }
        ModCommand::Unmute { name } => (ModAction::Unmute, name, String::new()),
        ModCommand::Kick { .. } | ModCommand::Ban { .. } if in_lobby => {
            let message = "nobody can be put out of the lobby (everyone is in it); mute them, or ask an admin to disconnect them";
            return Err(CommandError::new(ErrorCode::NotAllowed, message));
        }
        ModCommand::Kick { name } => (ModAction::Kick, name, String::new()),
        ModCommand::Ban { name } => (ModAction::Ban, name, String::new()),
        ModCommand::Unban { name } => (ModAction::Unban, name, String::new()),
        ModCommand::Op { name } => (ModAction::Op, name, String::new()),
        ModCommand::Deop { name } => (ModAction::Deop, name, String::new()),
        ModCommand::Disconnect { .. } => {
            return Err(CommandError::new(ErrorCode::Protocol, "a disconnect is not about a room"));
        }
    })
}

/// The target's name as shown (an online user's own spelling), once it is someone the asker
/// may act on: below them in the room, and (for a kick) in it.
fn check_target(
    state: &State,
    room_name: &str,
    mine: Standing,
    action: ModAction,
    raw: &str,
) -> Result<String, CommandError> {
    let name = normalize_name(raw).map_err(|e| CommandError::user_name(raw, e))?;
    let online = state.find_user(&name);
    let name = online.and_then(|id| state.user(id)).map_or(name, |user| user.name.clone());
    let Some(room) = state.room(room_name) else {
        return Err(CommandError::new(ErrorCode::NoSuchRoom, format!("no room '{room_name}'")));
    };
    let theirs = state.standing(room, &name);
    let needs_owner = matches!(action, ModAction::Op | ModAction::Deop);
    if needs_owner && mine < Standing::Owner {
        let message = format!("only the owner of '{room_name}' can make or unmake moderators");
        return Err(CommandError::new(ErrorCode::NotAllowed, message));
    }
    if !needs_owner && theirs >= mine {
        let message =
            format!("{name} is a moderator or the owner of '{room_name}'; you cannot do that to them");
        return Err(CommandError::new(ErrorCode::NotAllowed, message));
    }
    let in_room = online.is_some_and(|id| room.members.contains(&id));
    if action == ModAction::Kick && !in_room {
        return Err(CommandError::new(ErrorCode::NotInRoom, format!("{name} is not in '{room_name}'")));
    }
    Ok(name)
}

/// Makes the action take effect in the hub; returns what the target hears after the notice
/// (a kicked or banned member's `Left`).
fn carry_out(state: &mut State, room_name: &str, action: ModAction, target: &str, text: &str) -> After {
    let Some(room) = state.room_mut(room_name) else { return Vec::new() };
    room.order.apply(action, target);
    if action == ModAction::Topic {
        room.topic = text.to_string();
    }
    if !matches!(action, ModAction::Kick | ModAction::Ban) {
        return Vec::new();
    }
    let Some(id) = state.find_user(target) else { return Vec::new() };
    let key = fold_name(room_name);
    if !state.room(&key).is_some_and(|room| room.members.contains(&id)) {
        return Vec::new();
    }
    state.remove_member(id, &key, target);
    let left = encode(&ServerMsg::Left { room: room_name.to_string(), ts: now_ms() });
    state.chat_outboxes([id]).into_iter().zip(left).collect()
}

/// Disconnects the user `name` from the server (admins only; not another admin).
fn disconnect(state: &State, me: ClientId, name: &str) -> Result<(), CommandError> {
    let me_name = state.user(me).map(|u| u.name.clone()).unwrap_or_default();
    if !state.is_admin(&me_name) {
        return Err(CommandError::new(ErrorCode::NotAllowed, "only a server admin can disconnect users"));
    }
    let Some(id) = state.find_user(name) else {
        return Err(CommandError::new(ErrorCode::NoSuchUser, format!("no user '{name}' is online")));
    };
    let their_name = state.user(id).map(|u| u.name.clone()).unwrap_or_default();
    if state.is_admin(&their_name) {
        return Err(CommandError::new(ErrorCode::NotAllowed, format!("{their_name} is a server admin too")));
    }
    for outbox in state.chat_outboxes([id]) {
        outbox.close(close_code::REMOVED, &format!("disconnected by the server admin {me_name}"));
    }
    Ok(())
}
