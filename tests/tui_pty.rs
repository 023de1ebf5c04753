//! End to end in a real pseudo-terminal: start the binary on a generated workspace, build a
//! cohort with two filters, open a member's timeline, step through three events, quit; check the
//! screen at each step and that the terminal was restored. Also: NO_COLOR and --ascii output.
mod tui_support;
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Pty {
    out: Arc<Mutex<Vec<u8>>>,
    writer: Option<Box<dyn Write + Send>>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    reading: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    rows: u16,
    cols: u16,
}

impl Pty {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Pty {
        Pty::start_in(args, env, None)
    }

    fn start_in(args: &[&str], env: &[(&str, &str)], cwd: Option<&std::path::Path>) -> Pty {
        let (rows, cols) = (24, 80);
        let pair = native_pty_system().openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_carepath"));
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        if let Some(d) = cwd {
            cmd.cwd(d);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn carepath");
        drop(pair.slave);
        let writer = pair.master.take_writer().expect("writer");
        let fd = pair.master.as_raw_fd().expect("master fd");
        let out = Arc::new(Mutex::new(Vec::new()));
        let reading = Arc::new(AtomicBool::new(true));
        let (sink, go) = (Arc::clone(&out), Arc::clone(&reading));
        // Read the master's own descriptor with a timeout, so the test can stop reading and
        // then really close the pty (a cloned reader would keep it open).
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while go.load(Ordering::Relaxed) {
                let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                if unsafe { libc::poll(&mut p, 1, 50) } <= 0 || p.revents & libc::POLLIN == 0 {
                    if p.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    continue;
                }
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    sink.lock().unwrap().extend_from_slice(&buf[..n as usize]);
                }
            }
        });
        Pty { out, writer: Some(writer), master: Some(pair.master), reading, reader: Some(reader), child, rows, cols }
    }

    /// Close our end of the pty, as a dropped SSH connection or `tmux kill-session` does.
    fn close(&mut self) {
        self.stop_reading();
        self.writer.take();
        self.master.take();
    }

    fn stop_reading(&mut self) {
        self.reading.store(false, Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.process_id().expect("pid");
        let ok = std::process::Command::new("kill").args([&format!("-{sig}"), &pid.to_string()]).status().unwrap();
        assert!(ok.success(), "kill -{sig} failed");
    }

    fn screen(&self) -> String {
        let mut p = vt100::Parser::new(self.rows, self.cols, 0);
        p.process(&self.out.lock().unwrap());
        p.screen().contents()
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(90) {
                panic!("timed out waiting for '{what}'; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn send(&mut self, s: &str) {
        let w = self.writer.as_mut().expect("pty open");
        w.write_all(s.as_bytes()).unwrap();
        w.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    fn quit(&mut self) -> Vec<u8> {
        self.send("q");
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "carepath exited with {status:?}");
                break;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("carepath did not quit on q");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        self.out.lock().unwrap().clone()
    }
}

impl Drop for Pty {
    // The reader polls the master's descriptor number: stop it before the master closes, or it
    // would read from whichever pty gets that number next (another test's).
    fn drop(&mut self) {
        self.stop_reading();
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn assert_restored(bytes: &[u8]) {
    let mut p = vt100::Parser::new(24, 80, 0);
    p.process(bytes);
    assert!(!p.screen().alternate_screen(), "still in the alternate screen after exit");
    assert!(!p.screen().hide_cursor(), "cursor still hidden after exit");
    let text = String::from_utf8_lossy(bytes);
    let leave = text.rfind("\x1b[?1049l").expect("leave-alternate-screen sequence");
    let enter = text.rfind("\x1b[?1049h").expect("enter-alternate-screen sequence");
    assert!(leave > enter, "the last alternate-screen switch must be the way out");
}

/// From the first start: the cohort builder (`2`) with one filter, age 65+, added and shown.
fn cohort_of_people_aged_65_plus(t: &mut Pty) {
    t.wait_for("hold 50% of health cost");
    t.send("2");
    t.wait_for("Attrition");
    t.send("a");
    t.send("age 65+\r");
    t.wait_for("[x] Age 65+");
}

#[test]
fn build_a_cohort_open_a_timeline_step_and_quit() {
    let ws = tui_support::workspace_copy("pty");
    let mut t = Pty::start(&[ws.to_str().unwrap()], &[]);
    cohort_of_people_aged_65_plus(&mut t);
    t.send("a");
    t.send("ltc_count 1+\r");
    let s = t.wait_for("[x] ");
    assert!(s.contains("Age 65+"), "{s}");
    let s = t.wait_for(" people");
    assert!(s.contains("LTC") || s.contains("ltc"), "second filter shown:\n{s}");
    t.send("\r"); // members
    t.wait_for("Members:");
    t.send("\r"); // timeline of the first member
    let s = t.wait_for("selected 1/");
    assert!(s.contains("day 0"), "{s}");
    for step in 2..=4 {
        t.send("\x1b[C"); // right arrow
        t.wait_for(&format!("selected {step}/"));
    }
    let bytes = t.quit();
    assert_restored(&bytes);
}

/// Any SGR colour parameter: 30-37, 38;.., 40-47, 48;.., 90-97, 100-107.
fn has_colour_codes(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("\x1b[") {
        let tail = &rest[i + 2..];
        let end = tail.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(tail.len());
        if tail[end..].starts_with('m') {
            for p in tail[..end].split(';') {
                if let Ok(n) = p.parse::<u32>() {
                    if (30..=38).contains(&n) || (40..=48).contains(&n) || (90..=97).contains(&n) || (100..=107).contains(&n) {
                        return Some(format!("\\e[{}m", &tail[..end]));
                    }
                }
            }
        }
        rest = &tail[end.min(tail.len())..];
    }
    None
}

#[test]
fn no_color_and_ascii_modes() {
    let ws = tui_support::workspace_copy("nocolor");
    let mut t = Pty::start(&[ws.to_str().unwrap(), "--ascii"], &[("NO_COLOR", "1")]);
    t.wait_for("hold 50% of health cost");
    t.send("3");
    t.wait_for("Members:");
    t.send("\r");
    t.wait_for("selected 1/");
    t.send("?");
    t.wait_for("Keys:");
    t.send("\x1b"); // Esc closes the help (q there closes it too)
    std::thread::sleep(Duration::from_millis(300));
    let bytes = t.quit();
    assert_eq!(has_colour_codes(&bytes), None, "NO_COLOR run printed a colour escape code");
    let non_ascii: Vec<u8> = bytes.iter().copied().filter(|b| !b.is_ascii()).take(8).collect();
    assert!(non_ascii.is_empty(), "--ascii run printed non-ASCII bytes: {non_ascii:?}");
    assert_restored(&bytes);
    // and colour is used when allowed
    let mut c = Pty::start(&[ws.to_str().unwrap()], &[]);
    c.wait_for("hold 50% of health cost");
    let bytes = c.quit();
    assert!(has_colour_codes(&bytes).is_some(), "a normal run should use colour");
}

fn wait_exit(t: &mut Pty) -> portable_pty::ExitStatus {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = t.child.try_wait() {
            std::thread::sleep(Duration::from_millis(200));
            return status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = t.child.kill();
            panic!("carepath did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn terminal_restored_on_sigterm_sighup_and_panic() {
    let ws = tui_support::workspace_copy("signals");
    for sig in ["TERM", "HUP"] {
        let mut t = Pty::start(&[ws.to_str().unwrap()], &[]);
        t.wait_for("hold 50% of health cost");
        t.signal(sig);
        wait_exit(&mut t);
        assert_restored(&t.out.lock().unwrap().clone());
    }
    let mut t = Pty::start(&[ws.to_str().unwrap()], &[("CAREPATH_TEST_PANIC_AFTER_DRAW", "1")]);
    let status = wait_exit(&mut t);
    assert!(!status.success(), "the test panic should fail the process");
    let bytes = t.out.lock().unwrap().clone();
    assert_restored(&bytes);
    assert!(String::from_utf8_lossy(&bytes).contains("test panic after drawing"), "the panic message is shown after restoring");
}

/// Wait for the process to be gone, at most `within` (the bar: 2 s); None if it is still there
/// (then it is killed so the test does not leave it behind).
fn gone_within(t: &mut Pty, within: Duration) -> Option<portable_pty::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = t.child.try_wait() {
            return Some(status);
        }
        if start.elapsed() > within {
            let _ = t.child.kill();
            let _ = t.child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The workspace opens read-write again: nobody holds DuckDB's lock on it.
fn assert_opens_read_write(ws: &std::path::Path) -> carepath::store::Workspace {
    let w = carepath::store::Workspace::open(ws).unwrap_or_else(|e| panic!("workspace still locked after exit: {e:#}"));
    w.conn.execute_batch("CREATE TABLE IF NOT EXISTS pty_probe (x INTEGER); DROP TABLE pty_probe;").expect("write to the workspace");
    w
}

#[test]
fn closing_the_pty_ends_the_explorer_and_frees_the_workspace() {
    let ws = tui_support::workspace_copy("close");
    let mut t = Pty::start(&[ws.to_str().unwrap()], &[]);
    t.wait_for("hold 50% of health cost");
    t.close();
    assert!(gone_within(&mut t, Duration::from_secs(2)).is_some(), "carepath still running 2 s after its terminal closed");
    assert_opens_read_write(&ws);
}

/// Start the explorer on a folder of extracts (it loads them in the background), wait until the
/// load is under way, then end the terminal in the way given.
fn stop_during_a_load(tag: &str, stop: impl FnOnce(&mut Pty)) {
    let data = tui_support::big_data_copy(tag);
    let mut t = Pty::start(&[data.to_str().unwrap()], &[]);
    t.wait_for("files");
    stop(&mut t);
    assert!(gone_within(&mut t, Duration::from_secs(2)).is_some(), "{tag}: carepath still running 2 s later");
    let ws = carepath::store::default_workspace_for(&data);
    let w = assert_opens_read_write(&ws);
    // The load was still running and was interrupted: nothing half-loaded is left behind.
    assert!(!w.has_model().unwrap(), "{tag}: the load had finished before the stop, so this did not test a running query");
}

#[test]
fn sigterm_during_a_running_load_exits_and_frees_the_workspace() {
    stop_during_a_load("sigterm", |t| t.signal("TERM"));
}

#[test]
fn sighup_during_a_running_load_exits_and_frees_the_workspace() {
    stop_during_a_load("sighup", |t| t.signal("HUP"));
}

#[test]
fn closing_the_pty_during_a_running_load_exits_and_frees_the_workspace() {
    stop_during_a_load("close", |t| t.close());
}

#[test]
fn x_exports_the_current_table_and_the_cli_reads_the_workspace_meanwhile() {
    let ws = tui_support::workspace_copy("export");
    let dir = ws.with_file_name("export-cwd");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut t = Pty::start_in(&[ws.to_str().unwrap()], &[], Some(&dir));
    cohort_of_people_aged_65_plus(&mut t);
    t.send("x");
    t.wait_for("to folder:");
    t.send("\x15"); // Ctrl-U clears the suggested name
    t.send("older\r");
    let s = t.wait_for("exported to older/");
    for f in ["attrition.csv", "characterisation.csv", "measures.csv"] {
        assert!(dir.join("older").join(f).is_file(), "{f} not written; screen:\n{s}");
    }
    let att = std::fs::read_to_string(dir.join("older").join("attrition.csv")).unwrap();
    assert!(att.contains("65"), "the exported attrition is the cohort on screen:\n{att}");
    // A command line run on the same workspace while the explorer is open.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carepath"))
        .args(["cohort", "--workspace", ws.to_str().unwrap(), "--age-min", "65"])
        .output()
        .expect("run carepath cohort");
    assert!(out.status.success(), "carepath cohort failed while the explorer ran: {}", String::from_utf8_lossy(&out.stderr));
    // and the explorer carries on with the workspace afterwards
    t.send("3");
    t.wait_for("Members:");
    let bytes = t.quit();
    assert_restored(&bytes);
}
