//! The URL sweep's payloads and its parser-level half, web-free: shared by the native test
//! binary (a schema with every kind of knob) and the browser sweep (every lesson's schema of
//! the registry, `lessons::LESSONS`, which exists only in wasm builds).
//!
//! [`check_schema`] runs every payload through `url_state::parse` against a schema — in every
//! key at once (raw and percent-encoded), in each key alone, as unknown keys, double-encoded
//! and repeated — plus defaults, the extremes and many seeded random valid values, and checks
//! what the page relies on: a rejected field is reported once (its raw value, truncated, as
//! text), takes its default, and never hides a good field beside it; an accepted value
//! round-trips through `encode`; nothing panics. Mounting the app with such URLs is the
//! browser sweep's job (`tests/support/sweep.rs`), on a sample of these cases.
#![allow(dead_code)]

use dlviz::core::rng::Rng;
use dlviz::url_state::{self, NoticeReason, ParamKind, ParamSpec, Value, MAX_SEED};

/// The global the injected payloads try to set.
pub const FLAG: &str = "__dlviz_injected";

/// Garbage values. Each sets `window.__dlviz_injected` if it is ever run as markup or script.
pub const GARBAGE: &[&str] = &[
    "NaN",
    "inf",
    "-Infinity",
    "1e309",
    "-1",
    "99999999999999999999999999",
    "-9223372036854775809",
    "0x10",
    "1.5.2,,3",
    "",
    " true ",
    "{\"a\":[1,2]}",
    "\u{0}",
    "日本語",
    "<script data-injected>window.__dlviz_injected=1</script>",
    "<img src=x onerror=\"window.__dlviz_injected=1\">",
    "\"'><svg onload=window.__dlviz_injected=1>",
    "javascript:window.__dlviz_injected=1",
];

/// Query keys that no lesson has (reported as unknown settings).
pub const UNKNOWN_KEYS: &[&str] = &[
    "zz",
    "__proto__",
    "constructor",
    "<script>window.__dlviz_injected=1</script>",
    "x\"><img src=x onerror=window.__dlviz_injected=1>",
];

/// Encodes a value for a URL the way a careful link writer would (`%XX` for everything but
/// unreserved characters).
pub fn enc(s: &str) -> String {
    url_state::percent_encode(s)
}

/// Writes a value "raw": only the characters that would end the field (`&`, `#`, `%`) are
/// escaped; markup characters travel as typed (the browser escapes some of them itself).
pub fn raw(s: &str) -> String {
    s.replace('%', "%25").replace('&', "%26").replace('#', "%23")
}

/// The writers a payload is sent with: raw for even payloads, percent-encoded for odd ones,
/// and both for markup.
pub fn writers(index: usize, payload: &str) -> Vec<fn(&str) -> String> {
    if payload.contains('<') || payload.contains('"') {
        vec![raw, enc]
    } else if index.is_multiple_of(2) {
        vec![raw]
    } else {
        vec![enc]
    }
}

/// A random value the schema of `kind` accepts, as URL text.
pub fn random_valid(kind: &ParamKind, rng: &mut Rng) -> String {
    let unit = |rng: &mut Rng| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    match *kind {
        ParamKind::Int { min, max } => {
            let span = (max as i128 - min as i128 + 1) as u128;
            let v = min as i128 + (rng.next_u64() as u128 % span) as i128;
            v.to_string()
        }
        ParamKind::Float { min, max } => format!("{}", (min + unit(rng) * (max - min)).min(max)),
        ParamKind::Choice(opts) => opts[rng.below(opts.len() as u32) as usize].to_string(),
        ParamKind::Bool => (rng.below(2)).to_string(),
        ParamKind::Seed => (rng.next_u64() % (MAX_SEED + 1)).to_string(),
        ParamKind::Floats { max_len, min, max } => {
            let n = rng.below(max_len as u32 + 1) as usize;
            (0..n)
                .map(|_| format!("{}", (min + unit(rng) * (max - min)).min(max)))
                .collect::<Vec<_>>()
                .join(",")
        }
        ParamKind::Bits { len } => {
            let digits = len.div_ceil(4);
            (0..digits).map(|_| char::from_digit(rng.below(16), 16).unwrap_or('0')).collect()
        }
        // A kind added after this sweep was written: its default is the one valid value the
        // sweep can name without knowing the kind. Add a generator above for it.
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

/// The extreme valid values of a kind (minimum, maximum), as URL text.
pub fn extremes(kind: &ParamKind) -> Option<(String, String)> {
    match *kind {
        ParamKind::Int { min, max } => Some((min.to_string(), max.to_string())),
        ParamKind::Float { min, max } => Some((format!("{min}"), format!("{max}"))),
        ParamKind::Choice(opts) => Some((opts[0].to_string(), opts[opts.len() - 1].to_string())),
        ParamKind::Bool => Some(("0".into(), "1".into())),
        ParamKind::Seed => Some(("0".into(), MAX_SEED.to_string())),
        ParamKind::Floats { max_len, min, max } => {
            let full = |x: f64| vec![format!("{x}"); max_len].join(",");
            Some((full(min), full(max)))
        }
        ParamKind::Bits { len } => Some(("0".repeat(len.div_ceil(4)), "f".repeat(len.div_ceil(4)))),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn query(pairs: &[(String, String)], w: fn(&str) -> String) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", w(k), w(v))).collect::<Vec<_>>().join("&")
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Parses `q` against `params` and checks the result against what each delivered field says
/// on its own: a field the schema's kind rejects is reported once, with its raw value
/// (truncated to 40 characters) and a reason, and takes its default; an accepted field takes
/// its value; a key of no knob (and not in `ignore`) is reported as unknown. Returns the
/// notices.
fn parse_and_check(
    what: &str,
    params: &[ParamSpec],
    q: &str,
    ignore: &[&str],
) -> Vec<url_state::Notice> {
    let (values, notices) = url_state::parse(params, q, ignore);
    assert_eq!(values.len(), params.len(), "{what}: one value per knob");
    let delivered = url_state::split_query(q);
    let mut expected_notices = 0;
    for (spec, value) in params.iter().zip(&values) {
        let last = delivered.iter().rev().find(|(k, _)| k == spec.key);
        let listed: Vec<_> = notices.iter().filter(|n| n.key == spec.key).collect();
        match last.map(|(_, v)| (v, url_state::parse_value(&spec.kind, v))) {
            None => {
                assert!(listed.is_empty(), "{what}: {} listed but absent", spec.key);
                assert_eq!(*value, url_state::default_value(spec), "{what}: {}", spec.key);
            }
            Some((v, Ok(parsed))) => {
                assert!(listed.is_empty(), "{what}: valid {}={v:?} listed: {listed:?}", spec.key);
                assert_eq!(*value, parsed, "{what}: {}", spec.key);
            }
            Some((v, Err(reason))) => {
                expected_notices += 1;
                assert_eq!(listed.len(), 1, "{what}: {}={v:?} listed {listed:?}", spec.key);
                assert_eq!(listed[0].raw, truncate(v, 40), "{what}: raw value of {}", spec.key);
                assert_eq!(listed[0].reason, reason, "{what}: {}", spec.key);
                assert_ne!(reason, NoticeReason::UnknownKey, "{what}: {}", spec.key);
                assert_eq!(*value, url_state::default_value(spec), "{what}: {} default", spec.key);
            }
        }
    }
    for (k, v) in &delivered {
        if params.iter().any(|s| s.key == k) || ignore.contains(&k.as_str()) {
            continue;
        }
        expected_notices += 1;
        let key40 = truncate(k, 40);
        assert!(
            notices.iter().any(|n| n.key == key40
                && n.raw == truncate(v, 40)
                && n.reason == NoticeReason::UnknownKey),
            "{what}: unknown key {k:?} not reported: {notices:?}"
        );
    }
    assert_eq!(notices.len(), expected_notices, "{what}: {notices:?}");
    // What the page writes back is the schema's canonical form, which parses silently to the
    // same values and carries no markup.
    let back = url_state::encode(params, &values);
    assert!(!back.contains(['<', '>', '"', '\'', ' ']), "{what}: encoded {back}");
    let (again, n2) = url_state::parse(params, &back, ignore);
    assert!(n2.is_empty(), "{what}: re-encoded {back}: {n2:?}");
    assert_eq!(again, values, "{what}: round trip through {back}");
    notices
}

/// The parser-level sweep of one schema (see the module's documentation). `slug` names it in
/// messages; `ignore` are the shell's keys (`lang`, `theme`, `backend`), which a lesson's
/// schema never parses; `rounds` of seeded random valid values. Returns the number of cases.
pub fn check_schema(slug: &str, params: &[ParamSpec], ignore: &[&str], rounds: usize) -> usize {
    let mut cases = 0;
    let mut check = |what: String, q: &str| {
        cases += 1;
        parse_and_check(&format!("{slug}: {what}"), params, q, ignore)
    };
    // The schema itself: unique keys, none of the shell's, every default parses.
    let mut seen = std::collections::HashSet::new();
    for s in params {
        assert!(seen.insert(s.key), "{slug}: duplicate key {}", s.key);
        assert!(!ignore.contains(&s.key), "{slug}: {} is a shell key", s.key);
        assert!(
            url_state::parse_value(&s.kind, s.default).is_ok(),
            "{slug}: default of {} does not parse",
            s.key
        );
    }
    // Defaults, implicit and explicit.
    assert!(check("defaults".into(), "").is_empty());
    let explicit: Vec<(String, String)> =
        params.iter().map(|s| (s.key.to_string(), s.default.to_string())).collect();
    assert!(check("explicit defaults".into(), &query(&explicit, enc)).is_empty());
    // Every knob at its minimum, then at its maximum.
    for end in 0..2 {
        let pairs: Vec<(String, String)> = params
            .iter()
            .filter_map(|s| {
                extremes(&s.kind)
                    .map(|(lo, hi)| (s.key.to_string(), if end == 0 { lo } else { hi }))
            })
            .collect();
        let q = query(&pairs, enc);
        assert!(check(format!("extremes {q}"), &q).is_empty());
    }
    // Seeded random valid values for every knob at once.
    let mut rng = Rng::new(20_261_130);
    for round in 0..rounds {
        let pairs: Vec<(String, String)> =
            params.iter().map(|s| (s.key.to_string(), random_valid(&s.kind, &mut rng))).collect();
        let q = query(&pairs, enc);
        assert!(check(format!("random round {round}: {q}"), &q).is_empty());
    }
    // Every payload in every key at once, and with the shell's keys.
    for (gi, g) in GARBAGE.iter().enumerate() {
        for w in writers(gi, g) {
            let mut pairs: Vec<(String, String)> =
                params.iter().map(|s| (s.key.to_string(), g.to_string())).collect();
            pairs.extend(ignore.iter().map(|k| (k.to_string(), g.to_string())));
            let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", w(v))).collect();
            check(format!("garbage {g:?} in every key"), &q.join("&"));
        }
    }
    // Every payload in each key alone (both writers): at most that key is reported.
    for spec in params {
        for g in GARBAGE {
            for w in [raw, enc] {
                let q = format!("{}={}", spec.key, w(g));
                let n = check(format!("{} alone: {q}", spec.key), &q);
                assert!(n.iter().all(|n| n.key == spec.key), "{slug}: {q}: {n:?}");
            }
        }
    }
    // Unknown keys; a good knob beside them is kept.
    let mut pairs: Vec<(String, String)> =
        UNKNOWN_KEYS.iter().map(|k| (k.to_string(), "1".to_string())).collect();
    if let Some(s) = params.first() {
        if let Some((_, hi)) = extremes(&s.kind) {
            pairs.push((s.key.to_string(), hi));
        }
    }
    let n = check("unknown keys".into(), &query(&pairs, enc));
    assert_eq!(n.len(), UNKNOWN_KEYS.len(), "{slug}: unknown keys: {n:?}");
    if let Some(spec) = params.first() {
        // Double encoding decodes once: the knob sees `%3C…`, which no schema accepts.
        let payload = "<img src=x onerror=window.__dlviz_injected=1>";
        let q = format!("{}={}", spec.key, enc(&enc(payload)));
        let n = check("double-encoded".into(), &q);
        assert_eq!(n.len(), 1, "{slug}: double-encoded: {n:?}");
        assert_eq!(n[0].raw, truncate(&enc(payload), 40), "{slug}: decoded once");
        // Repeated keys: the last one wins, and a bad last one is reported.
        if let Some((lo, hi)) = extremes(&spec.kind) {
            let q = format!("{k}={}&{k}={}", enc(&lo), enc(&hi), k = spec.key);
            assert!(check("repeated key, good".into(), &q).is_empty());
            let q = format!("{k}={}&{k}=%3Cb%3E", enc(&lo), k = spec.key);
            let n = check("repeated key, bad last".into(), &q);
            assert_eq!(n.len(), 1, "{slug}: repeated key: {n:?}");
            assert_eq!(n[0].raw, "<b>");
        }
    }
    cases
}

/// The default value of every knob, for messages.
pub fn defaults(params: &[ParamSpec]) -> Vec<Value> {
    params.iter().map(url_state::default_value).collect()
}
