//! Exact reading of JSON numbers.
//!
//! serde_json without its `float_roundtrip` feature converts long decimals (such as the
//! 17 significant digits Python or serde_json itself print) with up to 1 ulp of error. The
//! reference must see exactly the inputs it is given, so [`super::parse_input`] re-reads a
//! document serde_json has already accepted with this small reader, whose numbers go through
//! Rust's correctly rounded `str::parse::<f64>`. Strings are unescaped by serde_json itself.

use serde_json::{Map, Number, Value};

/// Re-reads `text`, already accepted by serde_json, into a [`Value`] with exact numbers.
/// Returns `None` on anything unexpected (the caller then keeps serde_json's reading).
/// Nesting is bounded by serde_json's own recursion limit, checked before.
pub(super) fn read_exact(text: &str) -> Option<Value> {
    let mut reader = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let value = reader.value()?;
    reader.skip_ws();
    (reader.i == reader.s.len()).then_some(value)
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// Skips whitespace, then consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        let found = self.s.get(self.i) == Some(&byte);
        self.i += usize::from(found);
        found
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_ws();
        match *self.s.get(self.i)? {
            b'{' => {
                self.i += 1;
                let mut map = Map::new();
                if self.eat(b'}') {
                    return Some(Value::Object(map));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    map.insert(key, self.value()?);
                    if self.eat(b'}') {
                        return Some(Value::Object(map));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b']') {
                        return Some(Value::Array(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.i + word.len();
        (self.s.get(self.i..end)? == word.as_bytes()).then(|| {
            self.i = end;
            value
        })
    }

    /// A string token, unescaped by serde_json.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        if self.s.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        loop {
            match *self.s.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => break,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        serde_json::from_slice(self.s.get(start..self.i)?).ok()
    }

    /// A number token: integers as u64/i64 when they fit (like serde_json), everything else
    /// through the correctly rounded `str::parse::<f64>`.
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while matches!(
            self.s.get(self.i),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.i += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if !token.contains(['.', 'e', 'E']) {
            if let Ok(u) = token.parse::<u64>() {
                return Some(Value::from(u));
            }
            if let Ok(i) = token.parse::<i64>() {
                return Some(Value::from(i));
            }
        }
        Number::from_f64(token.parse::<f64>().ok()?).map(Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_exactly() {
        let text = r#" {"a": [0.4072866736771785, -0.19679928415221498, 1e-3, 7, -2],
                        "b\"c": {"d": [true, false, null, []], "e": {}}} "#;
        let v = read_exact(text).unwrap();
        assert_eq!(v["a"][0].as_f64(), Some(0.4072866736771785));
        assert_eq!(v["a"][1].as_f64(), Some(-0.19679928415221498));
        assert_eq!(v["a"][2].as_f64(), Some(0.001));
        assert_eq!(v["a"][3].as_u64(), Some(7));
        assert_eq!(v["a"][4].as_i64(), Some(-2));
        assert_eq!(v["b\"c"]["d"][2], Value::Null);
        assert_eq!(v["b\"c"]["e"], Value::Object(Map::new()));
        assert_eq!(read_exact("[1, 2"), None);
        assert_eq!(read_exact("[1] x"), None);
    }
}
