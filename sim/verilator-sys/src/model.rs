//! Loading a built library ([`Design`]) and driving instances of it ([`Model`]).

use crate::builder;
use crate::error::{Result, VerilatorError};
use crate::ports::{Direction, Port};
use crate::shim;
use crate::spec::BuildSpec;
use crate::tool::Verilator;
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, OnceLock};

/// `struct TernBatch` of the shim (same field order and types).
#[repr(C)]
pub(crate) struct TernBatch {
    pub ins: *const u32,
    pub outs: *const u32,
    pub stim: *const u64,
    pub out: *mut u64,
    pub out_cycles: *mut u64,
    pub cycles: u64,
    pub out_cap: u64,
    pub first_cycle: u64,
    pub records: u64,
    pub valid: i64,
    pub n_in: u32,
    pub n_out: u32,
    pub clock: u32,
    pub pad: u32,
}

/// The shim's exported functions, resolved once per library.
#[derive(Clone, Copy)]
pub(crate) struct Api {
    new: unsafe extern "C" fn(*const c_char, *mut c_char, usize) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    set: unsafe extern "C" fn(*mut c_void, u32, *const u64),
    get: unsafe extern "C" fn(*mut c_void, u32, *mut u64),
    eval: unsafe extern "C" fn(*mut c_void),
    tick: unsafe extern "C" fn(*mut c_void, u32),
    flush: unsafe extern "C" fn(*mut c_void),
    pub(crate) batch: unsafe extern "C" fn(*mut c_void, *mut TernBatch) -> u64,
}

/// A library that stays loaded for the rest of the process, with its API and ports.
struct Loaded {
    api: Api,
    ports: Vec<Port>,
    traced: bool,
}

/// Libraries are loaded once per path and never unloaded: `dlclose` of C++ code that may
/// have registered thread-local destructors is not safe, and a design's code is small.
fn load(path: &Path) -> Result<&'static Loaded> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, &'static Loaded>>> = OnceLock::new();
    let mut map = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(loaded) = map.get(path) {
        return Ok(loaded);
    }
    let load_err = |source| VerilatorError::Load {
        path: path.to_path_buf(),
        source,
    };
    // SAFETY: the library is a model built by this crate; its initializers only set up
    // Verilator's runtime statics.
    let lib: &'static libloading::Library = Box::leak(Box::new(
        unsafe { libloading::Library::new(path) }.map_err(load_err)?,
    ));
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the shim defines these symbols with exactly these C signatures.
            *unsafe { lib.get(concat!($name, "\0").as_bytes()) }.map_err(load_err)?
        };
    }
    let abi: unsafe extern "C" fn() -> u32 = sym!("tern_abi_version");
    // SAFETY: plain C functions without arguments or with an in-range index.
    let abi = unsafe { abi() };
    if abi != shim::ABI_VERSION {
        return Err(VerilatorError::Instance {
            top: path.display().to_string(),
            reason: format!(
                "library has shim ABI {abi}, expected {}; delete it and rebuild",
                shim::ABI_VERSION
            ),
        });
    }
    let count: unsafe extern "C" fn() -> u32 = sym!("tern_port_count");
    let name: unsafe extern "C" fn(u32) -> *const c_char = sym!("tern_port_name");
    let dir: unsafe extern "C" fn(u32) -> u32 = sym!("tern_port_dir");
    let width: unsafe extern "C" fn(u32) -> u32 = sym!("tern_port_width");
    let traced: unsafe extern "C" fn() -> u32 = sym!("tern_traced");
    let mut ports = Vec::new();
    // SAFETY: indices are below tern_port_count; names are static NUL-terminated strings.
    unsafe {
        for i in 0..count() {
            ports.push(Port {
                name: CStr::from_ptr(name(i)).to_string_lossy().into_owned(),
                direction: Direction::from_code(dir(i)).unwrap_or(Direction::Inout),
                width: width(i),
            });
        }
    }
    let api = Api {
        new: sym!("tern_new"),
        free: sym!("tern_free"),
        set: sym!("tern_set"),
        get: sym!("tern_get"),
        eval: sym!("tern_eval"),
        tick: sym!("tern_tick"),
        flush: sym!("tern_flush"),
        batch: sym!("tern_batch"),
    };
    // SAFETY: as above.
    let traced = unsafe { traced() } != 0;
    let loaded: &'static Loaded = Box::leak(Box::new(Loaded { api, ports, traced }));
    map.insert(path.to_path_buf(), loaded);
    Ok(loaded)
}

struct DesignInner {
    top: String,
    entry: PathBuf,
    cache_hit: bool,
    verilator: Verilator,
    loaded: &'static Loaded,
    by_name: HashMap<String, usize>,
}

/// A built and loaded Verilated design: its ports, and a factory of [`Model`] instances.
/// Cheap to clone; instances of one design are independent.
#[derive(Clone)]
pub struct Design {
    inner: Arc<DesignInner>,
}

impl std::fmt::Debug for Design {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Design")
            .field("top", &self.inner.top)
            .field("entry", &self.inner.entry)
            .field("cache_hit", &self.inner.cache_hit)
            .finish()
    }
}

impl Design {
    /// Verilates and compiles `spec` (or finds it in the cache) and loads the library.
    pub fn build(spec: &BuildSpec) -> Result<Design> {
        let built = builder::build(spec)?;
        let loaded = load(&built.entry.join(shim::LIBRARY))?;
        let by_name = loaded
            .ports
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        Ok(Design {
            inner: Arc::new(DesignInner {
                top: spec.top.clone(),
                entry: built.entry,
                cache_hit: built.cache_hit,
                verilator: built.verilator,
                loaded,
                by_name,
            }),
        })
    }

    /// The top module name.
    pub fn top(&self) -> &str {
        &self.inner.top
    }

    /// Every top-level port, in Verilator's declaration order.
    pub fn ports(&self) -> &[Port] {
        &self.inner.loaded.ports
    }

    /// The port called `name`, or [`VerilatorError::UnknownPort`].
    pub fn port(&self, name: &str) -> Result<&Port> {
        self.port_index(name).map(|i| &self.ports()[i])
    }

    pub(crate) fn port_index(&self, name: &str) -> Result<usize> {
        self.inner
            .by_name
            .get(name)
            .copied()
            .ok_or_else(|| VerilatorError::UnknownPort {
                top: self.inner.top.clone(),
                port: name.to_string(),
                available: self
                    .ports()
                    .iter()
                    .map(|p| format!("{} ({} {})", p.name, p.direction, p.width))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// True when the design was built with `--trace`.
    pub fn traced(&self) -> bool {
        self.inner.loaded.traced
    }

    /// The cache entry: `tern_model.so`, `build.log`, `spec.txt`, and Verilator's `obj/`.
    pub fn cache_entry(&self) -> &Path {
        &self.inner.entry
    }

    /// True when this build was found in the cache rather than compiled now.
    pub fn cache_hit(&self) -> bool {
        self.inner.cache_hit
    }

    /// The Verilator that built (or would have built) the design.
    pub fn verilator(&self) -> &Verilator {
        &self.inner.verilator
    }

    pub(crate) fn api(&self) -> &Api {
        &self.inner.loaded.api
    }

    /// A new instance with all inputs zero, evaluated once.
    pub fn instantiate(&self) -> Result<Model> {
        self.create(None)
    }

    /// A new instance that writes a VCD of every signal to `vcd` (the design must be built
    /// with `trace: true`). One `eval` is half a clock period, 5 time units; the file is
    /// complete when the model is dropped.
    pub fn instantiate_with_vcd(&self, vcd: &Path) -> Result<Model> {
        if !self.traced() {
            return Err(VerilatorError::TraceNotBuilt {
                top: self.inner.top.clone(),
            });
        }
        self.create(Some(vcd))
    }

    fn create(&self, vcd: Option<&Path>) -> Result<Model> {
        let fail = |reason: String| VerilatorError::Instance {
            top: self.inner.top.clone(),
            reason,
        };
        let vcd_c = vcd
            .map(|p| CString::new(p.as_os_str().as_encoded_bytes()))
            .transpose()
            .map_err(|_| fail("the VCD path contains a NUL byte".into()))?;
        let mut err = [0 as c_char; 512];
        // SAFETY: `vcd_c` is a valid C string or null; `err` is a writable buffer of its length.
        let handle = unsafe {
            (self.api().new)(
                vcd_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                err.as_mut_ptr(),
                err.len(),
            )
        };
        let Some(handle) = NonNull::new(handle) else {
            // SAFETY: the shim wrote a NUL-terminated message (or left the zeroed buffer).
            let msg = unsafe { CStr::from_ptr(err.as_ptr()) }
                .to_string_lossy()
                .into_owned();
            let path = vcd
                .map(|p| format!(" (VCD path `{}`)", p.display()))
                .unwrap_or_default();
            return Err(fail(format!("{msg}{path}")));
        };
        Ok(Model {
            design: self.clone(),
            handle,
            vcd: vcd.map(Path::to_path_buf),
        })
    }
}

/// One instance of a Verilated design. Owns its `VerilatedContext`, model and VCD file;
/// dropping it runs `final`, closes the VCD and frees everything.
///
/// Clocking convention (the same for [`Model::tick`] and batches): a cycle sets the clock
/// low and evaluates, then sets it high and evaluates. Inputs set before a cycle are seen
/// by the rising edge of that cycle; outputs read after it show the state after that edge.
pub struct Model {
    design: Design,
    handle: NonNull<c_void>,
    vcd: Option<PathBuf>,
}

// SAFETY: an instance owns all its C++ state (its own VerilatedContext) and is only used
// through &mut self or read through &self; it may move between threads.
unsafe impl Send for Model {}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("top", &self.design.top())
            .field("vcd", &self.vcd)
            .finish()
    }
}

impl Model {
    /// Builds (or loads from the cache) `spec` and creates one instance without VCD.
    pub fn build(spec: &BuildSpec) -> Result<Model> {
        Design::build(spec)?.instantiate()
    }

    /// The design this is an instance of.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Every top-level port.
    pub fn ports(&self) -> &[Port] {
        self.design.ports()
    }

    /// The VCD file this instance writes, if any.
    pub fn vcd_path(&self) -> Option<&Path> {
        self.vcd.as_deref()
    }

    pub(crate) fn raw(&mut self) -> *mut c_void {
        self.handle.as_ptr()
    }

    fn checked(&self, name: &str, wanted: &str, ok: fn(Direction) -> bool) -> Result<usize> {
        let index = self.design.port_index(name)?;
        let port = &self.ports()[index];
        if !ok(port.direction) {
            return Err(VerilatorError::WrongDirection {
                top: self.design.top().to_string(),
                port: name.to_string(),
                actual: port.direction.to_string(),
                wanted: wanted.to_string(),
            });
        }
        Ok(index)
    }

    /// Drives input `port` with `value`: little-endian u64 words, bit `i` of the port in
    /// bit `i % 64` of word `i / 64`. Missing high words are zero; words beyond the port or
    /// bits at or above its width are an error. Takes effect at the next `eval` or `tick`.
    pub fn set(&mut self, port: &str, value: &[u64]) -> Result<()> {
        let index = self.checked(port, "an input", Direction::can_drive)?;
        let p = &self.ports()[index];
        check_fits(p, value)?;
        let mut words = vec![0u64; p.words()];
        let n = value.len().min(words.len());
        words[..n].copy_from_slice(&value[..n]);
        // SAFETY: `words` holds p.words() u64s, which covers the port's storage.
        unsafe { (self.design.api().set)(self.handle.as_ptr(), index as u32, words.as_ptr()) };
        Ok(())
    }

    /// [`Model::set`] for a value that fits in one u64.
    pub fn set_u64(&mut self, port: &str, value: u64) -> Result<()> {
        self.set(port, &[value])
    }

    /// [`Model::set`] from bits, least significant first (`bits[i]` is port bit `i`).
    pub fn set_bits(&mut self, port: &str, bits: &[bool]) -> Result<()> {
        let mut words: bitvec::vec::BitVec<u64, bitvec::order::Lsb0> = bits.iter().copied().collect();
        words.set_uninitialized(false);
        self.set(port, words.as_raw_slice())
    }

    /// The current value of `port` (any direction) as [`Port::words`] little-endian words.
    pub fn get(&self, port: &str) -> Result<Vec<u64>> {
        let index = self.design.port_index(port)?;
        let mut words = vec![0u64; self.ports()[index].words()];
        // SAFETY: `words` has room for the port; the shim only reads the instance.
        unsafe { (self.design.api().get)(self.handle.as_ptr(), index as u32, words.as_mut_ptr()) };
        Ok(words)
    }

    /// The value of a port of at most 64 bits.
    pub fn get_u64(&self, port: &str) -> Result<u64> {
        let width = self.design.port(port)?.width;
        if width > 64 {
            return Err(VerilatorError::ValueTooWide {
                port: port.to_string(),
                width,
                words: 1,
                problem: "get_u64 can only read ports of at most 64 bits; use get".into(),
            });
        }
        Ok(self.get(port)?[0])
    }

    /// The value of `port` as bits, least significant first ([`Port::width`] of them).
    pub fn get_bits(&self, port: &str) -> Result<Vec<bool>> {
        let width = self.design.port(port)?.width as usize;
        let words = self.get(port)?;
        Ok(bitvec::slice::BitSlice::<u64, bitvec::order::Lsb0>::from_slice(&words)[..width].iter().by_vals().collect())
    }

    /// Evaluates the model with the current inputs (one half period in the VCD).
    pub fn eval(&mut self) {
        // SAFETY: a live instance.
        unsafe { (self.design.api().eval)(self.handle.as_ptr()) }
    }

    /// One clock cycle on the 1-bit input `clock`: low + eval, high + eval.
    pub fn tick(&mut self, clock: &str) -> Result<()> {
        let index = self.clock_index(clock)?;
        // SAFETY: a live instance; `index` is a 1-bit input.
        unsafe { (self.design.api().tick)(self.handle.as_ptr(), index as u32) };
        Ok(())
    }

    /// `n` clock cycles (one FFI call each; use a batch for long runs).
    pub fn ticks(&mut self, clock: &str, n: u64) -> Result<()> {
        let index = self.clock_index(clock)? as u32;
        for _ in 0..n {
            // SAFETY: as in `tick`.
            unsafe { (self.design.api().tick)(self.handle.as_ptr(), index) };
        }
        Ok(())
    }

    pub(crate) fn clock_index(&self, clock: &str) -> Result<usize> {
        self.design.clock_index(clock)
    }

    /// Writes buffered VCD data to the file now (it is also written on drop).
    pub fn flush_vcd(&mut self) {
        // SAFETY: a live instance; a no-op without VCD.
        unsafe { (self.design.api().flush)(self.handle.as_ptr()) }
    }
}

impl Design {
    pub(crate) fn clock_index(&self, clock: &str) -> Result<usize> {
        let index = self.port_index(clock)?;
        let p = &self.ports()[index];
        if p.width != 1 || p.direction != Direction::Input {
            return Err(VerilatorError::BadClock {
                port: clock.to_string(),
                width: p.width,
                direction: p.direction.to_string(),
            });
        }
        Ok(index)
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the handle came from tern_new and is freed exactly once.
        unsafe { (self.design.api().free)(self.handle.as_ptr()) }
    }
}

/// Checks that `value` fits `port`: at most `words` words, no bit at or above the width.
pub(crate) fn check_fits(port: &Port, value: &[u64]) -> Result<()> {
    let err = |problem: String| VerilatorError::ValueTooWide {
        port: port.name.clone(),
        width: port.width,
        words: port.words(),
        problem,
    };
    for (i, &word) in value.iter().enumerate() {
        let low_bit = 64 * i as u32;
        let allowed = port.width.saturating_sub(low_bit).min(64);
        if allowed < 64 && word >> allowed != 0 {
            let first = low_bit + (64 - (word >> allowed << allowed).leading_zeros()) - 1;
            return Err(err(format!(
                "{} words given, bit {first} is set",
                value.len()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(width: u32) -> Port {
        Port {
            name: "p".into(),
            direction: Direction::Input,
            width,
        }
    }

    #[test]
    fn fits_checks_width_and_words() {
        assert!(check_fits(&port(8), &[255]).is_ok());
        let e = check_fits(&port(8), &[256]).unwrap_err().to_string();
        assert!(e.contains("bit 8 is set"), "{e}");
        assert!(check_fits(&port(64), &[u64::MAX]).is_ok());
        assert!(check_fits(&port(72), &[u64::MAX, 0xff]).is_ok());
        let e = check_fits(&port(72), &[0, 0x100]).unwrap_err().to_string();
        assert!(e.contains("bit 72 is set"), "{e}");
        let e = check_fits(&port(72), &[0, 0, 1]).unwrap_err().to_string();
        assert!(e.contains("bit 128 is set"), "{e}");
        assert!(
            check_fits(&port(72), &[0, 0, 0]).is_ok(),
            "zero words beyond the port are harmless"
        );
    }
}
