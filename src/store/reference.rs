//! Code lists compiled in from `assets/` become small tables in every workspace, so names of
//! councils, boards, partnerships, services and LTCs are there without any lookup file.
use crate::model::{geography, ltc, service};
use anyhow::Result;
use duckdb::{params, Connection};

pub fn ensure_reference_tables(conn: &Connection) -> Result<()> {
    let have: i64 = conn.query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ref_council' AND database_name = current_database()",
        [],
        |r| r.get(0),
    )?;
    if have > 0 {
        return Ok(());
    }
    conn.execute_batch(
        "CREATE TABLE ref_council (lca VARCHAR PRIMARY KEY, ca2019 VARCHAR, council_name VARCHAR,
             sending_location VARCHAR, hscp2019 VARCHAR, hb2019 VARCHAR);
         CREATE TABLE ref_board (hb2019 VARCHAR PRIMARY KEY, board_name VARCHAR);
         CREATE TABLE ref_hscp (hscp2019 VARCHAR PRIMARY KEY, hscp_name VARCHAR);
         CREATE TABLE ref_service (recid VARCHAR PRIMARY KEY, service_name VARCHAR, in_health_cost BOOLEAN, is_interval BOOLEAN);
         CREATE TABLE ref_ltc (ltc VARCHAR PRIMARY KEY, label VARCHAR, ltc_group VARCHAR, position INTEGER);
         CREATE TABLE ref_unit_cost (item VARCHAR PRIMARY KEY, unit VARCHAR, cost_gbp DOUBLE, note VARCHAR);",
    )?;
    for c in geography::councils() {
        conn.execute(
            "INSERT INTO ref_council VALUES (?, ?, ?, ?, ?, ?)",
            params![c.lca, c.ca2019, c.name, c.sending_location, c.hscp2019, c.hb2019],
        )?;
    }
    for b in geography::boards() {
        conn.execute("INSERT INTO ref_board VALUES (?, ?)", params![b.hb2019, b.name])?;
    }
    for p in geography::partnerships() {
        conn.execute("INSERT INTO ref_hscp VALUES (?, ?)", params![p.hscp2019, p.name])?;
    }
    for s in service::SERVICES.iter() {
        conn.execute(
            "INSERT INTO ref_service VALUES (?, ?, ?, ?)",
            params![s.recid, s.name, s.in_health_cost, s.interval],
        )?;
    }
    for (i, l) in ltc::ltcs().iter().enumerate() {
        conn.execute("INSERT INTO ref_ltc VALUES (?, ?, ?, ?)", params![l.code, l.label, l.group, i as i64 + 1])?;
    }
    for r in crate::model::codes::rows(include_str!("../../assets/unit_costs.csv")) {
        let cost: f64 = r[2].parse().unwrap_or(0.0);
        conn.execute("INSERT INTO ref_unit_cost VALUES (?, ?, ?, ?)", params![r[0], r[1], cost, r[3]])?;
    }
    Ok(())
}
