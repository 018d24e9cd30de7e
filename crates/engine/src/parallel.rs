//! Fork/join over worker instances that share this module's memory (the threads build).
//!
//! The main instance owns everything: it allocates, and it is the only one that calls the
//! engine's exports. Each worker is another instance of the same module on the same shared
//! `WebAssembly.Memory`, with its own stack region (TypeScript sets the worker instance's
//! exported `__stack_pointer` to the top of a block the main instance allocated), that calls
//! `mlp_worker_main` once and stays in `worker_main` until the pool shuts down.
//!
//! A job is a `&dyn Fn(thread, count)` that the main thread publishes in `POOL` by bumping
//! `epoch`; it runs its own share as thread 0, then spins until `pending` drops to zero.
//! Workers spin on `epoch` for a while after a job (jobs come in bursts during training),
//! then sleep in `Atomics.wait` on it; the main thread wakes them with `Atomics.notify` only
//! when some are asleep. Those two come from JavaScript as the imports `env.mlp_wait` and
//! `env.mlp_notify` (rustc 1.63 has the wasm wait/notify intrinsics only behind an unstable
//! feature); a browser's main thread may notify but never waits, which suits: it only spins
//! while joining. Which thread runs a work item may depend on timing (`Claim`, `Split`),
//! what the item computes never does, so results are reproducible.
//!
//! In the single-thread build (without `--cfg mlp_threads`, which the threads build sets
//! along with the `atomics` target feature; rustc 1.63 has no cfg for that feature) the
//! pool never starts: `run` calls the job inline, and the atomics below compile to plain
//! loads and stores.

use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::*};

pub const MAX_THREADS: usize = 64;

/// Spin iterations (one atomic load each, ≈ 1 ns) before an idle worker goes to sleep.
#[cfg(mlp_threads)]
const SPIN_LIMIT: u32 = 1 << 19;
/// Spin iterations before a joining main thread sleeps (only where it may: `env.mlp_wait`
/// returns at once on a browser's main thread, so there it keeps spinning). Long enough to
/// outlast the last unit of a product: waking from `Atomics.wait` took long enough on a
/// 2-core Xeon VM that 2^14 spins made two threads train 1-2% slower than 2^20.
#[cfg(mlp_threads)]
const JOIN_SPIN_LIMIT: u32 = 1 << 20;

pub type Job<'a> = &'a (dyn Fn(usize, usize) + Sync);

struct Pool {
    /// Threads including the main one (1 while no worker runs).
    size: AtomicU32,
    /// The current job: a sequence number (bits 8..) that changes with every job, and the
    /// job's thread count (bits 0..8), in one word so that a worker reads both at once (a
    /// worker that sat out one job can never mistake the next job's count for its own).
    epoch: AtomicU32,
    /// Workers that have not finished their share of the current job.
    pending: AtomicU32,
    /// The current job's `&dyn Fn` as (data, vtable).
    job: [AtomicUsize; 2],
    /// Workers asleep (or about to be) in `memory.atomic.wait32`.
    #[cfg_attr(not(mlp_threads), allow(dead_code))]
    sleepers: AtomicU32,
    quit: AtomicU32,
    /// Workers inside `worker_main`.
    running: AtomicU32,
    /// The main thread is asleep (or about to be) waiting for `pending` to drop.
    #[cfg_attr(not(mlp_threads), allow(dead_code))]
    main_waiting: AtomicU32,
    /// An address on each thread's stack, for checking that stacks are separate.
    stack_probe: [AtomicUsize; MAX_THREADS],
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicUsize = AtomicUsize::new(0);

static POOL: Pool = Pool {
    size: AtomicU32::new(1),
    epoch: AtomicU32::new(0),
    pending: AtomicU32::new(0),
    job: [ZERO; 2],
    sleepers: AtomicU32::new(0),
    quit: AtomicU32::new(0),
    running: AtomicU32::new(0),
    main_waiting: AtomicU32::new(0),
    stack_probe: [ZERO; MAX_THREADS],
};

/// Threads available (main + running workers).
pub fn size() -> usize {
    POOL.size.load(Relaxed) as usize
}

/// `requested` limited to the pool (0 means all of it).
pub fn clamp(requested: usize) -> usize {
    let size = size();
    if requested == 0 {
        size
    } else {
        requested.min(size).max(1)
    }
}

/// Jobs run on more than one thread so far: lets the tests prove a suite really split its
/// work (`mlp_test_forks`), since small products stay on one thread.
pub static FORKS: AtomicUsize = AtomicUsize::new(0);

/// Runs `job(t, count)` for t in 0..count on `count = clamp(threads)` threads (the caller is
/// thread 0) and returns when all are done. Only the main instance calls this, never a job.
pub fn run(threads: usize, job: Job) {
    let count = clamp(threads);
    if count <= 1 {
        job(0, 1);
        return;
    }
    FORKS.fetch_add(1, Relaxed);
    // SAFETY: a fat pointer is two words; workers rebuild it only while this call waits.
    let words: [usize; 2] = unsafe { core::mem::transmute(job) };
    POOL.job[0].store(words[0], Relaxed);
    POOL.job[1].store(words[1], Relaxed);
    POOL.pending.store(count as u32 - 1, Relaxed);
    publish(count as u32);
    wake_sleepers();
    job(0, count);
    join();
}

/// Starts a new job for `count` threads (0 = none, as at shutdown).
fn publish(count: u32) {
    let seq = (POOL.epoch.load(Relaxed) >> 8).wrapping_add(1);
    POOL.epoch.store(seq << 8 | count, SeqCst);
}

/// Waits until every worker has finished its share of the current job.
#[cfg(mlp_threads)]
fn join() {
    let mut spins = 0u32;
    loop {
        let left = POOL.pending.load(Acquire);
        if left == 0 {
            return;
        }
        spins += 1;
        if spins < JOIN_SPIN_LIMIT {
            core::hint::spin_loop();
            continue;
        }
        // Sleep rather than spin (a descheduled worker may need this core); the last worker
        // to finish sees `main_waiting` and notifies.
        POOL.main_waiting.store(1, SeqCst);
        let left = POOL.pending.load(SeqCst);
        if left != 0 {
            unsafe { mlp_wait(&POOL.pending, left) };
        }
        POOL.main_waiting.store(0, SeqCst);
    }
}

#[cfg(not(mlp_threads))]
fn join() {}

#[cfg(mlp_threads)]
#[link(wasm_import_module = "env")]
extern "C" {
    /// `Atomics.wait(i32 view of memory, addr / 4, expected)`.
    fn mlp_wait(addr: *const AtomicU32, expected: u32);
    /// `Atomics.notify(i32 view of memory, addr / 4)` (every waiter).
    fn mlp_notify(addr: *const AtomicU32);
}

#[cfg(mlp_threads)]
fn wake_sleepers() {
    if POOL.sleepers.load(SeqCst) != 0 {
        unsafe { mlp_notify(&POOL.epoch) };
    }
}

#[cfg(not(mlp_threads))]
fn wake_sleepers() {}

/// The body of worker `index` (1..): runs its share of each job until shutdown.
#[cfg(mlp_threads)]
pub fn worker_main(index: usize) {
    let mut seen = POOL.epoch.load(SeqCst);
    record_stack(index);
    POOL.running.fetch_add(1, SeqCst);
    loop {
        let mut spins = 0u32;
        loop {
            let now = POOL.epoch.load(Acquire);
            if now != seen {
                seen = now;
                break;
            }
            spins += 1;
            if spins < SPIN_LIMIT {
                core::hint::spin_loop();
                continue;
            }
            POOL.sleepers.fetch_add(1, SeqCst);
            if POOL.epoch.load(SeqCst) == seen {
                unsafe { mlp_wait(&POOL.epoch, seen) };
            }
            POOL.sleepers.fetch_sub(1, SeqCst);
            spins = 0;
        }
        if POOL.quit.load(Acquire) != 0 {
            break;
        }
        let count = (seen & 0xFF) as usize;
        if index < count {
            let words = [POOL.job[0].load(Relaxed), POOL.job[1].load(Relaxed)];
            // SAFETY: the main thread keeps the job alive until `pending` reaches zero.
            let job: Job = unsafe { core::mem::transmute(words) };
            job(index, count);
            if POOL.pending.fetch_sub(1, SeqCst) == 1 && POOL.main_waiting.load(SeqCst) != 0 {
                unsafe { mlp_notify(&POOL.pending) };
            }
        }
    }
    POOL.running.fetch_sub(1, SeqCst);
}

#[cfg(not(mlp_threads))]
pub fn worker_main(_index: usize) {}

/// Called by the main instance once `workers` workers have been told to enter
/// `worker_main`: waits until they are all inside, then lets jobs use them. Returns the
/// pool size (1 in the single-thread build).
pub fn start(workers: usize) -> usize {
    if cfg!(mlp_threads) && workers > 0 {
        let workers = workers.min(MAX_THREADS - 1) as u32;
        while POOL.running.load(SeqCst) < workers {
            core::hint::spin_loop();
        }
        POOL.size.store(workers + 1, SeqCst);
    }
    record_stack(0);
    size()
}

/// Makes every worker leave `worker_main` and waits until they have.
pub fn shutdown() {
    if POOL.running.load(SeqCst) == 0 {
        POOL.size.store(1, SeqCst);
        return;
    }
    POOL.quit.store(1, SeqCst);
    publish(0);
    wake_sleepers();
    while POOL.running.load(SeqCst) != 0 {
        core::hint::spin_loop();
    }
    POOL.quit.store(0, SeqCst);
    POOL.size.store(1, SeqCst);
}

fn record_stack(index: usize) {
    let mut marker = [0u8; 16];
    // A volatile write keeps `marker` in memory, i.e. on this instance's stack.
    unsafe { core::ptr::write_volatile(marker.as_mut_ptr(), 1) };
    if index < MAX_THREADS {
        POOL.stack_probe[index].store(marker.as_ptr() as usize, SeqCst);
    }
}

/// The stack address thread `index` recorded when it started (0 if none).
pub fn stack_probe(index: usize) -> usize {
    if index < MAX_THREADS {
        POOL.stack_probe[index].load(SeqCst)
    } else {
        0
    }
}

/// A counter from which threads claim work items one at a time: whoever is running takes
/// the next item, so a thread that the OS delays just does fewer. What an item computes must
/// not depend on which thread runs it (then results do not depend on timing either).
pub struct Claim {
    next: AtomicUsize,
    done: AtomicUsize,
    total: usize,
}

impl Claim {
    pub fn new(total: usize) -> Claim {
        Claim { next: AtomicUsize::new(0), done: AtomicUsize::new(0), total }
    }

    /// Runs `f(item)` for items claimed until none are left.
    #[inline]
    pub fn each(&self, mut f: impl FnMut(usize)) {
        loop {
            let item = self.next.fetch_add(1, Relaxed);
            if item >= self.total {
                return;
            }
            f(item);
            self.done.fetch_add(1, Release);
        }
    }

    /// Waits until every item has been finished (by whichever thread claimed it).
    pub fn wait_done(&self) {
        while self.done.load(Acquire) < self.total {
            core::hint::spin_loop();
        }
    }
}

/// Items 0..total split into one contiguous home range per thread, which its owner works
/// through from the front; a thread whose range is empty steals single items from the back of
/// the others'. So each thread mostly gets the same items for the same sizes, product after
/// product (the same columns of a weight matrix stay in its core's cache), and a thread that
/// the OS delays still just does fewer. As with `Claim`, what an item computes must not
/// depend on which thread runs it.
pub struct Split {
    /// Per thread: the range still to do, as `end << 32 | next`.
    ranges: [AtomicU64; MAX_THREADS],
    threads: usize,
}

impl Split {
    pub fn new(total: usize, threads: usize) -> Split {
        assert!(total <= u32::MAX as usize && (1..=MAX_THREADS).contains(&threads), "split too large");
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: AtomicU64 = AtomicU64::new(0);
        let ranges = [EMPTY; MAX_THREADS];
        for (t, r) in ranges.iter().enumerate().take(threads) {
            let (lo, hi) = (t * total / threads, (t + 1) * total / threads);
            r.store((hi as u64) << 32 | lo as u64, Relaxed);
        }
        Split { ranges, threads }
    }

    /// Runs `f(item)` on thread `t` for its own items, front to back, then for items stolen
    /// from the back of the other threads' ranges, until none are left.
    pub fn each(&self, t: usize, mut f: impl FnMut(usize)) {
        while let Some(item) = self.take(t, true) {
            f(item);
        }
        for v in (1..self.threads).map(|d| (t + d) % self.threads) {
            while let Some(item) = self.take(v, false) {
                f(item);
            }
        }
    }

    /// Takes one item from the front (the owner) or the back (a thief) of range `v`.
    fn take(&self, v: usize, front: bool) -> Option<usize> {
        let r = &self.ranges[v];
        let mut cur = r.load(Relaxed);
        loop {
            let (lo, hi) = (cur & 0xFFFF_FFFF, cur >> 32);
            if lo >= hi {
                return None;
            }
            let (next, item) = if front { (hi << 32 | (lo + 1), lo) } else { ((hi - 1) << 32 | lo, hi - 1) };
            match r.compare_exchange_weak(cur, next, Relaxed, Relaxed) {
                Ok(_) => return Some(item as usize),
                Err(now) => cur = now,
            }
        }
    }
}

/// Runs `f(begin, end)` over 0..len in chunks aligned to 16 elements, claimed by up to
/// `threads` threads, so SIMD loops see the same chunks (and tails) whatever the thread count.
pub fn for_ranges(threads: usize, len: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    const CHUNK: usize = 1 << 14;
    let chunks = (len + CHUNK - 1) / CHUNK;
    let claim = Claim::new(chunks);
    // clamp first: 0 means the whole pool, which a single chunk must not fork.
    run(clamp(threads).min(chunks.max(1)), &|_, _| {
        claim.each(|c| f(c * CHUNK, (c * CHUNK + CHUNK).min(len)));
    });
}
