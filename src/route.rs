//! Which repository an incident's fix belongs to, when one process reads the logs of several
//! services (`repos:` in the config, `--repo SERVICE=DIR`). Each repository is a lane: its own
//! fix and deploy settings, chosen per incident by the entry that tripped it.

use std::path::PathBuf;

use globset::GlobMatcher;

use crate::deploy::DeploySettings;
use crate::fix::FixSettings;
use crate::parse::LogEntry;

/// What picks a repository for an entry.
#[derive(Debug, Clone)]
pub enum Match {
    /// The entry's service (its `service`, `unit`, `container` or `app` field), or its logger
    /// and the loggers below it: `billing` takes `billing.tasks` and `billing::tasks` too.
    Service(String),
    /// The path of the log file the entry was read from, as named on the command line.
    Logs { glob: String, matcher: GlobMatcher },
}

impl Match {
    /// A `logs:` glob; `*` stays within one path component, `**` crosses them.
    pub fn logs(glob: &str) -> Result<Match, globset::Error> {
        let matcher = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()?
            .compile_matcher();
        Ok(Match::Logs {
            glob: glob.to_owned(),
            matcher,
        })
    }

    pub fn matches(&self, entry: &LogEntry) -> bool {
        match self {
            Match::Service(name) => {
                entry.service() == Some(name.as_str())
                    || entry.logger().is_some_and(|logger| {
                        logger.strip_prefix(name.as_str()).is_some_and(|rest| {
                            rest.is_empty() || rest.starts_with('.') || rest.starts_with("::")
                        })
                    })
            }
            Match::Logs { matcher, .. } => {
                let source: &str = &entry.source;
                // Standard input is no file; only a service can route it.
                source != crate::source::STDIN_NAME && matcher.is_match(source)
            }
        }
    }

    /// `service api`, `logs logs/api/*.log`.
    pub fn describe(&self) -> String {
        match self {
            Match::Service(name) => format!("service {name}"),
            Match::Logs { glob, .. } => format!("logs {glob}"),
        }
    }
}

/// A repository named for some services or logs, as configured; [`crate::config::Settings`]
/// turns it into a [`Lane`].
#[derive(Debug, Clone)]
pub struct RepoRoute {
    pub matcher: Match,
    pub repo: PathBuf,
    /// The forge project pull requests go to; from the repository's remote when not set.
    pub owner: Option<String>,
    pub repository: Option<String>,
    /// Base branch; from the remote's default branch when not set.
    pub branch: Option<String>,
    /// Where it was given, for messages: `--repo`, `hephaestus.yaml:12`.
    pub given_in: String,
}

/// One repository's stages' settings, and the entries whose incidents go there (`None`: every
/// entry no other lane takes).
#[derive(Debug, Clone)]
pub struct Lane {
    pub matcher: Option<Match>,
    pub fix: FixSettings,
    pub deploy: DeploySettings,
}

impl Lane {
    /// `service api (repository ../api)`, or `repository .` for the default lane.
    pub fn describe(&self) -> String {
        let repo = match &self.fix.repo {
            Some(repo) => format!("repository {}", repo.display()),
            None => "no repository".to_owned(),
        };
        match &self.matcher {
            Some(m) => format!("{} ({repo})", m.describe()),
            None => repo,
        }
    }
}

/// The lane of `entry`: the first whose match takes it, else the default (index 0).
pub fn pick<'a>(lanes: impl IntoIterator<Item = &'a Lane>, entry: &LogEntry) -> usize {
    lanes
        .into_iter()
        .position(|lane| lane.matcher.as_ref().is_some_and(|m| m.matches(entry)))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn entry(source: &str, fields: &[(&str, &str)]) -> LogEntry {
        LogEntry {
            source: Arc::from(source),
            line: 1,
            offset: 0,
            timestamp: None,
            level: None,
            message: "x".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            format: None,
            level_from_crash: false,
        }
    }

    #[test]
    fn services_match_their_field_or_their_loggers() {
        let api = Match::Service("billing".into());
        assert!(api.matches(&entry("a.log", &[("service", "billing")])));
        assert!(api.matches(&entry("a.log", &[("logger", "billing.tasks")])));
        assert!(api.matches(&entry("a.log", &[("target", "billing::tasks")])));
        assert!(api.matches(&entry("a.log", &[("name", "billing")])));
        assert!(!api.matches(&entry("a.log", &[("logger", "billingx")])));
        assert!(!api.matches(&entry("a.log", &[("service", "billing-2")])));
        assert!(!api.matches(&entry("billing.log", &[])));
    }

    #[test]
    fn logs_globs_match_the_path_as_named() {
        let worker = Match::logs("logs/worker/*.log").unwrap();
        assert!(worker.matches(&entry("logs/worker/app.log", &[])));
        assert!(!worker.matches(&entry("logs/worker/old/app.log", &[])));
        assert!(!worker.matches(&entry("logs/api/app.log", &[])));
        let deep = Match::logs("/var/log/**/worker*.log").unwrap();
        assert!(deep.matches(&entry("/var/log/a/b/worker-1.log", &[])));
        assert!(!deep.matches(&entry(crate::source::STDIN_NAME, &[])));
    }
}
