//! The arithmetic of projections (no I/O; see `model::projection` for the definitions): base-year
//! cells grouped to the areas of a level, rates per cell (pooled where a base count is small),
//! the scenario's factors, projected counts summed over age and sex, occupied beds and beds
//! needed.
use crate::model::cohort::{age_bands, Sex};
use crate::model::projection::{AreaLevel, AreaProjection, BaseCell, BaseYear, Measure, Population, Scenario, YearFigures, MEASURES};
use crate::model::year::FinYear;
use std::collections::BTreeMap;

const SEXES: [Sex; 2] = [Sex::M, Sex::F];

/// Which cells share a rate: a group id per cell. With `min_count` above 1, the cells whose
/// count is 1 to `min_count`-1 form one group; if that group's count is still below
/// `min_count`, it takes in the cell with the largest count (or, when no cell is large, every
/// cell: the area's base count is then small itself and the gate withholds its projections).
/// Every other cell is a group of its own. So each pooled rate is of a count of 0 or at least
/// `min_count`.
pub fn pool(counts: &[u64], min_count: u64) -> Vec<usize> {
    let n = counts.len();
    let mut group: Vec<usize> = (0..n).collect();
    let small = |c: u64| c >= 1 && c < min_count;
    if min_count <= 1 || !counts.iter().any(|c| small(*c)) {
        return group;
    }
    let pooled = n; // the id of the pooled group
    let small_sum: u64 = counts.iter().filter(|c| small(**c)).sum();
    for (i, c) in counts.iter().enumerate() {
        if small(*c) {
            group[i] = pooled;
        }
    }
    if small_sum < min_count {
        let largest = (0..n).filter(|i| counts[*i] >= min_count).max_by_key(|i| (counts[*i], std::cmp::Reverse(*i)));
        match largest {
            Some(j) => group[j] = pooled,
            None => group.iter_mut().for_each(|g| *g = pooled),
        }
    }
    group
}

/// Base-year counts of one area, per (sex, band).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaCells {
    pub cells: BTreeMap<(Sex, usize), BaseCell>,
}

/// Base-year cells of `base` grouped into the areas of `level`, keeping only councils in
/// `councils` (those the population file covers).
pub fn areas_of(base: &BaseYear, level: AreaLevel, councils: &std::collections::BTreeSet<String>) -> BTreeMap<String, AreaCells> {
    let mut out: BTreeMap<String, AreaCells> = BTreeMap::new();
    for c in base.cells.iter().filter(|c| councils.contains(&c.lca)) {
        let Some(area) = level.area_of(&c.lca) else { continue };
        let e = out.entry(area.clone()).or_default().cells.entry((c.sex, c.band)).or_insert_with(|| BaseCell {
            lca: area.clone(),
            sex: c.sex,
            band: c.band,
            people: 0,
            emergency_admissions: 0,
            emergency_bed_days: 0.0,
            dd_people: 0,
            dd_bed_days: 0.0,
        });
        e.people += c.people;
        e.emergency_admissions += c.emergency_admissions;
        e.emergency_bed_days += c.emergency_bed_days;
        e.dd_people += c.dd_people;
        e.dd_bed_days += c.dd_bed_days;
    }
    out
}

/// Rates of one measure per (sex, band) of an area: count / people, pooled (see [`pool`])
/// among the cells the measure applies to; cells it does not apply to have no rate. Returns
/// the rates and how many cells were pooled.
pub fn rates(cells: &AreaCells, m: Measure, min_count: u64) -> (BTreeMap<(Sex, usize), f64>, usize) {
    let keys: Vec<(Sex, usize)> = SEXES
        .iter()
        .flat_map(|s| (0..age_bands().len()).map(move |b| (*s, b)))
        .filter(|(_, b)| m.applies_to(*b))
        .collect();
    let cell = |k: &(Sex, usize)| cells.cells.get(k);
    let counts: Vec<u64> = keys.iter().map(|k| cell(k).map(|c| c.source_count(m)).unwrap_or(0)).collect();
    let groups = pool(&counts, min_count);
    let mut sums: BTreeMap<usize, (f64, u64)> = BTreeMap::new();
    for (k, g) in keys.iter().zip(&groups) {
        let e = sums.entry(*g).or_insert((0.0, 0));
        if let Some(c) = cell(k) {
            e.0 += c.value(m);
            e.1 += c.people;
        }
    }
    let pooled = groups.iter().enumerate().filter(|(i, g)| **g != *i).count();
    let out = keys
        .iter()
        .zip(&groups)
        .map(|(k, g)| {
            let (v, p) = sums.get(g).copied().unwrap_or((0.0, 0));
            (*k, if p == 0 { 0.0 } else { v / p as f64 })
        })
        .collect();
    (out, pooled)
}

/// Occupied beds on average over a financial year of `days` days.
pub fn occupied_beds(bed_days: f64, days: u32) -> f64 {
    if days == 0 {
        0.0
    } else {
        bed_days / f64::from(days)
    }
}

/// Beds needed for `occupied` beds at a target occupancy (a share, in (0, 1]).
pub fn beds_needed(occupied: f64, occupancy: f64) -> f64 {
    if occupancy > 0.0 {
        occupied / occupancy
    } else {
        0.0
    }
}

/// Change from `base` to `now`: (absolute, % of base; None when base is 0).
pub fn change(base: f64, now: f64) -> (f64, Option<f64>) {
    (now - base, if base != 0.0 { Some((now - base) * 100.0 / base) } else { None })
}

/// A year's figures with the beds that follow from its bed days.
fn with_beds(year: i32, population: f64, values: [f64; 3], occupancy: f64) -> YearFigures {
    let days = FinYear { start: year }.days();
    let occupied = occupied_beds(values[Measure::EmergencyBedDays.index()], days);
    let dd_occupied = occupied_beds(values[Measure::DdBedDays.index()], days);
    YearFigures {
        year,
        population,
        values,
        occupied_beds: occupied,
        beds_needed: beds_needed(occupied, occupancy),
        dd_occupied_beds: dd_occupied,
        dd_beds_needed: beds_needed(dd_occupied, occupancy),
    }
}

/// Options of one projection.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub level: AreaLevel,
    /// Calendar year the base financial year starts in (2019 for 2019/20).
    pub base_start: i32,
    pub to: i32,
    pub occupancy: f64,
    pub scenario: Option<&'a Scenario>,
    /// Pool cells whose base count is below this (1: no pooling).
    pub min_count: u64,
}

/// Project every area of the population file's councils at `opts.level`: per area the base
/// year's observed figures and, for each year after the base to `opts.to`, sum over sex and
/// band of rate x factor x population. Errors (for the analyst): a year, area, sex or band the
/// file lacks. Returns the areas (in code order) and the number of pooled cells.
pub fn project(base: &BaseYear, pop: &Population, opts: &Options) -> Result<(Vec<AreaProjection>, usize), String> {
    if opts.to <= opts.base_start {
        return Err(format!("--to {} must come after the base year's start ({})", opts.to, opts.base_start));
    }
    let councils = pop.councils();
    if councils.is_empty() {
        return Err("the file holds no population".into());
    }
    // every council must have every year, sex and band the projection needs
    for lca in &councils {
        for year in opts.base_start + 1..=opts.to {
            for sex in SEXES {
                for band in 0..age_bands().len() {
                    if pop.get(lca, sex, band, year).is_none() {
                        let name = AreaLevel::Council.area_name(lca);
                        return Err(format!(
                            "no population for {name}, {year}, sex {sex:?}, age band {}: the file needs every year from {} to {} for each area, sex and age band",
                            age_bands()[band].0,
                            opts.base_start + 1,
                            opts.to
                        ));
                    }
                }
            }
        }
    }
    let cells = areas_of(base, opts.level, &councils);
    // the projected population of each area, sex, band and year
    let mut area_pop: BTreeMap<(String, Sex, usize, i32), f64> = BTreeMap::new();
    for ((lca, sex, band, year), n) in &pop.cells {
        if let Some(area) = opts.level.area_of(lca) {
            *area_pop.entry((area, *sex, *band, *year)).or_insert(0.0) += n;
        }
    }
    let mut areas: Vec<String> = councils.iter().filter_map(|c| opts.level.area_of(c)).collect();
    areas.sort();
    areas.dedup();
    let empty = AreaCells::default();
    let mut pooled = 0;
    let mut out = Vec::new();
    for area in areas {
        let ac = cells.get(&area).unwrap_or(&empty);
        let mut measure_rates = Vec::new();
        for m in MEASURES {
            let (r, p) = rates(ac, m, opts.min_count);
            pooled += p;
            measure_rates.push(r);
        }
        let sum = |f: &dyn Fn(&BaseCell) -> f64| ac.cells.values().map(f).sum::<f64>();
        let base_values = [
            sum(&|c| c.value(Measure::EmergencyAdmissions)),
            sum(&|c| c.value(Measure::EmergencyBedDays)),
            sum(&|c| c.value(Measure::DdBedDays)),
        ];
        let people: u64 = ac.cells.values().map(|c| c.people).sum();
        let base_fig = with_beds(opts.base_start, people as f64, base_values, opts.occupancy);
        let mut years = Vec::new();
        for year in opts.base_start + 1..=opts.to {
            let mut values = [0.0; 3];
            let mut population = 0.0;
            for sex in SEXES {
                for band in 0..age_bands().len() {
                    let n = area_pop.get(&(area.clone(), sex, band, year)).copied().unwrap_or(0.0);
                    population += n;
                    for m in MEASURES {
                        if let Some(rate) = measure_rates[m.index()].get(&(sex, band)) {
                            let factor = opts.scenario.map(|s| s.factor(m, band)).unwrap_or(1.0);
                            values[m.index()] += rate * factor * n;
                        }
                    }
                }
            }
            years.push(with_beds(year, population, values, opts.occupancy));
        }
        out.push(AreaProjection {
            area: opts.level.area_name(&area),
            code: area,
            people,
            emergency_admissions: ac.cells.values().map(|c| c.emergency_admissions).sum(),
            dd_people: ac.cells.values().map(|c| c.dd_people).sum(),
            base: base_fig,
            years,
        });
    }
    Ok((out, pooled))
}

/// Scotland as the sum of `areas` (every figure adds up; beds recomputed from the summed bed
/// days).
pub fn total(areas: &[AreaProjection], occupancy: f64) -> Option<AreaProjection> {
    let first = areas.first()?;
    let add = |figs: &[&YearFigures], year: i32| {
        let mut v = [0.0; 3];
        for f in figs {
            for (i, x) in f.values.iter().enumerate() {
                v[i] += x;
            }
        }
        with_beds(year, figs.iter().map(|f| f.population).sum(), v, occupancy)
    };
    let base = add(&areas.iter().map(|a| &a.base).collect::<Vec<_>>(), first.base.year);
    let years = (0..first.years.len())
        .map(|i| add(&areas.iter().filter_map(|a| a.years.get(i)).collect::<Vec<_>>(), first.years[i].year))
        .collect();
    Some(AreaProjection {
        code: crate::model::projection::SCOTLAND.to_string(),
        area: "Scotland".to_string(),
        people: areas.iter().map(|a| a.people).sum(),
        emergency_admissions: areas.iter().map(|a| a.emergency_admissions).sum(),
        dd_people: areas.iter().map(|a| a.dd_people).sum(),
        base,
        years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::projection::band_of_label;

    fn cell(sex: Sex, band: &str, people: u64, adm: u64, bd: f64, ddp: u64, dd: f64) -> BaseCell {
        BaseCell {
            lca: "17".into(),
            sex,
            band: band_of_label(band).unwrap(),
            people,
            emergency_admissions: adm,
            emergency_bed_days: bd,
            dd_people: ddp,
            dd_bed_days: dd,
        }
    }

    fn full_population(lca: &str, years: std::ops::RangeInclusive<i32>, n: f64) -> Population {
        let mut p = Population::default();
        for y in years {
            for s in SEXES {
                for b in 0..age_bands().len() {
                    p.add(lca, s, b, y, n);
                }
            }
        }
        p
    }

    #[test]
    fn pooling_leaves_no_small_group() {
        assert_eq!(pool(&[3, 50, 0, 20], 1), vec![0, 1, 2, 3]);
        assert_eq!(pool(&[0, 50, 0, 20], 10), vec![0, 1, 2, 3]);
        // 6 + 5 = 11 >= 10: the two small cells share a rate
        assert_eq!(pool(&[6, 50, 5, 20], 10), vec![4, 1, 4, 3]);
        // 3 alone is small: it joins the largest (50)
        assert_eq!(pool(&[3, 50, 0, 20], 10), vec![4, 4, 2, 3]);
        // nothing large: everything together
        assert_eq!(pool(&[3, 0, 2, 0], 10), vec![4, 4, 4, 4]);
    }

    #[test]
    fn projected_counts_are_rate_times_population_summed_over_age_and_sex() {
        let base = BaseYear {
            year: "1920".into(),
            cells: vec![
                // rates: M 75-84 20/100 = 0.2 admissions, 150/100 = 1.5 bed days; F 85+ 30/60 = 0.5, 240/60 = 4;
                // DD 65+: M 75-84 40/100 = 0.4, F 85+ 90/60 = 1.5
                cell(Sex::M, "75-84", 100, 20, 150.0, 12, 40.0),
                cell(Sex::F, "85+", 60, 30, 240.0, 15, 90.0),
                // 18-44: admissions only, DD never projected below 65
                cell(Sex::F, "18-44", 1000, 50, 100.0, 0, 0.0),
            ],
        };
        let mut pop = full_population("17", 2020..=2021, 10.0);
        pop.cells.insert(("17".into(), Sex::M, band_of_label("75-84").unwrap(), 2021), 200.0);
        let opts = Options { level: AreaLevel::Council, base_start: 2019, to: 2021, occupancy: 0.85, scenario: None, min_count: 1 };
        let (areas, pooled) = project(&base, &pop, &opts).unwrap();
        assert_eq!((areas.len(), pooled), (1, 0));
        let a = &areas[0];
        assert_eq!((a.people, a.emergency_admissions, a.dd_people), (1160, 100, 27));
        // 2020: every cell 10 people: 0.2*10 + 0.5*10 + 0.05*10 = 7.5 admissions;
        // bed days 1.5*10 + 4*10 + 0.1*10 = 56; DD 0.4*10 + 1.5*10 = 19
        let y = &a.years[0];
        assert_eq!(y.year, 2020);
        assert!((y.values[0] - 7.5).abs() < 1e-9 && (y.values[1] - 56.0).abs() < 1e-9 && (y.values[2] - 19.0).abs() < 1e-9, "{y:?}");
        assert_eq!(y.population, 120.0);
        // 2020/21 has 365 days: 56 / 365 occupied, / 0.85 needed
        assert!((y.occupied_beds - 56.0 / 365.0).abs() < 1e-12 && (y.beds_needed - 56.0 / 365.0 / 0.85).abs() < 1e-12);
        // 2021: M 75-84 has 200: 0.2*200 + 5 + 0.5 = 45.5
        assert!((a.years[1].values[0] - 45.5).abs() < 1e-9);
        // base: observed; 2019/20 has 366 days
        assert_eq!(a.base.values, [100.0, 490.0, 130.0]);
        assert!((a.base.occupied_beds - 490.0 / 366.0).abs() < 1e-12);
        let (abs, pct) = change(a.base.values[0], a.years[1].values[0]);
        assert!((abs + 54.5).abs() < 1e-9 && (pct.unwrap() + 54.5).abs() < 1e-9);

        // a scenario: -10% admissions at 75+ changes only the 75+ cells
        let s = Scenario::from_toml("[[change]]\nmeasure = \"emergency_admissions\"\nage_band = \"75+\"\npercent = -10\n").unwrap();
        let opts = Options { scenario: Some(&s), ..opts };
        let (areas, _) = project(&base, &pop, &opts).unwrap();
        // 0.9 * (2 + 5) + 0.5 = 6.8; bed days unchanged
        assert!((areas[0].years[0].values[0] - 6.8).abs() < 1e-9);
        assert!((areas[0].years[0].values[1] - 56.0).abs() < 1e-9);
    }

    #[test]
    fn missing_years_and_pooled_rates() {
        let base = BaseYear { year: "1920".into(), cells: vec![cell(Sex::M, "75-84", 100, 3, 30.0, 0, 0.0), cell(Sex::F, "85+", 50, 40, 200.0, 0, 0.0)] };
        let pop = full_population("17", 2020..=2020, 10.0);
        let opts = Options { level: AreaLevel::Council, base_start: 2019, to: 2021, occupancy: 0.85, scenario: None, min_count: 10 };
        let e = project(&base, &pop, &opts).unwrap_err();
        assert!(e.contains("2021") && e.contains("Glasgow City"), "{e}");
        let opts = Options { to: 2020, ..opts };
        let (areas, pooled) = project(&base, &pop, &opts).unwrap();
        // the 3 admissions join the 40: one rate 43/150 for both cells, 10 people each (two
        // cells pooled for admissions and the same two for their bed days)
        assert_eq!(pooled, 4);
        assert!((areas[0].years[0].values[0] - 43.0 / 150.0 * 20.0).abs() < 1e-9);
        let t = total(&areas, 0.85).unwrap();
        assert_eq!(t.emergency_admissions, 43);
    }
}
