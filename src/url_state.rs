//! Lesson state as a typed schema serialised to the URL query, so a link replays a view.
//!
//! Each lesson declares its knobs as a list of [`ParamSpec`]s. [`parse`] reads a query string
//! (`a=1&b=x`) field by field: a missing field takes its default silently, a malformed or
//! out-of-range one takes its default **and** yields a [`Notice`], so the page can say what it
//! ignored. [`encode`] writes every field back, in schema order. Web-free: no DOM here.

use std::fmt;

/// What values a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A finite number in `min..=max`.
    Float { min: f64, max: f64 },
    /// One of a fixed list of identifiers.
    Choice(&'static [&'static str]),
    /// `0`/`1` (also `true`/`false`).
    Bool,
    /// A random seed: an integer in `0..=2^53−1` (exact in JavaScript numbers too).
    Seed,
    /// Up to `max_len` finite numbers in `min..=max`, comma-separated.
    Floats { max_len: usize, min: f64, max: f64 },
    /// Exactly `len` bits (e.g. a drawable binary grid), written as lowercase hexadecimal,
    /// 4 bits per digit, most significant bit first; `⌈len/4⌉` digits.
    Bits { len: usize },
}

/// One knob of a lesson: its URL key, the values it accepts and its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// The query key, short and stable (it is part of shared links).
    pub key: &'static str,
    /// Accepted values.
    pub kind: ParamKind,
    /// The default, written as it would appear in the URL (must parse under `kind`).
    pub default: &'static str,
}

/// A parsed parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// From [`ParamKind::Int`].
    Int(i64),
    /// From [`ParamKind::Float`].
    Float(f64),
    /// Index into the choices of [`ParamKind::Choice`].
    Choice(usize),
    /// From [`ParamKind::Bool`].
    Bool(bool),
    /// From [`ParamKind::Seed`].
    Seed(u64),
    /// From [`ParamKind::Floats`].
    Floats(Vec<f64>),
    /// From [`ParamKind::Bits`].
    Bits(Vec<bool>),
}

/// Largest seed accepted: 2^53 − 1, the largest integer a JS number holds exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Why a URL field was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeReason {
    /// Not a value of the right type (not a number, unknown choice…).
    Malformed,
    /// A number outside the accepted range (or not finite).
    OutOfRange,
    /// A key that no knob of this lesson has.
    UnknownKey,
}

/// A field of the URL that was ignored, for the page to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The query key.
    pub key: String,
    /// The raw value, truncated to 40 characters (display it as text, never as markup).
    pub raw: String,
    /// Why it was ignored.
    pub reason: NoticeReason,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}: {:?}", self.key, self.raw, self.reason)
    }
}

/// Parses one raw value under `kind`.
pub fn parse_value(kind: &ParamKind, raw: &str) -> Result<Value, NoticeReason> {
    let raw = raw.trim();
    match *kind {
        ParamKind::Int { min, max } => {
            let v: i64 = raw.parse().map_err(|_| NoticeReason::Malformed)?;
            if v < min || v > max {
                return Err(NoticeReason::OutOfRange);
            }
            Ok(Value::Int(v))
        }
        ParamKind::Float { min, max } => Ok(Value::Float(parse_float(raw, min, max)?)),
        ParamKind::Choice(options) => {
            options.iter().position(|o| *o == raw).map(Value::Choice).ok_or(NoticeReason::Malformed)
        }
        ParamKind::Bool => match raw {
            "1" | "true" => Ok(Value::Bool(true)),
            "0" | "false" => Ok(Value::Bool(false)),
            _ => Err(NoticeReason::Malformed),
        },
        ParamKind::Seed => {
            let v: u64 = raw.parse().map_err(|_| NoticeReason::Malformed)?;
            if v > MAX_SEED {
                return Err(NoticeReason::OutOfRange);
            }
            Ok(Value::Seed(v))
        }
        ParamKind::Floats { max_len, min, max } => {
            if raw.is_empty() {
                return Ok(Value::Floats(Vec::new()));
            }
            let parts: Vec<&str> = raw.split(',').collect();
            if parts.len() > max_len {
                return Err(NoticeReason::OutOfRange);
            }
            parts
                .iter()
                .map(|p| parse_float(p.trim(), min, max))
                .collect::<Result<_, _>>()
                .map(Value::Floats)
        }
        ParamKind::Bits { len } => {
            if raw.len() != len.div_ceil(4) {
                return Err(NoticeReason::Malformed);
            }
            let mut bits = Vec::with_capacity(len);
            for c in raw.chars() {
                let d = c.to_digit(16).ok_or(NoticeReason::Malformed)?;
                for b in (0..4).rev() {
                    if bits.len() < len {
                        bits.push(d >> b & 1 == 1);
                    }
                }
            }
            Ok(Value::Bits(bits))
        }
    }
}

fn parse_float(raw: &str, min: f64, max: f64) -> Result<f64, NoticeReason> {
    let v: f64 = raw.parse().map_err(|_| NoticeReason::Malformed)?;
    if !v.is_finite() || v < min || v > max {
        return Err(NoticeReason::OutOfRange);
    }
    Ok(v)
}

/// Writes a value as it appears in the URL.
pub fn format_value(kind: &ParamKind, v: &Value) -> String {
    match (kind, v) {
        (ParamKind::Choice(options), Value::Choice(i)) => {
            options.get(*i).copied().unwrap_or_default().to_string()
        }
        (_, Value::Int(i)) => i.to_string(),
        (_, Value::Float(x)) => format_float(*x),
        (_, Value::Bool(b)) => (if *b { "1" } else { "0" }).to_string(),
        (_, Value::Seed(s)) => s.to_string(),
        (_, Value::Floats(xs)) => xs.iter().map(|x| format_float(*x)).collect::<Vec<_>>().join(","),
        (_, Value::Choice(i)) => i.to_string(),
        (_, Value::Bits(bits)) => format_bits(bits),
    }
}

/// Bits as hexadecimal digits, 4 bits per digit, most significant first (zero-padded).
fn format_bits(bits: &[bool]) -> String {
    bits.chunks(4)
        .map(|c| {
            let d = (0..4)
                .fold(0u32, |acc, i| acc << 1 | u32::from(c.get(i).copied().unwrap_or(false)));
            char::from_digit(d, 16).unwrap_or('0')
        })
        .collect()
}

/// Shortest decimal that reads back as the same `f64` (Rust's `Display` guarantees it).
fn format_float(x: f64) -> String {
    format!("{x}")
}

/// Decodes `%XX` escapes and `+` (as space); invalid escapes are kept literally.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes everything but unreserved characters and `,` (kept readable in number lists).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits `a=1&b=2` into decoded pairs (a leading `?` is ignored; empty parts are skipped).
pub fn split_query(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// Splits a location fragment `#/slug?query` into (`slug`, `query`).
pub fn split_hash(hash: &str) -> (String, String) {
    let h = hash.trim_start_matches('#').trim_start_matches('/');
    match h.split_once('?') {
        Some((p, q)) => (p.trim_end_matches('/').to_string(), q.to_string()),
        None => (h.trim_end_matches('/').to_string(), String::new()),
    }
}

/// The last value of `key` in `query`, if present.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    split_query(query).into_iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A notice for a shell key (`lang=xx`, `theme=pink`, `backend=tpu`) whose value in `query`
/// `valid` rejects; `None` when the key is absent or valid. The raw value is cut to 40
/// characters.
pub fn shell_notice(query: &str, key: &str, valid: impl Fn(&str) -> bool) -> Option<Notice> {
    let v = query_value(query, key)?;
    (!valid(&v)).then(|| Notice {
        key: key.into(),
        raw: truncate(&v, 40),
        reason: NoticeReason::Malformed,
    })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Parses a query against a schema: one value per spec (default where missing or bad) and a
/// notice per ignored field. Keys listed in `ignore` (e.g. `lang`, handled by the shell) are
/// neither parsed nor reported.
pub fn parse(specs: &[ParamSpec], query: &str, ignore: &[&str]) -> (Vec<Value>, Vec<Notice>) {
    let pairs = split_query(query);
    let mut notices = Vec::new();
    let values = specs
        .iter()
        .map(|spec| {
            let default = default_value(spec);
            // The last occurrence of a repeated key wins, as in URLSearchParams.get's inverse.
            match pairs.iter().rev().find(|(k, _)| k == spec.key) {
                None => default,
                Some((_, raw)) => parse_value(&spec.kind, raw).unwrap_or_else(|reason| {
                    notices.push(Notice {
                        key: spec.key.to_string(),
                        raw: truncate(raw, 40),
                        reason,
                    });
                    default
                }),
            }
        })
        .collect();
    for (k, v) in &pairs {
        if !specs.iter().any(|s| s.key == k) && !ignore.contains(&k.as_str()) {
            notices.push(Notice {
                key: truncate(k, 40),
                raw: truncate(v, 40),
                reason: NoticeReason::UnknownKey,
            });
        }
    }
    (values, notices)
}

/// The default value of a spec. A default that does not parse is a programming error caught
/// by the registry test; here it degrades to the kind's smallest value instead of panicking.
pub fn default_value(spec: &ParamSpec) -> Value {
    parse_value(&spec.kind, spec.default).unwrap_or(match spec.kind {
        ParamKind::Int { min, .. } => Value::Int(min),
        ParamKind::Float { min, .. } => Value::Float(min),
        ParamKind::Choice(_) => Value::Choice(0),
        ParamKind::Bool => Value::Bool(false),
        ParamKind::Seed => Value::Seed(0),
        ParamKind::Floats { .. } => Value::Floats(Vec::new()),
        ParamKind::Bits { len } => Value::Bits(vec![false; len]),
    })
}

/// Writes all values in schema order as `k=v&…` (no leading `?`).
pub fn encode(specs: &[ParamSpec], values: &[Value]) -> String {
    specs
        .iter()
        .zip(values)
        .map(|(s, v)| format!("{}={}", s.key, percent_encode(&format_value(&s.kind, v))))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn fragments_split_into_slug_and_query() {
        use super::split_hash;
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(split_hash("#/convolution?k=3&lang=zh"), s("convolution", "k=3&lang=zh"));
        assert_eq!(split_hash("#/sgd/"), s("sgd", ""));
        assert_eq!(split_hash(""), s("", ""));
        assert_eq!(split_hash("#/?lang=en"), s("", "lang=en"));
    }

    #[test]
    fn shell_keys_are_read_last_wins_and_reported_when_invalid() {
        use super::{query_value, shell_notice, NoticeReason};
        let q = "k=3&backend=cpu&lang=zh&backend=gpu";
        assert_eq!(query_value(q, "backend").as_deref(), Some("gpu"));
        assert_eq!(query_value(q, "theme"), None);
        let ok = |v: &str| ["cpu", "gpu", "auto"].contains(&v);
        assert_eq!(shell_notice(q, "backend", ok), None);
        assert_eq!(shell_notice("k=1", "backend", ok), None);
        let long = format!("backend={}", "x".repeat(100));
        let n = shell_notice(&long, "backend", ok).unwrap();
        assert_eq!(
            (n.key.as_str(), n.raw.len(), n.reason),
            ("backend", 40, NoticeReason::Malformed)
        );
    }

    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec { key: "s", kind: ParamKind::Int { min: 1, max: 4 }, default: "1" },
        ParamSpec {
            key: "pad",
            kind: ParamKind::Choice(&["valid", "same", "0", "1"]),
            default: "same",
        },
        ParamSpec { key: "relu", kind: ParamKind::Bool, default: "0" },
        ParamSpec { key: "seed", kind: ParamKind::Seed, default: "42" },
        ParamSpec {
            key: "k",
            kind: ParamKind::Floats { max_len: 9, min: -100.0, max: 100.0 },
            default: "0,1,0",
        },
        ParamSpec { key: "t", kind: ParamKind::Float { min: 0.0, max: 2.0 }, default: "0.5" },
    ];

    #[test]
    fn round_trip() {
        let (v, n) = parse(SPECS, "s=3&pad=valid&relu=1&seed=7&k=1.5,-2,3e-3&t=1.25", &[]);
        assert!(n.is_empty(), "{n:?}");
        let q = encode(SPECS, &v);
        assert_eq!(q, "s=3&pad=valid&relu=1&seed=7&k=1.5,-2,0.003&t=1.25");
        assert_eq!(parse(SPECS, &q, &[]).0, v);
    }

    #[test]
    fn garbage_falls_back_field_by_field() {
        let q =
            "s=NaN&pad=%3Cscript%3E&relu=2&seed=99999999999999999999&k=1,inf&t=1e309&zz=1&lang=zh";
        let (v, n) = parse(SPECS, q, &["lang"]);
        let (d, _) = parse(SPECS, "", &[]);
        assert_eq!(v, d);
        assert_eq!(n.len(), 7, "{n:?}");
        assert_eq!(n[1].raw, "<script>");
        assert_eq!(n[6].reason, NoticeReason::UnknownKey);
        // A good field beside bad ones is kept.
        let (v, n) = parse(SPECS, "s=9&relu=1", &[]);
        assert_eq!((v[0].clone(), v[2].clone(), n.len()), (Value::Int(1), Value::Bool(true), 1));
    }

    #[test]
    fn bits_round_trip_and_reject() {
        const B: &[ParamSpec] =
            &[ParamSpec { key: "g", kind: ParamKind::Bits { len: 6 }, default: "00" }];
        let (v, n) = parse(B, "g=b4", &[]);
        assert!(n.is_empty(), "{n:?}");
        // 0xb = 1011, 0x4 = 0100 -> first 6 bits 1,0,1,1,0,1
        assert_eq!(v[0], Value::Bits(vec![true, false, true, true, false, true]));
        assert_eq!(encode(B, &v), "g=b4");
        for bad in ["g=b", "g=b45", "g=zz"] {
            let (v, n) = parse(B, bad, &[]);
            assert_eq!((v[0].clone(), n.len()), (Value::Bits(vec![false; 6]), 1), "{bad}");
        }
    }

    #[test]
    fn percent_codec() {
        assert_eq!(percent_decode("a%20b+c%zz%"), "a b c%zz%");
        assert_eq!(percent_encode("a b<"), "a%20b%3C");
        assert_eq!(
            split_query("?a=1&&b&c=%26"),
            vec![("a".into(), "1".into()), ("b".into(), "".into()), ("c".into(), "&".into())]
        );
    }
}
