//! Dates as day numbers (days since 1970-01-01), with ISO formatting. No external crates.

pub type Day = i32;

/// Day number of a civil date (Howard Hinnant's algorithm).
pub fn from_ymd(y: i32, m: u32, d: u32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = (y - era * 400) as i64;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era as i64 * 146_097 + doe - 719_468) as Day
}

pub fn to_ymd(z: Day) -> (i32, u32, u32) {
    let z = z as i64 + 719_468;
    let era = (if z >= 0 { z } else { z - 146_096 }) / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Append `YYYY-MM-DD`.
pub fn push_iso(out: &mut Vec<u8>, day: Day) {
    let (y, m, d) = to_ymd(day);
    let y = y as u32;
    out.extend_from_slice(&[
        b'0' + (y / 1000 % 10) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (d / 10) as u8,
        b'0' + (d % 10) as u8,
    ]);
}

pub fn iso(day: Day) -> String {
    let mut v = Vec::with_capacity(10);
    push_iso(&mut v, day);
    String::from_utf8(v).unwrap_or_default()
}

/// Whole years of age on `at`.
pub fn age_on(dob: Day, at: Day) -> i32 {
    let (by, bm, bd) = to_ymd(dob);
    let (y, m, d) = to_ymd(at);
    let mut a = y - by;
    if (m, d) < (bm, bd) {
        a -= 1;
    }
    a
}

/// Financial year start (1 April) containing `day`, as a calendar year.
pub fn fy_of(day: Day) -> i32 {
    let (y, m, _) = to_ymd(day);
    if m >= 4 {
        y
    } else {
        y - 1
    }
}

pub fn fy_start(fy: i32) -> Day {
    from_ymd(fy, 4, 1)
}

pub fn fy_end(fy: i32) -> Day {
    from_ymd(fy + 1, 3, 31)
}

/// First day of the FY quarter (1..4) of FY `fy`.
pub fn quarter_start(fy: i32, q: u32) -> Day {
    match q {
        1 => from_ymd(fy, 4, 1),
        2 => from_ymd(fy, 7, 1),
        3 => from_ymd(fy, 10, 1),
        _ => from_ymd(fy + 1, 1, 1),
    }
}

pub fn quarter_end(fy: i32, q: u32) -> Day {
    if q >= 4 {
        fy_end(fy)
    } else {
        quarter_start(fy, q + 1) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trip() {
        for d in [-25_000, -1, 0, 1, 18_000, 18_352, 20_000] {
            let (y, m, dd) = to_ymd(d);
            assert_eq!(from_ymd(y, m, dd), d);
        }
        assert_eq!(iso(from_ymd(2020, 2, 29)), "2020-02-29");
        assert_eq!(age_on(from_ymd(1936, 5, 3), from_ymd(2019, 9, 30)), 83);
        assert_eq!(fy_of(from_ymd(2020, 3, 31)), 2019);
        assert_eq!(quarter_end(2019, 3), from_ymd(2019, 12, 31));
    }
}
