//! The build cache: several threads building the same design at once compile it once,
//! later builds are hits, and any change to the inputs is a new entry.

mod common;

use std::sync::Barrier;
use verilator_sys::{BuildSpec, Design};

const XOR: &str =
    "module xorer(input [95:0] a, input [95:0] b, output [95:0] y); assign y = a ^ b; endmodule\n";

#[test]
fn concurrent_builds_compile_once_and_later_builds_hit() {
    let cache = common::temp_dir("cache");
    let spec = BuildSpec::from_verilog("xorer", XOR).with_cache_dir(&cache);
    let threads = 4;
    let barrier = Barrier::new(threads);
    let designs: Vec<Design> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    Design::build(&spec).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let misses = designs.iter().filter(|d| !d.cache_hit()).count();
    assert_eq!(misses, 1, "exactly one thread compiles");
    assert!(designs
        .iter()
        .all(|d| d.cache_entry() == designs[0].cache_entry()));
    for d in &designs {
        let mut m = d.instantiate().unwrap();
        m.set("a", &[0xffff_0000_ffff_0000, 0x1234_5678]).unwrap();
        m.set("b", &[0x0f0f_0f0f_0f0f_0f0f, 0xffff_ffff]).unwrap();
        m.eval();
        assert_eq!(
            m.get("y").unwrap(),
            vec![0xf0f0_0f0f_f0f0_0f0f, 0xedcb_a987]
        );
    }

    // A later build of the same spec is a hit; the entry is whole and nothing is left over.
    let again = Design::build(&spec).unwrap();
    assert!(again.cache_hit());
    assert!(again.cache_entry().join("tern_model.so").is_file());
    assert!(again.cache_entry().join("obj/Vxorer.h").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(cache.join("verilator"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Changed Verilog text is another entry, holding the new design.
    let changed =
        BuildSpec::from_verilog("xorer", &XOR.replace("a ^ b", "a | b")).with_cache_dir(&cache);
    let other = Design::build(&changed).unwrap();
    assert!(!other.cache_hit());
    assert_ne!(other.cache_entry(), again.cache_entry());
    let mut m = other.instantiate().unwrap();
    m.set("a", &[1]).unwrap();
    m.set("b", &[2]).unwrap();
    m.eval();
    assert_eq!(
        m.get("y").unwrap(),
        vec![3, 0],
        "the new entry holds the new design"
    );
    std::fs::remove_dir_all(cache).unwrap();
}

#[test]
fn trace_is_a_separate_entry() {
    let plain = common::counter();
    let traced =
        Design::build(&BuildSpec::from_verilog("counter", common::COUNTER).with_trace(true))
            .unwrap();
    assert_ne!(plain.cache_entry(), traced.cache_entry());
    assert!(traced.traced() && !plain.traced());
}
