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

/// Nodes listed in one pathway tree (a screen shows a few dozen; the rest are counted as unlisted).
pub const MAX_PATH_NODES: usize = 2000;

/// Days of a pathway or time-to-event window, and the depth of a pathway.
pub fn pathway_window(days: u32, depth: u8, nodes: usize) -> Result<(), OpsError> {
    use crate::model::pathways::{MAX_DEPTH, MAX_WINDOW_DAYS};
    if days > MAX_WINDOW_DAYS {
        return Err(OpsError::TooLarge { what: "a pathway window of days:", given: days.to_string(), max: MAX_WINDOW_DAYS as u64, why: "ten years covers any extract" });
    }
    if depth == 0 || depth > MAX_DEPTH {
        return Err(OpsError::TooLarge { what: "--depth", given: depth.to_string(), max: MAX_DEPTH as u64, why: "pathways are shown up to 5 steps (and at least 1)" });
    }
    if nodes > MAX_PATH_NODES {
        return Err(OpsError::TooLarge { what: "--max-paths", given: nodes.to_string(), max: MAX_PATH_NODES as u64, why: "a tree larger than this cannot be read; narrow the cohort or lower --depth" });
    }
    Ok(())
}

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
