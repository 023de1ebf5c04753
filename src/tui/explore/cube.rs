//! The Cube screen's state: one measure of the cohort being built (in the explorer's year) by
//! a row dimension and optionally a column dimension, as a total, per person, per 1,000 or
//! standardised (`m`, `r`, `c`, `p` move to the next of each). The arrows move a cursor over
//! the grid; `o` sorts the rows by the cursor's column (largest first, then smallest first,
//! then the dimension's own order). Figures are the operations layer's (gated).
use crate::model::cohort::CohortSpec;
use crate::model::cube::{CubeFigures, CubeMeasure, CubeRate, CubeRequest, Standard};
use crate::model::dimension::Dimension;
use crate::ops::cube_tables::{cell_codes, grid, Grid, CELL, COL_TOTAL, GRID_VALUE, ROW_TOTAL};
use crate::ops::{Gated, Query};
use crate::tui::keys::Action;

/// The dimensions `r` and `c` offer (data zones are too many to read on a screen).
pub const DIMENSIONS: [Dimension; 13] = [
    Dimension::Council,
    Dimension::Hscp,
    Dimension::Locality,
    Dimension::GpPractice,
    Dimension::GpCluster,
    Dimension::Simd,
    Dimension::SimdDecile,
    Dimension::AgeBand,
    Dimension::Sex,
    Dimension::LtcCount,
    Dimension::HriBand,
    Dimension::UrbanRural,
    Dimension::Year,
];

pub const RATES: [CubeRate; 4] = [CubeRate::PerPerson, CubeRate::Per1000, CubeRate::Standardised, CubeRate::Total];

/// A cube cell's people as cohort filters (see [`CubeState::drill`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    /// One cohort TOML filter line per group of the cell ("not recorded" groups have none).
    pub filters: Vec<String>,
    /// The year of a `year` group.
    pub year: Option<String>,
    /// The groups' labels, for the status line.
    pub what: Vec<String>,
}

/// How the rows are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowOrder {
    #[default]
    Natural,
    Descending,
    Ascending,
}

#[derive(Debug, Clone, Default)]
pub struct CubeState {
    pub measure: usize,
    pub rows: usize,
    /// 0: no columns; k: `DIMENSIONS[k - 1]`.
    pub cols: usize,
    pub rate: usize,
    pub figures: Option<Gated<CubeFigures>>,
    pub asked: Option<CubeRequest>,
    /// The cursor: a row of the shown order and a column of the grid.
    pub row: usize,
    pub col: usize,
    pub order: RowOrder,
}

fn measures() -> &'static [CubeMeasure] {
    <CubeMeasure as clap::ValueEnum>::value_variants()
}

impl CubeState {
    pub fn measure(&self) -> CubeMeasure {
        let all = measures();
        // health cost first: the question a cube is most often opened for
        let start = all.iter().position(|m| *m == CubeMeasure::HealthCost).unwrap_or(0);
        all[(start + self.measure) % all.len()]
    }

    pub fn rows_dim(&self) -> Dimension {
        DIMENSIONS[self.rows % DIMENSIONS.len()]
    }

    pub fn cols_dim(&self) -> Option<Dimension> {
        self.cols.checked_sub(1).map(|k| DIMENSIONS[k % DIMENSIONS.len()])
    }

    pub fn rate(&self) -> CubeRate {
        RATES[self.rate % RATES.len()]
    }

    pub fn request(&self, spec: &CohortSpec) -> CubeRequest {
        // the whole population needs no cohort (the same people, a cheaper query)
        let cohort = (spec.enabled().count() > 0).then(|| spec.clone());
        CubeRequest {
            spec: cohort,
            year: spec.years.last().cloned(),
            measure: self.measure(),
            rows: self.rows_dim(),
            cols: self.cols_dim(),
            rate: self.rate(),
            standard: Standard::Esp2013,
            top: None,
        }
    }

    pub fn ask_if_changed(&mut self, spec: &CohortSpec) -> Option<Query> {
        let req = self.request(spec);
        if !super::asking::needs_asking(&mut self.asked, &mut self.figures, &req) {
            return None;
        }
        Some(Query::Cube(req))
    }

    pub fn on_answer(&mut self, g: Gated<CubeFigures>) {
        self.figures = Some(g);
        let (rows, cols) = self.grid().map(|g| (g.rows.len(), g.cols.len())).unwrap_or((1, 1));
        self.row = self.row.min(rows.saturating_sub(1));
        self.col = self.col.min(cols.saturating_sub(1));
    }

    pub fn forget(&mut self) {
        self.figures = None;
        self.asked = None;
    }

    pub fn on_action(&mut self, action: Action, spec: &CohortSpec) -> Option<Query> {
        let size = self.grid().map(|g| (g.rows.len(), g.cols.len()));
        // the cursor waits for a grid to move over
        if size.is_none() && matches!(action, Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom | Action::Right | Action::Left) {
            return None;
        }
        let (rows, cols) = size.unwrap_or((1, 1));
        match action {
            Action::NextMeasure => self.measure = (self.measure + 1) % measures().len(),
            Action::NextRows => {
                self.rows = (self.rows + 1) % DIMENSIONS.len();
                // rows and columns never the same dimension
                if self.cols_dim() == Some(self.rows_dim()) {
                    self.rows = (self.rows + 1) % DIMENSIONS.len();
                }
                self.row = 0;
            }
            Action::NextCols => {
                self.cols = (self.cols + 1) % (DIMENSIONS.len() + 1);
                if self.cols_dim() == Some(self.rows_dim()) {
                    self.cols = (self.cols + 1) % (DIMENSIONS.len() + 1);
                }
                self.col = 0;
            }
            Action::NextRate => self.rate = (self.rate + 1) % RATES.len(),
            Action::Sort => {
                self.order = match self.order {
                    RowOrder::Natural => RowOrder::Descending,
                    RowOrder::Descending => RowOrder::Ascending,
                    RowOrder::Ascending => RowOrder::Natural,
                };
                return None;
            }
            Action::Down => self.row = (self.row + 1).min(rows.saturating_sub(1)),
            Action::Up => self.row = self.row.saturating_sub(1),
            Action::PageDown => self.row = (self.row + 10).min(rows.saturating_sub(1)),
            Action::PageUp => self.row = self.row.saturating_sub(10),
            Action::Top => self.row = 0,
            Action::Bottom => self.row = rows.saturating_sub(1),
            Action::Right => self.col = (self.col + 1).min(cols.saturating_sub(1)),
            Action::Left => self.col = self.col.saturating_sub(1),
            _ => return None,
        }
        if matches!(action, Action::NextMeasure | Action::NextRows | Action::NextCols | Action::NextRate) {
            return self.ask_if_changed(spec);
        }
        None
    }

    /// What Enter on the cursor's cell narrows the cohort to: the filters (cohort TOML lines)
    /// of its row and column groups and, on a year, that year. None without a grid.
    pub fn drill(&self) -> Option<Drill> {
        let g = self.grid()?;
        let nt = self.figures.as_ref()?.tables.iter().find(|t| t.name == "cube")?;
        let (row, col) = (g.rows.get(self.row)?.clone(), g.cols.get(self.col)?.clone());
        let text = |r: usize, c: usize| match nt.table.rows.get(r).and_then(|x| x.get(c)) {
            Some(crate::analysis::disclosure::Cell::Text(s)) => s.clone(),
            _ => String::new(),
        };
        // a group's code from any published row of it (the codes are in the rows' keys)
        let code = |label: &str, label_col: usize, parts: [&str; 2], pick_col: bool| -> Option<String> {
            (0..nt.table.rows.len())
                .find(|&r| parts.contains(&text(r, 0).as_str()) && text(r, label_col) == label)
                .and_then(|r| nt.keys.get(r))
                .and_then(|k| cell_codes(k))
                .map(|(rc, cc)| if pick_col { cc } else { rc })
        };
        let mut d = Drill { filters: Vec::new(), year: None, what: Vec::new() };
        let mut add = |dim: Dimension, label: &str, key: Option<String>| {
            let Some(key) = key else { return };
            if dim == Dimension::Year {
                d.year = Some(key);
                d.what.push(label.to_string());
            } else if let Some(line) = dim.filter_toml(&key) {
                d.filters.push(line);
                d.what.push(label.to_string());
            }
        };
        if row != "total" {
            add(self.rows_dim(), &row, code(&row, 1, [CELL, ROW_TOTAL], false));
        }
        if let (Some(dim), true) = (self.cols_dim(), col != "total") {
            add(dim, &col, code(&col, 2, [CELL, COL_TOTAL], true));
        }
        Some(d)
    }

    /// The published cube as a grid of the figure asked for, rows in the chosen order (the
    /// total row stays last).
    pub fn grid(&self) -> Option<Grid> {
        let t = self.figures.as_ref()?.table("cube")?;
        let mut g = grid(t, GRID_VALUE);
        if self.order != RowOrder::Natural && g.rows.len() > 1 {
            let col = self.col.min(g.cols.len().saturating_sub(1));
            let last = g.rows.len() - 1;
            let mut idx: Vec<usize> = (0..last).collect();
            let key = |i: usize| g.cells[i].get(col).and_then(|s| s.replace(',', "").parse::<f64>().ok());
            idx.sort_by(|&a, &b| {
                // withheld and empty cells last either way
                match (key(a), key(b)) {
                    (Some(x), Some(y)) => {
                        let o = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
                        if self.order == RowOrder::Descending {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
            });
            idx.push(last);
            g.rows = idx.iter().map(|&i| g.rows[i].clone()).collect();
            g.cells = idx.iter().map(|&i| g.cells[i].clone()).collect();
        }
        Some(g)
    }
}
