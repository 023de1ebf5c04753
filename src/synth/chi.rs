//! Synthetic CHI numbers: DDMMYY + 2 digits + sex digit (odd male, even female) + mod-11 check.
use super::date::{to_ymd, Day};
use base64::Engine;

/// The mod-11 check digit of the first 9 digits, or None when it would be 10 (invalid).
pub fn check_digit(first9: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first9.iter().enumerate().map(|(i, d)| (10 - i as u32) * (*d as u32)).sum();
    let r = 11 - (sum % 11);
    match r {
        11 => Some(0),
        10 => None,
        r => Some(r as u8),
    }
}

pub fn is_valid(chi: &str) -> bool {
    let b = chi.as_bytes();
    if b.len() != 10 || !b.iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut first = [0u8; 9];
    for i in 0..9 {
        first[i] = b[i] - b'0';
    }
    check_digit(&first) == Some(b[9] - b'0')
}

/// Allocates unique CHIs: for each (DDMMYY, sex) the serials are handed out in turn. The key is
/// DDMMYY, not the full date, because people born a century apart share the first six digits.
pub struct ChiAllocator {
    next: Vec<u16>,
}

impl Default for ChiAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl ChiAllocator {
    pub fn new() -> ChiAllocator {
        ChiAllocator { next: vec![0; 100 * 12 * 31 * 2] }
    }

    /// A fresh valid CHI for this dob and sex (1 male, 2 female); None if the key is exhausted.
    pub fn allocate(&mut self, dob: Day, sex: u8) -> Option<String> {
        let (y, m, d) = to_ymd(dob);
        let yy = (y.rem_euclid(100)) as u8;
        let idx = (((yy as usize * 12 + (m as usize - 1)) * 31 + (d as usize - 1)) * 2) + (sex.max(1) as usize - 1).min(1);
        loop {
            let k = self.next[idx];
            if k >= 500 {
                return None;
            }
            self.next[idx] = k + 1;
            // serial k -> two digits (k / 5) and a sex digit from the 5 odd or even digits.
            let two = (k / 5) as u8;
            // spread the two-digit part so that consecutive people do not look sequential
            let two = ((two as u32 * 37 + 11) % 100) as u8;
            let sexd = ((k % 5) * 2) as u8 + if sex == 1 { 1 } else { 0 };
            let first = [
                (d / 10) as u8,
                (d % 10) as u8,
                (m / 10) as u8,
                (m % 10) as u8,
                yy / 10,
                yy % 10,
                two / 10,
                two % 10,
                sexd,
            ];
            if let Some(c) = check_digit(&first) {
                let mut s = String::with_capacity(10);
                for x in first {
                    s.push((b'0' + x) as char);
                }
                s.push((b'0' + c) as char);
                return Some(s);
            }
        }
    }
}

pub fn anon_chi(chi: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(chi.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn known_example() {
        assert_eq!(anon_chi("0305361139"), "MDMwNTM2MTEzOQ==");
        let mut a = ChiAllocator::new();
        let dob = super::super::date::from_ymd(1936, 5, 3);
        let c = a.allocate(dob, 1).unwrap();
        assert!(is_valid(&c) && c.starts_with("030536"));
        assert_eq!((c.as_bytes()[8] - b'0') % 2, 1);
        let f = a.allocate(dob, 2).unwrap();
        assert_eq!((f.as_bytes()[8] - b'0') % 2, 0);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..400 {
            assert!(seen.insert(a.allocate(dob, 1).unwrap()));
        }
    }
}
