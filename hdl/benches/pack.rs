//! Bus fields through `bitvec` against shifts and masks by hand, side by side in one run: a
//! 16x64 2-bit weight slice (1,024 two-bit fields written) and 16 results of 22 bits read.
//! `hdl::pack` keeps the faster of each: the writer by hand, the reader through bitvec.
//! Run: `cargo bench -p hdl --bench pack`.

use bitvec::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hdl::pack::{get_bits, put_bits};

/// `put_bits` through bitvec (what `hdl::pack::put_bits` would be).
fn put_bits_bitvec(bus: &mut [u8], at: usize, width: usize, value: u64) {
    bus.view_bits_mut::<Lsb0>()[at..at + width].store_le(value);
}

/// `get_bits` by hand (what `hdl::pack::get_bits` was).
fn get_bits_by_hand(bus: &[u8], at: usize, width: usize) -> u64 {
    (0..width).map(|b| ((bus[(at + b) / 8] >> ((at + b) % 8) & 1) as u64) << b).sum()
}

type Put = fn(&mut [u8], usize, usize, u64);
type Get = fn(&[u8], usize, usize) -> u64;

fn bench(c: &mut Criterion) {
    let codes: Vec<u64> = (0..1024u64).map(|i| (i * 7 + 3) % 4).collect();
    let mut g = c.benchmark_group("pack 16x64 2bit weights");
    for (name, put) in [("bitvec", put_bits_bitvec as Put), ("by hand", put_bits as Put)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut bus = vec![0u8; 256];
                codes.iter().enumerate().for_each(|(k, &v)| put(&mut bus, 2 * k, 2, v));
                black_box(bus)
            })
        });
    }
    g.finish();
    let res: Vec<u8> = (0..44u32).map(|i| (i * 37 + 11) as u8).collect();
    let mut g = c.benchmark_group("unpack 16 results of 22 bits");
    for (name, get) in [("bitvec", get_bits as Get), ("by hand", get_bits_by_hand as Get)] {
        g.bench_function(name, |b| b.iter(|| (0..16).map(|r| get(black_box(&res), 22 * r, 22)).sum::<u64>()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
