//! Configuration: sources (preset, YAML file, Hugging Face `config.json`) -> validated,
//! resolved [`Params`]. Nothing downstream runs on a configuration that broke a rule.

mod error;
mod hf;
mod params;
pub mod pdk;
mod presets;
mod schema;
mod show;
mod validate;

use std::path::Path;

pub use error::{ConfigError, ConfigErrors, ErrorCode};
pub use params::{
    bits_for, g_bound, index_bits, poly_by_power, signed_bits_for, Cycles, FixedFormats, Params,
    Shape, StreamLayout, Widths,
};
pub use presets::{preset, PRESETS};
pub use schema::{
    Analog, Cell, CellModel, ConfigFile, FixedPoint, Hardware, Levels, Model, Stream, Timing,
    PAPER_POLY_COEFFS,
};
pub use show::{to_json, to_table};
pub use validate::validate;

/// Loads a configuration named by `spec`: a preset name (`gpt2`, `tiny`, ...), a YAML file
/// (`.yaml`/`.yml`), or a Hugging Face GPT-2 `config.json` (`.json`).
pub fn load(spec: &str) -> Result<Params, ConfigErrors> {
    let path = Path::new(spec);
    let looks_like_file = path.extension().is_some() || spec.contains('/');
    if !looks_like_file {
        if let Some(model) = preset(spec) {
            return resolve(spec.to_string(), model, Hardware::default());
        }
        return Err(ConfigErrors::one(ConfigError::new(
            ErrorCode::UnknownPreset,
            spec,
            format!("\"{spec}\" is neither a preset nor a configuration file"),
            format!(
                "use a preset ({}), a .yaml file or a Hugging Face config.json",
                presets::names()
            ),
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors::one(ConfigError::new(
            ErrorCode::Source,
            spec,
            format!("cannot read the file: {e}"),
            "check the path and its permissions",
        ))
    })?;
    let stem = default_name(path);
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        from_hf_json(&text, spec, &stem)
    } else {
        from_yaml(&text, spec, &stem)
    }
}

/// A name for a configuration read from `path`: the file stem, or the folder's name for a
/// Hugging Face checkpoint's `config.json`.
fn default_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("config");
    if stem == "config" {
        if let Some(dir) = path
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().and_then(|d| d.file_name()).map(|d| d.to_owned()))
        {
            return dir.to_string_lossy().into_owned();
        }
    }
    stem.to_string()
}

/// Parses and resolves a YAML configuration text; `origin` names it in errors.
pub fn from_yaml(text: &str, origin: &str, default_name: &str) -> Result<Params, ConfigErrors> {
    let file: ConfigFile = serde_saphyr::from_str(text).map_err(|e| {
        ConfigErrors::one(ConfigError::new(
            ErrorCode::Syntax,
            origin,
            e.to_string().trim_start_matches("error: ").to_string(),
            "see the example with every field in configs/example.yaml",
        ))
    })?;
    let model = match (&file.preset, file.model) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(ConfigErrors::one(ConfigError::new(
                ErrorCode::ModelSource,
                format!("{origin}: model"),
                if file.model.is_some() {
                    "both preset and model are given".to_string()
                } else {
                    "neither preset nor model is given".to_string()
                },
                format!(
                    "give either `preset: NAME` ({}) or a `model:` section with n_layer, n_head, n_embd, n_ctx",
                    presets::names()
                ),
            )))
        }
        (None, Some(m)) => m,
        (Some(p), None) => preset(p).ok_or_else(|| {
            ConfigErrors::one(ConfigError::new(
                ErrorCode::UnknownPreset,
                format!("{origin}: preset"),
                format!("no preset named \"{p}\""),
                format!("use one of {}", presets::names()),
            ))
        })?,
    };
    let name = file
        .name
        .clone()
        .or_else(|| file.preset.clone())
        .unwrap_or_else(|| default_name.to_string());
    resolve(name, model, file.hardware)
}

/// Reads a Hugging Face GPT-2 `config.json` text; hardware fields take their defaults.
pub fn from_hf_json(text: &str, origin: &str, name: &str) -> Result<Params, ConfigErrors> {
    let model = hf::parse(text, origin).map_err(ConfigErrors)?;
    resolve(name.to_string(), model, Hardware::default())
}

/// Validates a model and hardware section and derives the parameters.
pub fn resolve(name: String, model: Model, hardware: Hardware) -> Result<Params, ConfigErrors> {
    let mut errors = Vec::new();
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.starts_with('.');
    if !name_ok {
        errors.push(ConfigError::new(
            ErrorCode::Name,
            "name",
            format!("\"{name}\" is not a usable configuration name"),
            "use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.' (it names the output folder)",
        ));
    }
    errors.extend(validate(&model, &hardware));
    if errors.is_empty() {
        Ok(Params::derive(name, model, hardware))
    } else {
        Err(ConfigErrors(errors))
    }
}
