//! Tests of the configuration stage (`gca::config`): one test per error code, pinning the whole
//! message a user sees; several errors reported at once; presets, the example files in
//! `configs/`, Hugging Face `config.json`; hostile inputs that must give errors, never panics;
//! and the derived numbers of the gpt2 preset.

mod common;

use common::TempDir;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use gca::config::{self, ConfigErrors, ErrorCode, Params, PRESETS};

/// The last line of every error report.
fn footer(n: usize) -> String {
    format!(
        "{n} configuration error{}; nothing was written",
        if n == 1 { "" } else { "s" }
    )
}

/// The errors of a result that must have failed.
fn errors(r: Result<Params, ConfigErrors>) -> ConfigErrors {
    match r {
        Ok(p) => panic!("expected configuration errors, got a valid configuration {p:#?}"),
        Err(e) => e,
    }
}

/// The errors of a YAML text named `t.yaml`.
fn yaml_errors(text: &str) -> ConfigErrors {
    errors(config::from_yaml(text, "t.yaml", "t"))
}

/// Asserts that `e` is exactly one error with `code` whose whole printed text is `expected`
/// (without the count line, which is checked too).
fn assert_one(e: &ConfigErrors, code: &str, expected: &str) {
    assert_eq!(e.codes(), [code], "codes of:\n{e}");
    assert_eq!(e.0[0].to_string(), expected);
    assert_eq!(e.to_string(), format!("{expected}\n{}", footer(1)));
}

/// The folder of the example configurations, `configs/` at the workspace root.
fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs")
}

/// The test that pins each code. The exhaustive match fails to compile when a variant is
/// added, as a reminder to add its test here.
fn test_of(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Source => "e001_source_unreadable_file",
        ErrorCode::Syntax => "e002_syntax_unknown_field",
        ErrorCode::UnknownPreset => "e003_unknown_preset_in_file",
        ErrorCode::ModelSource => "e004_both_preset_and_model",
        ErrorCode::HuggingFace => "e005_hugging_face_wrong_model_type",
        ErrorCode::Name => "e006_name_not_a_folder_name",
        ErrorCode::HeadSplit => "e010_heads_do_not_split_n_embd",
        ErrorCode::SizeRange => "e011_size_out_of_range",
        ErrorCode::WindowTile => "e012_window_not_a_multiple_of_tile",
        ErrorCode::WindowContext => "e013_window_longer_than_context",
        ErrorCode::Levels => "e020_levels_out_of_range",
        ErrorCode::Analog => "e021_analog_offset_above_v_max",
        ErrorCode::Cell => "e022_cell_zero_gain",
        ErrorCode::Decay => "e023_decay_out_of_range",
        ErrorCode::PwmStep => "e030_pwm_step_not_whole_cycles",
        ErrorCode::Timing => "e031_timing_zero_clock",
        ErrorCode::Stream => "e040_stream_tdata_not_whole_bytes",
        ErrorCode::FixedPoint => "e050_fixed_point_no_integer_bit",
        ErrorCode::UnknownPdk => "e060_unknown_technology_profile",
    }
}

#[test]
fn error_codes_are_distinct_and_each_has_a_test() {
    let all = [
        ErrorCode::Source,
        ErrorCode::Syntax,
        ErrorCode::UnknownPreset,
        ErrorCode::ModelSource,
        ErrorCode::HuggingFace,
        ErrorCode::Name,
        ErrorCode::HeadSplit,
        ErrorCode::SizeRange,
        ErrorCode::WindowTile,
        ErrorCode::WindowContext,
        ErrorCode::Levels,
        ErrorCode::Analog,
        ErrorCode::Cell,
        ErrorCode::Decay,
        ErrorCode::PwmStep,
        ErrorCode::Timing,
        ErrorCode::Stream,
        ErrorCode::FixedPoint,
        ErrorCode::UnknownPdk,
    ];
    let codes: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "E001", "E002", "E003", "E004", "E005", "E006", "E010", "E011", "E012", "E013", "E020",
            "E021", "E022", "E023", "E030", "E031", "E040", "E050", "E060"
        ]
    );
    for c in all {
        assert!(
            test_of(c).starts_with(&c.as_str().to_lowercase()),
            "{:?} -> {}",
            c,
            test_of(c)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// One test per error code.
// ---------------------------------------------------------------------------------------------

#[test]
fn e001_source_unreadable_file() {
    let e = errors(config::load("no-such-folder/missing.yaml"));
    assert_one(
        &e,
        "E001",
        "error[E001] no-such-folder/missing.yaml: cannot read the file: No such file or directory (os error 2)\n  \
         help: check the path and its permissions",
    );
}

#[test]
fn e002_syntax_unknown_field() {
    // The snippet under the message is serde-saphyr's; pin the code, the path, the field's
    // name, the fields it offers instead and the hint.
    let e = yaml_errors("preset: tiny\nhardware:\n  tiel: 32\n");
    assert_eq!(e.codes(), ["E002"]);
    let err = &e.0[0];
    assert_eq!(err.path, "t.yaml");
    assert!(
        err.message.contains("unknown field `tiel`"),
        "{}",
        err.message
    );
    assert!(err.message.contains("line 3 column 3"), "{}", err.message);
    assert!(
        err.message.contains(
            "expected one of window, tile, levels, cell, analog, decay_per_token, timing, \
             stream, prefill_overlap, fixed_point"
        ),
        "{}",
        err.message
    );
    let text = e.to_string();
    assert!(text.starts_with("error[E002] t.yaml: "), "{text}");
    assert!(
        text.ends_with(&format!(
            "\n  help: see the example with every field in configs/example.yaml\n{}",
            footer(1)
        )),
        "{text}"
    );
}

#[test]
fn e002_syntax_wrong_type_and_unknown_variant() {
    for (text, needle) in [
        ("preset: tiny\nhardware: {tile: 1.5}\n", "invalid u64"),
        ("preset: tiny\nhardware: {tile: big}\n", "invalid u64"),
        (
            "preset: tiny\nhardware: {cell: {model: cubic}}\n",
            "unknown variant `cubic`, expected one of linear, polynomial",
        ),
        (
            "model: {n_layer: 1, n_head: 1, n_embd: 16, n_ctx: 128, n_vocab: 5}\n",
            "unknown field `n_vocab`",
        ),
        (
            "preset: tiny\npreset: gpt2\n",
            "duplicate mapping key: preset",
        ),
    ] {
        let e = yaml_errors(text);
        assert_eq!(e.codes(), ["E002"], "{text}");
        assert_eq!(e.0[0].path, "t.yaml");
        assert!(
            e.0[0].message.contains(needle),
            "{text}: {}",
            e.0[0].message
        );
    }
}

#[test]
fn e002_syntax_of_a_hugging_face_config() {
    let e = errors(config::from_hf_json(
        "{\"n_layer\": 12,",
        "gpt2/config.json",
        "gpt2",
    ));
    assert_one(
        &e,
        "E002",
        "error[E002] gpt2/config.json: not valid JSON: EOF while parsing a value at line 1 column 15\n  \
         help: fix the JSON syntax at the line and column given",
    );
}

#[test]
fn e003_unknown_preset_in_file() {
    let e = yaml_errors("preset: gpt3\n");
    assert_one(
        &e,
        "E003",
        "error[E003] t.yaml: preset: no preset named \"gpt3\"\n  \
         help: use one of gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, gpt2-layer, tiny",
    );
}

#[test]
fn e003_unknown_preset_on_the_command_line() {
    let e = errors(config::load("nosuchpreset"));
    assert_one(
        &e,
        "E003",
        "error[E003] nosuchpreset: \"nosuchpreset\" is neither a preset nor a configuration file\n  \
         help: use a preset (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, gpt2-layer, tiny), \
         a .yaml file or a Hugging Face config.json",
    );
}

#[test]
fn e004_both_preset_and_model() {
    let e = yaml_errors("preset: tiny\nmodel: {n_layer: 1, n_head: 1, n_embd: 16, n_ctx: 128}\n");
    assert_one(
        &e,
        "E004",
        "error[E004] t.yaml: model: both preset and model are given\n  \
         help: give either `preset: NAME` (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, \
         gpt2-layer, tiny) or a `model:` section with n_layer, n_head, n_embd, n_ctx",
    );
}

#[test]
fn e004_neither_preset_nor_model() {
    let e = yaml_errors("name: lonely\nhardware: {tile: 32}\n");
    assert_one(
        &e,
        "E004",
        "error[E004] t.yaml: model: neither preset nor model is given\n  \
         help: give either `preset: NAME` (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, \
         gpt2-layer, tiny) or a `model:` section with n_layer, n_head, n_embd, n_ctx",
    );
}

#[test]
fn e005_hugging_face_wrong_model_type() {
    let json =
        r#"{"model_type": "llama", "n_layer": 12, "n_head": 12, "n_embd": 768, "n_ctx": 1024}"#;
    let e = errors(config::from_hf_json(json, "llama/config.json", "llama"));
    assert_one(
        &e,
        "E005",
        "error[E005] llama/config.json: model_type: model_type is \"llama\", not \"gpt2\"\n  \
         help: only GPT-2 checkpoints are supported",
    );
}

#[test]
fn e005_hugging_face_missing_n_head() {
    let text = std::fs::read_to_string(configs_dir().join("gpt2-hf-config.json"))
        .expect("configs/gpt2-hf-config.json");
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("n_head");
    let e = errors(config::from_hf_json(
        &value.to_string(),
        "gpt2/config.json",
        "gpt2",
    ));
    assert_one(
        &e,
        "E005",
        "error[E005] gpt2/config.json: n_head: missing field n_head\n  \
         help: a GPT-2 config.json has n_head (or num_attention_heads) as a positive integer",
    );
}

#[test]
fn e005_hugging_face_not_an_object_and_not_whole_numbers() {
    let e = errors(config::from_hf_json("[1, 2]", "c.json", "c"));
    assert_one(
        &e,
        "E005",
        "error[E005] c.json: a Hugging Face config.json is a JSON object\n  \
         help: pass the config.json of a GPT-2 checkpoint",
    );
    let e = errors(config::from_hf_json(
        r#"{"n_layer": 12.5, "n_head": "12", "n_embd": 768, "n_ctx": 1024}"#,
        "c.json",
        "c",
    ));
    assert_eq!(
        e.to_string(),
        "error[E005] c.json: n_layer: n_layer is 12.5, not a positive integer\n  \
         help: a GPT-2 config.json has n_layer (or num_hidden_layers) as a positive integer\n\
         error[E005] c.json: n_head: n_head is \"12\", not a positive integer\n  \
         help: a GPT-2 config.json has n_head (or num_attention_heads) as a positive integer\n\
         2 configuration errors; nothing was written"
    );
}

#[test]
fn e006_name_not_a_folder_name() {
    let e = yaml_errors("name: ../evil\npreset: tiny\n");
    assert_one(
        &e,
        "E006",
        "error[E006] name: \"../evil\" is not a usable configuration name\n  \
         help: use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.' \
         (it names the output folder)",
    );
}

#[test]
fn e010_heads_do_not_split_n_embd() {
    let e = yaml_errors("model: {n_layer: 2, n_head: 3, n_embd: 16, n_ctx: 128}\n");
    assert_one(
        &e,
        "E010",
        "error[E010] model.n_embd: 16 is not divisible by model.n_head (3)\n  \
         help: n_embd must be n_head times the head dimension",
    );
}

#[test]
fn e011_size_out_of_range() {
    let e = yaml_errors("model: {n_layer: 257, n_head: 2, n_embd: 16, n_ctx: 128}\n");
    assert_one(
        &e,
        "E011",
        "error[E011] model.n_layer: 257 is out of range 1..=256\n  \
         help: set model.n_layer to a whole number between 1 and 256",
    );
}

#[test]
fn e011_head_dimension_and_gain_cells() {
    let e = yaml_errors("model: {n_layer: 1, n_head: 1, n_embd: 2048, n_ctx: 128}\n");
    assert_one(
        &e,
        "E011",
        "error[E011] model.n_embd: head dimension 2048 exceeds 1024\n  \
         help: use more heads or a smaller n_embd",
    );
    // 2 x 256 layers x 256 heads x 65536 slots x 64 = 2^40 cells.
    let e = yaml_errors("model: {n_layer: 256, n_head: 256, n_embd: 16384, n_ctx: 65536}\n");
    assert_one(
        &e,
        "E011",
        "error[E011] hardware.window: 549755813888 gain cells exceed the supported 4294967296\n  \
         help: reduce the window, the layers or the heads",
    );
}

#[test]
fn e012_window_not_a_multiple_of_tile() {
    let e = yaml_errors("preset: tiny\nhardware: {window: 100}\n");
    assert_one(
        &e,
        "E012",
        "error[E012] hardware.window: 100 is not a multiple of hardware.tile (64)\n  \
         help: choose a window that is a whole number of tiles, or a tile that divides it",
    );
}

#[test]
fn e013_window_longer_than_context() {
    let e = yaml_errors("preset: tiny\nhardware: {window: 256}\n");
    assert_one(
        &e,
        "E013",
        "error[E013] hardware.window: a window of 256 tokens exceeds the model context model.n_ctx (128)\n  \
         help: a window longer than the context is never filled: use at most n_ctx",
    );
}

#[test]
fn e020_levels_out_of_range() {
    let e = yaml_errors("preset: tiny\nhardware: {levels: {out: 1025}}\n");
    assert_one(
        &e,
        "E020",
        "error[E020] hardware.levels.out: 1025 is out of range 2..=1024\n  \
         help: set hardware.levels.out to a level count between 2 and 1024",
    );
}

#[test]
fn e021_analog_offset_above_v_max() {
    let e = yaml_errors("preset: tiny\nhardware: {analog: {v_off: 1.2}}\n");
    assert_one(
        &e,
        "E021",
        "error[E021] hardware.analog.v_off: 1.2 is outside [0, v_max = 0.9]\n  \
         help: the offset voltage lies within the stored-voltage range",
    );
}

#[test]
fn e021_analog_saturation_not_positive() {
    let e = yaml_errors("preset: tiny\nhardware: {analog: {s_sat: 0}}\n");
    assert_one(
        &e,
        "E021",
        "error[E021] hardware.analog.s_sat: 0 is outside (0, 1000000]\n  \
         help: set hardware.analog.s_sat to a finite number in (0, 1000000]",
    );
}

#[test]
fn e022_cell_zero_gain() {
    let e = yaml_errors("preset: tiny\nhardware: {cell: {model: linear, linear_gain: 0}}\n");
    assert_one(
        &e,
        "E022",
        "error[E022] hardware.cell.linear_gain: 0 is not a finite non-zero gain of at most 1e4\n  \
         help: the paper's linear cell has gain 19.3",
    );
}

#[test]
fn e022_cell_wrong_number_of_coefficients() {
    let e = yaml_errors("preset: tiny\nhardware: {cell: {poly_coeffs: [1, 2, 3]}}\n");
    assert_one(
        &e,
        "E022",
        "error[E022] hardware.cell.poly_coeffs: 3 coefficients given, 10 expected\n  \
         help: give C[p][r] for (p,r) = (0,0),(0,1),(0,2),(0,3),(1,0),(1,1),(1,2),(2,0),(2,1),(3,0)",
    );
}

#[test]
fn e023_decay_out_of_range() {
    let e = yaml_errors("preset: tiny\nhardware: {decay_per_token: 1.0}\n");
    assert_one(
        &e,
        "E023",
        "error[E023] hardware.decay_per_token: 1 is outside [0, 1)\n  \
         help: 0 disables decay; the paper's fine-tuning used 1.6e-4",
    );
}

#[test]
fn e030_pwm_step_not_whole_cycles() {
    // 20 ns / 15 steps = 1.333 ns: not a whole number of 1 ns cycles.
    let e = yaml_errors("preset: tiny\nhardware: {timing: {t_max_ns: 20}}\n");
    assert_one(
        &e,
        "E030",
        "error[E030] hardware.timing.t_max_ns: the PWM step t_max_ns / (levels.q - 1) = \
         1.3333333333333333 ns is 1.3333333333333333 clock cycles of 1 ns, not a whole number\n  \
         help: make t_max_ns a multiple of (levels.q - 1) x 1 ns, e.g. 15 ns, or change clock_mhz",
    );
}

#[test]
fn e031_timing_zero_clock() {
    let e = yaml_errors("preset: tiny\nhardware: {timing: {clock_mhz: 0}}\n");
    assert_one(
        &e,
        "E031",
        "error[E031] hardware.timing.clock_mhz: 0 is outside (0, 10000]\n  \
         help: set hardware.timing.clock_mhz to a finite number in (0, 10000]",
    );
}

#[test]
fn e031_timing_phase_too_long() {
    // 1e5 ns at 10 GHz: a write of 1e6 cycles.
    let e = yaml_errors(
        "preset: tiny\nhardware: {timing: {clock_mhz: 10000, t_max_ns: 1.5, t_write_ns: 100000}}\n",
    );
    assert_one(
        &e,
        "E031",
        "error[E031] hardware.timing: a phase lasts more than 100000 cycles\n  \
         help: shorten t_max_ns or t_write_ns, or lower clock_mhz",
    );
}

#[test]
fn e040_stream_tdata_not_whole_bytes() {
    let e = yaml_errors("preset: tiny\nhardware: {stream: {tdata_bits: 100}}\n");
    assert_one(
        &e,
        "E040",
        "error[E040] hardware.stream.tdata_bits: 100 is not a whole number of bytes from 64 to 4096\n  \
         help: the header beat needs 48 bits; AXI4-Stream TDATA is whole bytes (e.g. 64, 256, 512)",
    );
}

#[test]
fn e040_stream_no_integer_bit() {
    let e = yaml_errors("preset: tiny\nhardware: {stream: {in_bits: 8, in_frac_bits: 8}}\n");
    assert_one(
        &e,
        "E040",
        "error[E040] hardware.stream.in_frac_bits: 8 leaves no integer bit in 8 input bits\n  \
         help: use fewer fractional bits than in_bits (sign bit included)",
    );
}

#[test]
fn e060_unknown_technology_profile() {
    let e = yaml_errors("preset: tiny\nhardware: {pdk: gf180}\n");
    assert_one(
        &e,
        "E060",
        "error[E060] hardware.pdk: \"gf180\" is not a known technology profile\n  \
         help: use one of: nangate45, sky130",
    );
}

#[test]
fn sky130_profile_is_accepted() {
    let p =
        gca::config::from_yaml("preset: tiny\nhardware: {pdk: sky130}\n", "t.yaml", "t").unwrap();
    assert_eq!(p.pdk().site, "unithd");
}

#[test]
fn e050_fixed_point_no_integer_bit() {
    let e = yaml_errors("preset: tiny\nhardware: {fixed_point: {scaler_frac_bits: 16}}\n");
    assert_one(
        &e,
        "E050",
        "error[E050] hardware.fixed_point.scaler_frac_bits: 16 leaves no integer bit in 16 scaler bits\n  \
         help: use fewer fractional bits than scaler_bits",
    );
}

#[test]
fn e050_fixed_point_accumulator_too_wide() {
    // A huge linear gain makes the cell table, and with it the score and the accumulator, wide.
    let e = yaml_errors(
        "model: {n_layer: 1, n_head: 1, n_embd: 1024, n_ctx: 4096}\n\
         hardware: {tile: 4096, analog: {v_max: 10, v_off: 0}, levels: {q: 256}, \
         timing: {t_max_ns: 255}, cell: {model: linear, linear_gain: 10000}, \
         fixed_point: {g_frac_bits: 24, phi_frac_bits: 24}}\n",
    );
    assert_eq!(e.codes(), ["E050"], "{e}");
    let text = e.0[0].to_string();
    assert!(
        text.starts_with("error[E050] hardware.fixed_point: the tile accumulator needs "),
        "{text}"
    );
    assert!(
        text.ends_with(
            " bits; at most 62 are supported\n  help: lower g_frac_bits or phi_frac_bits"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Several errors at once.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_violation_is_reported_at_once_in_order() {
    let text = "\
name: many-errors
preset: tiny
hardware:
  window: 96          # not a multiple of the tile (64): E012
  levels:
    kv: 1             # below 2 levels: E020
    out: 2000         # above 1024 levels: E020
  timing:
    t_max_ns: 16      # 16 ns / 15 steps is not whole cycles: E030
  stream:
    tdata_bits: 63    # not whole bytes: E040
";
    let e = yaml_errors(text);
    assert_eq!(e.codes(), ["E012", "E020", "E020", "E030", "E040"], "{e}");
    assert_eq!(
        e.to_string(),
        "error[E012] hardware.window: 96 is not a multiple of hardware.tile (64)\n  \
         help: choose a window that is a whole number of tiles, or a tile that divides it\n\
         error[E020] hardware.levels.kv: 1 is out of range 2..=256\n  \
         help: set hardware.levels.kv to a level count between 2 and 256\n\
         error[E020] hardware.levels.out: 2000 is out of range 2..=1024\n  \
         help: set hardware.levels.out to a level count between 2 and 1024\n\
         error[E030] hardware.timing.t_max_ns: the PWM step t_max_ns / (levels.q - 1) = \
         1.0666666666666667 ns is 1.0666666666666667 clock cycles of 1 ns, not a whole number\n  \
         help: make t_max_ns a multiple of (levels.q - 1) x 1 ns, e.g. 15 ns, or change clock_mhz\n\
         error[E040] hardware.stream.tdata_bits: 63 is not a whole number of bytes from 64 to 4096\n  \
         help: the header beat needs 48 bits; AXI4-Stream TDATA is whole bytes (e.g. 64, 256, 512)\n\
         5 configuration errors; nothing was written"
    );
}

#[test]
fn a_bad_name_is_reported_with_the_rule_violations() {
    let e = yaml_errors("name: ''\nmodel: {n_layer: 0, n_head: 2, n_embd: 16, n_ctx: 128}\n");
    assert_eq!(e.codes(), ["E006", "E011"], "{e}");
}

// ---------------------------------------------------------------------------------------------
// Presets, example files, Hugging Face.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_preset_loads_with_its_shape_and_defaults() {
    assert!(PRESETS.len() >= 7);
    for (name, model, _) in PRESETS {
        let p = config::load(name).unwrap_or_else(|e| panic!("preset {name}:\n{e}"));
        assert_eq!(p.name, *name);
        assert_eq!(p.model, *model);
        assert_eq!(config::preset(name), Some(*model));
        let hw = config::Hardware {
            window: Some(model.n_ctx),
            ..config::Hardware::default()
        };
        assert_eq!(p.hardware, hw, "preset {name}");
        assert_eq!(p.shape.d_head as u64 * model.n_head, model.n_embd);
        // The same through a YAML file naming the preset.
        let q = config::from_yaml(&format!("preset: {name}\n"), "p.yaml", "p").unwrap();
        assert_eq!(q, p, "preset {name} through YAML");
    }
}

#[test]
fn every_file_in_configs_loads() {
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(configs_dir())
        .expect("configs/")
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "yaml" | "yml" | "json") {
            continue;
        }
        // Sweep files (`gca sweep`) are not configurations: generator/tests/sweep.rs loads them.
        let stem = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if stem.starts_with("sweep-") {
            continue;
        }
        let spec = path.to_str().unwrap();
        if let Err(e) = config::load(spec) {
            panic!("{spec} does not load:\n{e}");
        }
        n += 1;
    }
    assert!(n >= 3, "only {n} configuration files found in configs/");
}

#[test]
fn example_yaml_is_the_gpt2_preset_spelled_out() {
    let spec = configs_dir().join("example.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let example = config::load(spec.to_str().unwrap()).unwrap();
    let mut gpt2 = config::load("gpt2").unwrap();
    assert_eq!(example.name, "example");
    gpt2.name = example.name.clone();
    assert_eq!(example, gpt2);
    // Every field of the schema is written out, so that users can copy the file.
    let file: config::ConfigFile = serde_saphyr::from_str(&text).unwrap();
    assert!(file.name.is_some() && file.model.is_some() && file.hardware.window.is_some());
    let all_fields = serde_json::to_value(config::ConfigFile {
        name: Some(String::new()),
        preset: None,
        model: Some(config::preset("gpt2").unwrap()),
        hardware: config::Hardware {
            window: Some(1),
            ..Default::default()
        },
    })
    .unwrap();
    let mut keys = Vec::new();
    collect_keys(&all_fields, &mut keys);
    for key in keys {
        let needle = format!("{key}:");
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(&needle)),
            "configs/example.yaml does not set `{key}`"
        );
    }
    assert!(
        text.contains("preset: gpt2"),
        "mention the preset alternative"
    );
}

fn collect_keys(v: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(obj) = v.as_object() {
        for (k, v) in obj {
            out.push(k.clone());
            collect_keys(v, out);
        }
    }
}

#[test]
fn tiny_linear_yaml() {
    let p = config::load(configs_dir().join("tiny-linear.yaml").to_str().unwrap()).unwrap();
    assert_eq!(p.name, "tiny-linear");
    assert_eq!(p.model, config::preset("tiny").unwrap());
    assert_eq!(p.hardware.cell.model, config::CellModel::Linear);
    assert_eq!(p.hardware.decay_per_token, 0.0);
    assert!(p.hardware.prefill_overlap);
    assert_eq!(p.cycles.prefill(true), p.cycles.prefill_overlap);
}

#[test]
fn hugging_face_gpt2_config_is_the_gpt2_shape() {
    let spec = configs_dir().join("gpt2-hf-config.json");
    let p = config::load(spec.to_str().unwrap()).unwrap();
    assert_eq!(p.name, "gpt2-hf-config");
    let mut gpt2 = config::load("gpt2").unwrap();
    gpt2.name = p.name.clone();
    assert_eq!(p, gpt2);
    // The Hugging Face field names of newer checkpoints are accepted too.
    let aliased = r#"{"model_type": "gpt2", "num_hidden_layers": 12, "num_attention_heads": 12,
        "hidden_size": 768, "n_positions": 1024}"#;
    let q = config::from_hf_json(aliased, "c.json", "gpt2-hf-config").unwrap();
    assert_eq!(q, p);
}

#[test]
fn a_checkpoint_config_json_is_named_after_its_folder() {
    let dir = TempDir::new("checkpoint_name");
    let ckpt = dir.0.join("my-gpt2");
    std::fs::create_dir_all(&ckpt).unwrap();
    let path = ckpt.join("config.json");
    std::fs::copy(configs_dir().join("gpt2-hf-config.json"), &path).unwrap();
    let p = config::load(path.to_str().unwrap()).unwrap();
    assert_eq!(p.name, "my-gpt2");
}

#[test]
fn a_yaml_file_is_named_by_name_then_preset_then_stem() {
    let dir = TempDir::new("yaml_stem");
    let spec = dir.write(
        "small-one.yaml",
        "model: {n_layer: 1, n_head: 2, n_embd: 16, n_ctx: 128}\nhardware: {tile: 32}\n",
    );
    let p = config::load(&spec).unwrap();
    assert_eq!(p.name, "small-one");
    assert_eq!(p.shape.n_tiles, 4);
    let spec = dir.write("from-preset.yaml", "preset: tiny\n");
    assert_eq!(config::load(&spec).unwrap().name, "tiny");
    let spec = dir.write("other.yml", "name: chosen\npreset: tiny\n");
    assert_eq!(config::load(&spec).unwrap().name, "chosen");
}

// ---------------------------------------------------------------------------------------------
// Hostile inputs: errors, never panics.
// ---------------------------------------------------------------------------------------------

/// Runs `f` and fails with the input's label if it panics or succeeds.
fn must_fail(label: &str, f: impl FnOnce() -> Result<Params, ConfigErrors>) -> ConfigErrors {
    match catch_unwind(AssertUnwindSafe(f)) {
        Err(_) => panic!("{label}: panicked instead of reporting an error"),
        Ok(Ok(p)) => panic!("{label}: accepted as {p:#?}"),
        Ok(Err(e)) => {
            assert!(!e.0.is_empty(), "{label}: an empty error list");
            e
        }
    }
}

#[test]
fn hostile_yaml_gives_errors_not_panics() {
    let tiny_with = |hw: &str| format!("preset: tiny\nhardware: {hw}\n");
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty file", String::new(), "E004"),
        ("only a comment", "# nothing here\n".into(), "E004"),
        ("null document", "~\n".into(), "E002"),
        ("a list", "- preset\n- tiny\n".into(), "E002"),
        ("a scalar", "42\n".into(), "E002"),
        ("two documents", "preset: tiny\n---\npreset: gpt2\n".into(), "E002"),
        ("a tab", "preset: tiny\n\thardware: 1\n".into(), "E002"),
        ("a self-referencing alias", "a: &a [*a]\n".into(), "E002"),
        ("unterminated flow", "model: {n_layer: 1\n".into(), "E002"),
        (
            "u64::MAX n_embd",
            "model: {n_layer: 1, n_head: 1, n_embd: 18446744073709551615, n_ctx: 128}\n".into(),
            "E011",
        ),
        (
            "u64::MAX everywhere",
            "model: {n_layer: 18446744073709551615, n_head: 18446744073709551615, \
             n_embd: 18446744073709551615, n_ctx: 18446744073709551615}\n\
             hardware: {window: 18446744073709551615, tile: 18446744073709551615, \
             levels: {q: 18446744073709551615, kv: 18446744073709551615, out: 18446744073709551615}, \
             stream: {tdata_bits: 18446744073709551615, in_bits: 18446744073709551615, \
             in_frac_bits: 18446744073709551615, out_bits: 18446744073709551615, \
             out_frac_bits: 18446744073709551615}, \
             fixed_point: {scaler_bits: 18446744073709551615, scaler_frac_bits: 18446744073709551615, \
             g_frac_bits: 18446744073709551615, phi_frac_bits: 18446744073709551615}}\n"
                .into(),
            "E011",
        ),
        (
            "beyond u64",
            "model: {n_layer: 1, n_head: 1, n_embd: 18446744073709551616, n_ctx: 128}\n".into(),
            "E002",
        ),
        (
            "negative n_layer",
            "model: {n_layer: -1, n_head: 1, n_embd: 16, n_ctx: 128}\n".into(),
            "E002",
        ),
        ("negative tile", tiny_with("{tile: -64}"), "E002"),
        ("negative clock", tiny_with("{timing: {clock_mhz: -1000}}"), "E031"),
        ("negative decay", tiny_with("{decay_per_token: -0.1}"), "E023"),
        ("float tile", tiny_with("{tile: 1.5}"), "E002"),
        ("float window", tiny_with("{window: 64.0}"), "E002"),
        ("float levels", tiny_with("{levels: {q: 1e3}}"), "E002"),
        ("string size", tiny_with("{tile: sixty-four}"), "E002"),
        ("NaN v_max", tiny_with("{analog: {v_max: .nan}}"), "E021"),
        ("NaN v_off", tiny_with("{analog: {v_off: .NaN}}"), "E021"),
        ("inf s_sat", tiny_with("{analog: {s_sat: .inf}}"), "E021"),
        ("-inf a_sat", tiny_with("{analog: {a_sat: -.inf}}"), "E021"),
        ("NaN gain", tiny_with("{cell: {linear_gain: .nan}}"), "E022"),
        ("inf v_in", tiny_with("{cell: {v_in: .inf}}"), "E022"),
        (
            "NaN coefficient",
            tiny_with("{cell: {poly_coeffs: [.nan, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}"),
            "E022",
        ),
        ("inf decay", tiny_with("{decay_per_token: .inf}"), "E023"),
        ("NaN decay", tiny_with("{decay_per_token: .nan}"), "E023"),
        ("NaN clock", tiny_with("{timing: {clock_mhz: .nan}}"), "E031"),
        ("inf t_max", tiny_with("{timing: {t_max_ns: .inf}}"), "E031"),
        ("-inf t_write", tiny_with("{timing: {t_write_ns: -.inf}}"), "E031"),
        ("huge clock", tiny_with("{timing: {clock_mhz: 1e300}}"), "E031"),
        ("tiny t_max", tiny_with("{timing: {t_max_ns: 1e-300}}"), "E030"),
        ("zero levels", tiny_with("{levels: {q: 0, kv: 0, out: 0}}"), "E020"),
        ("zero bits", tiny_with("{stream: {in_bits: 0, out_bits: 0}}"), "E040"),
        ("zero fixed point", tiny_with("{fixed_point: {scaler_bits: 0, scaler_frac_bits: 0, g_frac_bits: 0, phi_frac_bits: 0}}"), "E050"),
        (
            "all zero",
            "model: {n_layer: 0, n_head: 0, n_embd: 0, n_ctx: 0}\nhardware: {window: 0, tile: 0}\n"
                .into(),
            "E011",
        ),
        ("wrong section type", "preset: tiny\nhardware: [1, 2]\n".into(), "E002"),
        ("name is a map", "name: {a: 1}\npreset: tiny\n".into(), "E002"),
        ("a very long name", format!("name: {}\npreset: tiny\n", "n".repeat(10_000)), "E006"),
    ];
    for (label, text, first_code) in cases {
        let e = must_fail(label, || config::from_yaml(&text, "t.yaml", "t"));
        assert_eq!(e.codes()[0], first_code, "{label}:\n{e}");
        // Every report ends with the count line.
        assert!(e.to_string().ends_with(&footer(e.0.len())), "{label}");
    }
}

#[test]
fn hostile_hugging_face_json_gives_errors_not_panics() {
    let cases = [
        ("empty file", "", "E002"),
        ("null", "null", "E005"),
        ("a list", "[{\"n_layer\": 12}]", "E005"),
        ("an empty object", "{}", "E005"),
        (
            "u64::MAX",
            r#"{"n_layer": 18446744073709551615, "n_head": 18446744073709551615,
               "n_embd": 18446744073709551615, "n_ctx": 18446744073709551615}"#,
            "E011",
        ),
        (
            "beyond u64",
            r#"{"n_layer": 1e30, "n_head": 1, "n_embd": 16, "n_ctx": 128}"#,
            "E005",
        ),
        (
            "negative",
            r#"{"n_layer": -12, "n_head": 12, "n_embd": 768, "n_ctx": 1024}"#,
            "E005",
        ),
        (
            "zeros",
            r#"{"n_layer": 0, "n_head": 0, "n_embd": 0, "n_ctx": 0}"#,
            "E011",
        ),
        (
            "model_type not a string",
            r#"{"model_type": 7, "n_layer": 12, "n_ctx": 1024}"#,
            "E005",
        ),
    ];
    for (label, text, first_code) in cases {
        let e = must_fail(label, || config::from_hf_json(text, "c.json", "c"));
        assert_eq!(e.codes()[0], first_code, "{label}:\n{e}");
    }
}

#[test]
fn hostile_specs_give_errors_not_panics() {
    let dir = TempDir::new("hostile_specs");
    let folder = dir.0.join("a-folder.yaml");
    std::fs::create_dir_all(&folder).unwrap();
    let binary = dir.0.join("binary.yaml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let cases = [
        ("", "E003"),
        ("   ", "E003"),
        ("GPT2", "E003"),
        ("no/such/file", "E001"),
        (folder.to_str().unwrap(), "E001"),
        (binary.to_str().unwrap(), "E001"),
    ];
    for (spec, code) in cases {
        let e = must_fail(spec, || config::load(spec));
        assert_eq!(e.codes(), [code], "{spec:?}:\n{e}");
    }
}

/// BUG (generator/src/config/params.rs, `fixed_formats`): `s_max = d_head * (q - 1) * g_max`
/// overflows u64 before `check_fixed_point` can report E050, so this configuration, which
/// passes every other rule, panics ("attempt to multiply with overflow") in a debug build and
/// wraps silently in release. Remove the `ignore` once fixed.
#[test]
fn wide_polynomial_cell_gives_e050_not_a_panic() {
    let text = "model: {n_layer: 1, n_head: 1, n_embd: 1024, n_ctx: 128}\n\
        hardware: {levels: {q: 256}, timing: {t_max_ns: 255}, analog: {v_max: 10, v_off: 0}, \
        cell: {v_in: 10, poly_coeffs: [10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000, \
        10000, 10000]}, fixed_point: {g_frac_bits: 24}}\n";
    let e = must_fail("wide polynomial cell", || {
        config::from_yaml(text, "t.yaml", "t")
    });
    assert_eq!(e.codes(), ["E050"], "{e}");
}

/// BUG (generator/src/config/params.rs, `fixed_formats`): `out_den = 2 a_sat 2^(phi_frac +
/// g_frac)` is cast to i64 with `as`, which saturates to i64::MAX without an error when
/// a_sat = 1e5 and phi_frac = g_frac = 24 (2^49 x 1e5 > 2^63). Validation should reject it
/// (E050). Remove the `ignore` once fixed.
#[test]
fn out_den_beyond_i64_gives_e050() {
    let text = "preset: tiny\nhardware: {tile: 1, analog: {a_sat: 100000}, \
        cell: {model: linear, linear_gain: 0.001}, \
        fixed_point: {g_frac_bits: 24, phi_frac_bits: 24}}\n";
    let e = must_fail("out_den", || config::from_yaml(text, "t.yaml", "t"));
    assert_eq!(e.codes(), ["E050"], "{e}");
}

// ---------------------------------------------------------------------------------------------
// Derived numbers.
// ---------------------------------------------------------------------------------------------

#[test]
fn gpt2_derived_numbers() {
    let p = config::load("gpt2").unwrap();
    assert_eq!(p.shape.d_head, 64);
    assert_eq!(p.shape.window, 1024);
    assert_eq!(p.shape.tile, 64);
    assert_eq!(p.shape.n_tiles, 16);
    assert_eq!(p.shape.gain_cells, 2 * 12 * 12 * 1024 * 64);
    assert_eq!(p.cycles.pwm_step, 1);
    assert_eq!(
        p.cycles.phases(),
        [
            ("quant", 3),
            ("write", 10),
            ("qk", 15),
            ("av", 15),
            ("readout", 16),
            ("accumulate", 1),
            ("scale", 2)
        ]
    );
    assert_eq!(p.cycles.decode_latency, 62);
    assert_eq!(p.decode_latency_ns(), 62.0);
    assert_eq!(p.cycles.prefill_overlap, 48);
    assert_eq!(p.cycles.prefill_serial, 56);
    assert_eq!(p.cycles.prefill(false), 56);
    assert_eq!(p.stream.token_beats, 37);
    assert_eq!(p.stream.result_beats, 25);
    assert_eq!(p.widths.out_code_max, 16);
}

#[test]
fn tiny_derived_numbers() {
    let p = config::load("tiny").unwrap();
    assert_eq!(p.shape.d_head, 8);
    assert_eq!(p.shape.n_tiles, 2);
    assert_eq!(p.cycles.accumulate, 1);
    assert_eq!(p.cycles.decode_latency, 62);
    assert_eq!(p.stream.token_beats, 7);
    assert_eq!(p.stream.result_beats, 3);
}

#[test]
fn a_slower_clock_stretches_every_phase() {
    // 500 MHz (2 ns cycles): t_max 30 ns gives 15 PWM steps of one cycle each.
    let p = config::from_yaml(
        "preset: gpt2\nhardware: {timing: {clock_mhz: 500, t_max_ns: 30, t_write_ns: 10}}\n",
        "t.yaml",
        "t",
    )
    .unwrap();
    assert_eq!(p.cycles.clock_period_ns, 2.0);
    assert_eq!(p.cycles.pwm_step, 1);
    assert_eq!(p.cycles.write, 5);
    assert_eq!(p.cycles.qk, 15);
}
