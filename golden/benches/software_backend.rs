//! Software backend throughput, measured side by side in one run:
//! - ternary matvec on 2b4t-sized layers (2560 -> 6912 and 6912 -> 2560), table-lookup kernel
//!   vs the plain scalar definition, reported as MAC/s (criterion's elements/s);
//! - decode tokens/s of the synthetic 700m model (one token at position 16), float and int
//!   numerics side by side.
//!
//!     cargo bench -p golden

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use golden::backend::{reference_matmul, ternary_matmul};
use golden::{synthetic, IntModel, IntTransformer, KvBits, SoftwareBackend, Transformer};

fn matvec(c: &mut Criterion) {
    for (rows, cols) in [(6912usize, 2560usize), (2560, 6912)] {
        let w = synthetic::random_matrix(rows, cols, 0.05, 9, &[rows as u64]);
        let mut rng = synthetic::Rng::new(3);
        let x: Vec<i8> = (0..cols).map(|_| (rng.next_u64() >> 56) as i8).collect();
        let mut out = vec![0i32; rows];
        let mut g = c.benchmark_group(format!("matvec_{rows}x{cols}"));
        g.throughput(Throughput::Elements((rows * cols) as u64));
        g.sample_size(20);
        g.bench_function("table_lookup_rayon", |b| b.iter(|| ternary_matmul(&w, &x, &mut out)));
        g.bench_function("scalar_reference", |b| b.iter(|| reference_matmul(&w, &x, &mut out)));
        g.finish();
    }
}

fn decode(c: &mut Criterion) {
    let model = synthetic::model("700m", 1).unwrap();
    let int = IntModel::from_model(&model, KvBits::Eight).unwrap();
    let prompt: Vec<u32> = (1..=16).collect();
    let mut t = Transformer::new(&model);
    t.forward(&mut SoftwareBackend, &prompt, 0).unwrap();
    let mut ti = IntTransformer::new(&int);
    ti.forward(&mut SoftwareBackend, &prompt, 0).unwrap();
    let mut g = c.benchmark_group("decode_700m");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.bench_function("float_one_token_at_pos_16", |b| b.iter(|| t.forward(&mut SoftwareBackend, &[42], 16).unwrap()[0]));
    g.bench_function("int_one_token_at_pos_16", |b| b.iter(|| ti.forward(&mut SoftwareBackend, &[42], 16).unwrap()[0]));
    g.finish();
}

criterion_group!(benches, matvec, decode);
criterion_main!(benches);
