//! The shape of a run's log: jobs, their steps, and the lines kept of each step, read one line at a time.
//!
//! A whole-job log is cut into steps where the runner starts one: `##[group]Run <script or action>` (a group
//! whose content is the step's header: script lines, `shell:`, `with:`, `env:`), `Post job cleanup.` (a post
//! step) and `Cleaning up orphan processes` (the job's end). A `::group::Run tests` printed by a script is told
//! apart from a step's header by its content.
//!
//! Memory is bounded whatever the log's size: each step keeps its first [`HEAD`] and last [`TAIL`] lines and
//! up to [`NOTABLE`] error-looking lines from the middle; steps that did not fail keep no lines at all.

use std::collections::VecDeque;

use super::facts::{self, Facts};
use super::line::{self, Line, Marker};

pub const HEAD: usize = 200;
pub const TAIL: usize = 2000;
pub const NOTABLE: usize = 500;
/// A group longer than this is output, not a step's header.
const MAX_HEADER: usize = 500;

/// One job of a run.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// The job's name: from the zip layout, `gh`'s first column, the API, or `Complete job name:` in the log.
    pub name: Option<String>,
    pub steps: Vec<Step>,
    /// The API's verdict for the job (`failure`, `cancelled`, `timed_out`), when known.
    pub conclusion: Option<String>,
    /// The steps the API (or `gh --log-failed`, which prints only those) says failed, by name.
    pub failed_steps: Vec<String>,
    /// Every step as the API lists it, skipped ones included (a skipped step leaves no trace in the log).
    pub api_steps: Vec<ApiStep>,
}

/// A step as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStep {
    pub name: String,
    pub number: u32,
    /// `success`, `failure`, `skipped`, `cancelled`.
    pub conclusion: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// `Set up job`: everything before the first step.
    Setup,
    Main,
    /// `Post ...` steps and `Complete job`: they run after a failure too.
    Post,
}

/// One step, with the lines kept of its output.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    /// The step's number in the job (from the zip's `<N>_<step>.txt`), when known.
    pub number: Option<u32>,
    pub kind: StepKind,
    /// Headers of the `Run` groups in the step: its own first, then those of a composite action's steps.
    pub headers: Vec<(usize, Header)>,
    /// Kept output lines with their index among all the step's lines.
    pub lines: Vec<(usize, Line)>,
    /// Output lines read, kept or not.
    pub total: usize,
    /// Whether the step holds an `##[error]` line.
    pub has_error: bool,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    /// What the output says of the environment, kept whether or not the step failed.
    pub facts: Facts,
}

/// What a step's `##[group]Run ...` header says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The text after `Run `: the script's first line, or `owner/action@ref`.
    pub run: String,
    /// The script's lines (empty for an action).
    pub script: Vec<String>,
    /// `with:` inputs of an action.
    pub with: Vec<(String, String)>,
    /// The `env:` the runner shows: the workflow's, the job's and the step's variables (secrets as `***`).
    pub env: Vec<(String, String)>,
}

impl Header {
    /// `owner/repo@ref`, `./local/action` or `docker://...`: the step runs an action, not a script.
    pub fn uses(&self) -> Option<&str> {
        let run = self.run.trim();
        let action = !run.contains(' ')
            && self.script.is_empty()
            && (run.contains('@') || run.starts_with("./") || run.starts_with("docker://"));
        action.then_some(run)
    }

    /// The script's lines; when the header shows none, the first line from its title.
    pub fn script_lines(&self) -> Vec<String> {
        if self.script.is_empty() && self.uses().is_none() {
            vec![self.run.clone()]
        } else {
            self.script.clone()
        }
    }

    pub fn input(&self, name: &str) -> Option<&str> {
        self.with
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Step {
    fn new(name: impl Into<String>, number: Option<u32>, kind: StepKind) -> Step {
        Step {
            name: name.into(),
            number,
            kind,
            headers: Vec::new(),
            lines: Vec::new(),
            total: 0,
            has_error: false,
            first_ts: None,
            last_ts: None,
            facts: Facts::default(),
        }
    }

    /// The step's own header (its first `Run` group).
    pub fn header(&self) -> Option<&Header> {
        self.headers.first().map(|(_, h)| h)
    }

    /// The header of the `Run` group that was running at output line `index`: a composite action's inner step.
    pub fn header_at(&self, index: usize) -> Option<&Header> {
        self.headers
            .iter()
            .rev()
            .find(|(at, _)| *at <= index)
            .or_else(|| self.headers.first())
            .map(|(_, h)| h)
    }
}

/// Reads the lines of one job (a whole-job log) or one step (a step's file in the zip archive) into steps.
pub struct JobReader {
    timestamped: bool,
    plain: bool,
    /// A single step's file: no step boundaries inside, every `Run` group is a header of this step.
    single: bool,
    job_name: Option<String>,
    steps: Vec<Step>,
    current: Builder,
    pending: Option<Pending>,
    /// Facts entries the job's later steps may still keep (see [`facts::JOB_ENTRIES`]).
    facts_left: usize,
}

/// A `##[group]Run ...` waiting for its `##[endgroup]` to show whether it starts a step.
struct Pending {
    ts: Option<String>,
    title: String,
    lines: Vec<Line>,
}

impl JobReader {
    /// A whole-job log: starts in `Set up job`.
    pub fn whole_job(timestamped: bool, plain: bool) -> JobReader {
        JobReader::new(
            Step::new("Set up job", None, StepKind::Setup),
            timestamped,
            plain,
            false,
        )
    }

    /// One step's log.
    pub fn single_step(name: &str, number: Option<u32>, timestamped: bool) -> JobReader {
        JobReader::new(
            Step::new(name, number, kind_of(name)),
            timestamped,
            false,
            true,
        )
    }

    fn new(first: Step, timestamped: bool, plain: bool, single: bool) -> JobReader {
        JobReader {
            timestamped,
            plain,
            single,
            job_name: None,
            steps: Vec::new(),
            current: Builder::new(first, facts::JOB_ENTRIES),
            pending: None,
            facts_left: facts::JOB_ENTRIES,
        }
    }

    pub fn push(&mut self, raw: &str) {
        let line = line::parse(raw, self.timestamped, self.plain);
        if self.plain {
            self.push_plain(line);
            return;
        }
        if let Some(mut pending) = self.pending.take() {
            match line.marker {
                Marker::EndGroup => self.end_pending(pending, line),
                _ if pending.lines.len() >= MAX_HEADER => {
                    self.flush_pending_as_output(pending);
                    self.current.push(line);
                }
                _ => {
                    pending.lines.push(line);
                    self.pending = Some(pending);
                }
            }
            return;
        }
        if line.marker == Marker::Group && line.text.starts_with("Run ") {
            self.pending = Some(Pending {
                ts: line.ts.clone(),
                title: line.text.clone(),
                lines: Vec::new(),
            });
            return;
        }
        if !self.single && line.marker == Marker::None && !line.continuation {
            let boundary = match line.text.trim_end() {
                "Post job cleanup." => Some(("Post job cleanup", StepKind::Post)),
                "Cleaning up orphan processes" => Some(("Complete job", StepKind::Post)),
                _ => None,
            };
            if let Some((name, kind)) = boundary {
                self.start(Step::new(name, None, kind));
            }
        }
        if self.job_name.is_none() {
            if let Some(name) = line.text.strip_prefix("Complete job name: ") {
                self.job_name = Some(name.trim().to_string());
            }
        }
        self.current.push(line);
    }

    /// The job's name as the log states it, and its steps.
    pub fn finish(mut self) -> (Option<String>, Vec<Step>) {
        if let Some(pending) = self.pending.take() {
            // The log ended inside the group (a truncated log): the header is all there is.
            self.flush_pending_as_output(pending);
        }
        let last = self.current.finish();
        self.steps.push(last);
        (self.job_name, self.steps)
    }

    fn end_pending(&mut self, pending: Pending, endgroup: Line) {
        let header_like = is_header(&pending.lines);
        if !header_like {
            self.flush_pending_as_output(pending);
            self.current.push(endgroup);
            return;
        }
        let header = parse_header(&pending.title, &pending.lines);
        if !self.single && !self.inside_composite() {
            let mut step = Step::new(pending.title.clone(), None, kind_of(&pending.title));
            step.first_ts.clone_from(&pending.ts);
            self.start(step);
        }
        let at = self.current.step.total;
        self.current.step.headers.push((at, header));
        if self.current.step.first_ts.is_none() {
            self.current.step.first_ts = pending.ts;
        }
    }

    /// A composite action prints nothing of its own before its first inner step's `Run` group: that group
    /// belongs to the action's step (whose name the user sees), not to a step of its own.
    fn inside_composite(&self) -> bool {
        self.current.step.total == 0
            && self
                .current
                .step
                .header()
                .is_some_and(|h| h.uses().is_some())
    }

    fn flush_pending_as_output(&mut self, pending: Pending) {
        self.current.push(Line {
            ts: pending.ts,
            text: pending.title,
            marker: Marker::Group,
            continuation: false,
        });
        for line in pending.lines {
            self.current.push(line);
        }
    }

    fn start(&mut self, step: Step) {
        self.facts_left = self.current.facts.budget();
        let done = std::mem::replace(&mut self.current, Builder::new(step, self.facts_left));
        self.steps.push(done.finish());
    }

    /// The web page's copy: `Run X` opens a step; its header is the indented lines, `with:`/`env:`/`shell:`
    /// blocks and the script lines before them.
    fn push_plain(&mut self, line: Line) {
        if let Some(mut pending) = self.pending.take() {
            let text = line.text.as_str();
            let trimmed = text.trim();
            let keyword = trimmed == "with:" || trimmed == "env:" || trimmed.starts_with("shell: ");
            let seen_keyword = pending.lines.iter().any(|l| {
                let t = l.text.trim();
                t == "with:" || t == "env:" || t.starts_with("shell: ")
            });
            let indented = text.starts_with("  ") && !trimmed.is_empty();
            let script = !seen_keyword && !trimmed.is_empty() && pending.lines.len() < 30;
            if keyword || indented || script {
                pending.lines.push(line);
                self.pending = Some(pending);
                return;
            }
            // The header ends here. Script-looking lines never followed by `shell:` were output after all.
            let (header_lines, output): (Vec<Line>, Vec<Line>) = if seen_keyword {
                (pending.lines, Vec::new())
            } else {
                (Vec::new(), pending.lines)
            };
            let header = parse_header(&pending.title, &header_lines);
            if !self.inside_composite() {
                self.start(Step::new(
                    pending.title.clone(),
                    None,
                    kind_of(&pending.title),
                ));
            }
            let at = self.current.step.total;
            self.current.step.headers.push((at, header));
            for l in output {
                self.current.push(l);
            }
        }
        if line.marker == Marker::None && line.text.starts_with("Run ") {
            self.pending = Some(Pending {
                ts: None,
                title: line.text,
                lines: Vec::new(),
            });
            return;
        }
        self.current.push(line);
    }
}

/// Whether a group's content is a step's header: script lines ending in `shell:`, or only `with:`/`env:`
/// blocks (an action), or nothing.
fn is_header(lines: &[Line]) -> bool {
    if lines.is_empty() || lines.iter().any(|l| l.text.starts_with("shell: ")) {
        return true;
    }
    lines.iter().all(|l| {
        let t = l.text.as_str();
        t == "with:" || t == "env:" || t.starts_with("  ")
    }) && matches!(lines[0].text.as_str(), "with:" | "env:")
}

fn parse_header(title: &str, lines: &[Line]) -> Header {
    let run = title.strip_prefix("Run ").unwrap_or(title).to_string();
    let mut header = Header {
        run,
        ..Header::default()
    };
    let mut block = "script";
    for line in lines {
        let text = line.text.as_str();
        match text.trim() {
            "with:" => block = "with",
            "env:" => block = "env",
            t if t.starts_with("shell: ") => block = "shell",
            _ => match block {
                "script" => header.script.push(text.trim().to_string()),
                "with" | "env" => {
                    let pairs = if block == "with" {
                        &mut header.with
                    } else {
                        &mut header.env
                    };
                    if let Some((k, v)) = text.trim().split_once(": ") {
                        pairs.push((k.to_string(), v.to_string()));
                    } else if let Some(k) = text.trim().strip_suffix(':') {
                        pairs.push((k.to_string(), String::new()));
                    }
                }
                _ => {}
            },
        }
    }
    header
}

/// `Post ...` and `Complete job` steps run after the job's failure; `Set up job` before everything.
pub fn kind_of(name: &str) -> StepKind {
    if name == "Set up job" {
        StepKind::Setup
    } else if name.starts_with("Post ") || name == "Complete job" || name == "Post job cleanup" {
        StepKind::Post
    } else {
        StepKind::Main
    }
}

/// A step being read, keeping a bounded selection of its lines.
struct Builder {
    step: Step,
    head: Vec<(usize, Line)>,
    tail: VecDeque<(usize, Line)>,
    notable: Vec<(usize, Line)>,
    facts: facts::Reader,
}

impl Builder {
    fn new(step: Step, facts_budget: usize) -> Builder {
        Builder {
            step,
            head: Vec::new(),
            tail: VecDeque::new(),
            notable: Vec::new(),
            facts: facts::Reader::with_budget(facts_budget),
        }
    }

    fn push(&mut self, line: Line) {
        self.facts.push(&line);
        if line.marker == Marker::Error {
            self.step.has_error = true;
        }
        if let Some(ts) = &line.ts {
            if self.step.first_ts.is_none() {
                self.step.first_ts = Some(ts.clone());
            }
            self.step.last_ts = Some(ts.clone());
        }
        let index = self.step.total;
        self.step.total += 1;
        if self.head.len() < HEAD {
            self.head.push((index, line));
            return;
        }
        self.tail.push_back((index, line));
        if self.tail.len() > TAIL {
            if let Some((i, old)) = self.tail.pop_front() {
                if self.notable.len() < NOTABLE && is_notable(&old) {
                    self.notable.push((i, old));
                }
            }
        }
    }

    /// The step, with its kept lines when it holds an error (the others are not needed: memory stays small).
    fn finish(self) -> Step {
        let mut step = self.step;
        step.facts = self.facts.finish();
        if step.has_error {
            step.lines = self.head;
            step.lines.extend(self.notable);
            step.lines.extend(self.tail);
        }
        step
    }
}

/// Lines worth keeping from the middle of a long step: errors and the summaries of Python tools.
fn is_notable(line: &Line) -> bool {
    if matches!(line.marker, Marker::Error | Marker::Warning) {
        return true;
    }
    let t = &line.text;
    [
        "error", "Error", "ERROR", "FAIL", "failed", "Found ", "reformat",
    ]
    .iter()
    .any(|needle| t.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<String>, Vec<Step>) {
        let mut reader = JobReader::whole_job(true, false);
        for line in text.lines() {
            reader.push(line);
        }
        reader.finish()
    }

    #[test]
    fn steps_are_cut_at_run_groups_and_post_steps() {
        let log = "\
2024-01-15T10:00:00.0000000Z Current runner version: '2.321.0'
2024-01-15T10:00:00.1000000Z Complete job name: lint
2024-01-15T10:00:01.0000000Z ##[group]Run actions/checkout@v4
2024-01-15T10:00:01.0000001Z with:
2024-01-15T10:00:01.0000002Z   fetch-depth: 1
2024-01-15T10:00:01.0000003Z ##[endgroup]
2024-01-15T10:00:02.0000000Z Syncing repository: o/r
2024-01-15T10:00:03.0000000Z ##[group]Run ruff check .
2024-01-15T10:00:03.0000001Z \u{1b}[36;1mruff check .\u{1b}[0m
2024-01-15T10:00:03.0000002Z shell: /usr/bin/bash -e {0}
2024-01-15T10:00:03.0000003Z ##[endgroup]
2024-01-15T10:00:03.1000000Z ##[group]Run tests
2024-01-15T10:00:03.1000001Z not a header: a script's own group
2024-01-15T10:00:03.1000002Z ##[endgroup]
2024-01-15T10:00:04.0000000Z Found 1 error.
2024-01-15T10:00:04.1000000Z ##[error]Process completed with exit code 1.
2024-01-15T10:00:05.0000000Z Post job cleanup.
2024-01-15T10:00:05.1000000Z [command]/usr/bin/git version
2024-01-15T10:00:06.0000000Z Cleaning up orphan processes
";
        let (name, steps) = read(log);
        assert_eq!(name.as_deref(), Some("lint"));
        let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Set up job",
                "Run actions/checkout@v4",
                "Run ruff check .",
                "Post job cleanup",
                "Complete job"
            ]
        );
        let ruff = &steps[2];
        assert!(ruff.has_error);
        assert_eq!(ruff.header().unwrap().script, ["ruff check ."]);
        let texts: Vec<&str> = ruff.lines.iter().map(|(_, l)| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Run tests",
                "not a header: a script's own group",
                "",
                "Found 1 error.",
                "Process completed with exit code 1."
            ]
        );
        let checkout = &steps[1];
        assert_eq!(
            checkout.header().unwrap().uses(),
            Some("actions/checkout@v4")
        );
        assert!(checkout.lines.is_empty(), "a passing step keeps no lines");
    }

    #[test]
    fn long_steps_keep_head_tail_and_errors() {
        let mut reader = JobReader::single_step("Run pytest", Some(4), true);
        reader.push("2024-01-15T10:00:00Z ##[group]Run pytest");
        reader.push("2024-01-15T10:00:00Z shell: /usr/bin/bash -e {0}");
        reader.push("2024-01-15T10:00:00Z ##[endgroup]");
        for i in 0..(HEAD + TAIL + 5000) {
            if i == HEAD + 100 {
                reader.push("2024-01-15T10:00:01Z E   AssertionError: boom");
            } else {
                reader.push(&format!("2024-01-15T10:00:01Z line {i}"));
            }
        }
        reader.push("2024-01-15T10:00:02Z ##[error]Process completed with exit code 1.");
        let (_, steps) = reader.finish();
        let step = &steps[0];
        assert_eq!(step.lines.len(), HEAD + 1 + TAIL);
        assert!(
            step.lines
                .iter()
                .any(|(_, l)| l.text.contains("AssertionError"))
        );
        assert_eq!(step.total, HEAD + TAIL + 5001);
    }
}
