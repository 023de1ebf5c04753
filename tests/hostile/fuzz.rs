//! An on-demand mutation fuzzer over the CSV and Parquet readers (not part of the normal run:
//! `cargo test --release --test hostile -- --ignored fuzz`). It takes a good episode file in
//! each format, applies random byte-level mutations (flip, insert, delete, duplicate a range,
//! truncate) from a fixed seed, and loads every mutant with the real binary. Every mutant must
//! end in a clean outcome: exit 0 with a report, or exit 1 with a message naming the file and
//! saying the workspace is unchanged; never a crash (signal, panic) or a hang.
use crate::common::*;
use crate::support::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = b.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                let interesting = [b'\r', b'\n', b'"', b',', 0, 0xff, b'-', b'9', b';', b'\t'];
                b.insert(i, interesting[rng.below(interesting.len())]);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(16).min(len - i);
                b.drain(i..i + n);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(64).min(len - i);
                let chunk = b[i..i + n].to_vec();
                let j = rng.below(b.len() + 1);
                b.splice(j..j, chunk);
            }
            4 if len > 1 => b.truncate(rng.below(len)),
            _ => {
                let i = rng.below(len + 1);
                b.splice(i..i, b"NaN,infinity,1e309,-0,\"".iter().copied());
            }
        }
    }
    b
}

fn fuzz_one(name: &str, seed: &[u8], mutants: usize, rng: &mut Rng) {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..mutants {
        let m = mutate(rng, seed);
        let f = tmp.path().join(format!("m{i}")).join(name);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(&f, &m).unwrap();
        let ws = tmp.path().join(format!("m{i}")).join("ws.duckdb");
        let (finished, ok, out, err) = load_with_deadline(&["load", f.to_str().unwrap(), "--workspace", ws.to_str().unwrap(), "--format", "json"], 60);
        assert!(finished, "mutant {i} of {name} hung (kept at {})", f.display());
        if ok {
            assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok(), "mutant {i}: exit 0 without a report");
        } else {
            assert!(!err.contains("panicked"), "mutant {i} of {name} panicked: {err}");
            // carepath's own message (its error printer starts every one so), not an abort
            assert!(err.trim_start().starts_with("carepath: ") && err.trim().len() > "carepath: ".len(), "mutant {i}: no message: {err}");
        }
        let _ = std::fs::remove_dir_all(f.parent().unwrap());
    }
}

#[test]
#[ignore = "fuzzer: run on demand with --ignored"]
fn fuzz_csv_and_parquet_readers() {
    let mutants: usize = std::env::var("CAREPATH_FUZZ_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let seed: u64 = std::env::var("CAREPATH_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(18);
    let mut rng = Rng(seed | 1);
    let csv = episode_csv(&[
        episode_row(&anon("0101501234"), &[]),
        episode_row(&anon("0203402346"), &[("recid", "AE2"), ("cost_total_net", "150.5")]),
        episode_row(&anon("1512853458"), &[("recid", "PIS"), ("no_paid_items", "12")]),
    ]);
    fuzz_one("source-episode-file-1920.csv", csv.as_bytes(), mutants, &mut rng);
    let tmp = tempfile::tempdir().unwrap();
    let pq = tmp.path().join("seed.parquet");
    parquet_from(
        &pq,
        "SELECT '1920' AS year, recid, anon_chi, DATE '2019-05-01' AS record_keydate1, DATE '2019-05-03' AS record_keydate2, 1 AS gender, 100.0 AS cost_total_net
         FROM (VALUES ('01B', 'QUFBQQ=='), ('AE2', 'QkJCQg=='), ('PIS', 'Q0NDQw==')) v(recid, anon_chi)",
    );
    fuzz_one("source-episode-file-1920.parquet", &std::fs::read(&pq).unwrap(), mutants, &mut rng);
}
