//! `carepath timeline`: one person's anonymised care pathway (table, JSON or CSV of events).
use super::output::{emit, pounds, Format, TextTable};
use super::workspace::WorkspaceArg;
use crate::model::timeline::{DateMode, DateOut, IndexChoice, Timeline, TimelineView};
use crate::ops::{self, Answer, Query};
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexArg {
    /// Day 0 = the person's first event
    First,
    /// Day 0 = the start of the first emergency admission
    FirstEmergency,
    /// Day 0 = 1 April of the first financial year the person was an HRI (Scotland)
    BecameHri,
}

impl From<IndexArg> for IndexChoice {
    fn from(a: IndexArg) -> IndexChoice {
        match a {
            IndexArg::First => IndexChoice::First,
            IndexArg::FirstEmergency => IndexChoice::FirstEmergency,
            IndexArg::BecameHri => IndexChoice::BecameHri,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatesArg {
    /// Days relative to the index event (anonymised; the default)
    Relative,
    /// Calendar dates (only when you are allowed to see them)
    Calendar,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub ws: WorkspaceArg,
    /// The person's display pseudonym (e.g. P000123, as `carepath cohort --members` shows)
    #[arg(long)]
    pub person: String,
    /// Which event is day 0
    #[arg(long, value_enum, default_value = "first")]
    pub index: IndexArg,
    /// Relative days (default) or calendar dates
    #[arg(long, value_enum, default_value = "relative")]
    pub dates: DatesArg,
    /// Output format (csv: one row per event)
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub fn run(args: &TimelineArgs) -> Result<i32> {
    let ctx = args.ws.open()?;
    let Answer::Timeline(t) = ops::run(&Query::Timeline { person: args.person.clone() }, &ctx)? else {
        bail!("unexpected answer to a timeline query")
    };
    let mode = match args.dates {
        DatesArg::Relative => DateMode::Relative,
        DatesArg::Calendar => DateMode::Calendar,
    };
    let view = t.view(args.index.into(), mode);
    match args.format {
        Format::Json => emit(&(serde_json::to_string_pretty(&view)? + "\n")),
        Format::Csv => emit(&render_csv(&view)),
        Format::Table => emit(&render_table(&t, &view)),
    }
    Ok(0)
}

pub use crate::format::short_id;

fn date_text(d: &Option<DateOut>) -> String {
    d.as_ref().map(DateOut::text).unwrap_or_default()
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// The human-readable timeline: header, events (journeys numbered), journeys, years, LTCs, death.
pub fn render_table(t: &Timeline, v: &TimelineView) -> String {
    let mut s = String::new();
    let p = &v.person;
    let sex = match p.sex.as_deref() {
        Some("F") => "female",
        Some("M") => "male",
        _ => "sex unknown",
    };
    let age = match (p.age_at_index, &p.age_band_at_index) {
        (Some(a), Some(b)) => format!("age {a} at day 0 ({b})"),
        _ => "age unknown".to_string(),
    };
    let mut head = format!("person {}  {sex}  {age}", short_id(&p.id));
    if let Some(q) = p.simd_quintile {
        head.push_str(&format!("  SIMD quintile {q}"));
    }
    if let Some(c) = &p.council {
        head.push_str(&format!("  {c}"));
    }
    head.push_str(&format!("  LTCs {}", p.ltc_count));
    s.push_str(&head);
    s.push('\n');
    let ix = &v.index.point;
    let dates = match v.dates {
        DateMode::Relative => "days relative to day 0; --dates calendar shows dates".to_string(),
        DateMode::Calendar => format!("calendar dates; day 0 is {}", v.index.at.clone().unwrap_or_default()),
    };
    s.push_str(&format!("day 0 = {}  ({dates})\n", ix.label));
    if let Some(n) = &ix.note {
        s.push_str(&format!("note: {n}\n"));
    }
    let day_head = if v.dates == DateMode::Relative { ["start day", "end day"] } else { ["start", "end"] };

    s.push_str(&format!("\nEvents ({}, total cost {})\n", v.events.len(), pounds(v.total_cost)));
    if v.events.is_empty() {
        s.push_str("  no recorded service use\n");
    } else {
        let mut tt = TextTable::new(&[day_head[0], day_head[1], "days", "service", "journey", "cost", "details"]);
        for e in &v.events {
            let ev = &e.event;
            let end = if ev.ongoing { "ongoing".to_string() } else { date_text(&e.end) };
            tt.row(vec![
                date_text(&e.start),
                end,
                ev.length_of_stay.map(num).unwrap_or_default(),
                format!("{} {}", ev.recid, e.service.name),
                ev.journey.map(|j| j.to_string()).unwrap_or_default(),
                pounds(ev.cost),
                e.details.join("; "),
            ]);
        }
        s.push_str(&indent(&tt.render()));
    }

    if !v.journeys.is_empty() {
        s.push_str("\nContinuous inpatient journeys\n");
        let mut tt =
            TextTable::new(&["#", day_head[0], day_head[1], "nights", "path", "cost", "delayed days", "details"]);
        for j in &v.journeys {
            let jj = &j.journey;
            let mut d = Vec::new();
            if jj.emergency {
                d.push("emergency".to_string());
            } else if jj.elective {
                d.push("elective".to_string());
            }
            if jj.via_ae {
                d.push("admitted via A&E".to_string());
            }
            if let (Some(a), Some(b)) = (&jj.admission_specialty, &jj.discharge_specialty) {
                let name = |c: &str| {
                    crate::model::timeline::specialty_name(c).map(str::to_string).unwrap_or_else(|| c.to_string())
                };
                if a == b {
                    d.push(name(a));
                } else {
                    d.push(format!("{} -> {}", name(a), name(b)));
                }
            }
            if let Some(dx) = &jj.main_diagnosis {
                match crate::model::timeline::icd10_chapter(dx) {
                    Some(c) => d.push(format!("main diagnosis {dx} (Ch. {} {})", c.chapter, c.short_name)),
                    None => d.push(format!("main diagnosis {dx}")),
                }
            }
            for &k in &jj.delays {
                if let Some(e) = t.events.get(k) {
                    let code = if e.code9 {
                        format!("Code 9 {}", e.delay_reason_secondary.clone().unwrap_or_default())
                    } else {
                        e.delay_reason.clone().unwrap_or_default()
                    };
                    d.push(format!("delay {} days, reason {}", num(e.beddays), code.trim()));
                }
            }
            tt.row(vec![
                jj.number.to_string(),
                date_text(&j.start),
                if jj.end.is_none() { "ongoing".into() } else { date_text(&j.end) },
                jj.length_of_stay.map(|x| x.to_string()).unwrap_or_default(),
                jj.path.join(" -> "),
                pounds(jj.cost),
                num(jj.delayed_beddays),
                d.join("; "),
            ]);
        }
        s.push_str(&indent(&tt.render()));
    }

    s.push_str("\nYears\n");
    if v.years.is_empty() {
        s.push_str("  none\n");
    } else {
        let mut tt = TextTable::new(&[
            "year",
            "age",
            "health cost",
            "social care",
            "all costs",
            "emergency adm",
            "bed days",
            "DD days",
            "LTCs",
            "HRI band (Scot / board / council)",
        ]);
        for y in &v.years {
            let ys = &y.summary;
            let band = |b: &Option<String>| b.clone().unwrap_or_else(|| "-".into());
            tt.row(vec![
                ys.label.clone(),
                ys.age.map(|a| a.to_string()).unwrap_or_default(),
                pounds(ys.health_cost),
                pounds(ys.social_care_cost),
                pounds(ys.total_cost),
                ys.emergency_admissions.to_string(),
                num(ys.inpatient_beddays),
                num(ys.dd_beddays),
                ys.ltc_count.to_string(),
                format!(
                    "{} / {} / {}{}",
                    band(&ys.hri_scot_band),
                    band(&ys.hri_hb_band),
                    band(&ys.hri_lca_band),
                    if ys.died_in_year { "  (died this year)" } else { "" }
                ),
            ]);
        }
        s.push_str(&indent(&tt.render()));
    }

    if !v.ltc_onsets.is_empty() {
        s.push_str("\nLong-term conditions (first recorded)\n");
        let mut tt = TextTable::new(&[if v.dates == DateMode::Relative { "day" } else { "date" }, "condition"]);
        for l in &v.ltc_onsets {
            tt.row(vec![l.onset.text(), l.label.clone()]);
        }
        s.push_str(&indent(&tt.render()));
    }
    if let Some(d) = &p.death {
        let age = p.age_at_death.map(|a| format!(" (age {a})")).unwrap_or_default();
        let when = match d {
            DateOut::Relative(n) => format!("day {n}"),
            DateOut::Calendar(c) => c.clone(),
        };
        s.push_str(&format!("\nDied {when}{age}\n"));
    }
    s
}

fn indent(t: &str) -> String {
    t.lines().map(|l| format!("  {l}\n")).collect()
}

/// One row per event.
pub fn render_csv(v: &TimelineView) -> String {
    let mut s = String::from(
        "start,end,length_of_stay,recid,service,journey,cost,beddays,specialty,diagnosis,icd10_chapter,details\n",
    );
    for e in &v.events {
        let ev = &e.event;
        let cells = [
            date_text(&e.start),
            date_text(&e.end),
            ev.length_of_stay.map(num).unwrap_or_default(),
            ev.recid.clone(),
            e.service.name.clone(),
            ev.journey.map(|j| j.to_string()).unwrap_or_default(),
            format!("{:.2}", ev.cost),
            num(ev.beddays),
            ev.spec.clone().unwrap_or_default(),
            ev.diag1.clone().unwrap_or_default(),
            e.diagnosis.as_ref().and_then(|d| d.chapter.clone()).unwrap_or_default(),
            e.details.join("; "),
        ];
        s.push_str(&crate::format::csv_line(cells.iter()));
        s.push('\n');
    }
    s
}
