//! Time to event (pure): cumulative incidence 1 - S(t) from the Kaplan-Meier estimator, with
//! each person either reaching the target at `time` or censored at `time` (death for a
//! non-death target, or the end of the data). A censoring at the same day as an event counts as
//! still at risk for that event (the usual convention).
use crate::model::pathways::CurvePoint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// Days from the index to the event or to censoring (>= 0).
    pub time: u32,
    pub event: bool,
}

/// Counts and cumulative incidence at each horizon.
pub fn curve(subjects: &[Subject], horizons: &[u32]) -> Vec<CurvePoint> {
    let mut s: Vec<Subject> = subjects.to_vec();
    s.sort_by_key(|x| (x.time, !x.event));
    let n = s.len();
    // survival after each distinct event time
    let mut steps: Vec<(u32, f64)> = Vec::new();
    let mut surv = 1.0;
    let mut i = 0;
    while i < n {
        let t = s[i].time;
        let at_risk = (n - i) as f64;
        let mut d = 0;
        let mut j = i;
        while j < n && s[j].time == t {
            if s[j].event {
                d += 1;
            }
            j += 1;
        }
        if d > 0 {
            surv *= 1.0 - d as f64 / at_risk;
            steps.push((t, surv));
        }
        i = j;
    }
    horizons
        .iter()
        .map(|&h| {
            let events = s.iter().filter(|x| x.event && x.time <= h).count() as u64;
            let censored = s.iter().filter(|x| !x.event && x.time <= h).count() as u64;
            let at_risk = n as u64 - events - censored;
            let sv = steps.iter().take_while(|(t, _)| *t <= h).last().map(|(_, v)| *v).unwrap_or(1.0);
            CurvePoint { days: h, events, censored, at_risk, cumulative_incidence: if n == 0 { None } else { Some(1.0 - sv) } }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(time: u32, event: bool) -> Subject {
        Subject { time, event }
    }

    #[test]
    fn kaplan_meier_by_hand() {
        // 5 people: events at 10 and 40, censored at 20 and 50, one followed past 100.
        let v = vec![s(10, true), s(20, false), s(40, true), s(50, false), s(400, false)];
        let c = curve(&v, &[30, 90, 365]);
        // S(10) = 4/5; S(40) = 4/5 * (1 - 1/3) = 8/15
        assert!((c[0].cumulative_incidence.unwrap() - 0.2).abs() < 1e-12);
        assert!((c[1].cumulative_incidence.unwrap() - (1.0 - 8.0 / 15.0)).abs() < 1e-12);
        assert_eq!((c[1].events, c[1].censored, c[1].at_risk), (2, 2, 1));
        assert_eq!((c[2].events, c[2].censored, c[2].at_risk), (2, 2, 1));
    }

    #[test]
    fn censoring_on_the_event_day_stays_at_risk() {
        let c = curve(&[s(5, true), s(5, false)], &[30]);
        assert!((c[0].cumulative_incidence.unwrap() - 0.5).abs() < 1e-12);
        assert!(curve(&[], &[30])[0].cumulative_incidence.is_none());
    }
}
