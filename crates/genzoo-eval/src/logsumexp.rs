//! Stable log-sum-exp, accumulated online in f64.
//!
//! `log Σ_j e^{a_j} = m + log Σ_j e^{a_j − m}` with `m = max_j a_j`; folding values in chunks
//! keeps `(m, Σ e^{a_j − m})` and rescales the sum when the maximum grows.

/// Running log-sum-exp.
#[derive(Clone, Copy, Debug)]
pub struct LogSumExp {
    max: f64,
    sum: f64,
    count: usize,
}

impl Default for LogSumExp {
    fn default() -> Self {
        Self {
            max: f64::NEG_INFINITY,
            sum: 0.0,
            count: 0,
        }
    }
}

impl LogSumExp {
    /// Fold in one value.
    pub fn push(&mut self, a: f64) {
        self.count += 1;
        if a <= self.max {
            self.sum += (a - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - a).exp() + 1.0;
            self.max = a;
        }
    }

    /// `log Σ e^{a_j}` so far (−∞ when empty).
    pub fn value(&self) -> f64 {
        self.max + self.sum.ln()
    }

    /// `log (1/n) Σ e^{a_j}`.
    pub fn log_mean(&self) -> f64 {
        self.value() - (self.count as f64).ln()
    }

    /// Number of values folded in.
    pub fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_direct_sum_and_survives_large_values() {
        let xs = [-1000.0, -1001.5, -999.25, -1002.0];
        let mut acc = LogSumExp::default();
        xs.iter().for_each(|&x| acc.push(x));
        // Hand computation shifted by 1000 to stay in range.
        let direct = -1000.0 + xs.iter().map(|x| (x + 1000.0_f64).exp()).sum::<f64>().ln();
        assert!((acc.value() - direct).abs() < 1e-12);
        assert!((acc.log_mean() - (direct - 4f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn equal_values_give_value_plus_log_n() {
        let mut acc = LogSumExp::default();
        (0..7).for_each(|_| acc.push(3.0));
        assert!((acc.value() - (3.0 + 7f64.ln())).abs() < 1e-12);
        assert!((acc.log_mean() - 3.0).abs() < 1e-12);
    }
}
