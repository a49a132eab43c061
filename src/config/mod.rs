//! Configuration: the YAML file, its validation, and the merge of file + flags + environment into
//! [`Settings`], the plain struct every stage is built from.
//!
//! Validation reports every problem at once, each with its file, line and key path
//! (`hephaestus.yaml:7: log.threshold_count: must be ≥ 1`), so a user fixes a config in one round.

mod find;
mod guard;
mod humane;
mod locate;
mod schema;
mod size;
pub mod worktree;

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use thiserror::Error;

pub use find::{find, CONFIG_VAR};
pub use guard::{Refusal, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH};
pub use locate::Step;
pub use schema::{Config, RemoteRepoConfig};
pub use size::{format_size, parse_size};

use crate::deploy::{DeploySettings, Mode, RemoteSettings, Secret};
use crate::fix::{FixSettings, RuleSpec};
use crate::notify::{Format, Hook, NotifySettings, EVENTS};
use crate::parse::{FormatSpec, Level, ParseSettings};
use crate::pattern::{mask, PatternSettings};
use crate::route::{Lane, Match, RepoRoute};
use crate::threshold::{Ignore, Ignored, RuleTrigger, ThresholdSettings, DEFAULT_MAX_TRACKED};

/// The annotated configuration `init` writes.
pub const EXAMPLE_CONFIG: &str = include_str!("../../hephaestus.example.yaml");

/// Default configuration file name, looked up in the current directory.
pub const DEFAULT_CONFIG_FILE: &str = "hephaestus.yaml";

/// Environment variables a token is taken from, in order of preference.
pub const TOKEN_VARS: [&str; 2] = ["HEPHAESTUS_TOKEN", "GITHUB_TOKEN"];

/// Every environment variable this tool takes a secret from: commands it runs on a repository's
/// code (`fix.verify`, `fix.reproduce`, compilers) get an environment without them, since that
/// code and its output come from a log's repository, not from the user.
pub const SECRET_VARS: &[&str] = &TOKEN_VARS;

/// One thing wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub path: String,
    pub message: String,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    // The cause is part of the message, not a `source()`: a chain printed with `{:#}` would say
    // it twice.
    #[error("failed to read config '{}': {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// Refused before parsing: too large, too deep, or with aliases (see [`guard`]).
    #[error("refusing config '{}': {reason}", path.display())]
    Refused { path: PathBuf, reason: Refusal },
    #[error("invalid config '{}':\n{}", path.display(), render_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let name = path.display();
    problems
        .iter()
        .map(|p| {
            let at = p
                .line
                .map(|l| format!("{name}:{l}"))
                .unwrap_or_else(|| name.to_string());
            if p.path.is_empty() {
                format!("  {at}: {}", p.message)
            } else {
                format!("  {at}: {}: {}", p.path, p.message)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Output options (the report layer's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSettings {
    pub json: bool,
    /// The proposed fixes as one patch on stdout (`analyze --format patch`).
    pub patch: bool,
    pub color: ColorMode,
    /// -1 quiet, 0 normal, 1+ verbose.
    pub verbosity: i8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    Auto,
    Always,
    Never,
}

/// Everything a run needs, merged from the config file, flags and environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file the settings came from, if any.
    pub config_path: Option<PathBuf>,
    pub max_line_bytes: usize,
    pub parse: ParseSettings,
    pub patterns: PatternSettings,
    pub threshold: ThresholdSettings,
    pub fix: FixSettings,
    pub deploy: DeploySettings,
    pub remote: RemoteSettings,
    pub state_dir: Option<PathBuf>,
    /// Repositories named per service or log (`--repo SERVICE=DIR` first, then `repos:`); the
    /// rest go to `fix.repo`.
    pub routes: Vec<RepoRoute>,
    /// Webhooks told of what happens.
    pub notify: NotifySettings,
    /// Things the user should know that are not errors (a literal token in the file …).
    pub warnings: Vec<String>,
}

/// The webhooks of `notify:`, each checked: an http(s) URL once its `${VAR}` parts are expanded
/// from the environment (a variable that is not set is a problem), a known format and events, a
/// token variable that is set.
fn notify_hooks(items: &[schema::NotifyConfig], problems: &mut Problems<'_>) -> Vec<Hook> {
    let mut hooks = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |key: &str| {
            vec![
                Step::Key("notify".into()),
                Step::Index(i),
                Step::Key(key.into()),
            ]
        };
        let url = match expand_env(&item.url) {
            Ok(url) => url,
            Err(var) => {
                problems.add_at(
                    &at("url"),
                    format!("${{{var}}} is not set in the environment"),
                );
                continue;
            }
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            problems.add_at(&at("url"), format!("'{}' is not an http(s) URL", item.url));
            continue;
        }
        let format = match item.format.as_str() {
            "json" => Format::Json,
            "slack" => Format::Slack,
            other => {
                problems.add_at(
                    &at("format"),
                    format!("'{other}' is not a format: json or slack"),
                );
                continue;
            }
        };
        if let Some(bad) = item.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            problems.add_at(
                &at("events"),
                format!("'{bad}' is not an event: {}", EVENTS.join(", ")),
            );
            continue;
        }
        let token = match &item.token_env {
            Some(var) => match std::env::var(var) {
                Ok(value) if !value.is_empty() => Some(Secret::new(value)),
                _ => {
                    problems.add_at(
                        &at("token_env"),
                        format!("{var} is not set in the environment"),
                    );
                    continue;
                }
            },
            None => None,
        };
        let Some(timeout) = parse_duration(&item.timeout)
            .map_err(|e| problems.add_at(&at("timeout"), e))
            .ok()
        else {
            continue;
        };
        if item.max_per_minute == 0 {
            problems.add_at(&at("max_per_minute"), "must be ≥ 1".into());
            continue;
        }
        hooks.push(Hook {
            url: Secret::new(url),
            shown: item.url.clone(),
            format,
            events: item.events.clone(),
            token,
            timeout,
            max_per_minute: item.max_per_minute,
        });
    }
    hooks
}

/// `text` with each `${VAR}` replaced by the variable's value; the first unset one is the error.
fn expand_env(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let var = &after[..end];
        match std::env::var(var) {
            Ok(value) => out.push_str(&value),
            Err(_) => return Err(var.to_owned()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Values given on the command line; `None` keeps the file's value.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub threshold_level: Option<String>,
    pub threshold_count: Option<u32>,
    pub threshold_window: Option<String>,
    pub mode: Option<Mode>,
    pub repo: Option<PathBuf>,
    /// `--repo SERVICE=DIR`, in the order given.
    pub repos: Vec<(String, PathBuf)>,
    /// Describe deploys instead of making them.
    pub dry_run: bool,
    /// `watch --state-dir`.
    pub state_dir: Option<PathBuf>,
}

impl Settings {
    /// Built-in defaults: the tool is useful with no config at all.
    pub fn defaults() -> Settings {
        Settings::from_config(None, "", Config::default()).expect("defaults are valid")
    }

    /// Load `explicit`, else `./hephaestus.yaml` if it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Settings, ConfigError> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.is_file()),
        };
        let Some(path) = path else {
            return Ok(Settings::defaults());
        };
        let text = read_bounded(&path)?;
        Settings::parse(&path, &text)
    }

    /// Parse and validate configuration text that came from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
        guard::check(text).map_err(|reason| ConfigError::Refused {
            path: path.to_path_buf(),
            reason,
        })?;
        let invalid = |problems| ConfigError::Invalid {
            path: path.to_path_buf(),
            problems: capped(problems),
        };
        let value: serde_yaml::Value = if text.trim().is_empty() {
            serde_yaml::Value::Null
        } else {
            serde_yaml::from_str(text).map_err(|e| invalid(vec![yaml_problem(&e, text)]))?
        };
        let mut problems = Vec::new();
        check_keys(text, &value, &mut Vec::new(), "", &mut problems);
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        // Typed deserialisation from the text, not the value: only then do errors carry a position.
        let config: Config = if value.is_null() {
            Config::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| invalid(vec![yaml_problem(&e, text)]))?
        };
        Settings::from_config(Some(path), text, config).map_err(invalid)
    }

    fn from_config(
        path: Option<&Path>,
        text: &str,
        config: Config,
    ) -> Result<Settings, Vec<Problem>> {
        let mut problems = Problems::new(text);
        let log = &config.log;

        let level = Level::parse(&log.threshold_level).unwrap_or_else(|| {
            problems.add(
                &["log", "threshold_level"],
                Level::parse_error(&log.threshold_level),
            );
            Level::Error
        });
        let count = if log.threshold_count < 1 {
            problems.add(&["log", "threshold_count"], "must be ≥ 1".into());
            1
        } else {
            u32::try_from(log.threshold_count).unwrap_or(u32::MAX)
        };
        let window = problems
            .duration(&["log", "threshold_window"], &log.threshold_window)
            .unwrap_or(Duration::from_secs(300));
        let cooldown = match &log.cooldown {
            Some(text) => problems
                .duration(&["log", "cooldown"], text)
                .unwrap_or(window),
            None => window,
        };
        let max_line_bytes = if log.max_line_bytes < 1 {
            problems.add(&["log", "max_line_bytes"], "must be ≥ 1".into());
            1
        } else {
            log.max_line_bytes as usize
        };

        let mode = match config.mode.as_deref() {
            None | Some("suggest") => Mode::Suggest,
            Some("deploy") => Mode::Deploy,
            Some(other) => {
                problems.add(
                    &["mode"],
                    format!("unknown mode '{other}' (expected suggest or deploy)"),
                );
                Mode::Suggest
            }
        };

        let mut formats = Vec::new();
        for (i, f) in config.formats.iter().enumerate() {
            let at = |k: &str| item_path("formats", i, k);
            if let Some(format) = &f.timestamp_format {
                if let Err(e) = crate::parse::time::check_format(format) {
                    problems.add_at(&at("timestamp_format"), e);
                }
            }
            if let Some(regex) = problems.regex(&at("regex"), &f.regex) {
                let names: Vec<&str> = regex.capture_names().flatten().collect();
                if !names.contains(&"message") {
                    problems.add_at(
                        &at("regex"),
                        "needs a named group `message`, e.g. (?P<message>.*)".into(),
                    );
                }
                formats.push(FormatSpec {
                    name: f.name.clone(),
                    regex,
                    timestamp_format: f.timestamp_format.clone(),
                });
            }
        }

        let mut rules = Vec::new();
        let mut triggers = Vec::new();
        for (i, r) in config.rules.iter().enumerate() {
            let at = |k: &str| item_path("rules", i, k);
            let matcher = problems.regex(&at("match"), &r.matcher);
            let find = problems.regex(&at("find"), &r.find);
            if r.file.trim().is_empty() {
                problems.add_at(&at("file"), "must name a file in the repository".into());
            } else if Path::new(&r.file).is_absolute()
                || Path::new(&r.file)
                    .components()
                    .any(|c| c == std::path::Component::ParentDir)
            {
                problems.add_at(
                    &at("file"),
                    format!("'{}' must be a relative path inside the repository", r.file),
                );
            }
            if config.rules[..i].iter().any(|other| other.name == r.name) {
                problems.add_at(
                    &at("name"),
                    format!("another rule is already named '{}'", r.name),
                );
            }
            let level = r
                .level
                .as_deref()
                .and_then(|word| problems.level(&at("level"), word));
            if r.count < 1 {
                problems.add_at(&at("count"), "must be ≥ 1".into());
            }
            if let (Some(matcher), Some(find)) = (&matcher, &find) {
                for unknown in crate::fix::rules::undefined_groups(&r.replace, matcher, find) {
                    problems.add_at(&at("replace"), unknown);
                }
            }
            if let (Some(matcher), Some(find)) = (matcher, find) {
                triggers.push(RuleTrigger {
                    name: r.name.clone(),
                    matcher: matcher.clone(),
                    level,
                    count: u32::try_from(r.count.max(1)).unwrap_or(u32::MAX),
                });
                rules.push(RuleSpec {
                    name: r.name.clone(),
                    matcher,
                    file: r.file.clone(),
                    find,
                    replace: r.replace.clone(),
                });
            }
        }

        let mut ignore = Vec::new();
        for (i, entry) in config.ignore.iter().enumerate() {
            let at = |k: &str| item_path("ignore", i, k);
            let level = entry
                .level
                .as_deref()
                .and_then(|word| problems.level(&at("level"), word));
            let what = match (&entry.template, &entry.fingerprint, &entry.matcher) {
                (Some(template), None, None) => Some(Ignore::template(template, level).what),
                (None, Some(id), None) => Some(Ignored::Fingerprint(id.clone())),
                (None, None, Some(regex)) => {
                    problems.regex(&at("match"), regex).map(Ignored::Match)
                }
                _ => {
                    problems.add_at(
                        &[Step::Key("ignore".into()), Step::Index(i)],
                        "needs exactly one of template, fingerprint and match, e.g. \
                         `- template: 'slow query took <*>ms'`"
                            .into(),
                    );
                    None
                }
            };
            if let Some(what) = what {
                ignore.push(Ignore { what, level });
            }
        }

        let mut routes = Vec::new();
        let base = path
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for (i, entry) in config.repos.iter().enumerate() {
            let at = |k: &str| item_path("repos", i, k);
            let matcher = match (&entry.service, &entry.logs) {
                (Some(service), None) if !service.trim().is_empty() => {
                    Some(Match::Service(service.trim().to_owned()))
                }
                (None, Some(glob)) => match Match::logs(glob) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.add_at(&at("logs"), format!("invalid glob: {}", e.kind()));
                        None
                    }
                },
                _ => {
                    problems.add_at(
                        &[Step::Key("repos".into()), Step::Index(i)],
                        "needs exactly one of service and logs, e.g. `- service: api` or \
                         `- logs: 'logs/api/*.log'`"
                            .into(),
                    );
                    None
                }
            };
            let repo = match &entry.repo {
                Some(repo) if !repo.as_os_str().is_empty() => Some(base.join(repo)),
                _ => {
                    problems.add_at(
                        &[Step::Key("repos".into()), Step::Index(i)],
                        "needs repo: the repository's top directory, e.g. `repo: ../api`".into(),
                    );
                    None
                }
            };
            if let (Some(matcher), Some(repo)) = (matcher, repo) {
                let given_in = match (path, problems.line_of(&at("repo"))) {
                    (Some(path), Some(line)) => format!("{}:{line}", path.display()),
                    (Some(path), None) => path.display().to_string(),
                    (None, _) => "repos:".to_owned(),
                };
                routes.push(RepoRoute {
                    matcher,
                    repo,
                    owner: entry.owner.clone().filter(|s| !s.is_empty()),
                    repository: entry.repository.clone().filter(|s| !s.is_empty()),
                    branch: entry.branch.clone().filter(|s| !s.is_empty()),
                    given_in,
                });
            }
        }

        for (i, name) in config.patterns.masks.iter().enumerate() {
            if !mask::BUILTIN.contains(&name.as_str()) {
                let at = vec![
                    Step::Key("patterns".into()),
                    Step::Key("masks".into()),
                    Step::Index(i),
                ];
                problems.add_at(
                    &at,
                    format!(
                        "unknown mask '{name}'{} (built-in masks: {})",
                        did_you_mean(name, mask::BUILTIN),
                        mask::BUILTIN.join(", ")
                    ),
                );
            }
        }
        let mut extra_masks = Vec::new();
        for (i, m) in config.patterns.extra_masks.iter().enumerate() {
            let at = vec![
                Step::Key("patterns".into()),
                Step::Key("extra_masks".into()),
                Step::Index(i),
                Step::Key("regex".into()),
            ];
            if let Some(regex) = problems.regex(&at, &m.regex) {
                extra_masks.push((m.name.clone(), regex));
            }
        }
        if config.patterns.max_patterns < 1 {
            problems.add(&["patterns", "max_patterns"], "must be ≥ 1".into());
        }

        let verify_timeout = problems
            .duration(&["fix", "verify_timeout"], &config.fix.verify_timeout)
            .unwrap_or(Duration::from_secs(300));
        let min_confidence = config.fix.min_confidence;
        if !(0.0..=1.0).contains(&min_confidence) {
            problems.add(
                &["fix", "min_confidence"],
                format!("must be within 0 and 1, got '{min_confidence}'"),
            );
        }

        let llm = config
            .fix
            .llm
            .as_ref()
            .and_then(|l| llm_settings(l, &mut problems));

        let ready_confidence = config.remote_repo.pr.ready_confidence;
        if !(0.0..=1.0).contains(&ready_confidence) {
            problems.add(
                &["remote_repo", "pr", "ready_confidence"],
                format!("must be within 0 and 1, got '{ready_confidence}'"),
            );
        }

        let update_interval = problems
            .duration(
                &["remote_repo", "pr", "update_interval"],
                &config.remote_repo.pr.update_interval,
            )
            .unwrap_or(Duration::from_secs(24 * 3600));

        let remote = &config.remote_repo;
        if !["github", "gitlab", "gitea"].contains(&remote.provider.as_str()) {
            problems.add(
                &["remote_repo", "provider"],
                format!(
                    "unknown provider '{}' (expected github, gitlab or gitea)",
                    remote.provider
                ),
            );
        }
        if let Some(api) = remote.api_url.as_deref() {
            if !(api.starts_with("https://") || api.starts_with("http://")) {
                problems.add(
                    &["remote_repo", "api_url"],
                    format!("'{api}' is not an http(s) URL, e.g. https://gitlab.acme.io/api/v4"),
                );
            } else if api.contains(['?', '#']) {
                // Request paths are appended to it: a query or fragment would swallow them.
                problems.add(
                    &["remote_repo", "api_url"],
                    format!(
                        "'{}' has a query or fragment: give the API's base URL only, e.g. \
                         https://gitlab.acme.io/api/v4",
                        crate::deploy::git::redact(api)
                    ),
                );
            }
        }
        let mut warnings = Vec::new();
        let env_token = TOKEN_VARS
            .iter()
            .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
            .map(Secret::new);
        let file_token = remote.token.clone().filter(|t| !t.is_empty());
        if file_token.is_some() {
            warnings.push(format!(
                "{}: remote_repo.token is a literal token; prefer the HEPHAESTUS_TOKEN environment variable",
                path.map(|p| p.display().to_string()).unwrap_or_default()
            ));
        }

        let notify = notify_hooks(&config.notify, &mut problems);

        problems.finish()?;
        Ok(Settings {
            config_path: path.map(Path::to_path_buf),
            max_line_bytes,
            parse: ParseSettings { formats },
            patterns: PatternSettings {
                masks: config.patterns.masks.clone(),
                extra_masks,
                max_patterns: config.patterns.max_patterns.max(1) as usize,
            },
            threshold: ThresholdSettings {
                level,
                count,
                window,
                cooldown,
                max_tracked: DEFAULT_MAX_TRACKED,
                rules: triggers,
                ignore,
            },
            fix: FixSettings {
                repo: None,
                rules,
                compile: true,
                verify: config.fix.verify.clone(),
                reproduce: config.fix.reproduce.clone(),
                verify_timeout,
                min_confidence,
                llm,
            },
            deploy: DeploySettings {
                mode,
                retry: crate::deploy::RetryPolicy::from_env(),
                ..DeploySettings::default()
            },
            remote: RemoteSettings {
                provider: remote.provider.clone(),
                api_url: remote.api_url.clone(),
                remote: remote.remote.clone(),
                token: env_token.or(file_token),
                owner: remote.owner.clone(),
                repository: remote.repository.clone(),
                branch: remote.branch.clone(),
                author_name: remote.author.name.clone(),
                author_email: remote.author.email.clone(),
                title_template: remote.pr.title_template.clone(),
                branch_template: remote.pr.branch_template.clone(),
                labels: remote.pr.labels.clone(),
                draft: remote.pr.draft,
                ready_confidence: remote.pr.ready_confidence,
                update_interval,
                max_open: remote.pr.max_open,
                max_per_day: remote.pr.max_per_day,
            },
            state_dir: config.state_dir.clone(),
            routes,
            notify: NotifySettings {
                hooks: notify,
                dry_run: false,
            },
            warnings,
        })
    }

    /// Apply command-line overrides; errors name the flag.
    pub fn apply(&mut self, overrides: Overrides) -> anyhow::Result<()> {
        let Overrides {
            threshold_level,
            threshold_count,
            threshold_window,
            mode,
            repo,
            repos,
            dry_run,
            state_dir,
        } = overrides;
        self.deploy.dry_run |= dry_run;
        self.notify.dry_run |= dry_run;
        if let Some(level) = threshold_level {
            self.threshold.level = level
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--threshold-level: {e}"))?;
        }
        if let Some(count) = threshold_count {
            anyhow::ensure!(count >= 1, "--threshold-count: must be ≥ 1");
            self.threshold.count = count;
        }
        if let Some(window) = threshold_window {
            let window =
                parse_duration(&window).map_err(|e| anyhow::anyhow!("--threshold-window: {e}"))?;
            // A cooldown left at its default follows the window.
            if self.threshold.cooldown == self.threshold.window {
                self.threshold.cooldown = window;
            }
            self.threshold.window = window;
        }
        if let Some(mode) = mode {
            self.deploy.mode = mode;
        }
        if let Some(repo) = repo {
            self.fix.repo = Some(repo);
        }
        // Flags first: the first route that takes an entry wins.
        let flags = repos.into_iter().map(|(service, repo)| RepoRoute {
            matcher: Match::Service(service),
            repo,
            owner: None,
            repository: None,
            branch: None,
            given_in: "--repo".to_owned(),
        });
        self.routes.splice(0..0, flags);
        // The one place the state directory is decided: the flag, the config, the XDG default.
        // Checkpoints and deploy records therefore never land in different directories.
        self.state_dir = state_dir
            .or(self.state_dir.take())
            .or_else(crate::state_dir::default_dir);
        if let Some(llm) = &mut self.fix.llm {
            llm.state_dir = self.state_dir.clone();
        }
        Ok(())
    }
}

impl Settings {
    /// The fix and deploy settings of each repository: the default one first (`--repo`, else
    /// the repository around the current directory), then one per route. The one place the
    /// deploy stage's settings are put together.
    pub fn lanes(&self) -> Vec<Lane> {
        let deploy = |repo: Option<PathBuf>, remote: RemoteSettings| DeploySettings {
            repo,
            remote,
            state_dir: self.state_dir.clone(),
            min_confidence: self.fix.min_confidence,
            ..self.deploy.clone()
        };
        let default = Lane {
            matcher: None,
            fix: self.fix.clone(),
            deploy: deploy(self.fix.repo.clone(), self.remote.clone()),
        };
        let routed = self.routes.iter().map(|route| {
            let or = |given: &Option<String>, default: &str| {
                given.clone().unwrap_or_else(|| default.to_owned())
            };
            let remote = RemoteSettings {
                owner: or(&route.owner, ""),
                repository: or(&route.repository, ""),
                branch: or(&route.branch, self.remote.base_branch()),
                ..self.remote.clone()
            };
            Lane {
                matcher: Some(route.matcher.clone()),
                fix: FixSettings {
                    repo: Some(route.repo.clone()),
                    ..self.fix.clone()
                },
                deploy: deploy(Some(route.repo.clone()), remote),
            }
        });
        std::iter::once(default).chain(routed).collect()
    }
}

/// The text of the config file `path`, refused past [`MAX_CONFIG_BYTES`] without reading the
/// rest (the path may name something endless, like `/dev/zero`).
fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read as _;
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        cause: source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::Refused {
            path: path.to_path_buf(),
            reason: Refusal::TooLarge,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })
}

/// Parse `30s`, `5m`, `1h30m` …; zero is refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("invalid duration '{text}': {e} (examples: 30s, 5m, 1h)"))?;
    if d.is_zero() {
        return Err(format!(
            "invalid duration '{text}': must be longer than zero"
        ));
    }
    Ok(d)
}

/// ` (did you mean 'x'?)` when a known word is close to `word`.
fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// At most this many problems are listed, the rest counted: a file with thousands of wrong keys
/// is fixed from the first screen of them, and locating each one costs a pass over the file.
const MAX_PROBLEMS_LISTED: usize = 20;

/// `problems` cut to [`MAX_PROBLEMS_LISTED`], with a last one counting those left out.
fn capped(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS_LISTED {
        let more = problems.len() - MAX_PROBLEMS_LISTED;
        problems.truncate(MAX_PROBLEMS_LISTED);
        problems.push(Problem {
            line: None,
            path: String::new(),
            message: format!(
                "… and {more} more problem{}",
                if more == 1 { "" } else { "s" }
            ),
        });
    }
    problems
}

/// The line of `path` for the problem that would be number `listed + 1`: `None` past those
/// listed, which are not shown anyway.
fn line_if_listed(text: &str, path: &[Step], listed: usize) -> Option<usize> {
    if listed < MAX_PROBLEMS_LISTED {
        locate::line_of(text, path)
    } else {
        None
    }
}

/// Walk the YAML value and report every key the schema does not know.
fn check_keys(
    text: &str,
    value: &serde_yaml::Value,
    path: &mut Vec<Step>,
    schema_path: &str,
    out: &mut Vec<Problem>,
) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            let Some(known) = schema::known_keys(schema_path) else {
                return;
            };
            for (key, child) in map {
                let Some(key) = key.as_str() else { continue };
                path.push(Step::Key(key.to_owned()));
                if known.contains(&key) {
                    let child_schema = if schema_path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{schema_path}.{key}")
                    };
                    check_keys(text, child, path, &child_schema, out);
                } else {
                    out.push(Problem {
                        line: line_if_listed(text, path, out.len()),
                        path: locate::display_path(path),
                        message: format!("unknown key '{key}'{}", did_you_mean(key, known)),
                    });
                }
                path.pop();
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                check_keys(text, item, path, &format!("{schema_path}[]"), out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn yaml_problem(e: &serde_yaml::Error, text: &str) -> Problem {
    let message = e.to_string();
    // serde_yaml appends " at line L column C"; the line goes in front, like every other problem.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    let line = e.location().map(|l| l.line());
    Problem {
        line,
        path: String::new(),
        message: humane::rewrite(&message, text, line),
    }
}

/// The path of key `key` in item `index` of the list `list`: `rules[2].match`.
fn item_path(list: &str, index: usize, key: &str) -> Vec<Step> {
    vec![
        Step::Key(list.into()),
        Step::Index(index),
        Step::Key(key.into()),
    ]
}

/// Collects problems with their lines.
struct Problems<'a> {
    text: &'a str,
    list: Vec<Problem>,
}

/// `fix.llm`, checked: an http(s) base URL, a model, a duration, counts of at least 1, and the
/// key's variable named, not its value (the key is read when a request is made).
fn llm_settings(
    l: &schema::LlmConfig,
    problems: &mut Problems<'_>,
) -> Option<crate::fix::llm::LlmSettings> {
    let before = problems.list.len();
    let url = l.url.trim_end_matches('/');
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        problems.add(
            &["fix", "llm", "url"],
            format!(
                "'{}' is not an http(s) URL, e.g. http://127.0.0.1:11434/v1",
                crate::deploy::git::redact(&l.url)
            ),
        );
    } else if url.contains(['?', '#']) {
        problems.add(
            &["fix", "llm", "url"],
            "has a query or fragment: give the API's base URL only, e.g. http://127.0.0.1:11434/v1"
                .into(),
        );
    }
    if l.model.trim().is_empty() {
        problems.add(&["fix", "llm", "model"], "must not be empty".into());
    }
    if let Some(var) = &l.api_key_env {
        if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            problems.add(
                &["fix", "llm", "api_key_env"],
                format!("'{var}' is not an environment variable's name"),
            );
        }
    }
    let timeout = problems.duration(&["fix", "llm", "timeout"], &l.timeout);
    for (key, value) in [
        ("max_calls_per_hour", l.max_calls_per_hour),
        ("context_lines", l.context_lines),
    ] {
        if value < 1 {
            problems.add(&["fix", "llm", key], format!("must be ≥ 1, got '{value}'"));
        }
    }
    for (i, pattern) in l.redact.iter().enumerate() {
        let at = [
            Step::Key("fix".into()),
            Step::Key("llm".into()),
            Step::Key("redact".into()),
            Step::Index(i),
        ];
        problems.regex(&at, pattern);
    }
    (problems.list.len() == before).then(|| crate::fix::llm::LlmSettings {
        url: url.to_string(),
        model: l.model.trim().to_string(),
        api_key_env: l.api_key_env.clone(),
        timeout: timeout.unwrap_or(Duration::from_secs(60)),
        max_calls_per_hour: l.max_calls_per_hour as u32,
        context_lines: l.context_lines as u32,
        audit: l.audit,
        redact: l.redact.clone(),
        state_dir: None,
        show_prompt: false,
    })
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            text,
            list: Vec::new(),
        }
    }

    fn add(&mut self, keys: &[&str], message: String) {
        let path: Vec<Step> = keys.iter().map(|k| Step::Key(k.to_string())).collect();
        self.add_at(&path, message);
    }

    fn add_at(&mut self, path: &[Step], message: String) {
        self.list.push(Problem {
            line: line_if_listed(self.text, path, self.list.len()),
            path: locate::display_path(path),
            message,
        });
    }

    /// The line `path` is on, for naming where a setting came from.
    fn line_of(&self, path: &[Step]) -> Option<usize> {
        locate::line_of(self.text, path)
    }

    fn duration(&mut self, keys: &[&str], text: &str) -> Option<Duration> {
        parse_duration(text).map_err(|e| self.add(keys, e)).ok()
    }

    /// The level `word` names, or a problem at `path`.
    fn level(&mut self, path: &[Step], word: &str) -> Option<Level> {
        let level = Level::parse(word);
        if level.is_none() {
            self.add_at(path, Level::parse_error(word));
        }
        level
    }

    fn regex(&mut self, path: &[Step], pattern: &str) -> Option<Regex> {
        Regex::new(pattern)
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                self.add_at(path, format!("invalid regex: {last}"));
            })
            .ok()
    }

    fn finish(self) -> Result<(), Vec<Problem>> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.list)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_are_base_urls() {
        let got = problems("remote_repo:\n  api_url: https://git.acme.io/api/v4?private_token=x\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("has a query or fragment"), "{got:?}");
        assert!(!got[0].contains("private_token=x"), "{got:?}");
        let got = problems("remote_repo:\n  api_url: git.acme.io/api/v4\n");
        assert!(got[0].contains("is not an http(s) URL"), "{got:?}");
        assert!(problems("remote_repo:\n  api_url: https://git.acme.io/api/v4/\n").is_empty());
    }

    fn problems(text: &str) -> Vec<String> {
        match Settings::parse(Path::new("h.yaml"), text) {
            Ok(_) => vec![],
            Err(ConfigError::Invalid { problems, .. }) => problems
                .into_iter()
                .map(|p| format!("{}:{}: {}", p.line.unwrap_or(0), p.path, p.message))
                .collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn thousands_of_problems_list_the_first_ones_and_count_the_rest() {
        let text: String = (0..5000).map(|i| format!("k{i}: 1\n")).collect();
        let got = problems(&text);
        assert_eq!(got.len(), MAX_PROBLEMS_LISTED + 1);
        assert_eq!(got[0], "1:k0: unknown key 'k0'");
        assert_eq!(got[19], "20:k19: unknown key 'k19'");
        assert_eq!(got[20], "0:: … and 4980 more problems");
    }

    #[test]
    fn example_config_is_valid() {
        Settings::parse(Path::new("hephaestus.example.yaml"), EXAMPLE_CONFIG).unwrap();
    }

    #[test]
    fn llm_is_off_by_default_and_checked_when_set() {
        let example = Settings::parse(Path::new("h.yaml"), EXAMPLE_CONFIG).unwrap();
        assert_eq!(example.fix.llm, None);
        // The example's block, uncommented, is what the defaults give.
        let block: String = EXAMPLE_CONFIG
            .lines()
            .skip_while(|l| !l.starts_with("  # llm:"))
            .take_while(|l| l.starts_with("  #   ") || l.starts_with("  # llm:"))
            .map(|l| format!("  {}\n", &l[4..]))
            .collect();
        let given = Settings::parse(Path::new("h.yaml"), &format!("fix:\n{block}")).unwrap();
        let llm = given.fix.llm.expect("fix.llm");
        assert_eq!(llm.url, "http://127.0.0.1:11434/v1");
        assert_eq!(llm.model, "qwen2.5-coder:7b");
        assert_eq!(llm.api_key_env.as_deref(), Some("HEPHAESTUS_LLM_KEY"));
        assert_eq!(llm.timeout, Duration::from_secs(60));
        assert_eq!((llm.max_calls_per_hour, llm.context_lines), (20, 40));
        assert!(!llm.audit);
        assert_eq!(llm.redact, ["cust-[0-9]+"]);
        let short = Settings::parse(
            Path::new("h.yaml"),
            "fix:\n  llm:\n    url: http://h/v1/\n    model: m\n",
        )
        .unwrap();
        assert_eq!(short.fix.llm.unwrap().url, "http://h/v1");
        assert_eq!(
            problems(
                "fix:\n  llm:\n    url: ftp://x\n    model: ''\n    timeout: 0s\n    \
                 max_calls_per_hour: 0\n    context_lines: -1\n    api_key_env: 'A B'\n"
            ),
            [
                "3:fix.llm.url: 'ftp://x' is not an http(s) URL, e.g. http://127.0.0.1:11434/v1",
                "4:fix.llm.model: must not be empty",
                "8:fix.llm.api_key_env: 'A B' is not an environment variable's name",
                "5:fix.llm.timeout: invalid duration '0s': must be longer than zero",
                "6:fix.llm.max_calls_per_hour: must be ≥ 1, got '0'",
                "7:fix.llm.context_lines: must be ≥ 1, got '-1'",
            ]
        );
        assert_eq!(
            problems("fix:\n  llm:\n    url: http://x\n    model: m\n    modle: n\n"),
            ["5:fix.llm.modle: unknown key 'modle' (did you mean 'model'?)"]
        );
        let got = problems("fix:\n  llm:\n    url: http://x\n    model: m\n    redact: ['(']\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("fix.llm.redact[0]: invalid regex"),
            "{got:?}"
        );
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let got = problems("log:\n  threshold_count: 0\n  threshold_window: soon\nmode: yolo\n");
        assert_eq!(
            got,
            [
                "2:log.threshold_count: must be ≥ 1",
                "3:log.threshold_window: invalid duration 'soon': expected number at 0 (examples: 30s, 5m, 1h)",
                "4:mode: unknown mode 'yolo' (expected suggest or deploy)",
            ]
        );
    }

    #[test]
    fn min_confidence_must_be_within_0_and_1() {
        assert_eq!(
            problems("fix:\n  min_confidence: 0.95\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            problems("fix:\n  verify_timeout: 1m\n  min_confidence: 1.5\n"),
            ["3:fix.min_confidence: must be within 0 and 1, got '1.5'"]
        );
        assert_eq!(
            problems("fix:\n  min_confidence: -0.1\n"),
            ["2:fix.min_confidence: must be within 0 and 1, got '-0.1'"]
        );
        let settings =
            Settings::parse(Path::new("h.yaml"), "fix:\n  reproduce: make crash\n").unwrap();
        assert_eq!(settings.fix.min_confidence, 0.8);
        assert_eq!(settings.fix.reproduce.as_deref(), Some("make crash"));
    }

    #[test]
    fn unknown_keys_get_a_suggestion() {
        let got = problems("log:\n  treshold_count: 2\n");
        assert_eq!(got, ["2:log.treshold_count: unknown key 'treshold_count' (did you mean 'threshold_count'?)"]);
    }

    #[test]
    fn the_commented_example_rule_is_valid() {
        // The rule `init` documents, uncommented: `rules: []` and the `#` lines after it.
        let mut text = String::new();
        let mut in_rules = false;
        for line in EXAMPLE_CONFIG.lines() {
            if line == "rules: []" {
                in_rules = true;
                text.push_str("rules:\n");
                continue;
            }
            if in_rules && line.starts_with('#') {
                text.push_str(&line[1..]);
            } else {
                in_rules = false;
                text.push_str(line);
            }
            text.push('\n');
        }
        let settings = Settings::parse(Path::new("h.yaml"), &text).unwrap();
        let rule = &settings.threshold.rules[0];
        assert_eq!(rule.name, "db-pool-exhausted");
        assert_eq!((rule.level, rule.count), (Some(Level::Warn), 1));
        assert_eq!(settings.fix.rules[0].replace, "max_connections: ${max}0");
    }

    #[test]
    fn rule_triggers_default_to_any_level_once() {
        let settings = Settings::parse(
            Path::new("h.yaml"),
            "rules:\n  - name: a\n    match: 'x'\n    file: f\n    find: 'y'\n    replace: z\n",
        )
        .unwrap();
        let rule = &settings.threshold.rules[0];
        assert_eq!((rule.level, rule.count), (None, 1));
    }

    #[test]
    fn rule_level_count_replace_and_name_are_checked_at_their_line() {
        let got = problems(
            "rules:\n  - name: a\n    match: 'pool (?P<max>\\d+)'\n    level: loud\n    count: 0\n    file: f\n    find: 'max: (\\d+)'\n    replace: 'max: ${maks} $1 $2 $max'\n  - name: a\n    match: 'x'\n    file: f\n    find: 'y'\n    replace: z\n",
        );
        assert_eq!(
            got,
            [
                "4:rules[0].level: unknown level 'loud' (expected one of: trace, debug, info, notice, warn, error, critical)",
                "5:rules[0].count: must be ≥ 1",
                "8:rules[0].replace: '${maks}' is not a group of match or find (named groups of match: max)",
                "8:rules[0].replace: '$2' is not a group of match or find (named groups of match: max)",
                "9:rules[1].name: another rule is already named 'a'",
            ]
        );
    }

    #[test]
    fn bad_regexes_are_reported_at_their_rule() {
        let got = problems("rules:\n  - name: a\n    match: 'ok'\n    file: x.yaml\n    find: '('\n    replace: y\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("5:rules[0].find: invalid regex"),
            "{got:?}"
        );
    }
}
