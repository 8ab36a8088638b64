//! manifest.json: what generated a folder (generator version, configuration name and hash,
//! the resolved configuration) and the SHA-256 of every other file in it. `gca generate` reads
//! it back to know which files of an existing folder are its own; `gca sim --rtl` reads the
//! configuration from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Params;
use crate::rtl::{config_hash, GENERATOR_VERSION};

use super::Files;

/// The manifest's file name, at the top of the folder.
pub const MANIFEST: &str = "manifest.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub version: String,
    pub config_name: String,
    pub config_hash: String,
    /// The resolved parameters, as `gca config --json` prints them.
    pub config: serde_json::Value,
    /// SHA-256 (hex) of every file but the manifest, by relative path.
    pub files: BTreeMap<String, String>,
}

pub fn sha256_hex(text: &str) -> String {
    sha256_bytes(text.as_bytes())
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    pub fn new(p: &Params, files: &Files) -> Manifest {
        Manifest {
            generator: "gca".to_string(),
            version: GENERATOR_VERSION.to_string(),
            config_name: p.name.clone(),
            config_hash: config_hash(p),
            config: crate::config::to_json(p),
            files: files
                .0
                .iter()
                .map(|(path, text)| (path.clone(), sha256_hex(text)))
                .chain(
                    files
                        .1
                        .iter()
                        .map(|(path, bytes)| (path.clone(), sha256_bytes(bytes))),
                )
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }

    /// Reads a manifest; `None` when the text is not one of ours.
    pub fn parse(text: &str) -> Option<Manifest> {
        serde_json::from_str::<Manifest>(text)
            .ok()
            .filter(|m| m.generator == "gca")
    }
}
