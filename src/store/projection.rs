//! Base-year cells of a projection (see `model::projection`): per council, sex and age band of
//! the base year, the people and their emergency admissions, emergency bed days and delayed
//! discharge bed days, from `person_year` and `event`.
//!
//! Emergency bed days are not a `person_year` column: they are, per stay of the year (a CIJ; an
//! inpatient episode without a marker is a stay of its own) that is an emergency stay, the sum
//! of its inpatient episodes' bed days in the year (`event.beddays`: the file's `yearstay`,
//! else the nights inside the year), the definition of the unscheduled care view
//! (`store::services::unscheduled`). DD bed days are `person_year.dd_beddays`, kept for the
//! bands from `DD_FROM_AGE`. The year is a bound parameter.
use crate::model::cohort::Sex;
use crate::model::projection::{band_of_label, BaseCell, BaseYear, Measure};
use crate::store::cohort::sql::age_band_sql;
use crate::store::derive::common_sql::{INPATIENT, STAY_KEY};
use anyhow::Result;
use duckdb::{params, Connection};

pub fn base_cells(conn: &Connection, year: &str) -> Result<BaseYear> {
    let sql = format!(
        "WITH py AS (SELECT anon_chi, lca, sex, age, emergency_admissions, dd_beddays FROM person_year
                     WHERE year = ? AND lca IS NOT NULL AND sex IN ('M', 'F') AND age IS NOT NULL),
         stays AS (SELECT anon_chi, bool_or(emergency) AS emergency, sum(beddays) AS beddays FROM event
                   WHERE recid IN {INPATIENT} AND year = ? AND anon_chi IS NOT NULL GROUP BY anon_chi, {STAY_KEY}),
         ebd AS (SELECT anon_chi, sum(beddays) AS b FROM stays WHERE emergency GROUP BY anon_chi)
         SELECT py.lca, py.sex, {band} AS band, count(*), CAST(coalesce(sum(py.emergency_admissions), 0) AS BIGINT),
                CAST(coalesce(sum(ebd.b), 0) AS DOUBLE), count(*) FILTER (WHERE py.dd_beddays > 0),
                CAST(coalesce(sum(py.dd_beddays), 0) AS DOUBLE)
         FROM py LEFT JOIN ebd ON ebd.anon_chi = py.anon_chi
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        band = age_band_sql("py.age")
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![year, year])?;
    let mut cells = Vec::new();
    while let Some(r) = rows.next()? {
        let lca: String = r.get(0)?;
        let sex = if r.get::<_, String>(1)? == "M" { Sex::M } else { Sex::F };
        let Some(band) = band_of_label(&r.get::<_, String>(2)?) else { continue };
        let dd = Measure::DdBedDays.applies_to(band);
        cells.push(BaseCell {
            lca,
            sex,
            band,
            people: r.get::<_, i64>(3)?.max(0) as u64,
            emergency_admissions: r.get::<_, i64>(4)?.max(0) as u64,
            emergency_bed_days: r.get::<_, f64>(5)?,
            dd_people: if dd { r.get::<_, i64>(6)?.max(0) as u64 } else { 0 },
            dd_bed_days: if dd { r.get::<_, f64>(7)? } else { 0.0 },
        });
    }
    Ok(BaseYear { year: year.to_string(), cells })
}
