//! One pass over the host's process table, counting what each selector matches and
//! the zombies. Judging the counts is `judge.rs`'s business.
//!
//! The pass reads one small file per process, the cheapest that can rule it out
//! ([`Plan`]), and the `stat` of the few it cannot: those whose name matches, or
//! that have no memory map when zombies are counted. A command line is read only for
//! a process that a pattern must be tried on, or whose cut name matched a long
//! `--name`. Kernel threads, processes that are gone and this plugin's own process
//! never count.
//!
//! Kernel threads are passed over without a read when kthreadd lists them
//! ([`KernelThreads`]), unless D state is judged for all processes.
//!
//! Restarts and D state need more: every copy a selector matches, with its start
//! time and state, and for D state of all processes the `stat` of every one (only
//! `stat` has the state); `status` is read for the few found in D.

use std::path::Path;
use std::time::Instant;

use npd_plugin::{explain, Context, Error, Result};

use super::cmdline::Cmdline;
use super::kthreads::KernelThreads;
use super::procfs::{ProcDir, Stat, COMM_BUF};
use crate::config::Config;
use crate::report::{DTask, Instance, Parent, Report, Tally, D_TASKS_KEPT, INSTANCES_KEPT};
use crate::select::What;
use crate::stat::ProcStat;

/// Reads `<host-root>/proc` once. An error means the table could not be observed:
/// the directory is missing or unreadable, holds no process, or a process's files
/// could not be read for a reason other than its exit.
pub fn scan(config: &Config, ctx: &Context) -> Result<Report> {
    let started = Instant::now();
    let proc = ctx.host_path("/proc");
    ctx.waiting_for(format!("scanning {}", proc.display()));
    // Through hostfs: a /proc on a mount that can hang is never listed here.
    let mut dir = ctx
        .hostfs()
        .kernel_dir("/proc")
        .and_then(ProcDir::from_fd)
        .map_err(|e| Error::io(proc.display(), &e))?;
    // D state of all processes needs every kernel thread's state: nothing to skip.
    let kthreads = if config.d_state_of_all() {
        KernelThreads::default()
    } else {
        KernelThreads::listed(&mut dir).map_err(|e| Error::io(proc.display(), &e))?
    };
    let mut pass = Pass {
        me: dir.self_pid(),
        kthreads,
        config,
        ctx,
        proc: &proc,
        dir,
        cmdline: Cmdline::default(),
        report: Report {
            tallies: vec![Tally::default(); config.selectors.len()],
            ..Report::default()
        },
        zombie_parents: Vec::new(),
    };
    pass.run()?;
    let mut report = pass.report;
    if report.processes == 0 {
        return Err(Error::unobserved(format!(
            "no process found under {} (is it the host's procfs?)",
            proc.display()
        )));
    }
    report.zombies.top_parent = top_parent(&mut pass.zombie_parents, &mut pass.dir);
    report.took = started.elapsed();
    Ok(report)
}

/// Which file of every process a pass reads first, the cheapest that can rule it out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plan {
    /// Names and zombies: `stat` has both, one file instead of two.
    Stat,
    /// Names only: `comm`, and `stat` for a process whose name matches.
    Comm,
    /// Zombies without names: `statm`, and `stat` for a process without memory (a
    /// zombie has none, nor has a kernel thread).
    Memory,
    /// Patterns only: nothing but the command line.
    Nothing,
}

impl Plan {
    fn for_config(config: &Config) -> Plan {
        let names = config
            .selectors
            .iter()
            .any(|s| matches!(s.what, What::Name(_)));
        if config.d_state_of_all() {
            return Plan::Stat;
        }
        match (names, config.max_zombies.is_some()) {
            (true, true) => Plan::Stat,
            (true, false) => Plan::Comm,
            (false, true) => Plan::Memory,
            (false, false) => Plan::Nothing,
        }
    }
}

/// One pass over the table and what it has counted so far.
struct Pass<'a> {
    config: &'a Config,
    ctx: &'a Context,
    proc: &'a Path,
    dir: ProcDir,
    cmdline: Cmdline,
    /// This plugin's own PID in that table, never counted.
    me: Option<u32>,
    /// Kernel threads known without reading their files.
    kthreads: KernelThreads,
    report: Report,
    zombie_parents: Vec<u32>,
}

impl Pass<'_> {
    fn run(&mut self) -> Result<()> {
        let plan = Plan::for_config(self.config);
        let mut comm = [0u8; COMM_BUF];
        loop {
            if self.report.processes % 64 == 0 && Instant::now() >= self.ctx.deadline() {
                return Err(Error::unobserved(format!(
                    "scan of {} not finished in {} ({} processes read)",
                    self.proc.display(),
                    self.ctx.timeout_text(),
                    self.report.processes
                )));
            }
            let next = self.dir.next_pid();
            let Some(pid) = next.map_err(|e| Error::io(self.proc.display(), &e))? else {
                return Ok(());
            };
            if self.kthreads.contains(pid) {
                self.report.processes += 1;
                self.report.kernel_threads += 1;
                self.report.kernel_threads_listed += 1;
                continue;
            }
            // `known`: the process's stat, when read. Without it, a matching name is
            // still to be confirmed by it (Plan::Comm), or the process has a memory
            // map and so is a running user process (Plan::Memory).
            let mut known = None;
            let mut comm_len = 0;
            // A file that is not there (a fixture tree with only `stat`, or a process
            // gone) sends the process to `stat`, which tells.
            let mut need_stat = plan == Plan::Stat;
            if plan == Plan::Comm {
                self.report.comms_read += 1;
                let read = self.dir.comm(pid, &mut comm);
                match read.map_err(|e| self.io(pid, "comm", &e))? {
                    Some(n) => comm_len = n,
                    None => need_stat = true,
                }
            } else if plan == Plan::Memory {
                self.report.statms_read += 1;
                let read = self.dir.has_memory(pid);
                // Without a memory map: a kernel thread, a zombie, or on its way out.
                need_stat = read.map_err(|e| self.io(pid, "statm", &e))? != Some(true);
            }
            if need_stat {
                let Some(p) = self.stat_of(pid)? else {
                    continue;
                };
                known = Some(p);
            }
            self.report.processes += 1;
            if let Some(p) = &known {
                comm_len = p.comm().len().min(COMM_BUF);
                comm[..comm_len].copy_from_slice(&p.comm()[..comm_len]);
                if p.state == b'D' && self.config.d_state_of_all() {
                    self.note_d(p)?;
                }
                if p.is_kernel_thread() {
                    self.report.kernel_threads += 1;
                    continue;
                }
                if p.is_zombie() {
                    self.report.zombies.count += 1;
                    self.report.zombies.pids.push(pid);
                    self.zombie_parents.push(p.ppid);
                }
                if p.is_gone() {
                    continue;
                }
            }
            if Some(pid) != self.me && !self.config.selectors.is_empty() {
                let live = known.is_some() || plan == Plan::Memory;
                self.count(pid, &comm[..comm_len], known, live)?;
            }
        }
    }

    /// Counts `pid` for every selector it matches. `live` when it is known to be a
    /// running user process; else its `stat` is read if its name matches. `known` is
    /// its `stat` if already read; it is read for a match when restarts or D state
    /// of selected processes need it.
    fn count(&mut self, pid: u32, comm: &[u8], known: Option<ProcStat>, live: bool) -> Result<()> {
        let mut live = live.then_some(true);
        let mut stat = known;
        let every = self.config.needs_every_match();
        let mut matched = false;
        // Some(found) once the command line was read; `false` when the process went
        // away meanwhile, which makes it match nothing that needs it.
        let mut loaded: Option<bool> = None;
        let config = self.config;
        for (i, sel) in config.selectors.iter().enumerate() {
            let hit = match &sel.what {
                What::Name(_) if !sel.comm_matches(comm) => false,
                What::Name(_) => {
                    let tally = &self.report.tallies[i];
                    let decided = tally.count >= sel.min && sel.max.is_none();
                    if live.is_none() && decided && !every && !self.ctx.explaining() {
                        // Enough are known to run and there is no maximum: more
                        // copies cannot change the answer, so they are not read.
                        // (--explain counts exactly.)
                        continue;
                    }
                    if live.is_none() {
                        stat = self.stat_of(pid)?;
                        live = Some(self.is_live(stat.as_ref()));
                    }
                    if live != Some(true) {
                        false
                    } else if !sel.needs_argv0() {
                        true
                    } else {
                        let found = self.load_cmdline(pid, &mut loaded)?;
                        let confirmed = found && sel.argv0_matches(self.cmdline.argv0_basename());
                        if !confirmed {
                            self.report.tallies[i].argv0_mismatches += 1;
                        }
                        confirmed
                    }
                }
                // Kernel threads and zombies have an empty command line.
                What::Cmdline(_) => {
                    self.load_cmdline(pid, &mut loaded)?
                        && !self.cmdline.text().is_empty()
                        && sel.cmdline_matches(self.cmdline.text())
                }
            };
            if hit {
                matched = true;
                self.report.tallies[i].count += 1;
                self.report.tallies[i].pids.push(pid);
                if self.config.restarts.is_some() {
                    if stat.is_none() {
                        stat = self.stat_of(pid)?;
                    }
                    // Gone meanwhile: it cannot come back with the same start time,
                    // so leaving it out cannot make it look new at the next run.
                    let instances = &mut self.report.tallies[i].instances;
                    if let Some(p) = &stat {
                        if instances.len() <= INSTANCES_KEPT {
                            instances.push(Instance {
                                pid,
                                start: p.starttime,
                            });
                        }
                    }
                }
            }
        }
        if matched && every && self.config.d_state.is_some() && !self.config.d_state_of_all() {
            if stat.is_none() {
                stat = self.stat_of(pid)?;
            }
            if let Some(p) = stat.filter(|p| p.state == b'D') {
                self.note_d(&p)?;
            }
        }
        Ok(())
    }

    /// Whether a process is a running user process, from its `stat` (`None`: gone).
    fn is_live(&mut self, stat: Option<&ProcStat>) -> bool {
        match stat {
            Some(p) if p.is_kernel_thread() => {
                self.report.kernel_threads += 1;
                false
            }
            Some(p) => !p.is_gone(),
            None => false,
        }
    }

    /// Keeps a process found in D state, with its context switch count.
    fn note_d(&mut self, p: &ProcStat) -> Result<()> {
        self.report.d_count += 1;
        if self.report.d_tasks.len() >= D_TASKS_KEPT {
            return Ok(());
        }
        self.report.statuses_read += 1;
        let read = self.dir.switches(p.pid);
        let switches = read.map_err(|e| self.io(p.pid, "status", &e))?;
        self.report.d_tasks.push(DTask {
            instance: Instance {
                pid: p.pid,
                start: p.starttime,
            },
            comm: String::from_utf8_lossy(p.comm()).into_owned(),
            kernel_thread: p.is_kernel_thread(),
            switches,
        });
        Ok(())
    }

    /// The `stat` of `pid`; `None` when the process is gone or the line is garbage
    /// (which --explain shows).
    fn stat_of(&mut self, pid: u32) -> Result<Option<ProcStat>> {
        self.report.stats_read += 1;
        let read = self.dir.read_stat(pid);
        match read.map_err(|e| self.io(pid, "stat", &e))? {
            Stat::Parsed(p) => Ok(Some(p)),
            Stat::Vanished => Ok(None),
            Stat::Garbage(why) => {
                self.report.garbage += 1;
                explain!(
                    self.ctx,
                    "skipped {}/{pid}/stat: {why}: \"{}\"",
                    self.proc.display(),
                    shorten(self.dir.last_raw())
                );
                Ok(None)
            }
        }
    }

    /// Reads the command line of `pid` once; `false` when the process is gone.
    fn load_cmdline(&mut self, pid: u32, loaded: &mut Option<bool>) -> Result<bool> {
        if let Some(found) = *loaded {
            return Ok(found);
        }
        // Reading a command line takes the process's memory map lock, which a
        // process stuck in the kernel can hold for ever: should the read hang, the
        // answer names that process. (A small allocation next to three syscalls.)
        self.ctx
            .waiting_killably_for(format!("reading {}/{pid}/cmdline", self.proc.display()));
        self.report.cmdlines_read += 1;
        let read = self.cmdline.load(&self.dir, pid);
        let found = read.map_err(|e| self.io(pid, "cmdline", &e))?;
        *loaded = Some(found);
        Ok(found)
    }

    fn io(&self, pid: u32, file: &str, err: &std::io::Error) -> Error {
        Error::io(format_args!("{}/{pid}/{file}", self.proc.display()), err)
    }
}

/// The parent holding the most zombies (the lowest PID among equals), and its name.
fn top_parent(ppids: &mut [u32], dir: &mut ProcDir) -> Option<Parent> {
    ppids.sort_unstable();
    let (pid, zombies) = ppids
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .fold(None, |best: Option<(u32, u32)>, (pid, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((pid, n)),
        })?;
    let comm = match dir.stat(pid) {
        Ok(Some(p)) => Some(String::from_utf8_lossy(p.comm()).into_owned()),
        _ => None,
    };
    Some(Parent { pid, comm, zombies })
}

/// A raw line for --explain: escaped, and cut to what a person reads.
fn shorten(raw: &[u8]) -> String {
    let cut = raw.len().min(120);
    let mut text = raw[..cut].escape_ascii().to_string();
    if cut < raw.len() {
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests;
