//! Loading a built library and its C ABI ([`super::shim`]) with `libloading`.
//!
//! A library stays loaded until the process ends: the loaded ones are kept in a process-wide
//! table, so that building the same key twice in one process maps it once, and so that the
//! Verilator runtime inside (thread-local state, exit callbacks) is never unloaded under a
//! live model.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use libloading::Library;

use super::shim::ABI_VERSION;

/// The shim's functions (see the table in [`super::shim`]).
#[derive(Clone, Copy)]
pub(crate) struct Api {
    pub tdata_words: unsafe extern "C" fn() -> u32,
    pub has_waves: unsafe extern "C" fn() -> u32,
    pub skips_low_eval: unsafe extern "C" fn() -> u32,
    pub error: unsafe extern "C" fn() -> *const c_char,
    pub create: unsafe extern "C" fn(*const c_char) -> *mut c_void,
    pub destroy: unsafe extern "C" fn(*mut c_void),
    pub set_inputs: unsafe extern "C" fn(*mut c_void, *const u32),
    pub get_outputs: unsafe extern "C" fn(*const c_void, *mut u32),
    pub eval: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub tick: unsafe extern "C" fn(*mut c_void, u64) -> c_int,
    pub cycles: unsafe extern "C" fn(*const c_void) -> u64,
    pub finished: unsafe extern "C" fn(*const c_void) -> u32,
    pub waves_open: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    pub waves_close: unsafe extern "C" fn(*mut c_void) -> c_int,
    pub has_coverage: unsafe extern "C" fn() -> u32,
    pub coverage_write: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
}

impl Api {
    /// The calling thread's last error message of the library.
    pub fn last_error(&self) -> String {
        // SAFETY: gca_error returns a NUL-terminated string owned by the library's
        // thread-local storage, valid until the next call on this thread; it is copied here.
        unsafe {
            let p = (self.error)();
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }
}

/// Libraries loaded by this process, by path: never unloaded.
static LOADED: Mutex<Option<HashMap<PathBuf, (Library, Api)>>> = Mutex::new(None);

/// Loads (or finds loaded) the library at `path` and resolves the shim's functions.
pub(crate) fn load(path: &Path) -> Result<Api, String> {
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    let table = loaded.get_or_insert_with(HashMap::new);
    if let Some((_, api)) = table.get(path) {
        return Ok(*api);
    }
    // SAFETY: the library is one this module's build wrote: its initialisers are the C++
    // static constructors of the Verilator runtime and the model, which do not depend on the
    // loading thread.
    let lib = unsafe { Library::new(path) }
        .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the symbol's type is the one the shim declares for it (shim.rs writes
            // both sides); the pointer stays valid because the library is never unloaded.
            *unsafe { lib.get($name) }.map_err(|e| {
                format!(
                    "{} lacks {} ({e}): not a gca shim library",
                    path.display(),
                    String::from_utf8_lossy(&$name[..$name.len() - 1])
                )
            })?
        };
    }
    let abi: unsafe extern "C" fn() -> u32 = sym!(b"gca_abi_version\0");
    // SAFETY: a function without arguments returning a constant.
    let version = unsafe { abi() };
    if version != ABI_VERSION {
        return Err(format!(
            "{} has shim ABI version {version}, this gca-testbench needs {ABI_VERSION}: delete it to rebuild",
            path.display()
        ));
    }
    let api = Api {
        tdata_words: sym!(b"gca_tdata_words\0"),
        has_waves: sym!(b"gca_has_waves\0"),
        skips_low_eval: sym!(b"gca_skips_low_eval\0"),
        error: sym!(b"gca_error\0"),
        create: sym!(b"gca_create\0"),
        destroy: sym!(b"gca_destroy\0"),
        set_inputs: sym!(b"gca_set_inputs\0"),
        get_outputs: sym!(b"gca_get_outputs\0"),
        eval: sym!(b"gca_eval\0"),
        tick: sym!(b"gca_tick\0"),
        cycles: sym!(b"gca_cycles\0"),
        finished: sym!(b"gca_finished\0"),
        waves_open: sym!(b"gca_waves_open\0"),
        waves_close: sym!(b"gca_waves_close\0"),
        has_coverage: sym!(b"gca_has_coverage\0"),
        coverage_write: sym!(b"gca_coverage_write\0"),
    };
    table.insert(path.to_path_buf(), (lib, api));
    Ok(api)
}
