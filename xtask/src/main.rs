//! `cargo xtask`: the project's commands, in plain Rust (std only).
//!
//! * `setup`  — installs what is missing (idempotent; quick when everything is there).
//! * `serve`  — `trunk serve` on <http://127.0.0.1:8080/>.
//! * `test`   — every test tier in order, stopping at the first failure:
//!   native (`cargo test`: the `native` and `native_gpu` binaries, unit and doc tests), browser
//!   (`cargo test --target wasm32-unknown-unknown` on the `browser` and `browser_sweep`
//!   binaries, run by wasm-bindgen-test-runner in headless Chromium), release
//!   (`trunk build --release` + size budget), e2e (playwright-core against the release build
//!   served from a sub-path); `--lint` adds a first tier: `cargo fmt --check` and clippy
//!   (native + wasm32, `-D warnings`). The summary gives each tier's time and the time of each
//!   step in it (build, each binary, each script).
//! * `size`   — release build, then the gzipped size of what the page loads vs the budget.
//! * `bench`  — dlviz vs TensorFlow.js in one headless Chromium page (xtask/bench/), plus the
//!   app's wasm size and first-render time; `--web-test` runs `tests/web_bench.rs` and
//!   `tests/web_bench_train.rs` (training throughput, release build, feature `bench`) instead.
//! * `screenshot` — release build, then `assets/screenshot.png` (for the README).
//!
//! Every external program is run with its command line echoed, so a failure can be replayed.

mod registry;

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::Instant;

type Result<T> = std::result::Result<T, String>;

/// The bundle budget (issue 5): what one page loads (HTML, CSS and one module's JS and wasm),
/// gzipped, in bytes; `size` reports it for every module and the release tier fails above it.
/// History: one module for the whole app grew to ~748 KB with three chapters (Leptos's
/// `erase_components` cfg had taken ~20 % off); one module per chapter (`lessons::Part`) made
/// the heaviest page ~556 KB. A chapter that outgrows the budget is split in two modules.
const BUDGET_GZ_BYTES: u64 = 600 * 1000;
/// Trunk's minor line: 0.22 needs a newer rustc than the project's minimum.
const TRUNK_LINE: &str = "0.21.";
/// Debian's paths for the browser and its driver.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where the e2e suite serves `dist/` from: a sub-path, as on a project page.
const E2E_BASE: &str = "/dlviz/";
/// The native test binaries (`[[test]]` in Cargo.toml); `cargo test --tests` runs them all.
/// The browser test binaries (wasm32), each one page in headless Chromium, with the
/// `WASM_BINDGEN_TEST_TIMEOUT` of its page in seconds: the runner's timeout bounds the whole
/// page (every test of the binary together), not each test, so it is a guard against a hung
/// page, set well above the page's time on the shared 2-core machine (a debug build, WebGPU
/// on SwiftShader). `WASM_BINDGEN_TEST_TIMEOUT` in the environment overrides both.
const BROWSER_BINARIES: &[(&str, u32)] = &[("browser", 600), ("browser_sweep", 900)];
/// The wasm32 target.
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The test tiers build this crate (its library and its test binaries; not its dependencies)
/// optimised: the numeric tests ran 113 s unoptimised and 5.5 s at `opt-level = 2` for +20 s
/// of compiling. Debug assertions and overflow checks stay on (they are not tied to the
/// optimisation level), and Rust does not reorder float arithmetic at any level, so the
/// results are the same. Cargo keeps these builds apart from a plain `cargo test`'s.
const OPT_TESTS: [&str; 4] = [
    "--config",
    "profile.test.package.dlviz.opt-level=2",
    "--config",
    "profile.dev.package.dlviz.opt-level=2",
];

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup [--no-browser]   install what is missing: wasm32 target, wasm-bindgen-cli (= Cargo.lock),
                         trunk 0.21, and (unless --no-browser) chromium, chromium-driver,
                         mesa-vulkan-drivers, node + npm
  serve                  setup, then trunk serve on http://127.0.0.1:8080/
  test [--lint] [--no-setup] [TIER…]
                         setup, then the tiers in order, stopping at the first failure:
                         native, browser, release, e2e (and lint first with --lint);
                         naming tiers runs only those (e.g. `cargo xtask test release e2e`);
                         --no-setup skips the install checks
  lint                   cargo fmt --check + clippy (native and wasm32, -D warnings)
  size [--no-build]      release build, then wasm/JS/CSS sizes raw and gzipped vs the budget
                         (--no-build: report on the existing dist/)
  bench [--quick] [--no-app] [--only NAME] [--web-test]
                         dlviz vs TensorFlow.js 4.22 in one headless Chromium page (xtask/bench/):
                         table on stdout, <target>/bench/bench.{json,md}; also the app's wasm
                         size gzipped and first render (unless --no-app); --web-test runs
                         tests/web_bench.rs and tests/web_bench_train.rs instead (release)
  screenshot             release build, then assets/screenshot.png (headless chromium)
  stamp [DIR]            Trunk's post-build hook (Trunk.toml): writes each module's content hash
                         into the loader of DIR/index.html (default $TRUNK_STAGING_DIR)
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let ctx = match Ctx::new() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cmd.as_str() {
        "setup" => setup(&ctx, !rest.iter().any(|a| a == "--no-browser")),
        "serve" => serve(&ctx),
        "test" => test(&ctx, rest),
        "lint" => lint(&ctx),
        "size" => {
            let skip = rest.iter().any(|a| a == "--no-build");
            (if skip { Ok(()) } else { setup(&ctx, false).and_then(|_| release_build(&ctx)) })
                .and_then(|_| size(&ctx))
        }
        "bench" | "bench-tfjs" => bench(&ctx, rest),
        "screenshot" => screenshot(&ctx),
        "stamp" => match rest
            .first()
            .map(PathBuf::from)
            .or_else(|| env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from))
        {
            Some(dir) => registry::read(&ctx.root)
                .and_then(|chapters| fill_module_map(&dir, &registry::module_map(&chapters)))
                .and_then(|_| stamp(&dir)),
            None => Err("stamp: name the build's directory (or run it as Trunk's hook)".into()),
        },
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Paths every command needs.
struct Ctx {
    /// The workspace root (where Cargo.toml and Trunk.toml live; webdriver.json is in .cargo/).
    root: PathBuf,
}

impl Ctx {
    fn new() -> Result<Self> {
        // `cargo run` sets CARGO_MANIFEST_DIR at run time too; the compile-time value is the
        // fallback for a binary run directly.
        let manifest = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| format!("xtask manifest dir {} has no parent", manifest.display()))?;
        if !root.join("Trunk.toml").is_file() {
            return Err(format!("{} does not look like the dlviz root", root.display()));
        }
        // Tools installed by `cargo install` land in $CARGO_HOME/bin: make sure children see
        // them even when the shell's PATH lacks it. (Single-threaded here, so set_var is fine.)
        if let Some(bin) = cargo_home().map(|h| h.join("bin")) {
            let path = env::var_os("PATH").unwrap_or_default();
            let mut dirs: Vec<PathBuf> = env::split_paths(&path).collect();
            if !dirs.contains(&bin) {
                dirs.push(bin);
                if let Ok(joined) = env::join_paths(dirs) {
                    env::set_var("PATH", joined);
                }
            }
        }
        Ok(Self { root })
    }

    fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    fn e2e_dir(&self) -> PathBuf {
        self.root.join("tests").join("e2e")
    }

    /// A command run in the workspace root.
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.current_dir(&self.root);
        c
    }
}

fn cargo_home() -> Option<PathBuf> {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn show(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Steps timed so far: (label, seconds), for the summary of `cargo xtask test`.
static STEPS: Mutex<Vec<(String, f64)>> = Mutex::new(Vec::new());

/// Runs `f`, records how long it took under `label` (also when it fails) and prints it.
fn timed<T>(label: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let t0 = Instant::now();
    let r = f();
    let secs = t0.elapsed().as_secs_f64();
    eprintln!("xtask: {label}: {secs:.1}s{}", if r.is_ok() { "" } else { " (failed)" });
    if let Ok(mut steps) = STEPS.lock() {
        steps.push((label.to_string(), secs));
    }
    r
}

/// The steps recorded since the last call (emptying the log).
fn take_steps() -> Vec<(String, f64)> {
    STEPS.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default()
}

/// Runs `c` with inherited stdio; an error names the command and its exit status.
fn run(c: &mut Command) -> Result<()> {
    let line = show(c);
    eprintln!("$ {line}");
    let status = c.status().map_err(|e| format!("cannot start `{line}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// The trimmed stdout of `program args`, if it starts and succeeds.
fn probe(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn is_root() -> bool {
    probe("id", &["-u"]).is_some_and(|u| u == "0")
}

// ---------------------------------------------------------------------------------------------
// setup

/// The version of package `name` in Cargo.lock.
fn lock_version(root: &Path, name: &str) -> Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let want = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == want {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    Err(format!("Cargo.lock has no package `{name}`"))
}

/// `[tools] wasm_bindgen = "…"` in Trunk.toml, if set.
fn trunk_toml_wasm_bindgen(root: &Path) -> Result<Option<String>> {
    let text = fs::read_to_string(root.join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    let mut in_tools = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_tools = line == "[tools]";
        } else if in_tools {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == "wasm_bindgen" {
                    return Ok(Some(v.trim().trim_matches('"').to_string()));
                }
            }
        }
    }
    Ok(None)
}

fn cargo_install(args: &[&str]) -> Result<()> {
    run(Command::new(cargo()).arg("install").args(args))
}

/// Installs what is missing. `browser`: also the system packages the browser and GPU tests
/// need (chromium, chromedriver, lavapipe, node).
fn setup(ctx: &Ctx, browser: bool) -> Result<()> {
    let t0 = Instant::now();
    // 1. The wasm32 target.
    let target = "wasm32-unknown-unknown";
    match probe("rustup", &["target", "list", "--installed"]) {
        Some(list) if list.lines().any(|l| l.trim() == target) => {}
        Some(_) => run(Command::new("rustup").args(["target", "add", target]))?,
        None => {
            let sysroot = probe("rustc", &["--print", "sysroot"]).unwrap_or_default();
            if !Path::new(&sysroot).join("lib/rustlib").join(target).is_dir() {
                return Err(format!(
                    "the {target} target is missing and rustup is not available: install the \
                     Rust standard library for {target} (rustup target add {target})"
                ));
            }
        }
    }

    // 2. wasm-bindgen-cli at exactly Cargo.lock's version; Trunk.toml must agree.
    let wb = lock_version(&ctx.root, "wasm-bindgen")?;
    match trunk_toml_wasm_bindgen(&ctx.root)? {
        Some(v) if v == wb => {}
        Some(v) => {
            return Err(format!(
                "Trunk.toml [tools] wasm_bindgen = \"{v}\" but Cargo.lock has wasm-bindgen {wb}: \
                 set wasm_bindgen = \"{wb}\" in Trunk.toml (Trunk must use the installed CLI)"
            ))
        }
        None => {
            return Err(format!(
                "Trunk.toml has no [tools] wasm_bindgen: add wasm_bindgen = \"{wb}\" so Trunk uses \
                 the installed wasm-bindgen CLI instead of downloading one"
            ))
        }
    }
    let want = format!("wasm-bindgen {wb}");
    let have = probe("wasm-bindgen", &["--version"]);
    if have.as_deref() != Some(want.as_str()) {
        eprintln!(
            "setup: wasm-bindgen-cli {wb} needed (found: {})",
            have.as_deref().unwrap_or("none")
        );
        // No --locked: its lock file pins a yanked crate.
        let mut args = vec!["wasm-bindgen-cli", "--version", wb.as_str()];
        if have.is_some() {
            args.push("--force");
        }
        timed("setup: cargo install wasm-bindgen-cli", || cargo_install(&args))?;
    }
    for bin in ["wasm-bindgen", "wasm-bindgen-test-runner"] {
        let got = probe(bin, &["--version"]).unwrap_or_else(|| "none".into());
        let expect = format!("{bin} {wb}");
        if got != expect {
            return Err(format!("`{bin} --version` says `{got}`, expected `{expect}`"));
        }
    }

    // 3. Trunk 0.21.
    let trunk = probe("trunk", &["--version"]);
    if !trunk.as_deref().is_some_and(|v| v.starts_with(&format!("trunk {TRUNK_LINE}"))) {
        eprintln!(
            "setup: trunk {TRUNK_LINE}x needed (found: {})",
            trunk.as_deref().unwrap_or("none")
        );
        let mut args = vec!["--locked", "trunk", "--version", "^0.21"];
        if trunk.is_some() {
            args.push("--force");
        }
        timed("setup: cargo install trunk", || cargo_install(&args))?;
    }

    // (No wasm-pack: the browser tier runs `cargo test --target wasm32-unknown-unknown`, whose
    // runner — .cargo/config.toml — is the wasm-bindgen-test-runner installed above.)

    // 4. System packages for the browser and GPU tiers.
    if browser {
        setup_system(ctx)?;
    }
    eprintln!(
        "setup: ok in {:.0}s — {}, {}{}",
        t0.elapsed().as_secs_f64(),
        want,
        probe("trunk", &["--version"]).unwrap_or_default(),
        if browser {
            format!(
                ", {}, node {}",
                probe(CHROMIUM, &["--version"]).unwrap_or_default(),
                probe("node", &["--version"]).unwrap_or_default()
            )
        } else {
            String::new()
        }
    );
    Ok(())
}

fn node_major() -> Option<u32> {
    let v = probe("node", &["--version"])?;
    v.trim_start_matches('v').split('.').next()?.parse().ok()
}

fn lavapipe_present() -> bool {
    ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .filter_map(|d| fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("lvp_icd"))
}

fn setup_system(_ctx: &Ctx) -> Result<()> {
    let mut missing: Vec<&str> = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push("chromium");
    }
    if !Path::new(CHROMEDRIVER).exists() {
        missing.push("chromium-driver");
    }
    if !lavapipe_present() {
        missing.push("mesa-vulkan-drivers");
    }
    if node_major().is_none_or(|m| m < 18) {
        missing.push("nodejs");
    }
    if probe("npm", &["--version"]).is_none() {
        missing.push("npm");
    }
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() || probe("apt-get", &["--version"]).is_none() {
        return Err(format!(
            "missing system packages for the browser and GPU tests: {list}\n  \
             install them as root, e.g.: apt-get update && apt-get install -y {list}\n  \
             (Debian/Ubuntu names; node must be >= 18; then re-run this command)"
        ));
    }
    eprintln!("setup: installing {list} with apt-get");
    timed("setup: apt-get", || {
        run(Command::new("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-q"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"))
    })?;
    if node_major().is_none_or(|m| m < 18) {
        return Err("node >= 18 is needed for the e2e tests (found older or none)".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// serve, build, size

fn serve(ctx: &Ctx) -> Result<()> {
    setup(ctx, false)?;
    println!("dlviz: serving on http://127.0.0.1:8080/ (rebuilds on change; Ctrl-C to stop)");
    run(ctx.cmd("trunk").arg("serve"))
}

fn release_build(ctx: &Ctx) -> Result<()> {
    // The chapter modules first, in one cargo run: each is linked with fat LTO and one codegen
    // unit, single-threaded, and Trunk builds its rust assets one cargo run after another, so
    // one module's LTO would wait for the other's. Cargo links them side by side (as many as
    // it has jobs); Trunk's cargo runs then find them built (same profile, flags and target)
    // and only bind and stage them. What ships is the same build.
    timed("release: cargo build (the modules)", || {
        run(cargo_cmd(ctx).args([
            "build",
            "--release",
            "--locked",
            "--package",
            "dlviz",
            "--target",
            WASM_TARGET,
            "--bins",
        ]))
    })?;
    timed("release: trunk build", || {
        run(ctx.cmd("trunk").args(["build", "--release", "--locked=true"]))
    })
}

/// Raw and `gzip -9` sizes of a file.
fn sizes(path: &Path) -> Result<(u64, u64)> {
    let raw = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let out = Command::new("gzip")
        .args(["-c", "-9"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip failed on {}", path.display()));
    }
    Ok((raw, out.stdout.len() as u64))
}

fn kib(n: u64) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// The modules in `dist/`: `dlviz-<name>` for every `dlviz-<name>_bg.wasm`, sorted.
fn modules(dist: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dist)
        .map_err(|e| format!("cannot read {}: {e} (run a release build first)", dist.display()))?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix("_bg.wasm").map(str::to_string))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no .wasm in {}", dist.display()));
    }
    Ok(names)
}

/// Gzipped bytes of what each page loads from `dist/`: the HTML and CSS every page loads, plus
/// one module's JS and wasm (the copied `assets/` are fetched on demand). Returns, per module,
/// (name, wasm gz, page gz), after printing every file and every page.
fn page_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>> {
    let mods = modules(dist)?;
    let mut shared: Vec<PathBuf> = fs::read_dir(dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("css" | "html"))
        })
        .collect();
    shared.sort();
    println!("{:<44} {:>12} {:>12}", "file (dist/)", "raw", "gzip -9");
    let mut shared_gz = 0;
    for f in &shared {
        let (raw, gz) = sizes(f)?;
        shared_gz += gz;
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        println!("{name:<44} {:>12} {:>12}", kib(raw), kib(gz));
    }
    let mut out = Vec::new();
    for m in &mods {
        let (wraw, wgz) = sizes(&dist.join(format!("{m}_bg.wasm")))?;
        let (jraw, jgz) = sizes(&dist.join(format!("{m}.js")))?;
        println!("{:<44} {:>12} {:>12}", format!("{m}_bg.wasm (wasm)"), kib(wraw), kib(wgz));
        println!("{:<44} {:>12} {:>12}", format!("{m}.js (JS glue)"), kib(jraw), kib(jgz));
        out.push((m.clone(), wgz, shared_gz + wgz + jgz));
    }
    println!("page = HTML + CSS ({}) + one module's JS and wasm:", kib(shared_gz));
    for (m, wgz, page) in &out {
        println!("  {m:<42} wasm {:>10}   page {:>10} ({page} B)", kib(*wgz), kib(*page));
    }
    Ok(out)
}

/// The placeholder of the module loader in `www/index.html` that [`stamp`] fills.
const STAMP_PLACEHOLDER: &str = "var STAMP = {};";

/// The placeholder of the loader's slug → module map in `www/index.html`.
const MODULE_MAP_PLACEHOLDER: &str = "var MODULE_OF = {};";

/// Writes the lesson registry's slug → module map (`src/lessons/mod.rs`, read by
/// [`registry::read`]) into the loader of `dir/index.html`, so that adding a lesson needs no
/// edit of the page.
fn fill_module_map(dir: &Path, map: &str) -> Result<()> {
    let html_path = dir.join("index.html");
    let html =
        fs::read_to_string(&html_path).map_err(|e| format!("{}: {e}", html_path.display()))?;
    if !html.contains(MODULE_MAP_PLACEHOLDER) {
        return Err(format!("{}: no `{MODULE_MAP_PLACEHOLDER}` to fill", html_path.display()));
    }
    let filled = html.replacen(MODULE_MAP_PLACEHOLDER, &format!("var MODULE_OF = {map};"), 1);
    fs::write(&html_path, filled).map_err(|e| format!("{}: {e}", html_path.display()))
}

/// 64-bit FNV-1a over `parts` in order: a content hash for cache busting (not for security).
fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Writes each module's content hash into the loader of `dir/index.html`
/// (`var STAMP = {"home":"…",…};`). The loader then asks for `dlviz-<name>.js?v=<hash>` and its
/// wasm with the same query: Trunk does not hash the file names of the modules ("worker" apps),
/// and a browser must never pair a cached JS glue with the wasm of another build.
fn stamp(dir: &Path) -> Result<()> {
    let html_path = dir.join("index.html");
    let html =
        fs::read_to_string(&html_path).map_err(|e| format!("{}: {e}", html_path.display()))?;
    if !html.contains(STAMP_PLACEHOLDER) {
        return Err(format!("{}: no `{STAMP_PLACEHOLDER}` to fill", html_path.display()));
    }
    let mut entries = Vec::new();
    for m in modules(dir)? {
        let read = |p: PathBuf| fs::read(&p).map_err(|e| format!("{}: {e}", p.display()));
        let js = read(dir.join(format!("{m}.js")))?;
        let wasm = read(dir.join(format!("{m}_bg.wasm")))?;
        let name = m.strip_prefix("dlviz-").unwrap_or(&m).to_string();
        entries.push(format!("\"{name}\":\"{:016x}\"", fnv1a64(&[&js, &wasm])));
    }
    let filled =
        html.replacen(STAMP_PLACEHOLDER, &format!("var STAMP = {{{}}};", entries.join(",")), 1);
    fs::write(&html_path, filled).map_err(|e| format!("{}: {e}", html_path.display()))?;
    println!("stamp: {} modules in {}", entries.len(), html_path.display());
    Ok(())
}

/// Prints what each page loads against the budget, and fails when the heaviest is over it.
fn size(ctx: &Ctx) -> Result<()> {
    let pages = page_sizes(&ctx.dist())?;
    let (name, wasm, page) = pages.iter().max_by_key(|p| p.2).cloned().unwrap_or_default();
    let verdict = if page <= BUDGET_GZ_BYTES { "OK" } else { "OVER BUDGET" };
    println!(
        "size: heaviest page {page} bytes gzipped ({name}; its wasm {wasm} B) of a \
         {BUDGET_GZ_BYTES}-byte budget (600 KB): {verdict}"
    );
    if page > BUDGET_GZ_BYTES {
        return Err(format!(
            "{name}'s page is over the budget by {} bytes",
            page - BUDGET_GZ_BYTES
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// tests

fn cargo_cmd(ctx: &Ctx) -> Command {
    ctx.cmd(&cargo().to_string_lossy())
}

fn native(ctx: &Ctx) -> Result<()> {
    // Every test target but the doc tests: the `native` and `native_gpu` binaries (the browser
    // ones are empty natively), the unit tests of the lib and of xtask (the app's binaries
    // have `test = false`: nothing to test natively). Built first, so the
    // summary tells compile time from run time. lavapipe (mesa-vulkan-drivers) gives the GPU
    // tests a Vulkan device on any machine.
    let args = ["test", "--workspace", "--locked", "--lib", "--tests"];
    timed("native: build", || run(cargo_cmd(ctx).args(args).args(OPT_TESTS).arg("--no-run")))?;
    let tests = timed("native: run", || {
        run(cargo_cmd(ctx)
            .args(args)
            .args(OPT_TESTS)
            .arg("--no-fail-fast")
            .env("DLVIZ_REQUIRE_GPU", "1"))
    });
    // The doc tests (each example is compiled and linked as its own program).
    let docs = timed("native: doc tests", || {
        run(cargo_cmd(ctx)
            .args(["test", "--workspace", "--locked", "--doc", "--no-fail-fast"])
            .args(OPT_TESTS))
    });
    tests.and(docs)
}

/// `cargo test --target wasm32-unknown-unknown` with the browser's environment: the runner
/// (.cargo/config.toml) drives headless Chromium through chromedriver with the flags of
/// `.cargo/webdriver.json` (WebGPU on SwiftShader).
fn wasm_test(ctx: &Ctx, cargo_args: &[&str]) -> Command {
    let mut c = cargo_cmd(ctx);
    c.args(["test", "--locked", "--target", WASM_TARGET])
        .args(cargo_args)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        // Browser tests only (no Node.js run of a test that is not configured for a browser).
        .env("WASM_BINDGEN_TEST_ONLY_WEB", "1");
    c
}

fn check_webdriver_json(ctx: &Ctx) -> Result<()> {
    if ctx.root.join(".cargo").join("webdriver.json").is_file() {
        Ok(())
    } else {
        Err(".cargo/webdriver.json is missing".into())
    }
}

fn browser(ctx: &Ctx) -> Result<()> {
    check_webdriver_json(ctx)?;
    let mut build: Vec<&str> = vec!["--no-run"];
    for (name, _) in BROWSER_BINARIES {
        build.extend(["--test", name]);
    }
    timed("browser: build", || run(&mut wasm_test(ctx, &build)))?;
    // One page per binary, each with its own time limit; every binary runs even when an
    // earlier one failed, so one run reports every failure.
    let failed: Vec<String> = BROWSER_BINARIES
        .iter()
        .filter_map(|(name, timeout)| {
            // --nocapture: the figures the tests print (burst, cycle and sweep times, …) go to
            // the log; without it the runner shows the page's console only when a test fails.
            let mut c = wasm_test(ctx, &["--test", name, "--", "--nocapture"]);
            if env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
                c.env("WASM_BINDGEN_TEST_TIMEOUT", timeout.to_string());
            }
            timed(&format!("browser: {name}"), || run(&mut c)).err()
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

fn release(ctx: &Ctx) -> Result<()> {
    release_build(ctx)?;
    timed("release: size", || size(ctx))
}

/// `npm ci` in `dir`, unless its `node_modules` was installed from the same lock file
/// (npm keeps a copy of it as `node_modules/.package-lock.json`; we keep our own, byte for byte).
fn npm_ci_in(dir: &Path) -> Result<()> {
    let lock = fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("{}/package-lock.json: {e}", dir.display()))?;
    let stamp = dir.join("node_modules").join(".dlviz-installed-lock.json");
    if fs::read(&stamp).is_ok_and(|s| s == lock) {
        eprintln!("npm: {}/node_modules is up to date", dir.display());
        return Ok(());
    }
    timed("npm ci", || {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir))
    })?;
    fs::write(&stamp, &lock).map_err(|e| format!("{}: {e}", stamp.display()))
}

fn npm_ci(ctx: &Ctx) -> Result<()> {
    npm_ci_in(&ctx.e2e_dir())
}

/// The end-to-end scripts in `tests/e2e`, in the order they run.
const E2E_SCRIPTS: &[&str] =
    &["modules.e2e.mjs", "conv.e2e.mjs", "train.e2e.mjs", "divergence.e2e.mjs", "vae.e2e.mjs"];

fn e2e(ctx: &Ctx) -> Result<()> {
    if !ctx.dist().join("index.html").is_file() {
        return Err("dist/index.html is missing: run the release tier first".into());
    }
    npm_ci(ctx)?;
    let shots = env::temp_dir().join(format!("dlviz-e2e-{}", std::process::id()));
    // Every script runs even when an earlier one failed, so one run reports every failure.
    let failed: Vec<String> = E2E_SCRIPTS
        .iter()
        .filter_map(|script| {
            timed(&format!("e2e: {script}"), || {
                run(Command::new("node")
                    .arg(script)
                    .current_dir(ctx.e2e_dir())
                    .env("DLVIZ_DIST", ctx.dist())
                    .env("DLVIZ_BASE", E2E_BASE)
                    .env("DLVIZ_CHROMIUM", CHROMIUM)
                    .env("DLVIZ_SHOTS", &shots))
            })
            .err()
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

fn lint(ctx: &Ctx) -> Result<()> {
    let cargo = cargo().to_string_lossy().into_owned();
    run(ctx.cmd(&cargo).args(["fmt", "--all", "--check"]))?;
    run(ctx.cmd(&cargo).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(ctx.cmd(&cargo).args([
        "clippy",
        "--package",
        "dlviz",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--all-features",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))
}

type TierFn = fn(&Ctx) -> Result<()>;

/// The tiers, in the order they run.
const TIERS: &[(&str, TierFn)] =
    &[("lint", lint), ("native", native), ("browser", browser), ("release", release), ("e2e", e2e)];

/// The tiers `cargo xtask test <args>` runs, in order: all but lint (lint too with `--lint`),
/// or only the named ones.
fn select_tiers(args: &[String]) -> Result<Vec<(&'static str, TierFn)>> {
    let with_lint = args.iter().any(|a| a == "--lint");
    let named: Vec<&str> =
        args.iter().filter(|a| !a.starts_with("--")).map(String::as_str).collect();
    for n in &named {
        if !TIERS.iter().any(|(t, _)| t == n) {
            let all: Vec<&str> = TIERS.iter().map(|(t, _)| *t).collect();
            return Err(format!("unknown tier `{n}` (tiers: {})", all.join(", ")));
        }
    }
    for a in args.iter().filter(|a| a.starts_with("--")) {
        if !matches!(a.as_str(), "--lint" | "--no-setup") {
            return Err(format!("unknown option `{a}` (options: --lint, --no-setup)"));
        }
    }
    Ok(TIERS
        .iter()
        .copied()
        .filter(
            |(t, _)| {
                if named.is_empty() {
                    *t != "lint" || with_lint
                } else {
                    named.contains(t)
                }
            },
        )
        .collect())
}

fn test(ctx: &Ctx, args: &[String]) -> Result<()> {
    let chosen = select_tiers(args)?;
    let t_all = Instant::now();
    let needs_browser = chosen.iter().any(|(t, _)| *t != "lint");
    let skip_setup = args.iter().any(|a| a == "--no-setup");
    let mut report: Vec<String> = Vec::new();
    if !skip_setup {
        let t0 = Instant::now();
        if let Err(e) = setup(ctx, needs_browser) {
            println!("tier setup: FAIL — {e}");
            println!("0 passed, 1 failed");
            return Err("setup failed".into());
        }
        report.push(format!("setup         ok    {:>7.1}s", t0.elapsed().as_secs_f64()));
        report.extend(take_steps().into_iter().map(|(l, s)| format!("       {l:<40} {s:>7.1}s")));
    }
    let (mut passed, mut failed) = (0, 0);
    for (i, (name, tier)) in chosen.iter().enumerate() {
        eprintln!("\n==> tier {}/{}: {name}", i + 1, chosen.len());
        let t0 = Instant::now();
        take_steps();
        let r = tier(ctx);
        let secs = t0.elapsed().as_secs_f64();
        let steps: Vec<String> = take_steps()
            .into_iter()
            .map(|(label, s)| format!("       {label:<40} {s:>7.1}s"))
            .collect();
        match r {
            Ok(()) => {
                passed += 1;
                report.push(format!("tier {name:<8} PASS  {secs:>7.1}s"));
                report.extend(steps);
            }
            Err(e) => {
                failed += 1;
                report.push(format!("tier {name:<8} FAIL  {secs:>7.1}s  {e}"));
                report.extend(steps);
                for (rest, _) in &chosen[i + 1..] {
                    report.push(format!("tier {rest:<8} not run"));
                }
                break;
            }
        }
    }
    println!("\n== cargo xtask test: summary ({:.0}s in all)", t_all.elapsed().as_secs_f64());
    for line in &report {
        println!("{line}");
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        Err(format!("{failed} tier failed"))
    } else {
        Ok(())
    }
}

/// Options of `cargo xtask bench`.
#[derive(Debug, Default, PartialEq)]
struct BenchOpts {
    /// Fewer repetitions (a smoke run).
    quick: bool,
    /// Skip the app's release build (no bundle size, no first-render figure).
    no_app: bool,
    /// Run tests/web_bench.rs (wasm-bindgen-test, dlviz alone) instead of the tfjs page.
    web_test: bool,
    /// Only the cases whose name contains this.
    only: Option<String>,
}

fn bench_opts(args: &[String]) -> Result<BenchOpts> {
    let mut o = BenchOpts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--no-app" => o.no_app = true,
            "--web-test" => o.web_test = true,
            "--only" => o.only = Some(it.next().ok_or("--only needs a value")?.clone()),
            other => return Err(format!("bench: unknown option `{other}`")),
        }
    }
    Ok(o)
}

/// The cargo target directory (CARGO_TARGET_DIR or `<root>/target`).
fn target_dir(ctx: &Ctx) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| ctx.root.join("target"))
}

/// dlviz vs TensorFlow.js in one headless Chromium page (xtask/bench/): builds the bench
/// module (src/bench.rs, feature `bench`) and runs xtask/bench/run.mjs; results go to
/// `<target>/bench/bench.{json,md}`.
fn bench(ctx: &Ctx, args: &[String]) -> Result<()> {
    let opts = bench_opts(args)?;
    setup(ctx, true)?;
    if opts.web_test {
        check_webdriver_json(ctx)?;
        let mut c = wasm_test(
            ctx,
            &[
                "--release",
                "--features",
                "bench",
                "--test",
                "web_bench",
                "--test",
                "web_bench_train",
            ],
        );
        if env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
            c.env("WASM_BINDGEN_TEST_TIMEOUT", "600");
        }
        return run(&mut c);
    }
    let dir = ctx.root.join("xtask").join("bench");
    npm_ci_in(&dir)?;
    run(ctx.cmd(&cargo().to_string_lossy()).args([
        "build",
        "--release",
        "--locked",
        "--target",
        "wasm32-unknown-unknown",
        "--features",
        "bench",
        "--example",
        "bench_exports",
    ]))?;
    let target = target_dir(ctx);
    let wasm = target
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("examples")
        .join("bench_exports.wasm");
    let out = target.join("bench");
    let pkg = out.join("pkg");
    run(ctx
        .cmd("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&pkg)
        .arg(&wasm))?;
    let mut node = Command::new("node");
    node.arg("run.mjs")
        .current_dir(&dir)
        .env("DLVIZ_BENCH_PKG", &pkg)
        .env("DLVIZ_BENCH_OUT", &out)
        .env("DLVIZ_CHROMIUM", CHROMIUM);
    if opts.quick {
        node.env("DLVIZ_BENCH_QUICK", "1");
    }
    if let Some(only) = &opts.only {
        node.env("DLVIZ_BENCH_ONLY", only);
    }
    if !opts.no_app {
        release_build(ctx)?;
        let wasm_gz = app_wasm_gzip(ctx)?;
        node.env("DLVIZ_DIST", ctx.dist()).env("DLVIZ_WASM_GZIP", wasm_gz.to_string());
    }
    run(&mut node)
}

/// Gzipped bytes of the heaviest module's wasm in `dist/` (the most a page loads).
fn app_wasm_gzip(ctx: &Ctx) -> Result<u64> {
    Ok(page_sizes(&ctx.dist())?.iter().map(|p| p.1).max().unwrap_or(0))
}

fn screenshot(ctx: &Ctx) -> Result<()> {
    setup(ctx, true)?;
    release_build(ctx)?;
    npm_ci(ctx)?;
    let out = ctx.root.join("assets").join("screenshot.png");
    run(Command::new("node")
        .arg("screenshot.mjs")
        .arg(&out)
        .current_dir(ctx.e2e_dir())
        .env("DLVIZ_DIST", ctx.dist())
        .env("DLVIZ_BASE", E2E_BASE)
        .env("DLVIZ_CHROMIUM", CHROMIUM))?;
    println!("screenshot: wrote {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
    }

    #[test]
    fn lock_and_trunk_agree_on_wasm_bindgen() {
        let lock = lock_version(&root(), "wasm-bindgen").unwrap();
        assert!(lock.starts_with("0.2."), "{lock}");
        assert_eq!(trunk_toml_wasm_bindgen(&root()).unwrap(), Some(lock));
    }

    #[test]
    fn lock_version_of_unknown_package_is_an_error() {
        assert!(lock_version(&root(), "no-such-package-xyz").is_err());
    }

    fn names(args: &[&str]) -> Result<Vec<&'static str>> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        select_tiers(&args).map(|v| v.into_iter().map(|(n, _)| n).collect())
    }

    #[test]
    fn tier_selection() {
        assert_eq!(names(&[]).unwrap(), ["native", "browser", "release", "e2e"]);
        assert_eq!(names(&["--lint"]).unwrap(), ["lint", "native", "browser", "release", "e2e"]);
        // Named tiers run in pipeline order, whatever order they are given in.
        assert_eq!(names(&["e2e", "release"]).unwrap(), ["release", "e2e"]);
        assert_eq!(names(&["--no-setup", "native"]).unwrap(), ["native"]);
        assert!(names(&["nope"]).is_err());
        assert!(names(&["--fast"]).is_err());
    }

    #[test]
    fn bench_options() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(bench_opts(&[]).unwrap(), BenchOpts::default());
        let o = bench_opts(&args(&["--quick", "--only", "matmul", "--no-app"])).unwrap();
        assert!(o.quick && o.no_app && !o.web_test);
        assert_eq!(o.only.as_deref(), Some("matmul"));
        assert!(bench_opts(&args(&["--only"])).is_err());
        assert!(bench_opts(&args(&["--fast"])).is_err());
    }

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        // Test vectors of the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a64(&[b""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(&[b"foobar"]), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a64(&[b"foo", b"bar"]), fnv1a64(&[b"foobar"]));
    }

    #[test]
    fn stamp_fills_the_loader_with_content_hashes() {
        let dir = env::temp_dir().join(format!("xtask-stamp-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<script>var STAMP = {};</script>").unwrap();
        fs::write(dir.join("dlviz-home.js"), "glue").unwrap();
        fs::write(dir.join("dlviz-home_bg.wasm"), "wasm").unwrap();
        fs::write(dir.join("dlviz-cnn.js"), "glue2").unwrap();
        fs::write(dir.join("dlviz-cnn_bg.wasm"), "wasm").unwrap();
        stamp(&dir).unwrap();
        let html = fs::read_to_string(dir.join("index.html")).unwrap();
        let home = format!("{:016x}", fnv1a64(&[b"glue", b"wasm"]));
        let cnn = format!("{:016x}", fnv1a64(&[b"glue2", b"wasm"]));
        assert_eq!(
            html,
            format!("<script>var STAMP = {{\"cnn\":\"{cnn}\",\"home\":\"{home}\"}};</script>")
        );
        // Filled once: a second run finds no placeholder and says so.
        assert!(stamp(&dir).unwrap_err().contains("no `var STAMP"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_module_map_is_filled_once() {
        let dir = env::temp_dir().join(format!("xtask-map-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<script>var MODULE_OF = {};</script>").unwrap();
        fill_module_map(&dir, "{\"a\":\"b\"}").unwrap();
        let html = fs::read_to_string(dir.join("index.html")).unwrap();
        assert_eq!(html, "<script>var MODULE_OF = {\"a\":\"b\"};</script>");
        assert!(fill_module_map(&dir, "{}").unwrap_err().contains("no `var MODULE_OF"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_measures_gzip() {
        let dir = env::temp_dir().join(format!("xtask-size-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.js");
        fs::write(&f, "x".repeat(10_000)).unwrap();
        let (raw, gz) = sizes(&f).unwrap();
        assert_eq!(raw, 10_000);
        assert!(gz > 0 && gz < 200, "{gz}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
