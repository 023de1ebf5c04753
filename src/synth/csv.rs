//! Minimal, fast CSV field writers (the generator only writes values without commas or quotes).
use super::date::{push_iso, Day};

pub fn end_row(b: &mut Vec<u8>) {
    if let Some(last) = b.last_mut() {
        if *last == b',' {
            *last = b'\n';
            return;
        }
    }
    b.push(b'\n');
}

pub fn null(b: &mut Vec<u8>) {
    b.push(b',');
}

pub fn nulls(b: &mut Vec<u8>, n: usize) {
    for _ in 0..n {
        b.push(b',');
    }
}

pub fn s(b: &mut Vec<u8>, x: &str) {
    debug_assert!(!x.contains(',') && !x.contains('"') && !x.contains('\n'), "{x}");
    b.extend_from_slice(x.as_bytes());
    b.push(b',');
}

/// Empty string means NULL.
pub fn opt_s(b: &mut Vec<u8>, x: &str) {
    s(b, x)
}

pub fn push_int(b: &mut Vec<u8>, v: i64) {
    if v < 0 {
        b.push(b'-');
    }
    let mut u = v.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

pub fn int(b: &mut Vec<u8>, v: i64) {
    push_int(b, v);
    b.push(b',');
}

pub fn opt_int(b: &mut Vec<u8>, v: Option<i64>) {
    if let Some(v) = v {
        push_int(b, v);
    }
    b.push(b',');
}

/// A value held in hundredths, written with two decimals (`1234` -> `12.34`).
pub fn push_hundredths(b: &mut Vec<u8>, v: i64) {
    if v < 0 {
        b.push(b'-');
    }
    let u = v.unsigned_abs() as i64;
    push_int(b, u / 100);
    let c = u % 100;
    b.push(b'.');
    b.push(b'0' + (c / 10) as u8);
    b.push(b'0' + (c % 10) as u8);
}

pub fn hundredths(b: &mut Vec<u8>, v: i64) {
    push_hundredths(b, v);
    b.push(b',');
}

pub fn date(b: &mut Vec<u8>, d: Day) {
    push_iso(b, d);
    b.push(b',');
}

pub fn opt_date(b: &mut Vec<u8>, d: Option<Day>) {
    if let Some(d) = d {
        push_iso(b, d);
    }
    b.push(b',');
}

pub fn opt_time(b: &mut Vec<u8>, t: Option<u32>) {
    if let Some(t) = t {
        let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
        b.extend_from_slice(&[
            b'0' + (h / 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b':',
            b'0' + (s / 10) as u8,
            b'0' + (s % 10) as u8,
        ]);
    }
    b.push(b',');
}

pub fn header(b: &mut Vec<u8>, cols: &[(&str, &str)]) {
    for (n, _) in cols {
        s(b, n);
    }
    end_row(b);
}
