//! Named configurations. A preset is a model shape; hardware fields take their defaults.

use super::schema::Model;

/// (name, shape, one-line description), in the order `gca config --list` prints them.
pub const PRESETS: &[(&str, Model, &str)] = &[
    (
        "gpt2",
        shape(12, 12, 768, 1024),
        "GPT-2 124M: 12 layers x 12 heads, D 64",
    ),
    (
        "gpt2-medium",
        shape(24, 16, 1024, 1024),
        "GPT-2 355M: 24 layers x 16 heads, D 64",
    ),
    (
        "gpt2-large",
        shape(36, 20, 1280, 1024),
        "GPT-2 774M: 36 layers x 20 heads, D 64",
    ),
    (
        "gpt2-xl",
        shape(48, 25, 1600, 1024),
        "GPT-2 1.5B: 48 layers x 25 heads, D 64",
    ),
    (
        "gpt2-head",
        shape(1, 1, 64, 1024),
        "one GPT-2 head: 1 layer x 1 head, D 64, window 1024",
    ),
    (
        "gpt2-layer",
        shape(1, 12, 768, 1024),
        "one GPT-2 layer: 12 heads, D 64, window 1024",
    ),
    (
        "tiny",
        shape(2, 2, 16, 128),
        "test size: 2 layers x 2 heads, D 8, window 128",
    ),
];

const fn shape(n_layer: u64, n_head: u64, n_embd: u64, n_ctx: u64) -> Model {
    Model {
        n_layer,
        n_head,
        n_embd,
        n_ctx,
    }
}

/// The model shape of a preset.
pub fn preset(name: &str) -> Option<Model> {
    PRESETS.iter().find(|(n, _, _)| *n == name).map(|p| p.1)
}

/// Preset names, comma separated, for messages.
pub fn names() -> String {
    PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
}
