//! `carepath hri`: the High Resource Individual picture for a year and level.
use super::cohort::{open_existing, HriLevelArg};
use super::output::{pounds, thousands, Format, TextTable};
use crate::store::cohort::{available_years, hri_picture, HriArea, HriPicture};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct HriArgs {
    /// Workspace file (default: sample-data/.carepath/workspace.duckdb)
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Financial year (e.g. 1920); default: the latest in the workspace
    #[arg(long)]
    pub year: Option<String>,
    /// Geography the HRIs are computed within
    #[arg(long, value_enum, default_value_t = HriLevelArg::Scotland)]
    pub level: HriLevelArg,
    /// Points on the Lorenz curve (21 = every 5% of people)
    #[arg(long, default_value_t = 21)]
    pub lorenz_points: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: &HriArgs) -> Result<i32> {
    let ws = open_existing(args.workspace.as_deref())?;
    let year = match &args.year {
        Some(y) => y.clone(),
        None => available_years(&ws.conn)?.pop().ok_or_else(|| anyhow::anyhow!("the workspace has no years loaded"))?,
    };
    let pic = hri_picture(&ws.conn, &year, args.level.into(), args.lorenz_points.max(2))?;
    let out = match args.format {
        Format::Json => serde_json::to_string_pretty(&pic)? + "\n",
        Format::Csv => render_csv(&pic),
        Format::Table => render_table(&pic),
    };
    print!("{out}");
    Ok(0)
}

fn pc(x: Option<f64>) -> String {
    x.map(|v| format!("{:.1}%", 100.0 * v)).unwrap_or_default()
}

fn persistence(a: &HriArea) -> String {
    match &a.persistence {
        Some(p) => format!("{} of {} ({})", thousands(p.remained as i64), thousands(p.previous_hri as i64), pc(p.share)),
        None => "n/a".into(),
    }
}

fn render_table(p: &HriPicture) -> String {
    let o = &p.overall;
    let mut s = format!(
        "High Resource Individuals, {} ({} level)\n\n\
         People:                 {}\n\
         HRIs:                   {} ({} of people)\n\
         HRI share of cost:      {} of {}\n\
         HRI share of acute bed days: {}\n\
         Gini of health cost:    {:.3}\n\
         Top 1% / 2% / 5% / 10% / 20% hold: {}\n\
         Persistence:            {}{}\n\n",
        crate::model::year::label(&p.year),
        format!("{:?}", p.level).to_lowercase(),
        thousands(o.people as i64),
        thousands(o.hri_people as i64),
        pc(o.hri_share_of_people),
        pc(o.hri_share_of_cost),
        pounds(o.health_cost),
        pc(o.hri_share_of_acute_beddays),
        o.gini,
        o.top_shares.iter().map(|t| format!("{:.1}%", 100.0 * t.share_of_cost)).collect::<Vec<_>>().join(" / "),
        persistence(o),
        o.persistence
            .as_ref()
            .map(|x| format!(" HRIs in {} still HRIs ({} died)", crate::model::year::label(&x.previous_year), x.died))
            .unwrap_or_default(),
    );
    s.push_str("Bands\n");
    let mut t = TextTable::new(&["band", "people", "% people", "% cost", "% acute bed days"]);
    for b in &o.bands {
        t.row(vec![b.band.clone(), thousands(b.people as i64), pc(b.share_of_people), pc(b.share_of_cost), pc(b.share_of_acute_beddays)]);
    }
    s.push_str(&t.render());
    s.push_str("\nLorenz curve of health cost (people cheapest first)\n");
    let mut t = TextTable::new(&["% people", "% cost"]);
    for (x, y) in &o.lorenz {
        t.row(vec![format!("{:.0}%", 100.0 * x), format!("{:.1}%", 100.0 * y)]);
    }
    s.push_str(&t.render());
    if !p.areas.is_empty() {
        s.push_str("\nBy area\n");
        let mut t = TextTable::new(&["area", "people", "HRIs", "% people", "% cost", "% acute bed days", "Gini", "persistence"]);
        for a in &p.areas {
            t.row(vec![
                a.area_name.clone(),
                thousands(a.people as i64),
                thousands(a.hri_people as i64),
                pc(a.hri_share_of_people),
                pc(a.hri_share_of_cost),
                pc(a.hri_share_of_acute_beddays),
                format!("{:.3}", a.gini),
                persistence(a),
            ]);
        }
        s.push_str(&t.render());
    }
    s
}

fn render_csv(p: &HriPicture) -> String {
    let f = |x: Option<f64>| x.map(|v| format!("{v:.6}")).unwrap_or_default();
    let mut s = String::from(
        "area,area_name,people,hri_people,hri_share_of_people,hri_share_of_cost,hri_share_of_acute_beddays,gini,previous_hri,remained,persistence\n",
    );
    for a in std::iter::once(&p.overall).chain(&p.areas) {
        let (prev, rem, share) = match &a.persistence {
            Some(x) => (x.previous_hri.to_string(), x.remained.to_string(), f(x.share)),
            None => Default::default(),
        };
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{:.6},{prev},{rem},{share}\n",
            crate::analysis::disclosure::neutralise(&a.area),
            crate::analysis::disclosure::neutralise(&a.area_name),
            a.people,
            a.hri_people,
            f(a.hri_share_of_people),
            f(a.hri_share_of_cost),
            f(a.hri_share_of_acute_beddays),
            a.gini
        ));
    }
    s
}
