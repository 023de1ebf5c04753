//! What one generator chunk works with and writes: the context shared by every person of a
//! run, the output buffers (episode/individual files per year, then the SC2 tables), and the
//! social care id rule. Shared by the health rows (`rows`) and the social care rows (`sc_rows`).
use super::date::Day;
use super::full::{self, Assembler};
use super::geography::Geography;
use super::hri::HriIn;
use std::collections::HashSet;

pub const SC_DEMOGRAPHICS: usize = 0;
pub const SC_CLIENT: usize = 1;
pub const SC_HOMECARE: usize = 2;
pub const SC_CAREHOME: usize = 3;
pub const SC_SDS: usize = 4;
pub const SC_EQUIPMENT: usize = 5;
pub const SC_IORN: usize = 6;

pub struct Ctx {
    pub seed: u64,
    pub span: super::person::Span,
    /// Requested financial years (start calendar year), ascending.
    pub years: Vec<i32>,
    pub geo: Geography,
    pub extract_date: Day,
    pub hospital_by_council: Vec<String>,
    /// Postcode areas of the generator's postcode lookup (PHS's HRI population test).
    pub lookup_areas: HashSet<String>,
    /// The full published layout (None: the core layout).
    pub full: Option<FullCtx>,
}

pub struct FullCtx {
    pub ep: Assembler,
    pub ind: Assembler,
    pub ep_ix: full::EpIx,
    pub ind_ix: full::IndIx,
    pub months: full::MonthIx,
    /// acute, mat, gls, mh
    pub groups: [full::GroupIx; 4],
}

impl FullCtx {
    pub fn new(ep: Assembler, ind: Assembler) -> FullCtx {
        let groups = ["acute", "mat", "gls", "mh"].map(|g| full::GroupIx::resolve(&ind, g));
        FullCtx {
            ep_ix: full::EpIx::resolve(&ep),
            ind_ix: full::IndIx::resolve(&ind),
            months: full::MonthIx::resolve(&ep),
            groups,
            ep,
            ind,
        }
    }
}

pub struct ChunkOut {
    pub bufs: Vec<Vec<u8>>,
    pub rows: Vec<u64>,
    /// HRI inputs per requested year, in individual-file row order.
    pub hri: Vec<Vec<HriIn>>,
}

impl ChunkOut {
    pub fn new(nyears: usize) -> ChunkOut {
        let n = 2 * nyears + 7;
        ChunkOut { bufs: vec![Vec::new(); n], rows: vec![0; n], hri: vec![Vec::new(); nyears] }
    }
}

pub fn social_care_id(seed: u64, idx: u64) -> String {
    // a bijection on 0..10^9 (odd multiplier not divisible by 5), so ids never collide
    let m: u64 = 387_420_489;
    let off = seed.wrapping_mul(2_654_435_761) % 1_000_000_000;
    format!("{:09}", (idx.wrapping_mul(m) % 1_000_000_000 + off) % 1_000_000_000)
}
