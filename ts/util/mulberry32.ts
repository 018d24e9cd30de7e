// mulberry32: a tiny seeded generator of numbers in [0, 1), the same in every JavaScript
// engine. For data and shuffles outside the engine (TF.js runs, benchmarks, tests); the
// engine has its own generator (crates/engine/src/rng.rs).

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
