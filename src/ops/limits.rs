//! Bounds on what a user can ask for, with messages that say the bound and why. Without them a
//! huge number either panics (allocation of 18446744073709551615 points) or runs for minutes
//! (a 3000-filter spec).
use super::OpsError;

/// Filters in one cohort spec. An analyst's cohort has a handful; each filter adds a condition
/// to every row scanned and a column to the attrition query.
pub const MAX_FILTERS: usize = 100;
/// Points on a Lorenz curve (1001 = every 0.1% of people).
pub const MAX_LORENZ_POINTS: usize = 1001;
/// People in one members page (a screen shows about 40; a list for a report a few thousand).
pub const MAX_PAGE: u64 = 100_000;
/// People a synthetic extract can have (Scotland is 5.5 million; twice that for headroom).
pub const MAX_GENERATED_PEOPLE: u64 = 11_000_000;

pub fn filters(n: usize) -> Result<(), OpsError> {
    if n > MAX_FILTERS {
        return Err(OpsError::TooLarge {
            what: "a cohort spec with filters:",
            given: n.to_string(),
            max: MAX_FILTERS as u64,
            why: "combine conditions into fewer filters, e.g. one age range or one list of codes",
        });
    }
    Ok(())
}

pub fn lorenz_points(n: usize) -> Result<usize, OpsError> {
    if n > MAX_LORENZ_POINTS {
        return Err(OpsError::TooLarge {
            what: "--lorenz-points",
            given: n.to_string(),
            max: MAX_LORENZ_POINTS as u64,
            why: "1001 points already give every 0.1% of people",
        });
    }
    Ok(n.max(2))
}

pub fn page(n: u64) -> Result<(), OpsError> {
    if n > MAX_PAGE {
        return Err(OpsError::TooLarge {
            what: "a members page of",
            given: n.to_string(),
            max: MAX_PAGE,
            why: "page through the list with --offset, or use `carepath export --person-level` for the whole cohort",
        });
    }
    Ok(())
}

pub fn generated_people(n: u64) -> Result<(), OpsError> {
    if n > MAX_GENERATED_PEOPLE {
        return Err(OpsError::TooLarge {
            what: "--people",
            given: n.to_string(),
            max: MAX_GENERATED_PEOPLE,
            why: "twice Scotland's population is the largest benchmark scale",
        });
    }
    Ok(())
}
