//! Every export of the wasm module, in one place: the whole surface TypeScript sees.
//!
//! Conventions:
//! - Functions return a status (0 = ok, see `error::Status`) or, for constructors, a
//!   positive handle or a negated status. After a non-zero status, `mlp_last_error_ptr/len`
//!   give a UTF-8 message. Nothing here panics on user input.
//! - Matrices are row-major f32 buffers that TypeScript placed in wasm memory with
//!   `mlp_alloc`; pointers and lengths are checked against the memory before use.
//! - Networks and datasets live in handle tables; a handle carries a generation so a stale
//!   handle is refused rather than aliasing a newer object.
//! - Seeds are u64 split into two u32 (lo, hi) so JavaScript needs no BigInt.

use core::arch::wasm32::memory_size;
use std::alloc::{alloc, dealloc, Layout};

use crate::activations::{apply_rows, derivative_at_input, softmax_jacobians, Act};
use crate::buffer::zeroed;
use crate::dataset::{u8_statistics, Dataset};
use crate::error::{Error, Result, Status};
use crate::gemm::{self, gemm_reference, gemm_threads, Epilogue, Strided};
use crate::init::InitKind;
use crate::loss::{first_non_probability_row, mean_loss, output_gradient, LossKind, NotProbabilities, Regularization};
use crate::network::{initialize, layout, Config, Network};
use crate::optim::{Hyper, OptimizerKind};
use crate::parallel;
use crate::reference::RefNet;
use crate::rng::Rng;
use crate::simd::all_finite;
use crate::strassen;

// ---------------------------------------------------------------------------------------
// Errors, memory and handles

static mut LAST_ERROR: String = String::new();

fn report(result: Result<()>) -> i32 {
    match result {
        Ok(()) => Status::Ok as i32,
        Err(e) => {
            unsafe { LAST_ERROR = e.message };
            e.status as i32
        }
    }
}

fn report_handle(result: Result<i32>) -> i32 {
    match result {
        Ok(h) => h,
        Err(e) => {
            let status = e.status as i32;
            unsafe { LAST_ERROR = e.message };
            -status
        }
    }
}

/// The message of the last failed call.
#[no_mangle]
pub extern "C" fn mlp_last_error_ptr() -> *const u8 {
    unsafe { LAST_ERROR.as_ptr() }
}

#[no_mangle]
pub extern "C" fn mlp_last_error_len() -> usize {
    unsafe { LAST_ERROR.len() }
}

/// Bumped whenever an export changes meaning, so the binding can refuse a stale .wasm.
#[no_mangle]
pub extern "C" fn mlp_abi_version() -> i32 {
    10
}

const ALIGN: usize = 16;

/// Allocates `bytes` (16-byte aligned) for TypeScript to fill; 0 when memory runs out.
#[no_mangle]
pub extern "C" fn mlp_alloc(bytes: usize) -> *mut u8 {
    match Layout::from_size_align(bytes.max(1), ALIGN) {
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

#[no_mangle]
pub extern "C" fn mlp_free(ptr: *mut u8, bytes: usize) {
    if ptr.is_null() {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(bytes.max(1), ALIGN) {
        unsafe { dealloc(ptr, layout) }
    }
}

/// A slice over wasm memory, after checking that it lies inside the memory.
fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    let bytes = len.checked_mul(core::mem::size_of::<T>());
    let end = bytes.and_then(|b| (ptr as usize).checked_add(b));
    // In u64: a full 4 GiB memory is 2^32 bytes, one more than usize holds on wasm32.
    let memory = memory_size(0) as u64 * 65536;
    if ptr.is_null() || (ptr as usize) % core::mem::align_of::<T>() != 0 || end.map_or(true, |e| e as u64 > memory) {
        return Err(Error::invalid(format!("{}: buffer at {} with {} elements is outside wasm memory", what, ptr as usize, len)));
    }
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

fn slice_mut<'a, T>(ptr: *mut T, len: usize, what: &str) -> Result<&'a mut [T]> {
    slice(ptr as *const T, len, what)?;
    Ok(if len == 0 { &mut [] } else { unsafe { core::slice::from_raw_parts_mut(ptr, len) } })
}

fn product(a: usize, b: usize, what: &str) -> Result<usize> {
    a.checked_mul(b).ok_or_else(|| Error::invalid(format!("{}: {} x {} overflows", what, a, b)))
}

struct Table<T> {
    slots: Vec<Option<T>>,
    generations: Vec<u16>,
}

impl<T> Table<T> {
    const fn new() -> Self {
        Table { slots: Vec::new(), generations: Vec::new() }
    }

    fn insert(&mut self, value: T) -> Result<i32> {
        let index = match self.slots.iter().position(|s| s.is_none()) {
            Some(i) => i,
            None => {
                if self.slots.len() >= 0xFFFF {
                    return Err(Error::new(Status::OutOfMemory, "too many live objects (65535); dispose some"));
                }
                self.slots.try_reserve(1).map_err(|_| Error::oom("handle table", 0))?;
                self.generations.try_reserve(1).map_err(|_| Error::oom("handle table", 0))?;
                self.slots.push(None);
                self.generations.push(0);
                self.slots.len() - 1
            }
        };
        self.slots[index] = Some(value);
        let generation = (self.generations[index] & 0x7FFF) as i32;
        Ok((generation << 16) | (index as i32 + 1))
    }

    fn index(&self, handle: i32) -> Result<usize> {
        let index = (handle & 0xFFFF) as usize;
        let generation = (handle >> 16) as u16;
        if handle <= 0 || index == 0 || index > self.slots.len() || self.slots[index - 1].is_none() || self.generations[index - 1] & 0x7FFF != generation {
            return Err(Error::new(Status::InvalidHandle, format!("handle {} does not name a live object (disposed?)", handle)));
        }
        Ok(index - 1)
    }

    fn get(&mut self, handle: i32) -> Result<&mut T> {
        let i = self.index(handle)?;
        Ok(self.slots[i].as_mut().unwrap())
    }

    fn remove(&mut self, handle: i32) -> Result<()> {
        let i = self.index(handle)?;
        self.slots[i] = None;
        self.generations[i] = self.generations[i].wrapping_add(1);
        Ok(())
    }
}

static mut NETWORKS: Table<Network> = Table::new();
static mut DATASETS: Table<Dataset> = Table::new();

// The module is single-threaded: these accessors are the only way to the tables.
fn networks() -> &'static mut Table<Network> {
    unsafe { &mut NETWORKS }
}

fn datasets() -> &'static mut Table<Dataset> {
    unsafe { &mut DATASETS }
}

fn act(code: i32, what: &str) -> Result<Act> {
    Act::from_code(code).ok_or_else(|| Error::invalid(format!("{}: unknown activation code {}", what, code)))
}

fn loss_kind(code: i32) -> Result<LossKind> {
    LossKind::from_code(code).ok_or_else(|| Error::invalid(format!("unknown loss code {}", code)))
}

fn regularization(code: i32, alpha: f32) -> Result<Regularization> {
    if !alpha.is_finite() || alpha < 0.0 {
        return Err(Error::invalid(format!("regularisation alpha must be finite and >= 0, got {}", alpha)));
    }
    Regularization::from_code(code, alpha).ok_or_else(|| Error::invalid(format!("unknown regularisation code {}", code)))
}

fn seed(lo: u32, hi: u32) -> u64 {
    (hi as u64) << 32 | lo as u64
}

fn sizes_from(ptr: *const u32, len: usize) -> Result<Vec<usize>> {
    let sizes = slice(ptr, len, "layer sizes")?;
    if sizes.len() < 2 || sizes.iter().any(|&s| s == 0) {
        return Err(Error::invalid("layer sizes must be [inputs, hidden…, outputs], all positive"));
    }
    if sizes.len() > MAX_LAYER_SIZES {
        return Err(Error::invalid(format!("{} layer sizes: at most {} (that many layers) are supported", sizes.len(), MAX_LAYER_SIZES)));
    }
    let mut out = crate::buffer::zeroed(sizes.len(), "layer sizes")?;
    for (o, &s) in out.iter_mut().zip(sizes) {
        *o = s as usize;
    }
    Ok(out)
}

/// Layer sizes a network may have (inputs, hidden layers, outputs): far more layers than any
/// MLP uses, few enough that the per-layer bookkeeping never strains memory.
pub const MAX_LAYER_SIZES: usize = 1025;

// ---------------------------------------------------------------------------------------
// Activations, losses and initialisers (the class API; not on the training hot path)

/// out = act(x) for a rows x cols matrix (softmax row-wise).
#[no_mangle]
pub extern "C" fn mlp_activation_apply(code: i32, x: *const f32, rows: usize, cols: usize, out: *mut f32) -> i32 {
    report((|| {
        let a = act(code, "activation")?;
        let len = product(rows, cols, "activation input")?;
        let x = slice(x, len, "activation input")?;
        let out = slice_mut(out, len, "activation output")?;
        out.copy_from_slice(x);
        if cols > 0 {
            apply_rows(a, out, cols);
        }
        Ok(())
    })())
}

/// The derivative at x: element-wise (rows x cols), or for softmax the Jacobian of every
/// row (rows x cols x cols).
#[no_mangle]
pub extern "C" fn mlp_activation_gradient(code: i32, x: *const f32, rows: usize, cols: usize, out: *mut f32) -> i32 {
    report((|| {
        let a = act(code, "activation")?;
        let len = product(rows, cols, "activation input")?;
        let x = slice(x, len, "activation input")?;
        if a == Act::Softmax {
            let out = slice_mut(out, product(len, cols, "softmax Jacobians")?, "softmax Jacobians")?;
            softmax_jacobians(x, cols, out)?;
        } else {
            derivative_at_input(a, x, slice_mut(out, len, "activation gradient")?);
        }
        Ok(())
    })())
}

/// Mean data loss of predictions p against targets y (rows x cols each).
#[no_mangle]
pub extern "C" fn mlp_loss_value(code: i32, p: *const f32, y: *const f32, rows: usize, cols: usize, out: *mut f64) -> i32 {
    report((|| {
        let kind = loss_kind(code)?;
        let len = product(rows, cols, "loss input")?;
        let value = mean_loss(kind, slice(p, len, "predictions")?, slice(y, len, "targets")?, rows, cols);
        slice_mut(out, 1, "loss output")?[0] = value;
        Ok(())
    })())
}

/// Checks that rows x cols targets are probability rows (one-hot or distributions), as
/// cross-entropy needs: writes [kind, row, col] to `out` (kind 0: all are; 1: the value at
/// (row, col), written to `out_value`, is outside [0, 1]; 2: row `row` sums to `out_value`,
/// not 1 within 1e-3).
#[no_mangle]
pub extern "C" fn mlp_first_non_probability_row(y: *const f32, rows: usize, cols: usize, out: *mut i32, out_value: *mut f64) -> i32 {
    report((|| {
        let y = slice(y, product(rows, cols, "targets")?, "targets")?;
        let out = slice_mut(out, 3, "position output")?;
        let out_value = slice_mut(out_value, 1, "value output")?;
        let index = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
        let (kind, row, col, value) = match first_non_probability_row(y, cols) {
            None => (0, 0, 0, 0.0),
            Some(NotProbabilities::Value { row, col, value }) => (1, row, col, value as f64),
            Some(NotProbabilities::Sum { row, sum }) => (2, row, 0, sum),
        };
        out.copy_from_slice(&[kind, index(row), index(col)]);
        out_value[0] = value;
        Ok(())
    })())
}

/// d mean loss / d p.
#[no_mangle]
pub extern "C" fn mlp_loss_gradient(code: i32, p: *const f32, y: *const f32, rows: usize, cols: usize, out: *mut f32) -> i32 {
    report((|| {
        let kind = loss_kind(code)?;
        let len = product(rows, cols, "loss input")?;
        output_gradient(kind, slice(p, len, "predictions")?, slice(y, len, "targets")?, rows.max(1), cols.max(1), slice_mut(out, len, "loss gradient")?);
        Ok(())
    })())
}

/// The penalty of one weight matrix.
#[no_mangle]
pub extern "C" fn mlp_regularization_value(code: i32, alpha: f32, w: *const f32, len: usize, out: *mut f64) -> i32 {
    report((|| {
        let reg = regularization(code, alpha)?;
        slice_mut(out, 1, "penalty output")?[0] = reg.value(slice(w, len, "weights")?);
        Ok(())
    })())
}

/// out = d penalty / d w.
#[no_mangle]
pub extern "C" fn mlp_regularization_gradient(code: i32, alpha: f32, w: *const f32, len: usize, out: *mut f32) -> i32 {
    report((|| {
        let reg = regularization(code, alpha)?;
        let out = slice_mut(out, len, "penalty gradient")?;
        out.fill(0.0);
        reg.add_gradient(slice(w, len, "weights")?, out);
        Ok(())
    })())
}

/// Initial parameters for the given widths, flat (W1, b1, W2, b2, …), as a network with the
/// same seed would draw them.
#[no_mangle]
pub extern "C" fn mlp_initialize_parameters(kind: i32, seed_lo: u32, seed_hi: u32, sizes: *const u32, n_sizes: usize, out: *mut f32) -> i32 {
    report((|| {
        let kind = InitKind::from_code(kind).ok_or_else(|| Error::invalid(format!("unknown initialisation code {}", kind)))?;
        let (layers, count) = layout(&sizes_from(sizes, n_sizes)?)?;
        initialize(kind, &mut Rng::new(seed(seed_lo, seed_hi)), &layers, slice_mut(out, count, "parameters")?);
        Ok(())
    })())
}

/// The number of parameters (weights and biases) of a network with these widths.
#[no_mangle]
pub extern "C" fn mlp_parameter_count(sizes: *const u32, n_sizes: usize) -> i32 {
    report_handle((|| {
        let (_, count) = layout(&sizes_from(sizes, n_sizes)?)?;
        i32::try_from(count).map_err(|_| Error::oom("parameters", count.saturating_mul(4)))
    })())
}

/// A seeded random permutation of 0..n (used to split data sets reproducibly).
#[no_mangle]
pub extern "C" fn mlp_permutation(seed_lo: u32, seed_hi: u32, n: usize, out: *mut u32) -> i32 {
    report((|| {
        let out = slice_mut(out, n, "permutation")?;
        for (i, v) in out.iter_mut().enumerate() {
            *v = i as u32;
        }
        Rng::new(seed(seed_lo, seed_hi)).shuffle(out);
        Ok(())
    })())
}

/// The index of the largest value of each row (first one on ties): class labels from
/// probabilities.
#[no_mangle]
pub extern "C" fn mlp_argmax_rows(src: *const f32, rows: usize, cols: usize, out: *mut i32) -> i32 {
    report((|| {
        if cols == 0 {
            return Err(Error::invalid("argmax needs at least one column"));
        }
        let src = slice(src, product(rows, cols, "argmax input")?, "argmax input")?;
        let out = slice_mut(out, rows, "argmax output")?;
        for (o, row) in out.iter_mut().zip(src.chunks_exact(cols)) {
            let mut best = 0;
            for (j, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = j;
                }
            }
            *o = best as i32;
        }
        Ok(())
    })())
}

/// Writes to `out` the index of the first NaN or ±infinity among `len` floats, or -1 when
/// all are finite: the input check of inference, four lanes at a time instead of a JavaScript
/// loop over every element.
#[no_mangle]
pub extern "C" fn mlp_first_nonfinite(src: *const f32, len: usize, out: *mut i32) -> i32 {
    report((|| {
        let src = slice(src, len, "values")?;
        let out = slice_mut(out, 1, "index output")?;
        const BLOCK: usize = 1024;
        out[0] = -1;
        for (b, block) in src.chunks(BLOCK).enumerate() {
            if !all_finite(block) {
                let at = block.iter().position(|v| !v.is_finite()).unwrap_or(0);
                out[0] = i32::try_from(b * BLOCK + at).unwrap_or(i32::MAX);
                break;
            }
        }
        Ok(())
    })())
}

// ---------------------------------------------------------------------------------------
// Networks

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_network_create(
    sizes: *const u32,
    n_sizes: usize,
    hidden: i32,
    output: i32,
    loss: i32,
    reg: i32,
    alpha: f32,
    optimizer: i32,
    eta: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    init: i32,
    seed_lo: u32,
    seed_hi: u32,
) -> i32 {
    report_handle((|| {
        let cfg = Config {
            sizes: sizes_from(sizes, n_sizes)?,
            hidden: act(hidden, "hidden activation")?,
            output: act(output, "output activation")?,
            loss: loss_kind(loss)?,
            reg: regularization(reg, alpha)?,
            optimizer: OptimizerKind::from_code(optimizer).ok_or_else(|| Error::invalid(format!("unknown optimizer code {}", optimizer)))?,
            hyper: hyper(eta, beta1, beta2, epsilon)?,
        };
        if cfg.hidden == Act::Softmax && cfg.sizes.len() > 2 {
            return Err(Error::invalid("softmax is only supported as the output activation"));
        }
        let init = InitKind::from_code(init).ok_or_else(|| Error::invalid(format!("unknown initialisation code {}", init)))?;
        let net = Network::new(cfg, init, seed(seed_lo, seed_hi))?;
        networks().insert(net)
    })())
}

fn hyper(eta: f32, beta1: f32, beta2: f32, epsilon: f32) -> Result<Hyper> {
    let ok = eta.is_finite() && eta > 0.0 && (0.0..1.0).contains(&beta1) && (0.0..1.0).contains(&beta2) && epsilon.is_finite() && epsilon > 0.0;
    if !ok {
        return Err(Error::invalid(format!("bad optimizer settings: eta={} beta1={} beta2={} epsilon={}", eta, beta1, beta2, epsilon)));
    }
    Ok(Hyper { eta, beta1, beta2, epsilon })
}

#[no_mangle]
pub extern "C" fn mlp_network_free(h: i32) -> i32 {
    report(networks().remove(h))
}

/// Changes the learning rate and Adam's constants (e.g. for a schedule).
#[no_mangle]
pub extern "C" fn mlp_network_set_hyper(h: i32, eta: f32, beta1: f32, beta2: f32, epsilon: f32) -> i32 {
    report((|| {
        let hp = hyper(eta, beta1, beta2, epsilon)?;
        networks().get(h)?.cfg.hyper = hp;
        Ok(())
    })())
}

/// Which flat vector `mlp_network_read/write` address.
fn vector(net: &mut Network, which: i32) -> Result<&mut Vec<f32>> {
    match which {
        0 => Ok(net.params_mut()),
        1 => Ok(&mut net.grads),
        2 | 3 => {
            if net.adam_m.len() != net.params().len() {
                net.adam_m = crate::buffer::zeroed(net.params().len(), "Adam moments")?;
                net.adam_v = crate::buffer::zeroed(net.params().len(), "Adam moments")?;
            }
            Ok(if which == 2 { &mut net.adam_m } else { &mut net.adam_v })
        }
        _ => Err(Error::invalid(format!("unknown vector {}", which))),
    }
}

/// Copies a flat vector out: 0 parameters, 1 gradients, 2 Adam m, 3 Adam v.
#[no_mangle]
pub extern "C" fn mlp_network_read(h: i32, which: i32, out: *mut f32, len: usize) -> i32 {
    report((|| {
        let v = vector(networks().get(h)?, which)?;
        if len != v.len() {
            return Err(Error::shape(format!("expected {} values, got room for {}", v.len(), len)));
        }
        slice_mut(out, len, "read buffer")?.copy_from_slice(v);
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn mlp_network_write(h: i32, which: i32, src: *const f32, len: usize) -> i32 {
    report((|| {
        let v = vector(networks().get(h)?, which)?;
        if len != v.len() {
            return Err(Error::shape(format!("expected {} values, got {}", v.len(), len)));
        }
        v.copy_from_slice(slice(src, len, "write buffer")?);
        Ok(())
    })())
}

/// Training state beyond the vectors: [t, rng0, rng1, rng2, rng3].
#[no_mangle]
pub extern "C" fn mlp_network_get_state(h: i32, out: *mut u32) -> i32 {
    report((|| {
        let net = networks().get(h)?;
        let out = slice_mut(out, 5, "state")?;
        out[0] = net.t;
        out[1..].copy_from_slice(&net.rng.state());
        Ok(())
    })())
}

#[no_mangle]
pub extern "C" fn mlp_network_set_state(h: i32, src: *const u32) -> i32 {
    report((|| {
        let s = slice(src, 5, "state")?;
        let rng = Rng::from_state([s[1], s[2], s[3], s[4]]).ok_or_else(|| Error::invalid("the generator state is all zero"))?;
        let net = networks().get(h)?;
        net.t = s[0];
        net.rng = rng;
        Ok(())
    })())
}

fn check_width(net: &Network, d: usize) -> Result<()> {
    if d != net.inputs() {
        return Err(Error::shape(format!("input has {} columns but the network expects {}", d, net.inputs())));
    }
    Ok(())
}

/// Output probabilities for n rows of x (n x d) into out (n x outputs).
#[no_mangle]
pub extern "C" fn mlp_network_forward(h: i32, x: *const f32, n: usize, d: usize, out: *mut f32) -> i32 {
    report((|| {
        let net = networks().get(h)?;
        check_width(net, d)?;
        let x = slice(x, product(n, d, "input")?, "input")?;
        let out = slice_mut(out, product(n, net.outputs(), "output")?, "output")?;
        net.predict_proba(x, n, out)
    })())
}

/// Mean loss (data + penalty) of n rows.
#[no_mangle]
pub extern "C" fn mlp_network_loss(h: i32, x: *const f32, y: *const f32, n: usize, d: usize, out: *mut f64) -> i32 {
    report((|| {
        let net = networks().get(h)?;
        check_width(net, d)?;
        let x = slice(x, product(n, d, "input")?, "input")?;
        let y = slice(y, product(n, net.outputs(), "targets")?, "targets")?;
        let value = net.loss(x, y, n)?;
        slice_mut(out, 1, "loss output")?[0] = value;
        Ok(())
    })())
}

/// Forward + backward on one batch; the gradients are kept in the network. With `expected`
/// not null (n x outputs, what the caller believes the output is), the output is compared
/// with it first: `out_mismatch` gets the index of the first value that differs beyond float
/// rounding (then no gradients are computed and `out_actual` gets the network's value), or
/// -1. The loss is written either way.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_network_gradients(h: i32, x: *const f32, y: *const f32, n: usize, d: usize, expected: *const f32, out_loss: *mut f64, out_mismatch: *mut i32, out_actual: *mut f32) -> i32 {
    report((|| {
        let net = networks().get(h)?;
        check_width(net, d)?;
        if n == 0 {
            return Err(Error::invalid("a batch needs at least one row"));
        }
        let x = slice(x, product(n, d, "input")?, "input")?;
        let y = slice(y, product(n, net.outputs(), "targets")?, "targets")?;
        let expected = if expected.is_null() { None } else { Some(slice(expected, product(n, net.outputs(), "expected output")?, "expected output")?) };
        let out_loss = slice_mut(out_loss, 1, "loss output")?;
        let out_mismatch = slice_mut(out_mismatch, 1, "mismatch output")?;
        let out_actual = slice_mut(out_actual, 1, "actual value output")?;
        let (loss, mismatch) = net.compute_gradients(x, y, n, expected)?;
        out_loss[0] = loss;
        out_mismatch[0] = mismatch.map_or(-1, |(at, _)| i32::try_from(at).unwrap_or(i32::MAX));
        out_actual[0] = mismatch.map_or(0.0, |(_, v)| v);
        Ok(())
    })())
}

/// Applies the kept gradients: 0 gradient descent, 1 Adam.
#[no_mangle]
pub extern "C" fn mlp_network_apply(h: i32, optimizer: i32) -> i32 {
    report((|| {
        let kind = OptimizerKind::from_code(optimizer).ok_or_else(|| Error::invalid(format!("unknown optimizer code {}", optimizer)))?;
        networks().get(h)?.apply_gradients(kind)
    })())
}

/// Draws the next epoch's order of n rows.
#[no_mangle]
pub extern "C" fn mlp_network_shuffle(h: i32, n: usize) -> i32 {
    report(networks().get(h).and_then(|net| net.shuffle(n)))
}

/// Trains batches [first, first + count) of the current epoch on a dataset. Writes the sum
/// of the batch losses and the number of batches done (also on divergence).
#[no_mangle]
pub extern "C" fn mlp_network_train(h: i32, data: i32, batch: usize, first: usize, count: usize, out_loss_sum: *mut f64, out_done: *mut u32) -> i32 {
    report((|| {
        let out_loss_sum = slice_mut(out_loss_sum, 1, "loss output")?;
        let out_done = slice_mut(out_done, 1, "count output")?;
        let data = datasets().get(data)?;
        let net = networks().get(h)?;
        let mut done = 0;
        let result = net.train_batches(data, batch, first, count, &mut done);
        out_done[0] = done as u32;
        out_loss_sum[0] = *result.as_ref().unwrap_or(&f64::NAN);
        result.map(|_| ())
    })())
}

/// Mean loss (data + penalty) over a whole dataset.
#[no_mangle]
pub extern "C" fn mlp_network_dataset_loss(h: i32, data: i32, out: *mut f64) -> i32 {
    report((|| {
        let out = slice_mut(out, 1, "loss output")?;
        let data = datasets().get(data)?;
        let net = networks().get(h)?;
        check_width(net, data.d)?;
        if data.k != net.outputs() {
            return Err(Error::shape(format!("dataset has {} targets per row but the network outputs {}", data.k, net.outputs())));
        }
        out[0] = net.loss(&data.x, &data.y, data.n)?;
        Ok(())
    })())
}

/// Output probabilities for every row of a dataset (n x outputs).
#[no_mangle]
pub extern "C" fn mlp_network_dataset_forward(h: i32, data: i32, out: *mut f32) -> i32 {
    report((|| {
        let data = datasets().get(data)?;
        let net = networks().get(h)?;
        check_width(net, data.d)?;
        let out = slice_mut(out, product(data.n, net.outputs(), "output")?, "output")?;
        net.predict_proba(&data.x, data.n, out)
    })())
}

// ---------------------------------------------------------------------------------------
// Datasets

/// A zeroed dataset of n rows, d inputs and k targets; fill it through the pointers below
/// or with the u8 helpers.
#[no_mangle]
pub extern "C" fn mlp_dataset_create(n: usize, d: usize, k: usize) -> i32 {
    report_handle(Dataset::new(n, d, k).and_then(|ds| datasets().insert(ds)))
}

#[no_mangle]
pub extern "C" fn mlp_dataset_free(h: i32) -> i32 {
    report(datasets().remove(h))
}

/// Where the inputs (0) or targets (1) live, for TypeScript to copy into once; 0 on a bad
/// handle. The pointer is valid until the next call that may allocate.
#[no_mangle]
pub extern "C" fn mlp_dataset_ptr(h: i32, which: i32) -> *mut f32 {
    match datasets().get(h) {
        Ok(ds) if which == 0 => ds.x.as_mut_ptr(),
        Ok(ds) if which == 1 => ds.y.as_mut_ptr(),
        Ok(_) => {
            let _ = report(Err(Error::invalid(format!("unknown dataset buffer {}", which))));
            core::ptr::null_mut()
        }
        Err(e) => {
            let _ = report(Err(e));
            core::ptr::null_mut()
        }
    }
}

/// Fills a dataset from 8-bit rows: x = (u·scale − mean[j]) · inv_std[j] for the source
/// rows listed in `rows`, and one-hot targets from `labels` when it is not null.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_dataset_fill_u8(h: i32, src: *const u8, src_len: usize, labels: *const u8, rows: *const u32, scale: f32, mean: *const f32, inv_std: *const f32) -> i32 {
    report((|| {
        let ds = datasets().get(h)?;
        let src = slice(src, src_len, "pixels")?;
        let rows = slice(rows, ds.n, "row indices")?;
        ds.fill_from_u8(src, rows, scale, slice(mean, ds.d, "means")?, slice(inv_std, ds.d, "inverse deviations")?)?;
        if !labels.is_null() {
            ds.fill_one_hot(slice(labels, src_len / ds.d, "labels")?, rows)?;
        }
        Ok(())
    })())
}

/// Mean and standard deviation of u8 data times `scale`, globally or per feature (d wide).
#[no_mangle]
pub extern "C" fn mlp_u8_statistics(src: *const u8, len: usize, d: usize, scale: f32, per_feature: i32, mean: *mut f32, std: *mut f32) -> i32 {
    report((|| {
        if d == 0 || len % d != 0 || len == 0 {
            return Err(Error::invalid(format!("{} bytes is not a positive whole number of rows of {}", len, d)));
        }
        u8_statistics(slice(src, len, "pixels")?, d, scale, per_feature != 0, slice_mut(mean, d, "means")?, slice_mut(std, d, "deviations")?)
    })())
}

// ---------------------------------------------------------------------------------------
// Test and benchmark hooks

/// C = A·B with the SIMD kernel on up to `threads` threads (0 = the whole pool), with the
/// plain loop (reference = 1), or in Strassen's seven half products (reference = 2: A and B
/// row-major, ldc = n, dimensions as `strassen::fits` says; `mlp_test_set_strassen` does not
/// apply here), strides as in `gemm::Strided`; reference = 3 and 4 are the kernel and
/// Strassen's way with B packed beforehand (`gemm::pack_b`, `strassen::pack_operands`), as
/// evaluation runs them. Lets the tests and the benchmark reach the kernels directly.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_test_gemm(threads: usize, m: usize, n: usize, k: usize, a: *const f32, a_len: usize, a_rs: usize, a_cs: usize, b: *const f32, b_len: usize, b_rs: usize, b_cs: usize, c: *mut f32, ldc: usize, reference: i32, repeats: u32) -> i32 {
    report((|| {
        let a = Strided { data: slice(a, a_len, "A")?, rs: a_rs, cs: a_cs };
        let b = Strided { data: slice(b, b_len, "B")?, rs: b_rs, cs: b_cs };
        let fits = |s: &Strided, r: usize, c: usize| r == 0 || c == 0 || (r - 1).checked_mul(s.rs).and_then(|x| (c - 1).checked_mul(s.cs).and_then(|y| x.checked_add(y))).map_or(false, |end| end < s.data.len());
        if !fits(&a, m, k) || !fits(&b, k, n) || ldc < n {
            return Err(Error::shape("gemm operands do not cover the requested shape"));
        }
        let c_len = if m == 0 || n == 0 { 0 } else { (m - 1).checked_mul(ldc).and_then(|x| x.checked_add(n)).ok_or_else(|| Error::shape("gemm output size overflows"))? };
        let c = slice_mut(c, c_len, "C")?;
        let strassen = reference == 2 || reference == 4;
        if strassen && !(a.cs == 1 && a.rs == k && b.cs == 1 && b.rs == n && ldc == n && strassen::fits(m, n, k)) {
            return Err(Error::shape(format!("Strassen needs row-major A and B, ldc = n and even dimensions of at least {}", 2 * strassen::MIN_HALF)));
        }
        let mut pack = Vec::new();
        let mut scratch = strassen::Scratch::default();
        let zeros = if strassen { zeroed(n, "bias")? } else { Vec::new() };
        let packed_len = match reference {
            3 => gemm::packed_b_len(k, n),
            4 => strassen::packed_operands_len(n, k),
            _ => Some(0),
        };
        let mut packed = zeroed(packed_len.and_then(|l| l.checked_add(gemm::PACK_ALIGN_SLACK)).ok_or_else(|| Error::oom("packed B", usize::MAX))?, "packed B")?;
        let packed = gemm::aligned16(&mut packed);
        match reference {
            3 => gemm::pack_b(b, None, k, n, packed),
            4 => strassen::pack_operands(n, k, b.data, packed),
            _ => {}
        }
        for _ in 0..repeats.max(1) {
            if strassen {
                let ops = if reference == 4 { Some(&*packed) } else { None };
                strassen::forward(threads, m, n, k, a.data, b.data, ops, c, &zeros, Act::Linear, &mut scratch, &mut pack)?;
            } else if reference == 3 {
                gemm::gemm_operand_threads(threads, m, n, k, a, gemm::BOperand::Packed(packed), c, ldc, Epilogue::Store, &mut pack)?;
            } else if reference != 0 {
                gemm_reference(m, n, k, a, b, c, ldc);
            } else {
                gemm_threads(threads, m, n, k, a, b, c, ldc, Epilogue::Store, &mut pack)?;
            }
        }
        Ok(())
    })())
}

/// The float64 reference network: mean loss and (if `grads` is not null) its gradients for
/// flat float64 parameters, inputs and targets.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_reference_loss_and_gradients(sizes: *const u32, n_sizes: usize, hidden: i32, output: i32, loss: i32, reg: i32, alpha: f32, params: *const f64, x: *const f64, y: *const f64, n: usize, grads: *mut f64, out_loss: *mut f64) -> i32 {
    report((|| {
        let sizes = sizes_from(sizes, n_sizes)?;
        let (layers, count) = layout(&sizes)?;
        let net = RefNet { layers: &layers, hidden: act(hidden, "hidden activation")?, output: act(output, "output activation")?, loss: loss_kind(loss)?, reg: regularization(reg, alpha)? };
        if n == 0 {
            return Err(Error::invalid("a batch needs at least one row"));
        }
        // The reference keeps every layer's rows in plain Vecs: a test hook for small problems.
        let widest = sizes.iter().copied().max().unwrap_or(0);
        if product(n, widest, "reference activations")? > 1 << 24 {
            return Err(Error::invalid(format!("the float64 reference takes at most 2^24 values per layer (n x widest layer), got {} x {}", n, widest)));
        }
        let params = slice(params, count, "parameters")?;
        let x = slice(x, product(n, sizes[0], "input")?, "input")?;
        let y = slice(y, product(n, *sizes.last().unwrap(), "targets")?, "targets")?;
        let grads = if grads.is_null() { None } else { Some(slice_mut(grads, count, "gradients")?) };
        let value = net.loss_and_gradients(params, x, y, n, grads);
        slice_mut(out_loss, 1, "loss output")?[0] = value;
        Ok(())
    })())
}

// ---------------------------------------------------------------------------------------
// Threads (see `parallel`). The single-thread build has the same exports: its pool never
// grows past the main thread.

/// 1 when this module was built with shared memory and atomics (mlp_engine_threads.wasm).
#[no_mangle]
pub extern "C" fn mlp_threads_build() -> i32 {
    cfg!(mlp_threads) as i32
}

/// The body of a worker instance: call once, after setting its `__stack_pointer` to its
/// own stack; returns only when the pool shuts down.
#[no_mangle]
pub extern "C" fn mlp_worker_main(index: usize) {
    if index > 0 {
        parallel::worker_main(index);
    }
}

/// Waits until `workers` workers are inside `mlp_worker_main` and puts them to work;
/// returns the number of threads (main included).
#[no_mangle]
pub extern "C" fn mlp_pool_start(workers: usize) -> usize {
    parallel::start(workers)
}

/// Makes every worker return from `mlp_worker_main`; the engine goes on with one thread.
#[no_mangle]
pub extern "C" fn mlp_pool_shutdown() {
    parallel::shutdown()
}

/// Threads available (main included).
#[no_mangle]
pub extern "C" fn mlp_pool_size() -> usize {
    parallel::size()
}

/// An address on the stack of thread `index` (0 = main), recorded when it started: lets the
/// tests check that every instance has a stack of its own.
#[no_mangle]
pub extern "C" fn mlp_thread_stack_probe(index: usize) -> usize {
    parallel::stack_probe(index)
}

/// How many threads this network uses (0 = the whole pool; more than the pool is clamped).
#[no_mangle]
pub extern "C" fn mlp_network_set_threads(h: i32, threads: usize) -> i32 {
    report(networks().get(h).map(|net| net.threads = threads))
}

/// Test hook: products of at least this many flops are split over threads (default 2^18).
#[no_mangle]
pub extern "C" fn mlp_test_set_parallel_flops(flops: usize) {
    crate::gemm::PARALLEL_FLOPS.store(flops, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: evaluation multiplies in Strassen's way (on = 1, the default) or plainly, for
/// comparing the two in one process.
#[no_mangle]
pub extern "C" fn mlp_test_set_strassen(on: i32) {
    strassen::ENABLED.store(on != 0, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: the first layer's products skip the zeros of a mostly-zero input (on = 1, the
/// default; see `sparse`) or take every product densely (0), for comparing the two in one
/// process.
#[no_mangle]
pub extern "C" fn mlp_test_set_sparse(on: i32) {
    crate::sparse::ENABLED.store(on != 0, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: the first layer's products the sparse way (see `sparse`), as training runs
/// them: X (rows x cols, row-major) compressed, then C = X·B (B cols x n, `transpose` = 0)
/// or C = Xᵀ·B (B rows x n, `transpose` = 1, through the transposed compression), C
/// row-major; each repeat compresses again, as each step does. B must hold whole vectors past
/// its last row (`sparse::b_fits`). Returns `Status::Invalid` when X is too dense for this way.
/// Lets the benchmark time the kernel on real inputs.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn mlp_test_sparse_gemm(threads: usize, rows: usize, cols: usize, n: usize, x: *const f32, b: *const f32, b_len: usize, c: *mut f32, transpose: i32, repeats: u32) -> i32 {
    report((|| {
        let x = slice(x, rows.checked_mul(cols).ok_or_else(|| Error::shape("X size overflows"))?, "X")?;
        let b = slice(b, b_len, "B")?;
        let (m, k) = if transpose != 0 { (cols, rows) } else { (rows, cols) };
        if !crate::sparse::b_fits(b, k, n, n) {
            return Err(Error::shape("B does not cover k x n and whole vectors past its last row"));
        }
        let c = slice_mut(c, m.checked_mul(n).ok_or_else(|| Error::shape("C size overflows"))?, "C")?;
        let (mut compressed, mut transposed, mut scratch) = (crate::sparse::Sparse::default(), crate::sparse::Sparse::default(), Vec::new());
        for _ in 0..repeats.max(1) {
            if !compressed.compress(threads, x, rows, cols, (transpose != 0).then(|| &mut transposed))? {
                return Err(Error::invalid("X is too dense for the sparse way"));
            }
            let a = if transpose != 0 { &transposed } else { &compressed };
            crate::sparse::product(threads, a, n, b, n, None, &mut scratch, c, n, Epilogue::Store)?;
        }
        Ok(())
    })())
}

/// Test hook: how many products skipped the zeros of their input so far (see `sparse`).
#[no_mangle]
pub extern "C" fn mlp_test_sparse_products() -> usize {
    crate::sparse::PRODUCTS.load(core::sync::atomic::Ordering::Relaxed)
}

/// Test hook: evaluation reads its weights packed once (on = 1, the default; see
/// `evaluation::PackedWeights`) or packs them in every product (0), for comparing the two in
/// one process.
#[no_mangle]
pub extern "C" fn mlp_test_set_prepacked(on: i32) {
    crate::evaluation::PREPACKED.store(on != 0, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: with on = 1, evaluation leaves the lanes of its other threads unsized, so a
/// chunk there needs a buffer while the allocator is off limits (`buffer::FROZEN`): the call
/// must fail with an error, neither allocating on a worker nor trapping.
#[no_mangle]
pub extern "C" fn mlp_test_set_unsized_lanes(on: i32) {
    crate::evaluation::UNSIZED_LANES.store(on != 0, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: evaluation runs whole chunks on threads of their own where it can (on = 1, the
/// default) or splits every product (0), for comparing the two in one process.
#[no_mangle]
pub extern "C" fn mlp_test_set_whole_chunks(on: i32) {
    crate::evaluation::WHOLE_CHUNKS.store(on != 0, core::sync::atomic::Ordering::Relaxed);
}

/// Test hook: the blocking of the products and of evaluation, so tests can pick shapes that
/// cross every boundary: writes [MR, NR, KC, MC, EVAL_ROWS, PRIVATE_A, MIN_HALF] (tile rows,
/// tile columns, K-block depth, micro-panels per row block, rows per evaluation chunk, the
/// size of a small A in packed floats: above it, B is packed once and shared, and the
/// smallest half of each dimension that evaluation multiplies in Strassen's way).
#[no_mangle]
pub extern "C" fn mlp_test_blocking(out: *mut u32) -> i32 {
    report((|| {
        let out = slice_mut(out, 7, "blocking output")?;
        let sizes = [crate::gemm::MR, crate::gemm::NR, crate::gemm::KC, crate::gemm::MC, crate::evaluation::EVAL_ROWS, crate::gemm::PRIVATE_A, strassen::MIN_HALF];
        for (o, v) in out.iter_mut().zip(sizes) {
            *o = v as u32;
        }
        Ok(())
    })())
}

/// Benchmark hook: the flops of the products that evaluating n rows of a network with these
/// layer widths does (`evaluation::product_flops`: Strassen's products count 7/8), in out[0].
#[no_mangle]
pub extern "C" fn mlp_test_eval_flops(sizes: *const u32, n_sizes: usize, n: usize, out: *mut f64) -> i32 {
    report((|| {
        let sizes: Vec<usize> = slice(sizes, n_sizes, "sizes")?.iter().map(|&s| s as usize).collect();
        slice_mut(out, 1, "flops output")?[0] = crate::evaluation::product_flops(&sizes, n);
        Ok(())
    })())
}

/// Test hook: runs a `parallel::Split` of `total` items over `threads` home ranges on this
/// thread alone, as thread `t`, so it must steal every other range; writes the items in the
/// order it ran them into `out` (`total` slots).
#[no_mangle]
pub extern "C" fn mlp_test_split(total: usize, threads: usize, t: usize, out: *mut u32) -> i32 {
    report((|| {
        if threads == 0 || threads > parallel::MAX_THREADS || t >= threads {
            return Err(Error::invalid(format!("bad split: {} threads, thread {}", threads, t)));
        }
        let out = slice_mut(out, total, "split output")?;
        let split = parallel::Split::new(total, threads);
        let mut at = 0;
        split.each(t, |item| {
            out[at] = item as u32;
            at += 1;
        });
        Ok(())
    })())
}

/// Test hook for `gemm::gemm_products`: two weight-gradient steps C_i = W_i − (A_i·B) (the
/// fused update of a training step; A_i m x k, B k x n, made from a fixed pattern) in one call
/// on up to `threads` threads, one W_i holding an infinity in its last element when
/// `poisoned` is i. Writes each product's finiteness flag (1 = finite) to out[0..2], and to
/// out[2] whether both C equal the same products computed one at a time on one thread.
#[no_mangle]
pub extern "C" fn mlp_test_descend_pair(threads: usize, m: usize, n: usize, k: usize, poisoned: i32, out: *mut i32) -> i32 {
    report((|| {
        let out = slice_mut(out, 3, "pair output")?;
        let len = |r: usize, c: usize| r.checked_mul(c).filter(|&l| l > 0 && l <= 1 << 24).ok_or_else(|| Error::shape("pair shapes must be non-empty and at most 2^24 elements"));
        let (alen, blen, clen) = (len(m, k)?, len(k, n)?, len(m, n)?);
        let pattern = |len: usize, seed: usize| -> Result<Vec<f32>> {
            let mut v = zeroed(len, "pair operand")?;
            for (i, x) in v.iter_mut().enumerate() {
                *x = ((i * 7 + seed * 13) % 17) as f32 / 17.0 - 0.5;
            }
            Ok(v)
        };
        let (a0, a1, b) = (pattern(alen, 1)?, pattern(alen, 2)?, pattern(blen, 3)?);
        let mut w = [pattern(clen, 4)?, pattern(clen, 5)?];
        if let Some(wp) = usize::try_from(poisoned).ok().and_then(|i| w.get_mut(i)) {
            wp[clen - 1] = f32::INFINITY;
        }
        fn descend<'a>(m: usize, n: usize, k: usize, a: &'a [f32], b: &'a [f32], w: &'a [f32], c: &'a mut [f32]) -> gemm::Product<'a> {
            let b = gemm::BOperand::Matrix(Strided::row_major(b, n), None);
            gemm::Product { m, n, k, a: Strided::row_major(a, k), b, c, ldc: n, epi: Epilogue::Descend { w, eta: 1.0 } }
        }
        let mut pack = Vec::new();
        let (mut c0, mut c1, mut d0, mut d1) = (zeroed(clen, "C")?, zeroed(clen, "C")?, zeroed(clen, "C")?, zeroed(clen, "C")?);
        let flags = gemm::gemm_products(threads, [descend(m, n, k, &a0, &b, &w[0], &mut c0), descend(m, n, k, &a1, &b, &w[1], &mut c1)], &mut pack)?;
        gemm::gemm_products(1, [descend(m, n, k, &a0, &b, &w[0], &mut d0)], &mut pack)?;
        gemm::gemm_products(1, [descend(m, n, k, &a1, &b, &w[1], &mut d1)], &mut pack)?;
        let same = |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
        out[0] = flags[0] as i32;
        out[1] = flags[1] as i32;
        out[2] = (same(&c0, &d0) && same(&c1, &d1)) as i32;
        Ok(())
    })())
}

/// Test hook: how many jobs have run on more than one thread since the module started.
#[no_mangle]
pub extern "C" fn mlp_test_forks() -> usize {
    parallel::FORKS.load(core::sync::atomic::Ordering::Relaxed)
}
