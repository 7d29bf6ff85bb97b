//! VCD output of a `trace: true` build.

mod common;

use verilator_sys::{BatchSpec, BuildSpec, Design, VerilatorError};

fn traced_counter() -> Design {
    Design::build(&BuildSpec::from_verilog("counter", common::COUNTER).with_trace(true)).unwrap()
}

#[test]
fn vcd_has_the_ports_and_their_changes() {
    let dir = common::temp_dir("vcd");
    let path = dir.join("counter.vcd");
    let d = traced_counter();
    let mut m = d.instantiate_with_vcd(&path).unwrap();
    assert_eq!(m.vcd_path(), Some(path.as_path()));
    m.set_u64("rst", 1).unwrap();
    m.tick("clk").unwrap();
    m.set_u64("rst", 0).unwrap();
    m.set_u64("ready", 1).unwrap();
    m.set_u64("step", 3).unwrap();
    m.ticks("clk", 4).unwrap();
    assert_eq!(m.get_u64("value").unwrap(), 3);
    // Batches are traced too.
    let plan = m
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["step"],
            outputs: &[],
            valid: None,
        })
        .unwrap();
    m.run_batch(&plan, &[9, 9, 9], 3).unwrap();
    assert_eq!(m.get_u64("value").unwrap(), 12);
    drop(m); // closes the file

    let vcd = std::fs::read_to_string(&path).unwrap();
    for name in ["clk", "rst", "ready", "step", "value", "valid", "phase"] {
        assert!(
            vcd.lines()
                .any(|l| l.trim_start().starts_with("$var")
                    && l.split_whitespace().nth(4) == Some(name)),
            "no $var for {name} in:\n{vcd}"
        );
    }
    // value is 32 bits wide; find its identifier code and check it took the values 3 and 12.
    let value_line = vcd
        .lines()
        .find(|l| {
            l.trim_start().starts_with("$var") && l.split_whitespace().nth(4) == Some("value")
        })
        .unwrap();
    let fields: Vec<&str> = value_line.split_whitespace().collect();
    assert_eq!(fields[2], "32", "{value_line}");
    let code = fields[3];
    let changes: Vec<u64> = vcd
        .lines()
        .filter_map(|l| l.strip_prefix('b'))
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, c)| *c == code)
        .map(|(bits, _)| u64::from_str_radix(bits, 2).unwrap())
        .collect();
    assert!(
        changes.contains(&3) && changes.contains(&12),
        "value changes {changes:?}"
    );
    // 1 reset cycle + 4 + 3 cycles, two evals each, 5 time units per eval.
    let last_time = vcd
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .filter_map(|t| t.parse::<u64>().ok())
        .max();
    assert_eq!(last_time, Some(8 * 2 * 5));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_traced_instances_write_two_files() {
    let dir = common::temp_dir("vcd2");
    let d = traced_counter();
    let mut a = d.instantiate_with_vcd(&dir.join("a.vcd")).unwrap();
    let mut b = d.instantiate_with_vcd(&dir.join("b.vcd")).unwrap();
    a.ticks("clk", 2).unwrap();
    b.ticks("clk", 5).unwrap();
    a.flush_vcd();
    let a_text = std::fs::read_to_string(dir.join("a.vcd")).unwrap();
    assert!(
        a_text.contains("#20") && !a_text.contains("#50"),
        "{a_text}"
    );
    drop(b);
    let b_text = std::fs::read_to_string(dir.join("b.vcd")).unwrap();
    assert!(b_text.contains("#50"), "{b_text}");
    // An untraced instance of a traced design writes nothing and still runs.
    let mut c = d.instantiate().unwrap();
    c.ticks("clk", 3).unwrap();
    drop(a);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unwritable_vcd_path_is_an_error() {
    let err = traced_counter()
        .instantiate_with_vcd(std::path::Path::new("/nonexistent/dir/x.vcd"))
        .unwrap_err();
    assert!(matches!(err, VerilatorError::Instance { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/dir/x.vcd"), "{err}");
}
