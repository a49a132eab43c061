//! Servers the deploy tests talk to, all on 127.0.0.1: a smart-HTTP git server in front of
//! `git http-backend`, and one fake API per forge that checks every request against the shapes
//! the forge documents.

#![allow(dead_code)]

pub mod forge;
pub mod git_server;
pub mod http;
pub mod llm;
