//! The local executor: the missing points on a pool of `jobs` processes, each a
//! `tern sweep-point` task with its own log.

use std::fs::File;
use std::io::Write;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::{Failure, Plan, Status, Store, Task};

/// Run `pending` (point indices of `plan`) with at most `jobs` at once; `progress` hears every
/// start and end. Returns the points that ended without a result.
pub fn run(task: &Task, plan: &Plan, store: &Store, pending: &[usize], jobs: usize, progress: &mut dyn FnMut(&Status)) -> Vec<Failure> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, bool)>();
    let mut status = Status { pending: pending.len(), ..Status::default() };
    let mut failed = vec![];
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(pending.len()) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(&index) = pending.get(i) else { break };
                let _ = tx.send((index, false));
                run_one(task, index);
                let _ = tx.send((index, true));
            });
        }
        drop(tx);
        progress(&status);
        for (index, ended) in rx {
            if !ended {
                status.pending -= 1;
                status.running += 1;
            } else {
                status.running -= 1;
                if store.has(&plan.jobs[index].key) {
                    status.done += 1;
                } else {
                    status.failed += 1;
                    failed.push(task.failure(plan, index));
                }
            }
            progress(&status);
        }
    });
    failed.sort_by_key(|f| f.index);
    failed
}

/// Run one task with its output in its log (a task that cannot start says so there); whether
/// it succeeded is what the store holds afterwards.
fn run_one(task: &Task, index: usize) {
    let log = task.log(index);
    let Ok(mut out) = File::create(&log) else { return };
    let Ok(err) = out.try_clone() else { return };
    let Ok(stdout) = out.try_clone() else { return };
    if let Err(e) = task.command(index).stdin(Stdio::null()).stdout(stdout).stderr(err).status() {
        let _ = writeln!(out, "error: cannot run {}: {e}", task.program.display());
    }
}
