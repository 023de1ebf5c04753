//! Services and places: the views of one kind of service across people and areas (delayed
//! discharge, unscheduled care, the resource cube), each one grouped query over
//! `event` and `person_year` for a year and a cohort.
pub mod cube;
pub mod delays;
pub mod dimension;
pub mod socialcare;
pub mod unscheduled;

pub use cube::cube;
pub use delays::delays;
pub use socialcare::socialcare;
pub use unscheduled::unscheduled;
