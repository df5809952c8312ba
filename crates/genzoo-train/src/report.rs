//! What the trainer shows: a progress bar with rate and ETA, and fixed-width log lines.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Receives the trainer's output.
pub trait Reporter {
    /// Training starts at `step` of `total`.
    fn start(&mut self, step: u64, total: u64);
    /// `step` steps are done.
    fn advance(&mut self, step: u64);
    /// A log line.
    fn line(&mut self, text: &str);
    /// Training ended.
    fn finish(&mut self);
}

/// Prints nothing (tests, library use).
pub struct Silent;

impl Reporter for Silent {
    fn start(&mut self, _: u64, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn line(&mut self, _: &str) {}
    fn finish(&mut self) {}
}

/// A progress bar on stderr; log lines are printed above it.
pub struct Terminal {
    bar: Option<ProgressBar>,
}

impl Terminal {
    /// A terminal reporter (the bar hides itself when stderr is not a terminal).
    pub fn new() -> Self {
        Self { bar: None }
    }
}

impl Default for Terminal {
    fn default() -> Self {
        Self::new()
    }
}

/// Layout of the progress bar.
const BAR_TEMPLATE: &str = "{bar:30} {pos}/{len} steps  {per_sec}  ETA {eta}  {msg}";

impl Reporter for Terminal {
    fn start(&mut self, step: u64, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(BAR_TEMPLATE) {
            bar.set_style(style);
        }
        bar.set_position(step);
        bar.reset_eta();
        self.bar = Some(bar);
    }
    fn advance(&mut self, step: u64) {
        if let Some(b) = &self.bar {
            b.set_position(step);
        }
    }
    fn line(&mut self, text: &str) {
        match &self.bar {
            Some(b) if !b.is_hidden() => b.println(text),
            _ => eprintln!("{text}"),
        }
    }
    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// One fixed-width log line: `step  1200/10000 train  loss    92.1234  nelbo    92.9000 ...`.
pub fn format_line<K: AsRef<str>>(
    step: u64,
    total: u64,
    split: &str,
    metrics: &[(K, f64)],
    extra: &[(&str, String)],
) -> String {
    let width = total.to_string().len();
    let mut s = format!("step {step:>width$}/{total} {split:<5}");
    for (k, v) in metrics {
        s.push_str(&format!("  {} {}", k.as_ref(), format_value(*v)));
    }
    for (k, v) in extra {
        s.push_str(&format!("  {k} {v}"));
    }
    s
}

/// A number in 10 characters: fixed point when readable, scientific otherwise.
fn format_value(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-3) {
        format!("{v:>10.3e}")
    } else {
        format!("{v:>10.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_fixed_width_fields() {
        let a = format_line(5, 1000, "train", &[("loss", 1.5), ("lr", 3e-4)], &[]);
        let b = format_line(950, 1000, "train", &[("loss", 123.25), ("lr", 1e-3)], &[]);
        assert_eq!(a.len(), b.len());
        assert!(a.contains("loss     1.5000"), "{a}");
    }
}
