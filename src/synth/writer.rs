//! Orchestration and file output: chunked simulation on two threads, ordered CSV streams,
//! HRI columns, and DuckDB conversion of CSV to Parquet with explicit column types.
use super::chi::ChiAllocator;
use super::date::{from_ymd, fy_end, fy_start, Day};
use super::geography::Geography;
use super::hri::{self, HriIn};
use super::layout::{self, Cols};
use super::person::{self, Span};
use super::rng::{derive, Rng};
use super::full::Assembler;
use super::chunk::{ChunkOut, Ctx, FullCtx};
use super::rows;
use super::options::{ExtractOptions, FileFormat, GenerateOptions, GenerateSummary, Layout};
use crate::model::year::FinYear;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

const CHUNK: u64 = 4096;
const SC2: [(&str, Cols); 7] = [
    ("sc2-demographics", layout::SC2_DEMOGRAPHICS),
    ("sc2-client", layout::SC2_CLIENT),
    ("sc2-homecare", layout::SC2_HOMECARE),
    ("sc2-carehome", layout::SC2_CAREHOME),
    ("sc2-sds", layout::SC2_SDS),
    ("sc2-equipment", layout::SC2_EQUIPMENT),
    ("sc2-iorn", layout::SC2_IORN),
];

struct OutFile {
    /// Where the rows stream to now (final CSV, or a temporary CSV).
    stream: PathBuf,
    /// Final path.
    path: PathBuf,
    cols: Cols,
    parquet: bool,
    w: BufWriter<File>,
}

fn open(stream: &Path) -> Result<BufWriter<File>> {
    let f = File::create(stream).with_context(|| format!("cannot create {}", stream.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

/// The (episode, individual without HRI) column lists of a layout, and the full-layout
/// assemblers (None for the core layout).
fn slf_layouts(extract: &ExtractOptions) -> Result<(Cols, Cols, Option<FullCtx>)> {
    if extract.layout == Layout::Core {
        if extract.hbrescode_only {
            bail!("--hbrescode-only needs the full layout (--layout full)");
        }
        return Ok((layout::EPISODE, layout::INDIVIDUAL, None));
    }
    let drop: &[&str] = if extract.hbrescode_only { &["hb2019"] } else { &[] };
    let hri: Vec<&str> = layout::HRI.iter().map(|(n, _)| *n).collect();
    let ep = super::published::without(super::published::episode(), drop);
    let mut ind_drop = hri.clone();
    ind_drop.extend_from_slice(drop);
    let ind = super::published::without(super::published::individual(), &ind_drop);
    // the published individual file ends with the six HRI columns, which are appended last
    let tail: Vec<&str> = super::published::individual().iter().rev().take(hri.len()).rev().map(|(n, _)| *n).collect();
    if tail != hri {
        bail!("generator: the published individual layout does not end with the HRI columns");
    }
    let fc = FullCtx::new(Assembler::new(layout::EPISODE, ep, drop)?, Assembler::new(layout::INDIVIDUAL, ind, drop)?);
    Ok((ep, ind, Some(fc)))
}

pub fn run(opts: &GenerateOptions, extract: &ExtractOptions) -> Result<GenerateSummary> {
    if opts.people == 0 {
        bail!("--people must be at least 1");
    }
    let mut years: Vec<FinYear> = Vec::new();
    for y in &opts.years {
        match FinYear::parse(y) {
            Some(f) => years.push(f),
            None => bail!("invalid financial year {y:?} (expected e.g. 1920)"),
        }
    }
    years.sort();
    years.dedup();
    if years.is_empty() {
        bail!("at least one financial year is needed");
    }
    let csv_years: Vec<i32> = opts.csv_years.iter().filter_map(|y| FinYear::parse(y)).map(|f| f.start).collect();
    let fys: Vec<i32> = years.iter().map(|y| y.start).collect();
    let (first, last) = (fys[0], fys[fys.len() - 1]);
    let span = Span { start: fy_start(first), end: fy_end(last), first_fy: first, last_fy: last };
    std::fs::create_dir_all(&opts.out).with_context(|| format!("cannot create {}", opts.out.display()))?;
    let tmp = opts.out.join(".carepath-generate-tmp");
    std::fs::create_dir_all(&tmp)?;
    let geo = Geography::build(opts.seed);
    let hospital_by_council: Vec<String> = (0..32).map(|ci| format!("H{:03}", ci)).collect();
    let extract_date = from_ymd(last + 1, 6, 30);
    let (ep_cols, ind_cols, full) = slf_layouts(extract)?;
    let lookup_areas = geo.postcode_areas();
    let ctx = Ctx { seed: opts.seed, span, years: fys.clone(), geo, extract_date, hospital_by_council, lookup_areas, full };
    let ctx = fix_hospitals(ctx);

    // 1. dates of birth, sexes and unique CHIs, in person order
    let mut alloc = ChiAllocator::new();
    let mut demo: Vec<(Day, u8, [u8; 10])> = Vec::with_capacity(opts.people as usize);
    for idx in 0..opts.people {
        let (mut dob, sex) = person::dob_and_sex(opts.seed, idx, &ctx.span);
        let chi = loop {
            if let Some(c) = alloc.allocate(dob, sex) {
                break c;
            }
            dob -= 1;
        };
        let mut c = [0u8; 10];
        c.copy_from_slice(chi.as_bytes());
        demo.push((dob, sex, c));
    }
    drop(alloc);

    // 2. output streams
    let gz = extract.gzip_csv;
    let ext = |parquet: bool| if parquet { "parquet" } else if gz { "csv.gz" } else { "csv" };
    let mut files: Vec<OutFile> = Vec::new();
    let is_parquet = |fy: Option<i32>| opts.format == FileFormat::Parquet && fy.is_none_or(|y| !csv_years.contains(&y));
    for kind in ["episode", "individual"] {
        for (yi, y) in years.iter().enumerate() {
            let pq = is_parquet(Some(fys[yi]));
            let name = format!("source-{kind}-file-{}", y.code());
            let path = opts.out.join(format!("{name}.{}", ext(pq)));
            // the individual file always goes via a temporary CSV (HRI columns are added after)
            let stream = if pq || gz || kind == "individual" { tmp.join(format!("{name}.csv")) } else { path.clone() };
            let cols = if kind == "episode" { ep_cols } else { ind_cols };
            files.push(OutFile { w: open(&stream)?, stream, path, cols, parquet: pq });
        }
    }
    for (name, cols) in SC2 {
        let pq = is_parquet(None);
        let path = opts.out.join(format!("{name}.{}", ext(pq)));
        let stream = if pq || gz { tmp.join(format!("{name}.csv")) } else { path.clone() };
        files.push(OutFile { w: open(&stream)?, stream, path, cols, parquet: pq });
    }
    for f in files.iter_mut() {
        let mut h = Vec::new();
        super::csv::header(&mut h, f.cols);
        f.w.write_all(&h)?;
    }
    let mut rows_per_file = vec![0u64; files.len()];
    let ny = fys.len();
    let mut hri_in: Vec<Vec<HriIn>> = vec![Vec::new(); ny];
    let progress = opts.progress && std::io::stderr().is_terminal();
    let nchunks = opts.people.div_ceil(CHUNK);
    let mut last_pct = u64::MAX;
    let mut c = 0u64;
    while c < nchunks {
        let batch: Vec<u64> = (c..(c + 2).min(nchunks)).collect();
        let outs: Vec<Option<ChunkOut>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&ci| {
                    let ctx = &ctx;
                    let demo = &demo;
                    let people = opts.people;
                    s.spawn(move || simulate_chunk(ctx, demo, ci * CHUNK, ((ci + 1) * CHUNK).min(people)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().ok()).collect()
        });
        for o in outs {
            let Some(o) = o else { bail!("a generator thread failed") };
            for (i, b) in o.bufs.iter().enumerate() {
                files[i].w.write_all(b)?;
                rows_per_file[i] += o.rows[i];
            }
            for (y, v) in o.hri.into_iter().enumerate() {
                hri_in[y].extend(v);
            }
        }
        c += batch.len() as u64;
        if progress {
            let pct = c * 100 / nchunks;
            if pct != last_pct {
                last_pct = pct;
                let bar = "#".repeat((pct / 4) as usize);
                eprint!("\rgenerating [{bar:<25}] {pct:>3}% of {} people", opts.people);
            }
        }
    }
    if progress {
        eprintln!();
    }
    drop(demo);
    for f in files.iter_mut() {
        f.w.flush()?;
    }

    // 3. HRI columns on the individual files
    let mut jobs: Vec<(PathBuf, PathBuf, Cols)> = Vec::new();
    let mut individual_cols: Vec<(&str, &str)> = ind_cols.to_vec();
    individual_cols.extend_from_slice(layout::HRI);
    let individual_cols: Cols = Box::leak(individual_cols.into_boxed_slice());
    for (yi, _) in fys.iter().enumerate() {
        let f = &files[ny + yi];
        let out = hri::compute(&hri_in[yi]);
        hri_in[yi] = Vec::new();
        let dest = if f.parquet || gz { tmp.join(format!("hri-{}.csv", yi)) } else { f.path.clone() };
        let r = BufReader::with_capacity(1 << 20, File::open(&f.stream)?);
        let mut w = open(&dest)?;
        let mut line = Vec::new();
        for (i, l) in r.split(b'\n').enumerate() {
            let l = l?;
            line.clear();
            line.extend_from_slice(&l);
            if i == 0 {
                for (n, _) in layout::HRI {
                    line.push(b',');
                    line.extend_from_slice(n.as_bytes());
                }
            } else {
                let o = out.get(i - 1).copied().unwrap_or_default();
                hri::push_fields(&mut line, &o);
            }
            line.push(b'\n');
            w.write_all(&line)?;
        }
        w.flush()?;
        std::fs::remove_file(&f.stream)?;
        if f.parquet {
            jobs.push((dest, f.path.clone(), individual_cols));
        } else if gz {
            gzip_to(&dest, &f.path)?;
        }
    }
    for (i, f) in files.iter().enumerate() {
        if f.parquet && !(ny..2 * ny).contains(&i) {
            jobs.push((f.stream.clone(), f.path.clone(), f.cols));
        } else if gz && !f.parquet && !(ny..2 * ny).contains(&i) {
            gzip_to(&f.stream, &f.path)?;
        }
    }
    // 4. Parquet conversion on two threads (each a single-threaded DuckDB)
    convert(&jobs)?;
    for (csv, _, _) in &jobs {
        let _ = std::fs::remove_file(csv);
    }
    // the datazone lookup
    let lookup = opts.out.join("lookup-datazone-simd2020v2.csv");
    std::fs::write(&lookup, ctx.geo.lookup_csv())?;
    let _ = std::fs::remove_dir(&tmp);

    let mut summary = GenerateSummary::default();
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
        summary.files.push((f.path.clone(), rows_per_file[i], bytes));
    }
    let bytes = std::fs::metadata(&lookup).map(|m| m.len()).unwrap_or(0);
    summary.files.push((lookup, ctx.geo.datazones.len() as u64, bytes));
    Ok(summary)
}

/// Compress a temporary CSV into `dest` (gzip with a zero timestamp, so the bytes depend only
/// on the content) and remove the temporary file.
fn gzip_to(csv: &Path, dest: &Path) -> Result<()> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(csv).with_context(|| format!("cannot read {}", csv.display()))?);
    let w = open(dest)?;
    let mut gz = flate2::GzBuilder::new().mtime(0).write(w, flate2::Compression::new(6));
    std::io::copy(&mut r, &mut gz).with_context(|| format!("cannot write {}", dest.display()))?;
    gz.finish()?.flush()?;
    std::fs::remove_file(csv)?;
    Ok(())
}

fn fix_hospitals(mut ctx: Ctx) -> Ctx {
    let cs = crate::model::geography::councils();
    ctx.hospital_by_council = cs
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let letter = match c.hb2019.as_str() {
                "S08000015" => 'A',
                "S08000016" => 'B',
                "S08000017" => 'Y',
                "S08000019" => 'V',
                "S08000020" => 'N',
                "S08000022" => 'H',
                "S08000024" => 'S',
                "S08000025" => 'R',
                "S08000026" => 'Z',
                "S08000028" => 'W',
                "S08000029" => 'F',
                "S08000030" => 'T',
                "S08000031" => 'G',
                _ => 'L',
            };
            format!("{}{}H", letter, 101 + ci * 3)
        })
        .collect();
    ctx
}

fn simulate_chunk(ctx: &Ctx, demo: &[(Day, u8, [u8; 10])], from: u64, to: u64) -> ChunkOut {
    let mut out = ChunkOut::new(ctx.years.len());
    for idx in from..to {
        let (dob, sex, chi) = demo[idx as usize];
        let chi = String::from_utf8_lossy(&chi).into_owned();
        let mut rng = Rng::new(derive(ctx.seed, 3, idx));
        // the address quirks of the full layout come from the person's own stream
        let mut quirk = ctx.full.as_ref().map(|_| Rng::new(derive(ctx.seed, 5, idx)));
        let p = person::build(idx, dob, sex, chi, &ctx.span, &ctx.geo, &mut rng, quirk.as_mut());
        let h = super::health::simulate(&p, &ctx.span, &mut rng);
        let sl = p.dz.map(|d| ctx.geo.council(d).sending_location.as_str()).unwrap_or("");
        let sc = super::social_care::simulate(&p, &ctx.span, &h, sl, &mut rng);
        rows::write_person(ctx, &p, &h, &sc, &mut out);
    }
    out
}

fn columns_sql(cols: Cols) -> String {
    let inner: Vec<String> = cols.iter().map(|(n, t)| format!("'{n}': '{t}'")).collect();
    format!("{{{}}}", inner.join(", "))
}

fn sql_path(p: &Path) -> String {
    p.to_string_lossy().replace('\'', "''")
}

/// Convert each (csv, parquet) with its column types.
fn convert(jobs: &[(PathBuf, PathBuf, Cols)]) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let run = |part: Vec<&(PathBuf, PathBuf, Cols)>| -> Result<()> {
        let conn = duckdb::Connection::open_in_memory()?;
        conn.execute_batch(
            "SET threads = 1; SET preserve_insertion_order = true; SET memory_limit = '2GB'; \
             SET autoinstall_known_extensions = false; SET autoload_known_extensions = false;",
        )?;
        for (csv, pq, cols) in part {
            let _ = std::fs::remove_file(pq);
            let sql = format!(
                "COPY (SELECT * FROM read_csv('{}', header = true, auto_detect = false, delim = ',', \
                 quote = '\"', escape = '\"', nullstr = '', columns = {})) TO '{}' \
                 (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)",
                sql_path(csv),
                columns_sql(cols),
                sql_path(pq)
            );
            conn.execute_batch(&sql).with_context(|| format!("converting {} to Parquet", csv.display()))?;
        }
        Ok(())
    };
    // balance by size: biggest first, alternate
    let mut order: Vec<&(PathBuf, PathBuf, Cols)> = jobs.iter().collect();
    order.sort_by_key(|j| std::cmp::Reverse(std::fs::metadata(&j.0).map(|m| m.len()).unwrap_or(0)));
    let mut a = Vec::new();
    let mut b = Vec::new();
    let (mut sa, mut sb) = (0u64, 0u64);
    for j in order {
        let sz = std::fs::metadata(&j.0).map(|m| m.len()).unwrap_or(0);
        if sa <= sb {
            sa += sz;
            a.push(j);
        } else {
            sb += sz;
            b.push(j);
        }
    }
    std::thread::scope(|s| {
        let ha = s.spawn(|| run(a));
        let rb = run(b);
        let ra = ha.join().unwrap_or_else(|_| Err(anyhow::anyhow!("conversion thread failed")));
        ra.and(rb)
    })
}
