//! Tests of the JSON interface: defaults, overrides and every error code.

use super::*;

/// A one-head input with `fields` spliced into the top level and rows of `d` values.
fn doc(fields: &str, t: usize, d: usize) -> String {
    let rows = |x: f64| {
        format!(
            "[{}]",
            vec![format!("[{}]", vec![x.to_string(); d].join(", ")); t].join(", ")
        )
    };
    format!(
        r#"{{"cell": "linear", "window": 4, "tile": 2, {fields}
            "heads": [{{"q_scale": [1, 0], "k_scale": [1, 0.45], "v_scale": [1, 0.45],
                        "out_scale": [1, 0], "q": {}, "k": {}, "v": {}}}]}}"#,
        rows(0.5),
        rows(0.1),
        rows(-0.1)
    )
}

fn messages(text: &str) -> Vec<String> {
    parse_input(text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn defaults_and_overrides() {
    let (p, heads) = parse_input(&doc("", 3, 2)).unwrap();
    assert_eq!(p, RefParams::paper(Cell::Linear, 4, 2));
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].scalers.k, (1.0, 0.45));
    assert_eq!(heads[0].q, vec![vec![0.5, 0.5]; 3]);
    let fields = r#""decay_per_token": 0.1, "q_levels": 4, "kv_levels": 4, "out_levels": 8,
        "v_max": 1.2, "v_off": 0.6, "s_sat": 5, "a_sat": 6, "linear_gain": 2.5,
        "poly_coeffs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "v_in": 0.5, "#;
    let (p, _) = parse_input(&doc(fields, 1, 1)).unwrap();
    let want = RefParams {
        decay_per_token: 0.1,
        q_levels: 4,
        kv_levels: 4,
        out_levels: 8,
        v_max: 1.2,
        v_off: 0.6,
        s_sat: 5.0,
        a_sat: 6.0,
        linear_gain: 2.5,
        poly_coeffs: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        v_in: 0.5,
        ..RefParams::paper(Cell::Linear, 4, 2)
    };
    assert_eq!(p, want);
}

#[test]
fn r001_malformed_json() {
    assert_eq!(
        messages("{\"cell\": \"linear\",\n \"window\": 2,}"),
        ["error[R001] line 2, column 14: trailing comma\n  \
          help: the input must be one JSON object: check commas, brackets and quotes"]
    );
    assert_eq!(
        messages(r#"{"cell": "linear", "window": 4"#),
        [
            "error[R001] line 1, column 30: EOF while parsing an object\n  \
          help: the input ends early: close every object and array"
        ]
    );
}

#[test]
fn r001_wrong_shape() {
    let m = messages(&doc(r#""windw": 8,"#, 1, 1));
    assert_eq!(m.len(), 1);
    assert!(
        m[0].starts_with("error[R001] line 1, column 50: unknown field `windw`, expected one of"),
        "{}",
        m[0]
    );
    assert!(m[0].ends_with(
        "\n  help: keys and value types must follow the input format of `gca reference` \
         (unknown keys are rejected)"
    ));
    assert_eq!(
        messages(r#"{"cell": "poly", "window": 4, "tile": 2, "heads": []}"#),
        [
            "error[R001] line 1, column 15: unknown variant `poly`, expected `linear` or \
          `polynomial`\n  help: keys and value types must follow the input format of \
          `gca reference` (unknown keys are rejected)"
        ]
    );
}

#[test]
fn r002_geometry_and_levels() {
    let text = doc(r#""q_levels": 1,"#, 1, 1).replace("\"window\": 4", "\"window\": 3");
    let hint = "help: the window is split into whole tiles: window = n_tiles * tile, \
                1 <= n_tiles <= 1024, window <= 65536";
    assert_eq!(
        messages(&text),
        [
            format!("error[R002] tile: window 3 is not a multiple of tile 2\n  {hint}"),
            "error[R002] q_levels: 1 levels, expected 2 to 16777216\n  help: a quantizer has \
             at least 2 levels (its step is range / (levels - 1))"
                .to_string(),
        ]
    );
    let text = doc("", 1, 1).replace("\"window\": 4, \"tile\": 2", "\"window\": 0, \"tile\": 0");
    assert_eq!(
        messages(&text),
        [
            format!("error[R002] window: window is 0\n  {hint}"),
            format!("error[R002] tile: tile is 0\n  {hint}"),
        ]
    );
    let text = doc("", 1, 1).replace(
        "\"window\": 4, \"tile\": 2",
        "\"window\": 4096, \"tile\": 2",
    );
    assert_eq!(
        messages(&text),
        [format!(
            "error[R002] tile: window 4096 / tile 2 gives 2048 tiles, more than 1024\n  {hint}"
        )]
    );
}

#[test]
fn r003_head_shapes() {
    let mut value: serde_json::Value = serde_json::from_str(&doc("", 3, 64)).unwrap();
    value["heads"][0]["k"][2].as_array_mut().unwrap().pop();
    let text = value.to_string();
    assert_eq!(
        messages(&text),
        [
            "error[R003] heads[0].k[2]: expected 64 values (the head dimension), found 63\n  \
          help: every q, k and v row of a head has the same length"
        ]
    );
    let text = doc("", 2, 1).replace("\"v\": [[-0.1], [-0.1]]", "\"v\": [[-0.1]]");
    assert_eq!(
        messages(&text),
        [
            "error[R003] heads[0].v: expected 2 rows (the token count of q), found 1\n  \
          help: q, k and v hold one row per token, so they have the same number of rows"
        ]
    );
    assert_eq!(
        messages(&doc("", 2, 0)),
        [
            "error[R003] heads[0]: the head dimension is 0 (empty rows)\n  \
          help: every q, k and v row holds the head's D values, D >= 1"
        ]
    );
    assert_eq!(
        messages(&doc("", 0, 1)),
        ["error[R003] heads[0].q: no tokens\n  \
          help: a head needs at least one row in each of q, k and v"]
    );
}

#[test]
fn r004_nan_producing_parameters() {
    assert_eq!(
        messages(&doc(r#""s_sat": 0,"#, 1, 1)),
        ["error[R004] s_sat: s_sat is 0.0, it must be positive\n  \
          help: it divides or scales every value; zero or a negative value gives NaN"]
    );
    assert_eq!(
        messages(&doc(r#""v_off": 1.0, "decay_per_token": -0.5,"#, 1, 1)),
        [
            "error[R004] v_off: v_off 1.0 is outside [0, v_max = 0.9]\n  \
             help: the offset is a voltage within the stored range [0, v_max]",
            "error[R004] decay_per_token: decay_per_token is -0.5, it must be >= 0\n  \
             help: cells lose charge with age: lambda >= 0, and 0 disables the decay",
        ]
    );
    assert_eq!(
        messages(&doc(
            r#""linear_gain": 1e308, "v_max": 10, "v_off": 0,"#,
            1,
            1
        )),
        [
            "error[R004] linear_gain: the cell output |g(u)| overflows f64 for linear_gain\n  \
          help: keep |linear_gain| * v_max far below 1e308"
        ]
    );
    let text = doc("", 1, 1).replace("\"out_scale\": [1, 0]", "\"out_scale\": [1e308, 0]");
    assert_eq!(
        messages(&text),
        ["error[R004] heads[0].out_scale: out_scale [1e308, 0.0] makes the output overflow f64\n  \
          help: the output is a * (sum of up to n_tiles values in [-2, 2]) + b"]
    );
}

#[test]
fn r005_no_heads() {
    assert_eq!(
        messages(r#"{"cell": "linear", "window": 4, "tile": 2, "heads": []}"#),
        [
            "error[R005] heads: no heads\n  help: give at least one head object with q_scale, \
          k_scale, v_scale, out_scale, q, k and v"
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = r#"{"cell": "polynomial", "window": 6, "tile": 4, "s_sat": -1, "a_sat": 0,
        "heads": [{"q_scale": [1, 0], "k_scale": [1, 0], "v_scale": [1, 0], "out_scale": [1, 0],
                   "q": [[1, 2], [3]], "k": [[1, 2]], "v": [[1, 2], [3, 4]]}]}"#;
    let codes: Vec<(&str, String)> = parse_input(text)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.code, e.path))
        .collect();
    let want = [
        ("R002", "tile"),
        ("R004", "s_sat"),
        ("R004", "a_sat"),
        ("R003", "heads[0].k"),
        ("R003", "heads[0].q[1]"),
    ];
    assert_eq!(codes, want.map(|(c, p)| (c, p.to_string())));
}

#[test]
fn json_round_trip() {
    // Full-precision values (17 significant digits when printed).
    let rows = |seed: usize| -> Vec<Vec<f64>> {
        let x = |n: usize| ((seed * 7919 + n) as f64 * 0.618033988749895).fract() - 0.3;
        (0..5)
            .map(|i| (0..3).map(|e| x(i * 3 + e)).collect())
            .collect()
    };
    let heads: Vec<HeadInput> = (0..2)
        .map(|h| HeadInput {
            scalers: Scalers {
                q: (1.0 + rows(h)[0][0], 0.5),
                k: (0.9, 0.45 + rows(h)[0][1] / 10.0),
                v: (0.9, 0.45),
                out: (1.0 / 3.0, rows(h)[1][1]),
            },
            q: rows(10 * h + 1),
            k: rows(10 * h + 2),
            v: rows(10 * h + 3),
        })
        .collect();
    let head_json = |h: &HeadInput| {
        serde_json::json!({
            "q_scale": [h.scalers.q.0, h.scalers.q.1], "k_scale": [h.scalers.k.0, h.scalers.k.1],
            "v_scale": [h.scalers.v.0, h.scalers.v.1],
            "out_scale": [h.scalers.out.0, h.scalers.out.1],
            "q": h.q, "k": h.k, "v": h.v,
        })
    };
    let doc = serde_json::json!({
        "cell": "polynomial", "decay_per_token": 0.02, "window": 4, "tile": 2,
        "s_sat": 10.0, "heads": heads.iter().map(head_json).collect::<Vec<_>>(),
    });
    let (p, parsed) = parse_input(&doc.to_string()).expect("valid input");
    let mut want = RefParams::paper(Cell::Polynomial, 4, 2);
    want.decay_per_token = 0.02;
    want.s_sat = 10.0;
    assert_eq!(p, want);
    assert_eq!(parsed, heads);
    let results: Vec<HeadResult> = parsed.iter().map(|h| run_head(&p, h)).collect();
    let text = output_json(&results);
    let out: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (h, r) in results.iter().enumerate() {
        let y: Vec<Vec<f64>> = serde_json::from_value(out["heads"][h]["y"].clone()).unwrap();
        assert_eq!(y.len(), r.y.len());
        for (a, b) in y.iter().flatten().zip(r.y.iter().flatten()) {
            assert!((a - b).abs() <= 1e-15 * b.abs().max(1.0)); // serde_json may be 1 ulp off
        }
    }
    // Bit-exact through the text when read by a correctly rounded parser (one row a line).
    let printed: Vec<f64> = text
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').strip_prefix('['))
        .flat_map(|l| {
            l.trim_end_matches(']')
                .split(',')
                .map(|x| x.parse::<f64>().unwrap())
        })
        .collect();
    let want: Vec<f64> = results
        .iter()
        .flat_map(|r| r.y.iter().flatten().copied())
        .collect();
    assert_eq!(printed, want);
}
