//! The node: where the stages meet. It owns the pattern, threshold, fix and deploy stages, feeds each
//! entry through them and sends what comes out on an event channel.
//!
//! States, as in the design: `Initializing` (being built) → `Operational` (waiting for entries) →
//! `Processing` (an incident is being turned into solutions) → back to `Operational`, or `Error`
//! when a stage failed on an incident (the node stays usable; the error is sent as an event).

use std::collections::HashSet;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

use crate::config::Settings;
use crate::deploy::{DeployPlan, Deployer, Held};
use crate::fix::{FixEvent, Fixer, Solution, SolutionState};
use crate::notify::{self, Notifier};
use crate::parse::LogEntry;
use crate::pattern::{Classified, PatternEngine, PatternSummary, Prepared, Preparer};
use crate::route::{self, Lane};
use crate::threshold::{Clock, Detector, Incident, SystemClock};

/// Life-cycle state of a [`Node`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Initializing,
    Operational,
    Processing,
    Error,
}

/// What a node reports.
#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// A threshold tripped.
    Incident(Box<Incident>),
    /// A solution was produced (and delivered: its state says how far it got).
    Solution(Box<Solution>),
    /// A stage failed on an incident; the node goes on.
    Error(String),
    /// A verbose note: what a deploy did, what was skipped.
    Note(String),
    /// Something the user should fix, shown at every verbosity: a rule whose file is not tracked.
    Warning(String),
    /// What the fix stage says besides solutions: a solution dropped by verification (always
    /// shown), a generator that declined (verbose).
    Fix(FixEvent),
    /// A solution deploy mode only suggested (`fix.min_confidence`).
    Held(Box<Held>),
    /// What a deploy would have done (`--dry-run`).
    Plan(Box<DeployPlan>),
    /// A notification `--dry-run` would have sent.
    Notification(Box<notify::Planned>),
}

/// Counts over a node's life.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub entries: u64,
    pub incidents: u64,
    pub solutions: u64,
    /// Timestamps far ahead of the entries around them, counted at the log's time instead.
    pub skewed_timestamps: u64,
    /// Entries an `ignore:` entry kept from counting.
    pub ignored: u64,
}

/// The pipeline from entries to incidents and solutions.
pub struct Node {
    state: NodeState,
    patterns: PatternEngine,
    detector: Detector,
    /// One per repository; the first is the default's (see [`route`]).
    lanes: Vec<Repo>,
    events: Sender<NodeEvent>,
    notifier: Notifier,
    /// Services no lane took while other services have their repository, said once each.
    unrouted: HashSet<String>,
    summary: Summary,
}

/// A repository's fix and deploy stages.
struct Repo {
    lane: Lane,
    fixer: Fixer,
    deployer: Deployer,
    /// Fingerprints that already have a solution: 50 trips of one crash give one solution. An
    /// incident a rule tripped is proposed for all the same: the rule's edit is its own (the fix
    /// stage drops a change it already proposed).
    solved: HashSet<Arc<str>>,
}

impl Node {
    /// Build a node and the receiver its events arrive on.
    pub fn new(settings: &Settings) -> (Node, Receiver<NodeEvent>) {
        Node::with_clock(settings, Box::new(SystemClock))
    }

    /// As [`Node::new`], with the clock used for entries that carry no timestamp.
    pub fn with_clock(settings: &Settings, clock: Box<dyn Clock>) -> (Node, Receiver<NodeEvent>) {
        let (tx, rx) = mpsc::channel();
        let mut node = Node {
            state: NodeState::Initializing,
            patterns: PatternEngine::new(&settings.patterns),
            detector: Detector::new(settings.threshold.clone(), clock),
            lanes: settings
                .lanes()
                .into_iter()
                .map(|lane| Repo {
                    fixer: Fixer::new(lane.fix.clone()),
                    deployer: Deployer::new(lane.deploy.clone()),
                    lane,
                    solved: HashSet::new(),
                })
                .collect(),
            events: tx,
            notifier: Notifier::new(settings.notify.clone()),
            unrouted: HashSet::new(),
            summary: Summary::default(),
        };
        node.retry_deploys();
        node.state = NodeState::Operational;
        (node, rx)
    }

    /// Deploys that failed in an earlier run are tried again first.
    fn retry_deploys(&mut self) {
        for index in 0..self.lanes.len() {
            for (solution, result) in self.lanes[index].deployer.retry_pending() {
                match result {
                    Ok(()) => {
                        self.lanes[index]
                            .solved
                            .insert(solution.fingerprint.as_str().into());
                    }
                    Err(err) => self.emit(NodeEvent::Error(format!("{err:#}"))),
                }
                self.summary.solutions += 1;
                for note in self.lanes[index].deployer.take_notes() {
                    self.emit(NodeEvent::Note(note));
                }
                self.notify_pull_requests(index, &solution);
                self.emit(NodeEvent::Solution(Box::new(solution)));
                for held in self.lanes[index].deployer.take_held() {
                    self.emit(NodeEvent::Held(Box::new(held)));
                }
            }
        }
    }

    pub fn state(&self) -> NodeState {
        self.state
    }

    pub fn summary(&self) -> Summary {
        Summary {
            skewed_timestamps: self.detector.skewed_timestamps(),
            ignored: self.detector.ignored(),
            ..self.summary
        }
    }

    /// The patterns mined so far, largest first.
    pub fn patterns(&self) -> Vec<PatternSummary> {
        self.patterns.summaries()
    }

    /// Feed one entry through the pipeline.
    pub fn process_log(&mut self, entry: LogEntry) {
        let classified = self.patterns.classify(&entry);
        self.process_classified(&entry, classified);
    }

    /// [`Node::process_log`] of an entry a [`Node::preparer`] prepared, maybe on another thread.
    pub fn process_prepared(&mut self, prepared: Prepared) {
        let classified = self.patterns.classify_prepared(&prepared);
        self.process_classified(&prepared.entry, classified);
    }

    /// What prepares entries for [`Node::process_prepared`].
    pub fn preparer(&self) -> Preparer {
        self.patterns.preparer()
    }

    fn process_classified(&mut self, entry: &LogEntry, classified: Classified) {
        self.summary.entries += 1;
        let Some(incident) = self.detector.observe(entry, &classified) else {
            return;
        };
        self.summary.incidents += 1;
        self.state = NodeState::Processing;
        let index = route::pick(self.lanes.iter().map(|r| &r.lane), &incident.entry);
        self.say_unrouted(index, &incident);
        let fingerprint = incident.fingerprint.id.clone();
        let repo = &mut self.lanes[index];
        let solutions = if repo.solved.contains(&fingerprint) && incident.rules.is_empty() {
            Vec::new()
        } else {
            repo.fixer.propose(&incident)
        };
        let warnings = repo.fixer.take_warnings();
        let fix_events = repo.fixer.take_events();
        self.emit(NodeEvent::Incident(Box::new(incident)));
        for warning in warnings {
            self.emit(NodeEvent::Warning(warning));
        }
        for event in fix_events {
            self.emit(NodeEvent::Fix(event));
        }
        let mut failed = false;
        for mut solution in solutions {
            let repo = &mut self.lanes[index];
            let delivered = repo.deployer.deliver(&mut solution);
            if delivered.is_ok() {
                repo.solved.insert(fingerprint.clone());
            }
            let notes = repo.deployer.take_notes();
            let held = repo.deployer.take_held();
            let plans = repo.deployer.take_plans();
            if let Err(err) = delivered {
                failed = true;
                self.emit(NodeEvent::Error(format!("{err:#}")));
            }
            self.summary.solutions += 1;
            for note in notes {
                self.emit(NodeEvent::Note(note));
            }
            self.notify_pull_requests(index, &solution);
            self.emit(NodeEvent::Solution(Box::new(solution)));
            for held in held {
                self.emit(NodeEvent::Held(Box::new(held)));
            }
            for plan in plans {
                self.emit(NodeEvent::Plan(Box::new(plan)));
            }
        }
        self.state = if failed {
            NodeState::Error
        } else {
            NodeState::Operational
        };
    }

    /// An incident of a service that no repository was named for, while others have theirs: the
    /// user is told once per service why it gets no fix (or why it got the default repository's).
    fn say_unrouted(&mut self, index: usize, incident: &Incident) {
        if index != 0 || self.lanes.len() < 2 {
            return;
        }
        let entry = &incident.entry;
        let who = entry
            .service()
            .or(entry.logger())
            .unwrap_or(&entry.source)
            .to_owned();
        if !self.unrouted.insert(who.clone()) {
            return;
        }
        self.emit(NodeEvent::Warning(match &self.lanes[0].lane.fix.repo {
            Some(repo) => format!(
                "no repository is named for '{who}' (repos:, --repo SERVICE=DIR): its fixes are \
                 proposed in the default repository {}",
                repo.display()
            ),
            None => format!(
                "no repository is named for '{who}' (repos:, --repo SERVICE=DIR): its incidents \
                 are reported, but no fix is proposed"
            ),
        }));
    }

    /// Tell the webhooks of what `event` says, when it is one of theirs.
    fn notify(&mut self, event: &NodeEvent) {
        if !self.notifier.is_active() {
            return;
        }
        let message = match event {
            NodeEvent::Incident(incident) => notify::Event::incident_tripped(incident),
            NodeEvent::Solution(s) if s.regression => notify::Event::regression(s),
            NodeEvent::Solution(s)
                if matches!(s.state, SolutionState::Suggested | SolutionState::Deployed) =>
            {
                notify::Event::solution_proposed(s)
            }
            NodeEvent::Fix(FixEvent::Dropped {
                generator,
                step,
                why,
                ..
            }) => notify::Event::solution_dropped(generator, step.as_str(), why),
            _ => return,
        };
        self.notifier.send(&message);
        self.plan_notifications();
    }

    /// What the deploy stage did to pull requests, told to the webhooks.
    fn notify_pull_requests(&mut self, index: usize, solution: &Solution) {
        for (kind, url) in self.lanes[index].deployer.take_pr_events() {
            self.notifier
                .send(&notify::Event::pull_request(kind, solution, &url));
        }
        self.plan_notifications();
    }

    fn plan_notifications(&mut self) {
        for planned in self.notifier.take_planned() {
            let _ = self.events.send(NodeEvent::Notification(Box::new(planned)));
        }
    }

    /// Deliver what is still queued for the webhooks, waiting at most their timeout.
    pub fn finish(&mut self) -> notify::Delivered {
        self.notifier.finish()
    }

    fn emit(&mut self, event: NodeEvent) {
        self.notify(&event);
        // A dropped receiver means nobody listens any more; the pipeline still runs.
        let _ = self.events.send(event);
    }
}
