//! Exact tail probabilities for the warning rules: the binomial upper tail (OFF-S01) summed in log
//! space, and the χ² survival function (OFF-S02) through the regularized upper incomplete gamma
//! function Q(k/2, x/2) (series below a+1, Lentz continued fraction above; Numerical Recipes §6.2).

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized upper incomplete gamma Q(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let gln = ln_gamma(a);
    if x < a + 1.0 {
        // series for P
        let mut ap = a;
        let mut sum = 1.0 / a;
        let mut del = sum;
        for _ in 0..10_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - gln).exp()
    } else {
        // continued fraction for Q
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-17 {
                break;
            }
        }
        (-x + a * x.ln() - gln).exp() * h
    }
}

/// P(χ²_k ≥ x).
pub fn chi2_sf(x: f64, dof: u32) -> f64 {
    gamma_q(f64::from(dof) / 2.0, x / 2.0)
}

/// P(X ≥ a) for X ~ Binomial(n, ½), summed term by term in log space (exact to rounding).
pub fn binomial_upper_tail_half(a: u64, n: u64) -> f64 {
    if a == 0 {
        return 1.0;
    }
    if a > n {
        return 0.0;
    }
    let ln2 = std::f64::consts::LN_2;
    // ln C(n, a) = Σ_{i=1..a} ln((n - a + i) / i)
    let mut ln_c = 0.0;
    for i in 1..=a {
        ln_c += ((n - a + i) as f64).ln() - (i as f64).ln();
    }
    let mut terms = Vec::with_capacity((n - a + 1) as usize);
    let mut k = a;
    loop {
        terms.push(ln_c - n as f64 * ln2);
        if k == n {
            break;
        }
        ln_c += ((n - k) as f64).ln() - ((k + 1) as f64).ln();
        k += 1;
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    (max + s.ln()).exp().min(1.0)
}

/// Benford's first-digit share for d = 1..9.
pub fn benford(d: u8) -> f64 {
    (1.0 + 1.0 / f64::from(d)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        ((a - b) / b).abs() < rel
    }

    #[test]
    fn binomial_tail_matches_exact_sums() {
        // P(X ≥ 10 | n = 10) = 2^-10
        assert!(close(binomial_upper_tail_half(10, 10), 1.0 / 1024.0, 1e-12));
        // P(X ≥ 8 | n = 10) = (45 + 10 + 1) / 1024
        assert!(close(binomial_upper_tail_half(8, 10), 56.0 / 1024.0, 1e-12));
        assert_eq!(binomial_upper_tail_half(0, 5), 1.0);
        // P(X ≥ 30 | n = 32) = (C(32,30)+C(32,31)+1)/2^32 = 529/2^32
        assert!(close(binomial_upper_tail_half(30, 32), 529.0 / 4_294_967_296.0, 1e-12));
        // P(X ≥ 1 | n = 1) = 0.5
        assert!(close(binomial_upper_tail_half(1, 1), 0.5, 1e-12));
    }

    #[test]
    fn chi2_survival_matches_tables() {
        // χ²(9) critical values 16.919 (0.05), 21.666 (0.01), 33.7199 (1e-4); checked against an
        // independent series evaluation
        assert!(close(chi2_sf(16.918_977_604_620_45, 9), 0.05, 1e-9));
        assert!(close(chi2_sf(21.665_994_333_461_92, 9), 0.01, 1e-9));
        assert!(close(chi2_sf(33.719_948_438_970_24, 9), 1e-4, 1e-6));
        assert!(close(chi2_sf(2.0, 9), 0.991_467_606_628_813_5, 1e-9));
        assert_eq!(chi2_sf(0.0, 9), 1.0);
        assert!(close(ln_gamma(4.5), 11.631_728_396_567_448_f64.ln(), 1e-14));
    }
}
