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

/// The kinds of typed knobs: one marker type per [`ParamKind`], each saying what Rust type its
/// values read as ([`Knob::Out`]). `Number` is a [`ParamKind::Choice`] whose options are numbers
/// (rates, ε, batch sizes): it reads as the chosen option's `f64`.
pub mod knob {
    use super::{ParamKind, ParamSpec, Value};

    /// What a knob of this kind reads as, and how a value of that type is written back.
    pub trait Knob {
        /// The Rust type of the knob's value.
        type Out: Clone + PartialEq + Default + 'static;
        /// Reads `v` (parsed under `spec`); `None` when it is not a value of this kind.
        fn get(spec: &ParamSpec, v: &Value) -> Option<Self::Out>;
        /// The URL value of `out`; `None` when `spec` has no such value (an unknown choice).
        fn put(spec: &ParamSpec, out: Self::Out) -> Option<Value>;
        /// A schema error of this kind beyond the default (a number choice that is no number).
        fn check(_spec: &ParamSpec) -> Result<(), String> {
            Ok(())
        }
    }

    /// A kind whose values are integers, for integer widgets (sliders, number inputs).
    pub trait Integer: Knob {
        /// The accepted range.
        fn bounds(spec: &ParamSpec) -> (i64, i64);
        /// The value as an `i64`.
        fn to_i64(out: Self::Out) -> i64;
        /// An `i64` as a value (`None` outside the type; the schema checks the range).
        fn from_i64(v: i64) -> Option<Self::Out>;
    }

    impl Integer for Int {
        fn bounds(spec: &ParamSpec) -> (i64, i64) {
            match spec.kind {
                ParamKind::Int { min, max } => (min, max),
                _ => (0, 0),
            }
        }
        fn to_i64(out: i64) -> i64 {
            out
        }
        fn from_i64(v: i64) -> Option<i64> {
            Some(v)
        }
    }

    impl Integer for Seed {
        fn bounds(_: &ParamSpec) -> (i64, i64) {
            (0, super::MAX_SEED as i64)
        }
        fn to_i64(out: u64) -> i64 {
            out as i64
        }
        fn from_i64(v: i64) -> Option<u64> {
            u64::try_from(v).ok()
        }
    }

    /// [`ParamKind::Int`] → `i64`.
    pub struct Int;
    /// [`ParamKind::Float`] → `f64`.
    pub struct Float;
    /// [`ParamKind::Choice`] → the chosen identifier, `&'static str`.
    pub struct Choice;
    /// [`ParamKind::Choice`] over numbers → the chosen option as `f64`.
    pub struct Number;
    /// [`ParamKind::Bool`] → `bool`.
    pub struct Bool;
    /// [`ParamKind::Seed`] → `u64`.
    pub struct Seed;
    /// [`ParamKind::Floats`] → `Vec<f64>`.
    pub struct Floats;
    /// [`ParamKind::Bits`] → `Vec<bool>`.
    pub struct Bits;

    impl Int {
        /// The schema kind.
        pub const fn spec(min: i64, max: i64) -> ParamKind {
            ParamKind::Int { min, max }
        }
    }
    impl Float {
        /// The schema kind.
        pub const fn spec(min: f64, max: f64) -> ParamKind {
            ParamKind::Float { min, max }
        }
    }
    impl Choice {
        /// The schema kind.
        pub const fn spec(options: &'static [&'static str]) -> ParamKind {
            ParamKind::Choice(options)
        }
    }
    impl Number {
        /// The schema kind.
        pub const fn spec(options: &'static [&'static str]) -> ParamKind {
            ParamKind::Choice(options)
        }
    }
    impl Bool {
        /// The schema kind.
        pub const fn spec() -> ParamKind {
            ParamKind::Bool
        }
    }
    impl Seed {
        /// The schema kind.
        pub const fn spec() -> ParamKind {
            ParamKind::Seed
        }
    }
    impl Floats {
        /// The schema kind.
        pub const fn spec(max_len: usize, min: f64, max: f64) -> ParamKind {
            ParamKind::Floats { max_len, min, max }
        }
    }
    impl Bits {
        /// The schema kind.
        pub const fn spec(len: usize) -> ParamKind {
            ParamKind::Bits { len }
        }
    }

    fn options(spec: &ParamSpec) -> &'static [&'static str] {
        match spec.kind {
            ParamKind::Choice(o) => o,
            _ => &[],
        }
    }

    fn number(id: &str) -> Option<f64> {
        id.trim().parse::<f64>().ok().filter(|x| x.is_finite())
    }

    impl Knob for Int {
        type Out = i64;
        fn get(_: &ParamSpec, v: &Value) -> Option<i64> {
            if let Value::Int(i) = v {
                Some(*i)
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: i64) -> Option<Value> {
            Some(Value::Int(out))
        }
    }
    impl Knob for Float {
        type Out = f64;
        fn get(_: &ParamSpec, v: &Value) -> Option<f64> {
            if let Value::Float(x) = v {
                Some(*x)
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: f64) -> Option<Value> {
            Some(Value::Float(out))
        }
    }
    impl Knob for Choice {
        type Out = &'static str;
        fn get(spec: &ParamSpec, v: &Value) -> Option<&'static str> {
            if let Value::Choice(i) = v {
                options(spec).get(*i).copied()
            } else {
                None
            }
        }
        fn put(spec: &ParamSpec, out: &'static str) -> Option<Value> {
            options(spec).iter().position(|o| *o == out).map(Value::Choice)
        }
    }
    impl Knob for Number {
        type Out = f64;
        fn get(spec: &ParamSpec, v: &Value) -> Option<f64> {
            Choice::get(spec, v).and_then(number)
        }
        fn put(spec: &ParamSpec, out: f64) -> Option<Value> {
            options(spec).iter().position(|o| number(o) == Some(out)).map(Value::Choice)
        }
        fn check(spec: &ParamSpec) -> Result<(), String> {
            match options(spec).iter().find(|o| number(o).is_none()) {
                Some(o) => Err(format!("{}: option {o:?} is not a finite number", spec.key)),
                None => Ok(()),
            }
        }
    }
    impl Knob for Bool {
        type Out = bool;
        fn get(_: &ParamSpec, v: &Value) -> Option<bool> {
            if let Value::Bool(b) = v {
                Some(*b)
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: bool) -> Option<Value> {
            Some(Value::Bool(out))
        }
    }
    impl Knob for Seed {
        type Out = u64;
        fn get(_: &ParamSpec, v: &Value) -> Option<u64> {
            if let Value::Seed(s) = v {
                Some(*s)
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: u64) -> Option<Value> {
            Some(Value::Seed(out))
        }
    }
    impl Knob for Floats {
        type Out = Vec<f64>;
        fn get(_: &ParamSpec, v: &Value) -> Option<Vec<f64>> {
            if let Value::Floats(x) = v {
                Some(x.clone())
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: Vec<f64>) -> Option<Value> {
            Some(Value::Floats(out))
        }
    }
    impl Knob for Bits {
        type Out = Vec<bool>;
        fn get(_: &ParamSpec, v: &Value) -> Option<Vec<bool>> {
            if let Value::Bits(b) = v {
                Some(b.clone())
            } else {
                None
            }
        }
        fn put(_: &ParamSpec, out: Vec<bool>) -> Option<Value> {
            Some(Value::Bits(out))
        }
    }
}

pub use knob::Knob;

/// A typed key: one knob of a [`params!`] schema, its position there and the type it reads as.
/// Only the macro makes them (from the schema itself), so a key names a knob that exists; a
/// misspelt field of the keys struct is a compile error.
pub struct Key<K> {
    index: usize,
    spec: ParamSpec,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<K> Clone for Key<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Key<K> {}

impl<K> fmt::Debug for Key<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({}#{})", self.spec.key, self.index)
    }
}

impl<K> Key<K> {
    /// The key of `key` in `specs` (const: a key missing from the schema fails the build).
    pub const fn of(specs: &'static [ParamSpec], key: &'static str) -> Self {
        let mut i = 0;
        while i < specs.len() {
            if str_eq(specs[i].key, key) {
                return Key { index: i, spec: specs[i], kind: std::marker::PhantomData };
            }
            i += 1;
        }
        panic!("params!: key not in the schema");
    }

    /// The position of the knob in its schema (and in the parsed values).
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The knob's spec: URL key, kind (bounds, options) and default.
    pub const fn spec(&self) -> &ParamSpec {
        &self.spec
    }

    /// The URL key.
    pub const fn name(&self) -> &'static str {
        self.spec.key
    }
}

impl<K: Knob> Key<K> {
    /// The knob's value in `values` (parsed under its schema); its default where the slot is
    /// missing or holds another kind.
    pub fn read(&self, values: &[Value]) -> K::Out {
        values.get(self.index).and_then(|v| K::get(&self.spec, v)).unwrap_or_else(|| self.default())
    }

    /// The knob's default.
    pub fn default(&self) -> K::Out {
        // `default_value` gives a value of the spec's kind; only a number choice whose option
        // is no number reads as none (`Knobs::check` fails on it), and then as zero.
        K::get(&self.spec, &default_value(&self.spec)).unwrap_or_default()
    }

    /// `out` as a URL value, if the schema accepts it (in range, a known choice).
    pub fn value(&self, out: K::Out) -> Option<Value> {
        let v = K::put(&self.spec, out)?;
        parse_value(&self.spec.kind, &format_value(&self.spec.kind, &v)).ok()
    }

    /// The spec's default parses and the kind's own rule holds (see [`Knob::check`]).
    pub fn check(&self) -> Result<(), String> {
        parse_value(&self.spec.kind, self.spec.default).map_err(|e| {
            format!("{}: default {:?} does not parse: {e:?}", self.spec.key, self.spec.default)
        })?;
        K::check(&self.spec)
    }
}

impl Key<knob::Int> {
    /// The smallest accepted value.
    pub const fn min(&self) -> i64 {
        match self.spec.kind {
            ParamKind::Int { min, .. } => min,
            _ => 0,
        }
    }
    /// The largest accepted value.
    pub const fn max(&self) -> i64 {
        match self.spec.kind {
            ParamKind::Int { max, .. } => max,
            _ => 0,
        }
    }
}

impl Key<knob::Seed> {
    /// The smallest seed, 0.
    pub const fn min(&self) -> i64 {
        0
    }
    /// The largest seed, [`MAX_SEED`].
    pub const fn max(&self) -> i64 {
        MAX_SEED as i64
    }
}

impl<K: knob::Integer> Key<K> {
    /// The accepted range as integers (`Int`'s bounds, or `0..=MAX_SEED` for a seed), for
    /// integer widgets.
    pub fn bounds(&self) -> (i64, i64) {
        K::bounds(&self.spec)
    }
}

impl Key<knob::Float> {
    /// The smallest accepted value.
    pub const fn min(&self) -> f64 {
        match self.spec.kind {
            ParamKind::Float { min, .. } => min,
            _ => 0.0,
        }
    }
    /// The largest accepted value.
    pub const fn max(&self) -> f64 {
        match self.spec.kind {
            ParamKind::Float { max, .. } => max,
            _ => 0.0,
        }
    }
}

impl Key<knob::Choice> {
    /// The accepted identifiers, in schema order.
    pub const fn options(&self) -> &'static [&'static str] {
        match self.spec.kind {
            ParamKind::Choice(o) => o,
            _ => &[],
        }
    }
}

impl Key<knob::Number> {
    /// The accepted options as written in the URL, in schema order.
    pub const fn options(&self) -> &'static [&'static str] {
        match self.spec.kind {
            ParamKind::Choice(o) => o,
            _ => &[],
        }
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A lesson's knobs as one typed struct, made by [`params!`].
pub trait Knobs: Sized {
    /// The URL schema, in field order.
    const PARAMS: &'static [ParamSpec];
    /// The typed values of `values` (parsed under [`Knobs::PARAMS`]); a missing or mistyped
    /// slot reads as its default.
    fn from_values(values: &[Value]) -> Self;
    /// Every default parses and every number choice is a number.
    fn check() -> Result<(), String>;
    /// The defaults.
    fn defaults() -> Self {
        Self::from_values(&parse(Self::PARAMS, "", &[]).0)
    }
}

/// Declares a lesson's knobs once: the URL schema (`PARAMS`: the field names are the URL keys,
/// in field order), a plain struct of typed values, and a struct of typed [`Key`]s (`KEYS`)
/// that widgets and setters bind to, with the schema's bounds and options.
///
/// ```ignore
/// crate::url_state::params! {
///     /// The knobs.
///     pub struct Demo => DemoKeys {
///         /// Smoothing.
///         beta: Float(0.0, 0.999) = "0.9",
///         src: Choice(&["walk", "loss"]) = "walk",
///         lr: Number(&["0.1", "1"]) = "1",
///         batch: Int(1, 64) = "4",
///         on: Bool = "0",
///         seed: Seed = "1",
///     }
/// }
/// use crate::url_state::Knobs;
/// let d = Demo::defaults();
/// assert_eq!((d.beta, d.src, d.lr, d.batch, d.on, d.seed), (0.9, "walk", 1.0, 4, false, 1));
/// assert_eq!((Demo::KEYS.batch.min(), Demo::KEYS.batch.max()), (1, 64));
/// ```
///
/// Kinds: `Int(min, max)` → `i64`, `Float(min, max)` → `f64`, `Choice(ids)` → `&'static str`,
/// `Number(ids)` → `f64` (a choice over numbers), `Bool` → `bool`, `Seed` → `u64`,
/// `Floats(max_len, min, max)` → `Vec<f64>`, `Bits(len)` → `Vec<bool>`.
macro_rules! params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident => $keys:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $kind:ident $(( $($arg:expr),* $(,)? ))? = $default:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $(
                $(#[$fmeta])*
                pub $field: <$crate::url_state::knob::$kind as $crate::url_state::Knob>::Out,
            )*
        }

        /// The typed keys of the knobs, one per field (`Self::KEYS` on the knobs struct).
        #[derive(Debug, Clone, Copy)]
        $vis struct $keys {
            $(
                $(#[$fmeta])*
                pub $field: $crate::url_state::Key<$crate::url_state::knob::$kind>,
            )*
        }

        impl $name {
            /// The URL schema: the field names are the keys, in field order.
            pub const PARAMS: &'static [$crate::url_state::ParamSpec] = &[
                $(
                    $crate::url_state::ParamSpec {
                        key: stringify!($field),
                        kind: $crate::url_state::knob::$kind::spec($($($arg),*)?),
                        default: $default,
                    },
                )*
            ];

            /// The typed keys, for reads, writes and widgets.
            pub const KEYS: $keys = $keys {
                $( $field: $crate::url_state::Key::of(Self::PARAMS, stringify!($field)), )*
            };
        }

        impl $crate::url_state::Knobs for $name {
            const PARAMS: &'static [$crate::url_state::ParamSpec] = $name::PARAMS;

            fn from_values(values: &[$crate::url_state::Value]) -> Self {
                let keys = Self::KEYS;
                Self { $( $field: keys.$field.read(values), )* }
            }

            fn check() -> Result<(), String> {
                let keys = Self::KEYS;
                $( keys.$field.check()?; )*
                Ok(())
            }
        }
    };
}

pub(crate) use params;

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

    params! {
        /// A schema with every kind.
        struct Demo => DemoKeys {
            /// A float.
            beta: Float(0.0, 0.999) = "0.9",
            src: Choice(&["walk", "loss"]) = "walk",
            lr: Number(&["0.1", "0.3", "1", "2"]) = "1",
            batch: Int(1, 64) = "4",
            on: Bool = "1",
            seed: Seed = "7",
            w: Floats(3, -1.0, 1.0) = "0.5,-0.5",
            g: Bits(6) = "b4",
        }
    }

    const DEMO_SPECS: &[ParamSpec] = &[
        ParamSpec { key: "beta", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
        ParamSpec { key: "src", kind: ParamKind::Choice(&["walk", "loss"]), default: "walk" },
        ParamSpec { key: "lr", kind: ParamKind::Choice(&["0.1", "0.3", "1", "2"]), default: "1" },
        ParamSpec { key: "batch", kind: ParamKind::Int { min: 1, max: 64 }, default: "4" },
        ParamSpec { key: "on", kind: ParamKind::Bool, default: "1" },
        ParamSpec { key: "seed", kind: ParamKind::Seed, default: "7" },
        ParamSpec {
            key: "w",
            kind: ParamKind::Floats { max_len: 3, min: -1.0, max: 1.0 },
            default: "0.5,-0.5",
        },
        ParamSpec { key: "g", kind: ParamKind::Bits { len: 6 }, default: "b4" },
    ];

    fn demo_defaults() -> Demo {
        Demo {
            beta: 0.9,
            src: "walk",
            lr: 1.0,
            batch: 4,
            on: true,
            seed: 7,
            w: vec![0.5, -0.5],
            g: vec![true, false, true, true, false, true],
        }
    }

    #[test]
    fn params_macro_gives_the_schema_in_field_order() {
        assert_eq!(Demo::PARAMS, DEMO_SPECS);
        assert!(Demo::check().is_ok());
        let k = Demo::KEYS;
        // Every key maps to its own spec and slot.
        assert_eq!((k.beta.index(), k.beta.spec(), k.beta.name()), (0, &DEMO_SPECS[0], "beta"));
        assert_eq!((k.g.index(), k.g.spec()), (7, &DEMO_SPECS[7]));
        for (i, s) in Demo::PARAMS.iter().enumerate() {
            assert_eq!(Key::<knob::Int>::of(Demo::PARAMS, s.key).index(), i);
        }
        assert_eq!((k.batch.min(), k.batch.max(), k.beta.min(), k.beta.max()), (1, 64, 0.0, 0.999));
        assert_eq!(k.src.options(), &["walk", "loss"]);
        assert_eq!(k.lr.options().len(), 4);
    }

    #[test]
    fn params_macro_reads_defaults_values_and_garbage() {
        assert_eq!(Demo::defaults(), demo_defaults());
        let (v, n) = parse(Demo::PARAMS, "", &[]);
        assert!(n.is_empty());
        assert_eq!(Demo::from_values(&v), demo_defaults());
        let (v, n) =
            parse(Demo::PARAMS, "beta=0.5&src=loss&lr=0.3&batch=64&on=0&seed=9&w=&g=00", &[]);
        assert!(n.is_empty(), "{n:?}");
        let d = Demo::from_values(&v);
        assert_eq!(
            d,
            Demo {
                beta: 0.5,
                src: "loss",
                lr: 0.3,
                batch: 64,
                on: false,
                seed: 9,
                w: vec![],
                g: vec![false; 6]
            }
        );
        let garbage = "beta=2&src=x&lr=0.2&batch=0&on=2&seed=-1&w=1,2,3,4&g=zz&beta2=1";
        let (v, n) = parse(Demo::PARAMS, garbage, &[]);
        assert_eq!(n.len(), 9, "{n:?}");
        assert_eq!(Demo::from_values(&v), demo_defaults());
        // Missing or mistyped slots read as defaults too.
        assert_eq!(Demo::from_values(&[]), demo_defaults());
        assert_eq!(Demo::from_values(&vec![Value::Choice(99); 8]), demo_defaults());
    }

    #[test]
    fn params_macro_keys_write_only_what_the_schema_accepts() {
        let k = Demo::KEYS;
        assert_eq!(k.beta.value(0.5), Some(Value::Float(0.5)));
        assert_eq!(k.beta.value(1.5), None);
        assert_eq!(k.batch.value(65), None);
        assert_eq!(k.src.value("loss"), Some(Value::Choice(1)));
        assert_eq!(k.src.value("nope"), None);
        assert_eq!(k.lr.value(2.0), Some(Value::Choice(3)));
        assert_eq!(k.lr.value(0.2), None);
        assert_eq!(k.seed.value(MAX_SEED + 1), None);
        assert_eq!(k.w.value(vec![0.0; 4]), None);
        assert_eq!(k.g.value(vec![true; 6]), Some(Value::Bits(vec![true; 6])));
    }

    #[test]
    fn params_macro_check_finds_bad_schemas() {
        params! {
            struct Bad => BadKeys {
                lr: Number(&["0.1", "fast"]) = "0.1",
            }
        }
        params! {
            struct BadDefault => BadDefaultKeys {
                n: Int(1, 3) = "9",
            }
        }
        assert!(Bad::check().unwrap_err().contains("fast"));
        assert!(BadDefault::check().unwrap_err().contains("default"));
        // A bad default still reads as a value of the kind (the smallest), never a panic.
        assert_eq!(BadDefault::defaults().n, 1);
        assert_eq!(Bad::from_values(&[Value::Choice(1)]).lr, 0.1);
    }
}
