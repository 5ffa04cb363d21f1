//! The small pieces the screens are built from, one component per file.

mod avatar;
mod certificate_alert;
mod composer;
mod connection_status;
mod conversation_header;
mod error_banner;
mod icon;
mod join_dialog;
mod logo;
mod message_group;
mod message_list;
mod message_text;
mod nick_dialog;
mod room_list;
mod text_field;
mod trust_dialog;
mod user_list;

pub use avatar::Avatar;
pub use certificate_alert::CertificateAlert;
pub use composer::Composer;
pub use connection_status::ConnectionStatus;
pub use conversation_header::ConversationHeader;
pub use error_banner::ErrorBanner;
pub use icon::{Icon, IconKind};
pub use join_dialog::JoinDialog;
pub use logo::Logo;
pub use message_group::MessageGroup;
pub use message_list::MessageList;
pub use message_text::MessageText;
pub use nick_dialog::NickDialog;
pub use room_list::RoomList;
pub use text_field::TextField;
pub use trust_dialog::TrustDialog;
pub use user_list::UserList;
