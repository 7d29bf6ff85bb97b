//! `bitvec` bus fields against the hand-written shifts and masks they replaced, side by side
//! in one run: a 16x64 2-bit weight slice (1,024 two-bit fields) and 16 results of 22 bits.
//! Run: `cargo bench -p hdl --bench pack`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hdl::pack::{get_bits, put_bits};

/// The hand-written field writer `pack.rs` had before bitvec.
fn put_bits_by_hand(bus: &mut [u8], at: usize, width: usize, value: u64) {
    for b in 0..width {
        if value >> b & 1 == 1 {
            bus[(at + b) / 8] |= 1 << ((at + b) % 8);
        }
    }
}

/// The hand-written field reader `pack.rs` had before bitvec.
fn get_bits_by_hand(bus: &[u8], at: usize, width: usize) -> u64 {
    (0..width).map(|b| ((bus[(at + b) / 8] >> ((at + b) % 8) & 1) as u64) << b).sum()
}

fn bench(c: &mut Criterion) {
    let codes: Vec<u64> = (0..1024u64).map(|i| (i * 7 + 3) % 4).collect();
    let mut g = c.benchmark_group("pack 16x64 2bit weights");
    g.bench_function("bitvec", |b| {
        b.iter(|| {
            let mut bus = vec![0u8; 256];
            for (k, &v) in codes.iter().enumerate() {
                put_bits(&mut bus, 2 * k, 2, v);
            }
            black_box(bus)
        })
    });
    g.bench_function("by hand", |b| {
        b.iter(|| {
            let mut bus = vec![0u8; 256];
            for (k, &v) in codes.iter().enumerate() {
                put_bits_by_hand(&mut bus, 2 * k, 2, v);
            }
            black_box(bus)
        })
    });
    g.finish();
    let res: Vec<u8> = (0..44u32).map(|i| (i * 37 + 11) as u8).collect();
    let mut g = c.benchmark_group("unpack 16 results of 22 bits");
    g.bench_function("bitvec", |b| b.iter(|| (0..16).map(|r| get_bits(black_box(&res), 22 * r, 22)).sum::<u64>()));
    g.bench_function("by hand", |b| b.iter(|| (0..16).map(|r| get_bits_by_hand(black_box(&res), 22 * r, 22)).sum::<u64>()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
