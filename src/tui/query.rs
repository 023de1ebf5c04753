//! What the explorer asks of the operations layer (`ops::Query`) and what comes back: the
//! worker runs `Query` values through `ops::run`, where disclosure control, audit and display
//! pseudonyms happen; the explorer never talks to the store itself.
use super::worker::{Failure, Slot, Work};
use crate::ops::{self, Answer, Context, OpsError, Progress, Query};

/// An answer or a progress report from the worker.
#[derive(Debug, Clone)]
pub enum Data {
    Progress(Progress),
    Answer(Box<Answer>),
}

/// Which slot a query waits in: a newer query of the same slot replaces a waiting older one.
pub fn slot(q: &Query) -> Slot {
    match q {
        Query::Load { .. } => Slot::Load,
        Query::Overview { .. } => Slot::Overview,
        Query::Years => Slot::Other,
        Query::Attrition { .. } | Query::Cohort { .. } => Slot::Cohort,
        Query::Characterise { .. } => Slot::Characterise,
        Query::Members { .. } => Slot::Members,
        Query::Timeline { .. } => Slot::Timeline,
        Query::Export(_) => Slot::Export,
        Query::SaveSpec { .. } | Query::OpenSpec { .. } => Slot::Spec,
        Query::SetDisclosure(_) => Slot::Settings,
        Query::Pathways(_) | Query::PathwayMembers { .. } => Slot::Pathways,
        Query::TimeTo(_) => Slot::TimeTo,
        Query::Delays(_) => Slot::Delays,
        Query::Spc(_) => Slot::Spc,
        Query::Cube(_) => Slot::Cube,
        Query::Compare(_) | Query::OpenComparison { .. } => Slot::Compare,
        Query::Unscheduled(_) => Slot::Unscheduled,
        Query::SocialCare(_) => Slot::SocialCare,
        Query::Project(_) => Slot::Projection,
        _ => Slot::Other,
    }
}

/// How an operations error reaches the explorer: cancelled is its own case (typed, not text).
pub fn failure(e: OpsError) -> Failure {
    match e {
        OpsError::Cancelled => Failure::Cancelled,
        other => Failure::Failed(crate::format::strip_controls(&other.to_string())),
    }
}

impl Work<Context> for Query {
    type Answer = Data;

    fn slot(&self) -> Slot {
        slot(self)
    }

    fn run(self, ctx: &Context, progress: &dyn Fn(Data)) -> Result<Data, Failure> {
        ops::run_with_progress(&self, ctx, &|p| progress(Data::Progress(p))).map(|a| Data::Answer(Box::new(a))).map_err(failure)
    }

    fn writes_workspace(&self) -> bool {
        matches!(self, Query::Load { .. })
    }
}
