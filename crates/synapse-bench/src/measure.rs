//! Wall time, CPU time and resident memory of this process, from `/proc`.

use std::time::Instant;

/// Clock ticks per second of `/proc/self/stat` (`USER_HZ`, 100 on Linux).
const TICKS: f64 = 100.0;

fn status_kib(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// User + system CPU seconds used by the process so far.
fn cpu_s() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / TICKS
}

/// A measurement in progress.
pub struct Span {
    start: Instant,
    cpu: f64,
    base_rss_mib: f64,
}

/// Starts measuring: resets the peak-RSS mark, then reads the baseline.
pub fn begin() -> Span {
    // Writing 5 to clear_refs resets VmHWM, so each scenario gets its own peak.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    Span {
        base_rss_mib: status_kib("VmRSS:").unwrap_or(f64::NAN) / 1024.0,
        cpu: cpu_s(),
        start: Instant::now(),
    }
}

/// One result line.
pub struct Line {
    /// `scenario=`.
    pub scenario: String,
    /// Wall seconds.
    pub wall_s: f64,
    /// Units per second.
    pub rate: f64,
    /// Rate unit.
    pub unit: &'static str,
    /// Extra `key=value` pairs.
    pub extra: Vec<(String, String)>,
    cpu_s: f64,
    peak_rss_mib: f64,
    base_rss_mib: f64,
    n: u64,
}

impl Span {
    /// Ends the measurement of `n` operations worth `amount` units (items, MiB, lines).
    pub fn end(self, scenario: &str, n: u64, amount: f64, unit: &'static str) -> Line {
        let wall_s = self.start.elapsed().as_secs_f64();
        Line {
            scenario: scenario.to_owned(),
            wall_s,
            rate: amount / wall_s,
            unit,
            extra: Vec::new(),
            cpu_s: cpu_s() - self.cpu,
            peak_rss_mib: status_kib("VmHWM:").unwrap_or(f64::NAN) / 1024.0,
            base_rss_mib: self.base_rss_mib,
            n,
        }
    }
}

impl Line {
    /// Adds a `key=value` pair.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.extra.push((key.to_owned(), value.to_string()));
        self
    }

    /// Prints the line.
    pub fn print(&self) {
        let mut s = format!(
            "scenario={} wall_s={:.3} rate={:.1} unit={} cpu_s={:.3} peak_rss_mib={:.1} base_rss_mib={:.1} n={}",
            self.scenario,
            self.wall_s,
            self.rate,
            self.unit,
            self.cpu_s,
            self.peak_rss_mib,
            self.base_rss_mib,
            self.n
        );
        for (k, v) in &self.extra {
            s.push_str(&format!(" {k}={v}"));
        }
        println!("{s}");
    }
}
