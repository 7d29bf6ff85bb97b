//! The result cache: a repeated identical run is served from disk, a changed option
//! is not, and concurrent runs agree. Needs Yosys.

mod common;

use common::{ok, ADD8};
use fpga::{Cache, Flow, SynthOptions, Target, Tools};

fn cached(dir: &std::path::Path) -> Flow {
    Flow {
        tools: Tools::from_env(),
        cache: Cache::at(dir),
    }
}

#[test]
fn second_identical_run_is_a_cache_hit() {
    let dir = tempfile::tempdir().unwrap();
    let flow = cached(dir.path());
    let opts = SynthOptions::default();
    let first = ok(flow.synthesize(ADD8, "add8", Target::Ice40, &opts));
    assert!(!first.from_cache);
    let second = ok(flow.synthesize(ADD8, "add8", Target::Ice40, &opts));
    assert!(second.from_cache);
    assert_eq!(SynthRecordEq(&first), SynthRecordEq(&second));

    // A different option, target or text is a miss.
    let hier = SynthOptions { flatten: false, ..opts.clone() };
    assert!(!ok(flow.synthesize(ADD8, "add8", Target::Ice40, &hier)).from_cache);
    assert!(!ok(flow.synthesize(ADD8, "add8", Target::Ecp5, &opts)).from_cache);
    let renamed = format!("{ADD8}\n// comment\n");
    assert!(!ok(flow.synthesize(&renamed, "add8", Target::Ice40, &opts)).from_cache);

    let entries: Vec<_> = std::fs::read_dir(dir.path().join("fpga")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries.len(), 4, "{entries:?}");
    assert!(entries.iter().all(|n| n.to_string_lossy().starts_with("synth-")));
}

#[test]
fn concurrent_identical_runs_agree_and_leave_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| ok(cached(dir.path()).synthesize(ADD8, "add8", Target::Asic, &SynthOptions::default()))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &records[1..] {
        assert_eq!(SynthRecordEq(r), SynthRecordEq(&records[0]));
    }
    let entries: Vec<_> = std::fs::read_dir(dir.path().join("fpga")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries.len(), 1, "one entry, no temporaries: {entries:?}");
    assert!(ok(cached(dir.path()).synthesize(ADD8, "add8", Target::Asic, &SynthOptions::default())).from_cache);
}

/// Compares records ignoring `from_cache`.
#[derive(Debug)]
struct SynthRecordEq<'a>(&'a fpga::SynthRecord);
impl PartialEq for SynthRecordEq<'_> {
    fn eq(&self, other: &Self) -> bool {
        let mut a = self.0.clone();
        a.from_cache = other.0.from_cache;
        &a == other.0
    }
}
