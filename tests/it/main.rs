//! End-to-end tests: the real `anseo-server` and `anseo-cli` binaries, and the client core,
//! talking real QUIC on loopback. One test binary with one module per area (matklad's
//! "one integration test binary").
//!
//! The binaries must be built first (`cargo build --bins`); the README's test command does it.

mod support;

mod accounts;
mod amend;
mod app;
mod attachments;
mod bench;
mod board;
mod browser;
mod chat;
mod cli;
mod discovery;
mod firefox;
mod history;
mod hostile;
mod invite;
mod limits;
mod moderation;
mod network;
mod pacing;
mod presence_scale;
mod reactions;
mod resume;
mod review_budget;
mod review_lists;
mod review_names;
mod review_store;
mod search;
mod server;
mod transfer;
mod trust;
mod typing;
mod web;
