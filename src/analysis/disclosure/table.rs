//! The table model the disclosure gate works on: a grid of cells plus the additive relations
//! ("groups") an outsider could subtract along. The cohort code fills it with raw counts; only
//! [`super::apply`] turns it into something publishable.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a suppressed cell prints as. "*" rather than "<10": a secondary (complementary)
/// suppression can hide a large count, so "<10" would be false for it and would also tell the
/// reader which cells were the primary ones.
pub const MARKER: &str = "*";

/// Position of a cell: row and column index, both 0-based, header not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellRef {
    pub row: usize,
    pub col: usize,
}

/// Shorthand for `CellRef { row, col }`.
pub const fn at(row: usize, col: usize) -> CellRef {
    CellRef { row, col }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// A number of people (or of anything that identifies people: stays, admissions).
    Count(u64),
    /// A figure computed from a count: a percentage, a mean, a cost per person.
    Derived(Derived),
    /// A label. Never suppressed; neutralised when written to CSV.
    Text(String),
    /// Nothing to show (not the same as 0).
    Empty,
    /// Withheld by the disclosure gate; renders as [`MARKER`].
    Suppressed,
}

/// A figure computed from a count. It is withheld whenever the count it names is withheld,
/// because figure + denominator would give the count back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    pub value: f64,
    /// Decimal places when rendered.
    pub decimals: u8,
    /// The count this figure is computed from.
    pub of: CellRef,
    /// Set for percentages, so that rounding can recompute them from the published counts
    /// (a percentage of the raw count would undo the rounding).
    #[serde(default)]
    pub ratio: Option<Ratio>,
}

/// How a percentage is computed from `of` and a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ratio {
    /// 100 * of / base (share of a group, % remaining).
    Percent(Base),
    /// 100 * (of - base) / base (% change from the previous attrition step).
    PercentChange(Base),
}

/// The denominator of a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// A count in this table (if it is withheld, the percentage is withheld too).
    Cell(CellRef),
    /// A count published elsewhere (e.g. the cohort size in a heading).
    Known(u64),
}

/// A member of an additive relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Member {
    /// A count cell of this table.
    Cell(CellRef),
    /// A count published elsewhere; the gate cannot withhold it, but a reader knows it.
    Known(u64),
    /// A count that is not shown but follows from the others (the people a filter removed,
    /// an "unknown" category left out). Protected if it is small.
    Hidden(u64),
}

/// `total = sum(parts)`: a breakdown and its total, a row and its row total, or one attrition
/// step (previous = remaining + removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub total: Member,
    pub parts: Vec<Member>,
}

impl Group {
    /// Total first, then parts.
    pub fn members(&self) -> impl Iterator<Item = (bool, &Member)> {
        std::iter::once((true, &self.total)).chain(self.parts.iter().map(|m| (false, m)))
    }
}

/// Rows x columns of cells plus the relations between them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Relations a reader could subtract along. [`super::apply`] returns a table without them
    /// (they can hold hidden counts).
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// Why a table cannot be checked. [`super::apply`] fails closed on these (withholds every
/// number), so a wrong relation never leaks a count.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("row {row} has {len} cells but the table has {expected} columns")]
    Ragged { row: usize, len: usize, expected: usize },
    #[error("cell (row {}, column {}) is outside the table", .0.row, .0.col)]
    OutOfRange(CellRef),
    #[error("cell (row {}, column {}) is not a count", .0.row, .0.col)]
    NotACount(CellRef),
    #[error("group {group}: parts sum to {parts} but the total is {total}")]
    Sum { group: usize, total: u64, parts: u64 },
    #[error("attrition step at row {row}: more people remain than before")]
    Increasing { row: usize },
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Table { columns: columns.into_iter().map(Into::into).collect(), ..Default::default() }
    }

    /// Append a row; returns its index.
    pub fn push_row(&mut self, cells: Vec<Cell>) -> usize {
        self.rows.push(cells);
        self.rows.len() - 1
    }

    pub fn get(&self, r: CellRef) -> Option<&Cell> {
        self.rows.get(r.row)?.get(r.col)
    }

    /// The count at `r`, if that cell is a count.
    pub fn count(&self, r: CellRef) -> Option<u64> {
        match self.get(r)? {
            Cell::Count(n) => Some(*n),
            _ => None,
        }
    }

    pub fn add_group(&mut self, total: Member, parts: Vec<Member>) {
        self.groups.push(Group { total, parts });
    }

    /// Cells `cols` of `row` sum to `total` (often the row's own total cell).
    pub fn group_in_row(&mut self, row: usize, cols: impl IntoIterator<Item = usize>, total: Member) {
        let parts = cols.into_iter().map(|c| Member::Cell(at(row, c))).collect();
        self.add_group(total, parts);
    }

    /// Cells `rows` of `col` sum to `total` (often a total row, or the cohort count).
    pub fn group_in_column(&mut self, col: usize, rows: impl IntoIterator<Item = usize>, total: Member) {
        let parts = rows.into_iter().map(|r| Member::Cell(at(r, col))).collect();
        self.add_group(total, parts);
    }

    /// An attrition list in column `col`: each listed row's count is the previous one minus the
    /// people that step removed, so each step becomes `previous = this + Hidden(removed)`.
    pub fn add_attrition(&mut self, col: usize, rows: &[usize]) -> Result<(), TableError> {
        for w in rows.windows(2) {
            let (prev, this) = (at(w[0], col), at(w[1], col));
            let p = self.count_or_err(prev)?;
            let t = self.count_or_err(this)?;
            let removed = p.checked_sub(t).ok_or(TableError::Increasing { row: w[1] })?;
            self.add_group(Member::Cell(prev), vec![Member::Cell(this), Member::Hidden(removed)]);
        }
        Ok(())
    }

    /// A percentage cell computed from the counts now in the table (NaN if the base is 0).
    pub fn percent(&self, of: CellRef, base: Base, decimals: u8) -> Cell {
        let ratio = Ratio::Percent(base);
        let value = ratio_value(ratio, self.count(of).unwrap_or(0), self.base_value(base));
        Cell::Derived(Derived { value, decimals, of, ratio: Some(ratio) })
    }

    /// A % change cell (from `base` to `of`), e.g. an attrition step.
    pub fn percent_change(&self, of: CellRef, base: Base, decimals: u8) -> Cell {
        let ratio = Ratio::PercentChange(base);
        let value = ratio_value(ratio, self.count(of).unwrap_or(0), self.base_value(base));
        Cell::Derived(Derived { value, decimals, of, ratio: Some(ratio) })
    }

    pub(crate) fn base_value(&self, base: Base) -> u64 {
        match base {
            Base::Cell(r) => self.count(r).unwrap_or(0),
            Base::Known(n) => n,
        }
    }

    fn count_or_err(&self, r: CellRef) -> Result<u64, TableError> {
        match self.get(r) {
            None => Err(TableError::OutOfRange(r)),
            Some(Cell::Count(n)) => Ok(*n),
            Some(_) => Err(TableError::NotACount(r)),
        }
    }

    /// Check shape, references and sums. Cells already [`Cell::Suppressed`] may sit in a group
    /// (value unknown, so that group's sum is not checked).
    pub fn validate(&self) -> Result<(), TableError> {
        let width = self.columns.len();
        for (row, cells) in self.rows.iter().enumerate() {
            if cells.len() != width {
                return Err(TableError::Ragged { row, len: cells.len(), expected: width });
            }
        }
        for row in &self.rows {
            for cell in row {
                if let Cell::Derived(d) = cell {
                    self.count_like(d.of)?;
                    if let Some(Ratio::Percent(Base::Cell(b)) | Ratio::PercentChange(Base::Cell(b))) = d.ratio {
                        self.count_like(b)?;
                    }
                }
            }
        }
        for (gi, g) in self.groups.iter().enumerate() {
            let value = |m: &Member| -> Result<Option<u64>, TableError> {
                match *m {
                    Member::Cell(r) => self.count_like(r),
                    Member::Known(n) | Member::Hidden(n) => Ok(Some(n)),
                }
            };
            let total = value(&g.total)?;
            let mut sum: Option<u64> = Some(0);
            for p in &g.parts {
                let v = value(p)?;
                sum = match (sum, v) {
                    (Some(s), Some(v)) => Some(s.saturating_add(v)),
                    _ => None,
                };
            }
            if let (Some(total), Some(parts)) = (total, sum) {
                if total != parts {
                    return Err(TableError::Sum { group: gi, total, parts });
                }
            }
        }
        Ok(())
    }

    /// Some(n) for a count, None for an already-suppressed cell, error otherwise.
    fn count_like(&self, r: CellRef) -> Result<Option<u64>, TableError> {
        match self.get(r) {
            None => Err(TableError::OutOfRange(r)),
            Some(Cell::Count(n)) => Ok(Some(*n)),
            Some(Cell::Suppressed) => Ok(None),
            Some(_) => Err(TableError::NotACount(r)),
        }
    }
}

pub(crate) fn ratio_value(ratio: Ratio, of: u64, base: u64) -> f64 {
    let (of, base) = (of as f64, base as f64);
    match ratio {
        Ratio::Percent(_) => 100.0 * of / base,
        Ratio::PercentChange(_) => 100.0 * (of - base) / base,
    }
}

impl Cell {
    /// The text a reader sees. Non-finite derived figures (0/0) show as empty.
    pub fn render(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Derived(d) => render_number(d.value, d.decimals),
            Cell::Text(s) => s.clone(),
            Cell::Empty => String::new(),
            Cell::Suppressed => MARKER.to_string(),
        }
    }

    /// JSON for a published cell: numbers as numbers, suppressed as the marker string.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Cell::Count(n) => Value::from(*n),
            Cell::Derived(d) => match render_number(d.value, d.decimals).parse::<f64>() {
                Ok(v) => serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null),
                Err(_) => Value::Null,
            },
            Cell::Text(s) => Value::from(s.as_str()),
            Cell::Empty => Value::Null,
            Cell::Suppressed => Value::from(MARKER),
        }
    }
}

/// Fixed decimals, no "-0.0" (a tiny negative rounding to zero is just zero).
fn render_number(v: f64, decimals: u8) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let s = format!("{:.*}", decimals as usize, v);
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attrition_builds_hidden_differences() {
        let mut t = Table::new(["step", "remaining"]);
        for (s, n) in [("all", 100), ("65+", 40), ("COPD", 37)] {
            t.push_row(vec![Cell::Text(s.into()), Cell::Count(n)]);
        }
        t.add_attrition(1, &[0, 1, 2]).unwrap();
        assert_eq!(t.groups[1].parts[1], Member::Hidden(3));
        assert!(t.validate().is_ok());
    }

    #[test]
    fn validate_rejects_wrong_sum_and_bad_refs() {
        let mut t = Table::new(["a", "b", "total"]);
        t.push_row(vec![Cell::Count(1), Cell::Count(2), Cell::Count(4)]);
        t.group_in_row(0, [0, 1], Member::Cell(at(0, 2)));
        assert!(matches!(t.validate(), Err(TableError::Sum { .. })));
        t.groups[0].total = Member::Cell(at(0, 9));
        assert!(matches!(t.validate(), Err(TableError::OutOfRange(_))));
    }

    #[test]
    fn renders_numbers_without_negative_zero() {
        assert_eq!(render_number(-0.04, 1), "0.0");
        assert_eq!(render_number(-2.5, 1), "-2.5");
        assert_eq!(render_number(f64::NAN, 1), "");
    }
}
