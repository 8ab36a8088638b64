//! Hugging Face GPT-2 `config.json`: the four shape fields are read, everything else in the file
//! is ignored (those files carry dozens of training fields); hardware fields take their defaults.

use super::error::{ConfigError, ErrorCode};
use super::schema::Model;

/// Reads the model shape from a Hugging Face `config.json` text. `path` names the file in errors.
pub fn parse(text: &str, path: &str) -> Result<Model, Vec<ConfigError>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        vec![ConfigError::new(
            ErrorCode::Syntax,
            path,
            format!("not valid JSON: {e}"),
            "fix the JSON syntax at the line and column given",
        )]
    })?;
    let Some(obj) = value.as_object() else {
        return Err(vec![ConfigError::new(
            ErrorCode::HuggingFace,
            path,
            "a Hugging Face config.json is a JSON object",
            "pass the config.json of a GPT-2 checkpoint",
        )]);
    };
    let mut errors = Vec::new();
    if let Some(t) = obj.get("model_type") {
        if t.as_str() != Some("gpt2") {
            errors.push(ConfigError::new(
                ErrorCode::HuggingFace,
                format!("{path}: model_type"),
                format!("model_type is {t}, not \"gpt2\""),
                "only GPT-2 checkpoints are supported",
            ));
        }
    }
    let mut field = |key: &str, alias: &str| -> u64 {
        let v = obj.get(key).or_else(|| obj.get(alias));
        match v.and_then(|v| v.as_u64()) {
            Some(n) => n,
            None => {
                errors.push(ConfigError::new(
                    ErrorCode::HuggingFace,
                    format!("{path}: {key}"),
                    match v {
                        None => format!("missing field {key}"),
                        Some(v) => format!("{key} is {v}, not a positive integer"),
                    },
                    format!("a GPT-2 config.json has {key} (or {alias}) as a positive integer"),
                ));
                0
            }
        }
    };
    let model = Model {
        n_layer: field("n_layer", "num_hidden_layers"),
        n_head: field("n_head", "num_attention_heads"),
        n_embd: field("n_embd", "hidden_size"),
        n_ctx: field("n_ctx", "n_positions"),
    };
    if errors.is_empty() {
        Ok(model)
    } else {
        Err(errors)
    }
}
