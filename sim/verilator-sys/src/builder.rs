//! Verilating and compiling a design into a cached shared library.

use crate::cache;
use crate::error::{tail, Result, VerilatorError};
use crate::ports::parse_header;
use crate::shim;
use crate::spec::{BuildSpec, VerilogSource};
use crate::tool::{self, Verilator};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Lines of tool output quoted in error messages.
const TAIL_LINES: usize = 40;

/// A finished (or cached) build.
pub(crate) struct Built {
    /// The cache entry directory; the library is `entry/tern_model.so`, Verilator's output
    /// (headers, archives, objects) is `entry/obj`.
    pub entry: PathBuf,
    /// True when the entry was already there.
    pub cache_hit: bool,
    pub verilator: Verilator,
}

/// A source ready for Verilator: the name it goes by and its contents.
struct Loaded {
    name: String,
    /// Where Verilator reads it from: the original file, or a file written in the build dir.
    file: Option<PathBuf>,
    text: String,
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn load_sources(spec: &BuildSpec) -> Result<Vec<Loaded>> {
    if spec.sources.is_empty() {
        return Err(VerilatorError::BadSpec(
            "no Verilog sources were given".into(),
        ));
    }
    let mut loaded: Vec<Loaded> = Vec::new();
    for source in &spec.sources {
        let item = match source {
            VerilogSource::Text { name, text } => {
                if name.is_empty() || name.contains('/') || name.starts_with('.') {
                    return Err(VerilatorError::BadSpec(format!(
                        "source name `{name}` must be a plain file name such as `top.v`"
                    )));
                }
                Loaded {
                    name: name.clone(),
                    file: None,
                    text: text.clone(),
                }
            }
            VerilogSource::File(path) => {
                let text = fs::read_to_string(path)
                    .map_err(|e| VerilatorError::io("reading Verilog source", path, e))?;
                let file = path
                    .canonicalize()
                    .map_err(|e| VerilatorError::io("resolving Verilog source", path, e))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Loaded {
                    name,
                    file: Some(file),
                    text,
                }
            }
        };
        if loaded.iter().any(|l| l.name == item.name) {
            return Err(VerilatorError::BadSpec(format!(
                "two sources are named `{}`; give each source its own file name",
                item.name
            )));
        }
        loaded.push(item);
    }
    Ok(loaded)
}

/// The cache key of a build: everything that changes the library.
fn cache_key(spec: &BuildSpec, verilator: &Verilator, sources: &[Loaded]) -> String {
    let abi = shim::ABI_VERSION.to_le_bytes();
    let flags = spec.verilator_flags().join("\0");
    let mut parts: Vec<&[u8]> = vec![
        b"verilator-sys",
        &abi,
        verilator.version_line.as_bytes(),
        spec.top.as_bytes(),
        flags.as_bytes(),
        spec.cxx_opt.as_bytes(),
    ];
    for s in sources {
        parts.push(s.name.as_bytes());
        parts.push(s.text.as_bytes());
    }
    cache::hash_hex(&parts)
}

/// Builds `spec` or finds it in the cache.
pub(crate) fn build(spec: &BuildSpec) -> Result<Built> {
    if !is_identifier(&spec.top) {
        return Err(VerilatorError::BadSpec(format!(
            "top module name `{}` is not a plain Verilog identifier ([A-Za-z_][A-Za-z0-9_]*)",
            spec.top
        )));
    }
    let root = spec
        .cache_dir
        .clone()
        .unwrap_or_else(cache::default_cache_dir)
        .join("verilator");
    let verilator = tool::find(spec.verilator.as_deref(), &root)?;
    let sources = load_sources(spec)?;
    let name = format!("{}-{}", spec.top, cache_key(spec, &verilator, &sources));
    let (entry, cache_hit) = cache::get_or_build(&root, &name, shim::LIBRARY, |dir| {
        build_into(&root, dir, spec, &verilator, &sources)
    })?;
    Ok(Built {
        entry,
        cache_hit,
        verilator,
    })
}

fn run(cmd: &mut Command, log: &mut String, what: &str) -> Result<Output> {
    let out = cmd
        .output()
        .map_err(|e| VerilatorError::io(what, PathBuf::from(cmd.get_program()), e))?;
    log.push_str(&format!("$ {:?}\n", cmd));
    log.push_str(&String::from_utf8_lossy(&out.stdout));
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(out)
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| VerilatorError::io("writing", path, e))
}

/// Runs `make ARGS` in `obj`; a failure is a [`VerilatorError::Compile`] quoting the
/// compiler. Returns make's standard output.
pub(crate) fn make(obj: &Path, args: &[&str], top: &str, log: &mut String) -> Result<String> {
    let out = run(
        Command::new("make").current_dir(obj).args(args),
        log,
        "running make",
    )?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let text = if stderr.trim().is_empty() {
            stdout.as_str()
        } else {
            &stderr
        };
        return Err(VerilatorError::Compile {
            top: top.to_string(),
            log_tail: tail(text, TAIL_LINES),
        });
    }
    Ok(stdout)
}

/// Puts the Verilator runtime objects (`verilated.o`, `verilated_threads.o`, and
/// `verilated_vcd_c.o` when tracing) into `obj`, copied from the cache entry
/// `runtime-<hash>`, where the hash covers the Verilator version and the exact compile
/// commands make would run for them (so any flag that changes them makes a new entry).
/// Compiling them is most of a small design's build time; every design shares them.
fn provide_runtime(
    root: &Path,
    obj: &Path,
    spec: &BuildSpec,
    verilator: &Verilator,
    log: &mut String,
) -> Result<()> {
    let top = &spec.top;
    let globals_line = make(obj, &["-s", "-f", "tern.mk", "tern-globals"], top, log)?;
    let globals: Vec<&str> = globals_line.split_whitespace().collect();
    let mut dry_run = vec!["-n", "-f", "tern.mk"];
    dry_run.extend(&globals);
    let commands = make(obj, &dry_run, top, log)?;
    let key = cache::hash_hex(&[verilator.version_line.as_bytes(), commands.as_bytes()]);
    let (runtime, _) =
        cache::get_or_build(root, &format!("runtime-{key}"), "commands.txt", |dir| {
            let jobs = format!("-j{}", spec.jobs.max(1));
            let mut args = vec!["-f", "tern.mk", jobs.as_str()];
            args.extend(&globals);
            make(obj, &args, top, &mut String::new())?;
            for g in &globals {
                fs::copy(obj.join(g), dir.join(g))
                    .map_err(|e| VerilatorError::io("copying", obj.join(g), e))?;
            }
            write(&dir.join("commands.txt"), &commands)
        })?;
    for g in &globals {
        let (from, to) = (runtime.join(g), obj.join(g));
        if !to.exists() {
            // A fresh copy is newer than its sources, so make takes it as up to date.
            fs::copy(&from, &to).map_err(|e| VerilatorError::io("copying", &from, e))?;
        }
    }
    Ok(())
}

/// Module names declared in the sources, for the "unknown top" message.
fn declared_modules(sources: &[Loaded]) -> Vec<String> {
    let mut names = Vec::new();
    for s in sources {
        let mut words = s
            .text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'));
        while let Some(word) = words.next() {
            if word == "module" || word == "macromodule" {
                if let Some(name) = words.find(|w| !w.is_empty()) {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

fn build_into(
    root: &Path,
    dir: &Path,
    spec: &BuildSpec,
    verilator: &Verilator,
    sources: &[Loaded],
) -> Result<()> {
    let top = &spec.top;
    let mut log = String::new();
    let src_dir = dir.join("src");
    fs::create_dir_all(&src_dir).map_err(|e| VerilatorError::io("creating", &src_dir, e))?;
    let mut files = Vec::new();
    for s in sources {
        match &s.file {
            Some(path) => files.push(path.clone()),
            None => {
                write(&src_dir.join(&s.name), &s.text)?;
                // Relative to the build directory, so messages say `src/top.v:3:7`.
                files.push(Path::new("src").join(&s.name));
            }
        }
    }

    // 1. Verilate.
    let mut cmd = Command::new(&verilator.binary);
    cmd.current_dir(dir)
        .args(spec.verilator_flags())
        .args(["--top-module", top, "--Mdir", "obj"])
        .args(&files);
    let out = run(&mut cmd, &mut log, "running Verilator")?;
    let _ = fs::write(dir.join("build.log"), &log);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("--top-module") && stderr.contains("not found") {
            return Err(VerilatorError::UnknownTop {
                top: top.clone(),
                seen: declared_modules(sources).join(", "),
            });
        }
        return Err(VerilatorError::Verilate {
            top: top.clone(),
            log_tail: tail(&stderr, TAIL_LINES),
        });
    }

    // 2. Read the ports from the generated header and write the shim.
    let obj = dir.join("obj");
    let header_path = obj.join(format!("V{top}.h"));
    let header = fs::read_to_string(&header_path)
        .map_err(|e| VerilatorError::io("reading Verilated header", &header_path, e))?;
    let ports = parse_header(top, &header)?;
    write(&obj.join("tern_shim.cpp"), &shim::shim_cpp(top, &ports))?;
    write(&obj.join("tern.mk"), &shim::makefile(top, &spec.cxx_opt))?;

    // 3. The Verilator runtime objects come from a shared cache entry (compiled once per
    //    distinct compile command), then the model and the shim are compiled and linked.
    provide_runtime(root, &obj, spec, verilator, &mut log)?;
    let jobs = format!("-j{}", spec.jobs.max(1));
    let result = make(
        &obj,
        &["-f", "tern.mk", &jobs, shim::LIBRARY],
        top,
        &mut log,
    );
    let _ = fs::write(dir.join("build.log"), &log);
    result?;
    let built = obj.join(shim::LIBRARY);
    let published = dir.join(shim::LIBRARY);
    fs::rename(&built, &published).map_err(|e| VerilatorError::io("moving", &built, e))?;
    let description = format!(
        "top: {top}\nverilator: {}\nflags: {}\ncxx_opt: {}\nsources: {}\n",
        verilator.version_line,
        spec.verilator_flags().join(" "),
        spec.cxx_opt,
        sources
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    write(&dir.join("spec.txt"), &description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("acc_200"));
        assert!(is_identifier("_x"));
        assert!(!is_identifier("9x"));
        assert!(!is_identifier("a.b"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn finds_module_names() {
        let s = Loaded {
            name: "a.v".into(),
            file: None,
            text: "module foo(input a);\nendmodule\nmodule  bar #(parameter W=1) ();endmodule"
                .into(),
        };
        assert_eq!(declared_modules(&[s]), vec!["foo", "bar"]);
    }
}
