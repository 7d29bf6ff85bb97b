pub mod array;
pub mod errors;
pub mod eval;
pub mod export;
pub mod generate;
pub mod hdl;
pub mod prove;
pub mod report;
pub mod size;
pub mod sweep;
pub mod synth;

/// A spinner on stderr for a step that takes a while, with what it is doing.
pub fn spinner(msg: String) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(msg);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}
