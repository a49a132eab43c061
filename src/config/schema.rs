//! The YAML schema of `hephaestus.yaml`. Every field has its default here and its documentation in
//! `hephaestus.example.yaml`, which `init` writes.

use std::path::PathBuf;

use serde::Deserialize;

use crate::deploy::Secret;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub log: LogConfig,
    /// `suggest` or `deploy`.
    pub mode: Option<String>,
    pub remote_repo: RemoteRepoConfig,
    pub formats: Vec<FormatConfig>,
    pub rules: Vec<RuleConfig>,
    /// Kinds of entries that never trip.
    pub ignore: Vec<IgnoreConfig>,
    /// The repository of each service, when one process reads several services' logs.
    pub repos: Vec<RepoConfig>,
    pub patterns: PatternsConfig,
    pub fix: FixConfig,
    /// Webhooks told of incidents, fixes and pull requests.
    pub notify: Vec<NotifyConfig>,
    /// Where `watch` keeps checkpoints and `deploy` its records.
    pub state_dir: Option<PathBuf>,
}

/// A webhook; see `notify:` in `hephaestus.example.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// `${VAR}` parts come from the environment and are never printed.
    pub url: String,
    /// `json` or `slack`.
    #[serde(default = "default_notify_format")]
    pub format: String,
    /// Events sent; all when empty.
    #[serde(default)]
    pub events: Vec<String>,
    /// An environment variable holding a bearer token for the webhook.
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default = "default_notify_timeout")]
    pub timeout: String,
    #[serde(default = "default_notify_rate")]
    pub max_per_minute: u32,
}

fn default_notify_format() -> String {
    "json".into()
}

fn default_notify_timeout() -> String {
    "10s".into()
}

fn default_notify_rate() -> u32 {
    30
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub threshold_level: String,
    /// Signed so that 0 and negatives get a clear "must be ≥ 1" instead of a type error.
    pub threshold_count: i64,
    pub threshold_window: String,
    /// Defaults to the window.
    pub cooldown: Option<String>,
    pub max_line_bytes: i64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            threshold_level: "error".into(),
            threshold_count: 3,
            threshold_window: "5m".into(),
            cooldown: None,
            max_line_bytes: crate::source::DEFAULT_MAX_LINE_BYTES as i64,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemoteRepoConfig {
    /// `github`, `gitlab` or `gitea`.
    pub provider: String,
    /// API base URL; defaults to the provider's public API.
    pub api_url: Option<String>,
    /// The git remote to fetch from and push to.
    pub remote: String,
    /// Prefer HEPHAESTUS_TOKEN or GITHUB_TOKEN in the environment.
    pub token: Option<Secret>,
    pub owner: String,
    pub repository: String,
    /// Base branch of pull requests.
    pub branch: String,
    pub author: AuthorConfig,
    pub pr: PrConfig,
}

impl Default for RemoteRepoConfig {
    fn default() -> Self {
        RemoteRepoConfig {
            provider: "github".into(),
            api_url: None,
            remote: "origin".into(),
            token: None,
            owner: String::new(),
            repository: String::new(),
            branch: "main".into(),
            author: AuthorConfig::default(),
            pr: PrConfig::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthorConfig {
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrConfig {
    pub title_template: String,
    pub branch_template: String,
    pub labels: Vec<String>,
    pub draft: bool,
    pub ready_confidence: f64,
    pub update_interval: String,
    pub max_open: usize,
    pub max_per_day: usize,
}

impl Default for PrConfig {
    fn default() -> Self {
        PrConfig {
            title_template: crate::deploy::branch::DEFAULT_TITLE.into(),
            branch_template: crate::deploy::branch::DEFAULT_BRANCH.into(),
            labels: vec!["hephaestus".into()],
            draft: false,
            ready_confidence: 0.9,
            update_interval: "24h".into(),
            max_open: 5,
            max_per_day: 3,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatConfig {
    pub name: String,
    pub regex: String,
    /// strftime pattern of the `timestamp` group; common forms are tried when absent.
    #[serde(default)]
    pub timestamp_format: Option<String>,
}

/// A kind of entry that never trips; see `ignore:` in `hephaestus.example.yaml`. Exactly one of
/// `template`, `fingerprint` and `match`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IgnoreConfig {
    pub template: Option<String>,
    pub fingerprint: Option<String>,
    #[serde(rename = "match")]
    pub matcher: Option<String>,
    /// Highest level ignored; every level when absent.
    pub level: Option<String>,
}

/// The repository a service's fixes go to; see `repos:` in `hephaestus.example.yaml`. Exactly
/// one of `service` and `logs`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepoConfig {
    pub service: Option<String>,
    /// A glob of the log files' paths.
    pub logs: Option<String>,
    /// The repository's top directory, relative to the config file's directory.
    pub repo: Option<PathBuf>,
    /// The forge project; from the repository's remote when absent.
    pub owner: Option<String>,
    pub repository: Option<String>,
    /// Base branch of pull requests; the remote's default branch when absent.
    pub branch: Option<String>,
}

/// A user rule; see `rules:` in `hephaestus.example.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub name: String,
    /// Regex searched in the entry's message followed by ` key=value` for each of its fields.
    #[serde(rename = "match")]
    pub matcher: String,
    /// Lowest level that counts; any level when absent.
    #[serde(default)]
    pub level: Option<String>,
    /// Matching entries within the threshold window that trip the rule. Signed so that 0 and
    /// negatives get a clear "must be ≥ 1".
    #[serde(default = "one")]
    pub count: i64,
    pub file: String,
    pub find: String,
    pub replace: String,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatternsConfig {
    /// Built-in masks to apply; `[]` turns masking off.
    pub masks: Vec<String>,
    pub extra_masks: Vec<MaskConfig>,
    pub max_patterns: i64,
}

impl Default for PatternsConfig {
    fn default() -> Self {
        PatternsConfig {
            masks: crate::pattern::mask::BUILTIN
                .iter()
                .map(|s| s.to_string())
                .collect(),
            extra_masks: Vec::new(),
            max_patterns: crate::pattern::DEFAULT_MAX_PATTERNS as i64,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskConfig {
    pub name: String,
    pub regex: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixConfig {
    /// Command run with the patch applied in a temporary worktree.
    pub verify: Option<String>,
    /// Command that reproduced the crash: with the patch applied it must exit 0 and no longer
    /// print the exception.
    pub reproduce: Option<String>,
    /// Timeout of each command of the verification ladder (compilers, verify, reproduce).
    pub verify_timeout: String,
    /// In [0, 1]: below it, deploy mode suggests a solution instead of pushing it.
    pub min_confidence: f64,
    /// The model asked for a change when no built-in class has one; off when absent.
    pub llm: Option<LlmConfig>,
}

/// An OpenAI-compatible endpoint; see `fix.llm` in `hephaestus.example.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// Base URL: requests go to `{url}/chat/completions`.
    pub url: String,
    pub model: String,
    /// An environment variable holding the bearer token; none is sent when absent.
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default = "default_llm_timeout")]
    pub timeout: String,
    /// Signed so that 0 and negatives get a clear "must be ≥ 1".
    #[serde(default = "default_llm_calls")]
    pub max_calls_per_hour: i64,
    #[serde(default = "default_llm_context")]
    pub context_lines: i64,
    /// Append every request and answer to `state_dir/llm-audit.jsonl`.
    #[serde(default)]
    pub audit: bool,
    /// Regexes of more text never sent, besides the built-in secret shapes.
    #[serde(default)]
    pub redact: Vec<String>,
}

fn default_llm_timeout() -> String {
    "60s".into()
}

fn default_llm_calls() -> i64 {
    20
}

fn default_llm_context() -> i64 {
    40
}

impl Default for FixConfig {
    fn default() -> Self {
        FixConfig {
            verify: None,
            reproduce: None,
            verify_timeout: "5m".into(),
            min_confidence: 0.8,
            llm: None,
        }
    }
}

/// Keys each mapping of the schema accepts, by path (`[]` marks list items). Used to report every
/// unknown key at once, with a suggestion, before serde stops at the first.
pub fn known_keys(path: &str) -> Option<&'static [&'static str]> {
    Some(match path {
        "" => &[
            "log",
            "mode",
            "remote_repo",
            "formats",
            "rules",
            "ignore",
            "repos",
            "patterns",
            "fix",
            "notify",
            "state_dir",
        ],
        "log" => &[
            "threshold_level",
            "threshold_count",
            "threshold_window",
            "cooldown",
            "max_line_bytes",
        ],
        "remote_repo" => &[
            "provider",
            "api_url",
            "remote",
            "token",
            "owner",
            "repository",
            "branch",
            "author",
            "pr",
        ],
        "remote_repo.author" => &["name", "email"],
        "remote_repo.pr" => &[
            "title_template",
            "branch_template",
            "labels",
            "draft",
            "ready_confidence",
            "update_interval",
            "max_open",
            "max_per_day",
        ],
        "formats[]" => &["name", "regex", "timestamp_format"],
        "rules[]" => &["name", "match", "level", "count", "file", "find", "replace"],
        "ignore[]" => &["template", "fingerprint", "match", "level"],
        "repos[]" => &["service", "logs", "repo", "owner", "repository", "branch"],
        "notify[]" => &[
            "url",
            "format",
            "events",
            "token_env",
            "timeout",
            "max_per_minute",
        ],
        "patterns" => &["masks", "extra_masks", "max_patterns"],
        "patterns.extra_masks[]" => &["name", "regex"],
        "fix" => &[
            "verify",
            "reproduce",
            "verify_timeout",
            "min_confidence",
            "llm",
        ],
        "fix.llm" => &[
            "url",
            "model",
            "api_key_env",
            "timeout",
            "max_calls_per_hour",
            "context_lines",
            "audit",
            "redact",
        ],
        _ => return None,
    })
}
