//! XmR (individuals) control charts as NHS England's "Making Data Count" draws them; the reference
//! implementation is NHSRplotthedots (`R/ptd_spc_standard.R`, `R/ptd_calculate_point_type.R`).
//! Pure: values in, limits and signals out (no DuckDB, no I/O).
//!
//! Definitions (a chart is split into segments at change points; each segment is its own
//! baseline and has its own limits, computed from its own points only, as plotthedots'
//! `rebase` does):
//! - mean: the mean of the segment's values.
//! - moving range: `|x[i] - x[i-1]|` for two neighbouring periods that both have a value (a
//!   gap has no moving range on either side).
//! - mean moving range (MR bar): the mean of those; then, as plotthedots does by default
//!   (`screen_outliers = TRUE`), moving ranges of 3.267 x MR bar or more are dropped and MR bar
//!   is computed again (once). When MR bar is 0 nothing is dropped.
//! - process limits: mean +- 2.66 x MR bar; sigma = 2.66 / 3 x MR bar (the 2-sigma lines are
//!   mean +- 2 sigma).
//!
//! Rules, within a segment; a gap (a withheld or missing value) breaks a run or a trend, and a
//! gap in a window of three is not beyond anything:
//! 1. [`Rule::OutsideLimits`]: a point above the upper or below the lower process limit.
//! 2. [`Rule::Shift`]: 7 or more consecutive points on the same side of the mean (a point on the
//!    mean breaks the run); every point of the run is flagged.
//! 3. [`Rule::Trend`]: 6 or more consecutive points each higher than the one before (or each
//!    lower; an equal value breaks it); every point of the trend is flagged. (Making Data Count
//!    and the issue say 6; plotthedots has since moved to 7.)
//! 4. [`Rule::TwoOfThree`]: of 3 consecutive points, 2 or more beyond the same 2-sigma line (both
//!    above mean + 2 sigma, or both below mean - 2 sigma); those points are flagged. (This is the
//!    textbook rule the issue states; plotthedots also asks all three to be on that side of the
//!    mean and counts only points inside the limits, which rule 1 flags anyway.)
use serde::Serialize;

/// Process limits at the mean +- this times the mean moving range.
pub const LIMIT: f64 = 2.66;
/// Moving ranges at or above this times the mean moving range are screened out.
pub const MR_SCREEN: f64 = 3.267;
/// Points on one side of the mean that make a shift.
pub const SHIFT_RUN: usize = 7;
/// Rising (or falling) points that make a trend.
pub const TREND_RUN: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    OutsideLimits,
    Shift,
    Trend,
    TwoOfThree,
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::OutsideLimits => "outside_limits",
            Rule::Shift => "shift",
            Rule::Trend => "trend",
            Rule::TwoOfThree => "two_of_three",
        }
    }
}

/// One segment's limits (None where the segment has too few values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// First point of the segment (index into the series) and one past its last.
    pub start: usize,
    pub end: usize,
    /// Values the limits are computed from.
    pub values: usize,
    pub mean: Option<f64>,
    /// MR bar after screening (None without two neighbouring values).
    pub mean_mr: Option<f64>,
    pub ucl: Option<f64>,
    pub lcl: Option<f64>,
}

impl Segment {
    /// sigma = 2.66 / 3 x MR bar.
    pub fn sigma(&self) -> Option<f64> {
        self.mean_mr.map(|m| LIMIT / 3.0 * m)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub value: Option<f64>,
    /// Index into [`Chart::segments`].
    pub segment: usize,
    /// Rules this point is part of, in [`Rule`] order.
    pub signals: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub points: Vec<Point>,
    pub segments: Vec<Segment>,
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The limits of one segment's values.
fn limits(v: &[Option<f64>], start: usize) -> Segment {
    let present: Vec<f64> = v.iter().flatten().copied().collect();
    let m = mean(&present);
    let mrs: Vec<f64> = v.windows(2).filter_map(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => Some((b - a).abs()),
        _ => None,
    }).collect();
    let mean_mr = mean(&mrs).map(|amr| {
        if amr > 0.0 {
            let kept: Vec<f64> = mrs.iter().copied().filter(|x| *x < MR_SCREEN * amr).collect();
            mean(&kept).unwrap_or(amr)
        } else {
            amr
        }
    });
    let (ucl, lcl) = match (m, mean_mr) {
        (Some(m), Some(r)) => (Some(m + LIMIT * r), Some(m - LIMIT * r)),
        _ => (None, None),
    };
    Segment { start, end: start + v.len(), values: present.len(), mean: m, mean_mr, ucl, lcl }
}

/// An XmR chart of `values` (None: a gap), with new limits from each index in `breaks`
/// (indices outside 1..len are ignored).
pub fn xmr(values: &[Option<f64>], breaks: &[usize]) -> Chart {
    let mut cuts: Vec<usize> = breaks.iter().copied().filter(|b| *b > 0 && *b < values.len()).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(values.len());
    let mut points: Vec<Point> = values.iter().map(|v| Point { value: *v, segment: 0, signals: Vec::new() }).collect();
    let mut segments = Vec::new();
    for w in bounds.windows(2) {
        let (s, e) = (w[0], w[1]);
        if s >= e {
            continue;
        }
        let seg = limits(&values[s..e], s);
        for p in &mut points[s..e] {
            p.segment = segments.len();
        }
        rules(&values[s..e], &seg, &mut points[s..e]);
        segments.push(seg);
    }
    for p in &mut points {
        p.signals.sort();
        p.signals.dedup();
    }
    Chart { points, segments }
}

fn flag(points: &mut [Point], range: std::ops::RangeInclusive<usize>, rule: Rule) {
    for p in &mut points[range] {
        p.signals.push(rule);
    }
}

/// The four rules over one segment (`v` and `points` are the segment's).
fn rules(v: &[Option<f64>], seg: &Segment, points: &mut [Point]) {
    // 1. outside the limits
    if let (Some(u), Some(l)) = (seg.ucl, seg.lcl) {
        for (i, x) in v.iter().enumerate() {
            if let Some(x) = x {
                if *x > u || *x < l {
                    points[i].signals.push(Rule::OutsideLimits);
                }
            }
        }
    }
    // 2. a shift: a run of points on one side of the mean
    if let Some(m) = seg.mean {
        let side = |x: &Option<f64>| match x {
            Some(x) if *x > m => 1,
            Some(x) if *x < m => -1,
            _ => 0,
        };
        let mut run_start = 0;
        for i in 0..v.len() {
            let s = side(&v[i]);
            if s == 0 {
                continue;
            }
            if i == 0 || side(&v[i - 1]) != s {
                run_start = i;
            }
            if i + 1 - run_start >= SHIFT_RUN {
                flag(points, run_start..=i, Rule::Shift);
            }
        }
    }
    // 3. a trend: consecutive points each higher (lower) than the one before
    for dir in [1.0f64, -1.0] {
        let mut run_start = 0;
        for i in 0..v.len() {
            let Some(x) = v[i] else { continue };
            let continues = i > 0 && v[i - 1].is_some_and(|p| (x - p) * dir > 0.0);
            if !continues {
                run_start = i;
            }
            if i + 1 - run_start >= TREND_RUN {
                flag(points, run_start..=i, Rule::Trend);
            }
        }
    }
    // 4. two of three beyond the same 2-sigma line
    if let (Some(m), Some(sigma)) = (seg.mean, seg.sigma()) {
        for dir in [1.0f64, -1.0] {
            let beyond = |x: &Option<f64>| x.is_some_and(|x| (x - m) * dir > 2.0 * sigma);
            for w in 0..v.len().saturating_sub(2) {
                let hits: Vec<usize> = (w..w + 3).filter(|i| beyond(&v[*i])).collect();
                if hits.len() >= 2 {
                    for i in hits {
                        points[i].signals.push(Rule::TwoOfThree);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    /// Indices of the points carrying `rule`.
    fn flagged(c: &Chart, rule: Rule) -> Vec<usize> {
        c.points.iter().enumerate().filter(|(_, p)| p.signals.contains(&rule)).map(|(i, _)| i).collect()
    }

    fn no_signals(c: &Chart) -> bool {
        c.points.iter().all(|p| p.signals.is_empty())
    }

    /// 10 12 11 13 12 14 12 11 13 12: sum 120, mean 12. Moving ranges 2 1 2 1 2 2 1 2 1: sum 14
    /// over 9, MR bar 14/9 = 1.5556 (none >= 3.267 x 1.5556 = 5.08). UCL = 12 + 2.66 x 14/9 =
    /// 16.1378, LCL = 7.8622; sigma = 2.66/3 x 14/9 = 1.3793, 2-sigma lines 14.7585 / 9.2415.
    /// No point outside, no 7 on one side (sides - 0 - + 0 + 0 - + 0), no 6 rising, none beyond
    /// 2 sigma: no signal.
    #[test]
    fn limits_of_a_stable_series_and_no_signal() {
        let c = xmr(&some(&[10., 12., 11., 13., 12., 14., 12., 11., 13., 12.]), &[]);
        let s = &c.segments[0];
        assert!(close(s.mean, 12.0));
        assert!(close(s.mean_mr, 14.0 / 9.0));
        assert!(close(s.ucl, 12.0 + 2.66 * 14.0 / 9.0));
        assert!(close(s.lcl, 12.0 - 2.66 * 14.0 / 9.0));
        assert!(close(s.sigma(), 2.66 / 3.0 * 14.0 / 9.0));
        assert!(no_signals(&c));
    }

    /// 24 points alternating 10 (even) and 14 (odd), point 6 is 40 instead of 10. Sum: twelve 14s
    /// 168 + eleven 10s 110 + 40 = 318, mean 13.25 (10 below, 14 above: alternating sides).
    /// Moving ranges: 21 of 4 and two of 26 (14->40, 40->14): sum 136 over 23, MR bar 5.913;
    /// 3.267 x 5.913 = 19.32, so the two 26s are screened out: MR bar 84/21 = 4.
    /// UCL = 13.25 + 2.66 x 4 = 23.89, LCL = 2.61: 40 is outside. 2-sigma lines
    /// 13.25 +- 2 x 2.66/3 x 4 = 20.343 / 6.157: only 40 beyond. No trend (alternating).
    #[test]
    fn a_point_outside_the_limits_and_screening() {
        let mut v: Vec<f64> = (0..24).map(|i| if i % 2 == 0 { 10.0 } else { 14.0 }).collect();
        v[6] = 40.0;
        let c = xmr(&some(&v), &[]);
        let s = &c.segments[0];
        assert!(close(s.mean, 13.25));
        assert!(close(s.mean_mr, 4.0), "the two large moving ranges are screened out: {:?}", s.mean_mr);
        assert!(close(s.ucl, 13.25 + 2.66 * 4.0));
        assert_eq!(flagged(&c, Rule::OutsideLimits), vec![6]);
        assert_eq!(c.points[6].signals, vec![Rule::OutsideLimits]);
        assert!(c.points.iter().enumerate().all(|(i, p)| i == 6 || p.signals.is_empty()));
        // the same without the outlier: nothing
        v[6] = 10.0;
        assert!(no_signals(&xmr(&some(&v), &[])));
    }

    /// 10 14 10 14 10 14, then 13 x 7, then 10 14 10 14: sum 72 + 91 + 48 = 211 over 17,
    /// mean 12.4118. Sides: 10 below, 14 and 13 above, so points 5..=12 (a 14 and seven 13s) are
    /// 8 in a row above: a shift. Moving ranges: 4 x5, 1, 0 x6, 3, 4 x3 = 36 over 16, MR bar
    /// 2.25 (none screened); limits 12.41 +- 5.985, 2-sigma lines 12.41 +- 3.99 = 16.40 / 8.42:
    /// nothing beyond, no rising run of 6 (equal values break it).
    #[test]
    fn a_shift_of_seven_on_one_side() {
        let v = [10., 14., 10., 14., 10., 14., 13., 13., 13., 13., 13., 13., 13., 10., 14., 10., 14.];
        let c = xmr(&some(&v), &[]);
        assert!(close(c.segments[0].mean, 211.0 / 17.0));
        assert!(close(c.segments[0].mean_mr, 2.25));
        assert_eq!(flagged(&c, Rule::Shift), (5..=12).collect::<Vec<_>>());
        assert!(c.points.iter().all(|p| p.signals.iter().all(|r| *r == Rule::Shift)));
        // six 13s (a 14 before them makes 7): still a shift; five 13s: not
        let v6 = [10., 14., 10., 14., 10., 14., 13., 13., 13., 13., 13., 13., 10., 14., 10., 14.];
        assert_eq!(flagged(&xmr(&some(&v6), &[]), Rule::Shift).len(), 7);
        let v5 = [10., 14., 10., 14., 10., 14., 13., 13., 13., 13., 13., 10., 14., 10., 14.];
        assert!(flagged(&xmr(&some(&v5), &[]), Rule::Shift).is_empty());
    }

    /// 10 14 10 14, 9 10 11 12 13 14, 10 14 10 14: sum 48 + 69 + 48 = 165 over 14, mean 11.7857.
    /// 9..14 (points 4..=9) rise 6 times in a row: a trend. Sides: runs of 3 at most. Moving
    /// ranges 4 4 4 5 1 1 1 1 1 4 4 4 4 = 38 over 13, MR bar 2.923; 2-sigma lines
    /// 11.79 +- 5.18 = 16.97 / 6.60: nothing beyond, limits 11.79 +- 7.78.
    /// With 10 11 12 13 14 instead (5 rising after a fall) there is no trend.
    #[test]
    fn a_trend_of_six_rising() {
        let v = [10., 14., 10., 14., 9., 10., 11., 12., 13., 14., 10., 14., 10., 14.];
        let c = xmr(&some(&v), &[]);
        assert!(close(c.segments[0].mean, 165.0 / 14.0));
        assert!(close(c.segments[0].mean_mr, 38.0 / 13.0));
        assert_eq!(flagged(&c, Rule::Trend), (4..=9).collect::<Vec<_>>());
        assert!(c.points.iter().all(|p| p.signals.iter().all(|r| *r == Rule::Trend)));
        let five = [10., 14., 10., 14., 10., 11., 12., 13., 14., 10., 14., 10., 14.];
        assert!(flagged(&xmr(&some(&five), &[]), Rule::Trend).is_empty());
        // falling works the same way
        let down: Vec<f64> = v.iter().map(|x| 30.0 - x).collect();
        assert_eq!(flagged(&xmr(&some(&down), &[]), Rule::Trend), (4..=9).collect::<Vec<_>>());
    }

    /// 20 points alternating 10 (even) and 14 (odd), points 10 and 12 are 22: sum 240 + 24 = 264,
    /// mean 13.2. Moving ranges: 15 of 4 and four of 8 (around the 22s) = 92 over 19, MR bar
    /// 4.8421. UCL = 13.2 + 2.66 x 4.8421 = 26.08 (22 inside); 2-sigma line
    /// 13.2 + 2 x 2.66/3 x 4.8421 = 21.787: both 22s beyond, within three points: two of three.
    /// Sides: points 9..=13 above (5): no shift. With the 22s at 10 and 13 (three apart) no
    /// window of three holds both: no signal of that rule.
    #[test]
    fn two_of_three_beyond_two_sigma() {
        let mut v: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 10.0 } else { 14.0 }).collect();
        v[10] = 22.0;
        v[12] = 22.0;
        let c = xmr(&some(&v), &[]);
        assert!(close(c.segments[0].mean, 13.2));
        assert!(close(c.segments[0].mean_mr, 92.0 / 19.0));
        assert_eq!(flagged(&c, Rule::TwoOfThree), vec![10, 12]);
        assert!(c.points.iter().all(|p| p.signals.iter().all(|r| *r == Rule::TwoOfThree)));
        let mut w: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 10.0 } else { 14.0 }).collect();
        w[10] = 22.0;
        w[13] = 22.0;
        assert!(flagged(&xmr(&some(&w), &[]), Rule::TwoOfThree).is_empty());
    }

    /// 10 14 10 14 10 14 | 20 24 20 24 20 24 with a change at point 6: before, mean 12 and MR bar
    /// 4 (five ranges of 4): limits 12 +- 10.64; after, mean 22, MR bar 4: 22 +- 10.64. As one
    /// segment the mean would be 17.
    #[test]
    fn a_change_recomputes_the_limits() {
        let v = some(&[10., 14., 10., 14., 10., 14., 20., 24., 20., 24., 20., 24.]);
        let c = xmr(&v, &[6]);
        assert_eq!(c.segments.len(), 2);
        let (a, b) = (&c.segments[0], &c.segments[1]);
        assert_eq!((a.start, a.end, b.start, b.end), (0, 6, 6, 12));
        assert!(close(a.mean, 12.0) && close(a.mean_mr, 4.0) && close(a.ucl, 22.64) && close(a.lcl, 1.36));
        assert!(close(b.mean, 22.0) && close(b.mean_mr, 4.0) && close(b.ucl, 32.64) && close(b.lcl, 11.36));
        assert_eq!(c.points[7].segment, 1);
        assert!(close(xmr(&v, &[]).segments[0].mean, 17.0));
    }

    /// A gap has no moving range either side: 10 _ 14 10 14 gives ranges 4 and 4 only (MR bar 4,
    /// mean 48/4 = 12). A gap breaks a run: 10 14 10 14, 13 13 13, gap, 13 13 13 13, 10 14
    /// (mean 163/13 = 12.54) has runs of 4 and 4 above the mean; without the gap (a 13 there, mean
    /// 176/14) points 3..=11 are 9 above: a shift.
    #[test]
    fn gaps_have_no_moving_range_and_break_runs() {
        let c = xmr(&[Some(10.), None, Some(14.), Some(10.), Some(14.)], &[]);
        assert!(close(c.segments[0].mean, 12.0));
        assert!(close(c.segments[0].mean_mr, 4.0));
        assert_eq!(c.segments[0].values, 4);
        assert!(c.points[1].signals.is_empty());
        let mut v = some(&[10., 14., 10., 14., 13., 13., 13., 13., 13., 13., 13., 13., 10., 14.]);
        assert_eq!(flagged(&xmr(&v, &[]), Rule::Shift), (3..=11).collect::<Vec<_>>());
        v[7] = None;
        assert!(close(xmr(&v, &[]).segments[0].mean, 163.0 / 13.0));
        assert!(flagged(&xmr(&v, &[]), Rule::Shift).is_empty());
    }

    #[test]
    fn too_few_values_have_no_limits() {
        let c = xmr(&[Some(5.0), None], &[]);
        assert!(close(c.segments[0].mean, 5.0));
        assert_eq!(c.segments[0].ucl, None);
        assert!(no_signals(&c));
        assert!(xmr(&[], &[]).segments.is_empty());
    }
}
