//! A DRAM model for the memory port of `tern_stream`, stepped once per array clock.
//!
//! It streams one sequence of bytes (the packed weights, in the order the array uses them)
//! and models what bounds a real DRAM read stream:
//! * **bandwidth**: bursts are issued at most at `gbps` (a token bucket that refills by
//!   `gbps / f_clk` bytes per cycle and holds at most one burst, so idle time is not banked);
//! * **burst length**: data moves in whole bursts of `burst_bytes`;
//! * **first-word latency**: a burst's data arrives `first_word_ns` after it is issued;
//! * **back-pressure**: at most `window_bytes` may be in flight or waiting at the port; when
//!   the array stops taking beats (`m_ready` low) the window fills and issuing stops, and the
//!   stream restarts with the full latency once there is room again.
//!
//! Refresh, bank conflicts and read/write turnaround are not modeled (a long sequential
//! read stream hides most of them). A delivered beat is `port_bytes` bytes.

use serde::{Deserialize, Serialize};

use crate::error::SimError;

/// A DRAM interface: peak bandwidth, burst size and first-word latency, with sources.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DramConfig {
    pub name: String,
    /// Peak bandwidth in GB/s (1e9 bytes per second).
    pub gbps: f64,
    /// Bytes per burst.
    pub burst_bytes: usize,
    /// From issuing a burst to its first data at the port, in ns.
    pub first_word_ns: f64,
    /// Where the figures come from.
    pub source: String,
}

impl DramConfig {
    /// DDR4-2400 x64, LPDDR5-6400 x64 and one HBM2E stack.
    pub fn presets() -> Vec<DramConfig> {
        let d = |name: &str, gbps: f64, burst_bytes: usize, first_word_ns: f64, source: &str| DramConfig {
            name: name.into(),
            gbps,
            burst_bytes,
            first_word_ns,
            source: source.into(),
        };
        vec![
            d("ddr4", 19.2, 64, 50.0, "DDR4-2400 x64: 2400 MT/s x 8 B, BL8 = 64 B (JEDEC JESD79-4); ~50 ns first word (tRCD + CL + controller, typical)"),
            d("lpddr5", 51.2, 64, 80.0, "LPDDR5-6400 x64: 6400 MT/s x 8 B, BL16 on x32 = 64 B (JEDEC JESD209-5); ~80 ns first word (typical)"),
            d("hbm2e", 460.8, 64, 100.0, "HBM2E one stack: 1024 bit x 3.6 Gb/s (JESD235C), 64 B pseudo-channel bursts; ~100 ns first word (typical)"),
        ]
    }

    /// A preset by name.
    pub fn preset(name: &str) -> Result<DramConfig, SimError> {
        Self::presets().into_iter().find(|d| d.name.eq_ignore_ascii_case(name)).ok_or_else(|| {
            SimError::Config(format!("unknown DRAM `{name}`: use ddr4, lpddr5 or hbm2e"))
        })
    }

    /// Bytes per cycle at a clock of `mhz`.
    pub fn bytes_per_cycle(&self, mhz: f64) -> f64 {
        self.gbps * 1e3 / mhz
    }

    /// First-word latency in whole cycles at `mhz` (at least 1).
    pub fn latency_cycles(&self, mhz: f64) -> u64 {
        ((self.first_word_ns * mhz / 1e3).ceil() as u64).max(1)
    }
}

/// The DRAM read stream of one simulation, stepped by the driver once per cycle.
#[derive(Clone, Debug)]
pub struct Dram {
    cfg: DramConfig,
    port: usize,
    per_cycle: f64,
    latency: u64,
    window: usize,
    credit: f64,
    /// bytes of the stream: issued so far, arrived at the port, delivered to the array
    issued: usize,
    arrived: usize,
    delivered: usize,
    /// (arrival cycle, bytes) of bursts in flight, oldest first
    in_flight: std::collections::VecDeque<(u64, usize)>,
    /// the whole stream and how much of it is known so far
    stream: Vec<u8>,
    now: u64,
    /// cycles in which a beat was waiting but the array did not take it
    pub backpressure_cycles: u64,
    /// cycles in which the array could take a beat but none had arrived
    pub starved_cycles: u64,
}

impl Dram {
    /// A DRAM at clock `mhz` feeding a port of `port_bytes` bytes per cycle.
    pub fn new(cfg: &DramConfig, mhz: f64, port_bytes: usize) -> Result<Dram, SimError> {
        if !(mhz.is_finite() && mhz > 0.0) {
            return Err(SimError::Config(format!("clock {mhz} MHz must be a positive frequency")));
        }
        if !(cfg.gbps.is_finite() && cfg.gbps > 0.0) || cfg.burst_bytes == 0 || !(cfg.first_word_ns.is_finite() && cfg.first_word_ns >= 0.0) {
            return Err(SimError::Config(format!("DRAM `{}` needs a positive bandwidth and burst and a latency >= 0", cfg.name)));
        }
        let per_cycle = cfg.bytes_per_cycle(mhz);
        let latency = cfg.latency_cycles(mhz);
        // enough in flight to cover the latency at full bandwidth (Little's law), plus two
        // bursts and two port beats of slack
        let window = (per_cycle * latency as f64).ceil() as usize + 2 * cfg.burst_bytes + 2 * port_bytes;
        Ok(Dram {
            cfg: cfg.clone(),
            port: port_bytes,
            per_cycle,
            latency,
            window,
            credit: 0.0,
            issued: 0,
            arrived: 0,
            delivered: 0,
            in_flight: Default::default(),
            stream: Vec::new(),
            now: 0,
            backpressure_cycles: 0,
            starved_cycles: 0,
        })
    }

    pub fn config(&self) -> &DramConfig {
        &self.cfg
    }

    /// Peak bytes per cycle at this clock.
    pub fn bytes_per_cycle(&self) -> f64 {
        self.per_cycle
    }

    pub fn latency_cycles(&self) -> u64 {
        self.latency
    }

    /// Appends bytes to the stream (the weights of the next call).
    pub fn extend(&mut self, bytes: &[u8]) {
        self.stream.extend_from_slice(bytes);
    }

    /// Bytes of the stream not yet delivered to the array.
    pub fn pending(&self) -> usize {
        self.stream.len() - self.delivered
    }

    /// Bytes delivered so far.
    pub fn delivered(&self) -> usize {
        self.delivered
    }

    /// Drops everything not yet delivered (the stream changed course) and empties the pipe.
    pub fn discard_pending(&mut self) {
        self.stream.truncate(self.delivered);
        self.issued = self.delivered;
        self.arrived = self.delivered;
        self.in_flight.clear();
        self.credit = 0.0;
    }

    /// The beat offered to the array in this cycle, if one has arrived.
    pub fn offer(&self) -> Option<&[u8]> {
        (self.arrived - self.delivered >= self.port).then(|| &self.stream[self.delivered..self.delivered + self.port])
    }

    /// Ends the cycle: `taken` says whether the array accepted the offered beat. Issues and
    /// retires bursts for the next cycle.
    pub fn step(&mut self, ready: bool, taken: bool) {
        let offered = self.offer().is_some();
        if taken {
            self.delivered += self.port;
        } else if offered {
            self.backpressure_cycles += 1;
        } else if ready && self.delivered < self.stream.len() {
            self.starved_cycles += 1;
        }
        self.now += 1;
        self.credit = (self.credit + self.per_cycle).min(self.cfg.burst_bytes as f64 + self.per_cycle);
        while self.credit >= self.cfg.burst_bytes as f64
            && self.issued < self.stream.len()
            && self.issued - self.delivered + self.cfg.burst_bytes <= self.window
        {
            let n = self.cfg.burst_bytes.min(self.stream.len() - self.issued);
            self.issued += n;
            self.credit -= self.cfg.burst_bytes as f64;
            self.in_flight.push_back((self.now + self.latency, n));
        }
        while let Some(&(at, n)) = self.in_flight.front() {
            if at > self.now {
                break;
            }
            self.arrived += n;
            self.in_flight.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drain `bytes` through a port that is always ready; return the cycles it took.
    fn drain(d: &mut Dram, bytes: usize) -> u64 {
        d.extend(&vec![7u8; bytes]);
        let mut cycles = 0;
        while d.pending() > 0 {
            let taken = d.offer().is_some();
            d.step(true, taken);
            cycles += 1;
            assert!(cycles < 10_000_000);
        }
        cycles
    }

    #[test]
    fn streams_at_the_bandwidth_after_the_latency() {
        // DDR4 at 100 MHz: 192 B/cycle, 5 cycles latency; port 256 B
        let cfg = DramConfig::preset("ddr4").unwrap();
        let mut d = Dram::new(&cfg, 100.0, 256).unwrap();
        assert_eq!((d.bytes_per_cycle(), d.latency_cycles()), (192.0, 5));
        let bytes = 256 * 3000;
        let cycles = drain(&mut d, bytes);
        let ideal = bytes as f64 / 192.0;
        // the latency and the last partial beat at most, never faster than the bandwidth
        assert!(cycles as f64 >= ideal, "{cycles} < {ideal}");
        assert!((cycles as f64) < ideal + 5.0 + 3.0, "{cycles} vs {ideal}");
        assert_eq!(d.delivered(), bytes);
    }

    #[test]
    fn back_pressure_stops_the_stream_and_the_restart_pays_the_latency() {
        let cfg = DramConfig { name: "t".into(), gbps: 6.4, burst_bytes: 64, first_word_ns: 100.0, source: String::new() };
        // 100 MHz: 64 B/cycle, 10 cycles latency, port 64 B
        let mut d = Dram::new(&cfg, 100.0, 64).unwrap();
        d.extend(&vec![1u8; 64 * 400]);
        // never ready for 200 cycles: nothing delivered, the window fills and stays full
        for _ in 0..200 {
            d.step(false, false);
        }
        assert_eq!(d.delivered(), 0);
        assert!(d.backpressure_cycles > 150);
        let buffered = d.arrived;
        assert!(buffered <= d.window, "{buffered} > window {}", d.window);
        // ready again: the buffered beats flow at once, then the restarted stream at 1 beat/cycle
        let mut n = 0;
        while d.pending() > 0 {
            let t = d.offer().is_some();
            d.step(true, t);
            n += 1;
        }
        // one beat per cycle at most (the port), and the window hides the restart latency
        assert!(n >= 400, "{n}");
        assert!(n <= 400 + d.latency_cycles() + 2, "{n}");
    }

    #[test]
    fn unknown_presets_and_bad_clocks_are_refused() {
        assert!(DramConfig::preset("ddr9").unwrap_err().to_string().contains("ddr4"));
        assert!(Dram::new(&DramConfig::preset("ddr4").unwrap(), 0.0, 64).is_err());
    }
}
