//! Commands: each maps its arguments to settings once, builds the pipeline and hands events to the
//! report layer.

mod ahead;
mod analyze;
mod completions;
mod ingest;
mod init;
mod man;
mod patterns;
mod stop;
mod watch;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Parser as _;

use crate::cli::{Cli, ColorWhen, Command, ModeArg, OutputFormat, RepoArg, RunArgs};
use crate::config::{parse_size, ColorMode, OutputSettings, Overrides, Settings};
use crate::deploy::Mode;
use crate::report::{self, Style, TextReport};
use crate::source::InputLimits;
use crate::ExitStatus;

/// Run the command line `args` (program name first).
pub fn run<I, T>(args: I) -> Result<ExitStatus>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are not errors; clap prints them itself.
            err.print()?;
            return Ok(if err.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Clean
            });
        }
    };
    let Cli {
        config,
        color,
        verbose,
        quiet,
        command,
    } = cli;
    let cwd = Path::new(".");
    let output = |format: OutputFormat| OutputSettings {
        json: format == OutputFormat::Json,
        patch: format == OutputFormat::Patch,
        color: match color {
            ColorWhen::Auto => ColorMode::Auto,
            ColorWhen::Always => ColorMode::Always,
            ColorWhen::Never => ColorMode::Never,
        },
        verbosity: if quiet { -1 } else { verbose.min(3) as i8 },
    };
    match command {
        Command::Init(args) => init::run(
            &args,
            Style {
                verbosity: output(OutputFormat::Text).verbosity,
            },
        ),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Analyze(args) => {
            let config = crate::config::find(config.as_deref(), args.run.default_repo(), cwd);
            let settings = load_settings(config.as_deref(), &args.run, None)?;
            let limits = InputLimits {
                max_bytes: args
                    .max_bytes
                    .as_deref()
                    .map(parse_size)
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("--max-bytes: {e}"))?,
            };
            let patch = report::PatchOutput {
                to_stdout: args.run.format == OutputFormat::Patch,
                file: args.run.patch_out.clone(),
            };
            analyze::run(
                &args.files,
                limits,
                &settings,
                output(args.run.format),
                patch,
            )
        }
        Command::Watch(args) => {
            anyhow::ensure!(
                args.run.format != OutputFormat::Patch,
                "--format patch is for analyze; a watch can write its fixes with --patch-out FILE"
            );
            let config = crate::config::find(config.as_deref(), args.run.default_repo(), cwd);
            let settings = load_settings(config.as_deref(), &args.run, args.state_dir.clone())?;
            watch::run(&args, &settings, output(args.run.format))
        }
        Command::Patterns(args) => {
            anyhow::ensure!(
                args.format != OutputFormat::Patch,
                "--format patch is for analyze; patterns prints text or json"
            );
            let config = crate::config::find(config.as_deref(), None, cwd);
            let settings = Settings::load(config.as_deref())?;
            let out = output(args.format);
            warn_all(&settings, out);
            patterns::run(&args, &settings, out)
        }
    }
}

/// Config file, then flags, then the repository default.
fn load_settings(
    config: Option<&Path>,
    run: &RunArgs,
    state_dir: Option<PathBuf>,
) -> Result<Settings> {
    let mut settings = Settings::load(config)?;
    let mut repos = Vec::new();
    for arg in &run.repo {
        match arg {
            RepoArg::Default(_) => {}
            RepoArg::Service(service, dir) => repos.push((service.clone(), dir.clone())),
        }
    }
    anyhow::ensure!(
        run.repo
            .iter()
            .filter(|r| matches!(r, RepoArg::Default(_)))
            .count()
            <= 1,
        "--repo DIR is given more than once: name each other repository's service, as \
         --repo SERVICE=DIR"
    );
    settings.apply(Overrides {
        threshold_level: run.threshold_level.clone(),
        threshold_count: run.threshold_count,
        threshold_window: run.threshold_window.clone(),
        mode: run.mode.map(|m| match m {
            ModeArg::Suggest => Mode::Suggest,
            ModeArg::Deploy => Mode::Deploy,
        }),
        repo: run.default_repo().map(Path::to_path_buf),
        repos,
        dry_run: run.dry_run,
        state_dir,
    })?;
    if run.show_prompt {
        let llm = settings.fix.llm.as_mut();
        anyhow::ensure!(llm.is_some(), "--show-prompt needs fix.llm in the config");
        llm.into_iter().for_each(|l| l.show_prompt = true);
    }
    resolve_repo(&mut settings)?;
    resolve_routes(&mut settings)?;
    if settings.deploy.mode == Mode::Deploy {
        let routed = !settings.routes.is_empty();
        let mut problems = Vec::new();
        for lane in settings.lanes() {
            // With repositories named per service, entries of no service may have none.
            if routed && lane.matcher.is_none() && lane.deploy.repo.is_none() {
                continue;
            }
            let found = crate::deploy::preflight::check(&lane.deploy);
            let of = |line: String| match &lane.matcher {
                Some(m) => format!("{}: {line}", m.describe()),
                None => line,
            };
            problems.extend(found.problems.into_iter().map(of));
            settings.warnings.extend(found.warnings.into_iter().map(of));
        }
        anyhow::ensure!(
            problems.is_empty(),
            "deploy mode cannot deliver fixes: {}",
            problems.join("\nerror: deploy mode cannot deliver fixes: ")
        );
    }
    Ok(settings)
}

/// `--repo`, checked, else the repository the current directory is in (else fixes are off).
fn resolve_repo(settings: &mut Settings) -> Result<()> {
    match &settings.fix.repo {
        Some(repo) => check_repo(repo, "--repo")?,
        None => {
            settings.fix.repo = crate::config::worktree::discover(Path::new("."));
            if settings.fix.repo.is_none() && settings.routes.is_empty() {
                settings.warnings.push(
                    "not inside a git repository: incidents are reported, but no fixes are \
                     proposed (run inside the program's repository, or pass --repo DIR)"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

/// Each route's repository, checked, with the project and base branch its remote names when
/// the config does not: a service's pull requests go to its own project.
fn resolve_routes(settings: &mut Settings) -> Result<()> {
    let remote = settings.remote.remote_name().to_owned();
    for route in &mut settings.routes {
        let given = format!(
            "{}: {}: repository",
            route.given_in,
            route.matcher.describe()
        );
        check_repo(&route.repo, &given)?;
        let Ok(repo) = git2::Repository::open(&route.repo) else {
            continue;
        };
        if route.owner.is_none() || route.repository.is_none() {
            if let Some(project) = crate::deploy::origin::project(&repo, &remote) {
                route.owner.get_or_insert(project.owner);
                route.repository.get_or_insert(project.repo);
            }
        }
        if route.branch.is_none() {
            route.branch = crate::deploy::origin::base_branch(&repo, &remote);
        }
    }
    Ok(())
}

/// A repository fixes are proposed in: a directory at the top of a git repository.
fn check_repo(repo: &Path, given: &str) -> Result<()> {
    anyhow::ensure!(
        repo.is_dir(),
        "{given} '{}' is not a directory",
        repo.display()
    );
    // Fixes are read from and committed to git: found out now, not at the first incident.
    anyhow::ensure!(
        crate::config::worktree::is_top(repo),
        "{given} '{}' is not the top of a git repository (`git init` it, or name the \
             repository's top directory)",
        repo.display()
    );
    Ok(())
}

/// What [`report::Setup`] says of `settings`.
fn setup(settings: &Settings) -> report::Setup {
    report::Setup {
        config: settings
            .config_path
            .as_ref()
            .map(|p| p.display().to_string()),
        repo: settings.fix.repo.as_ref().map(|p| p.display().to_string()),
        routes: settings
            .routes
            .iter()
            .map(|r| (r.matcher.describe(), r.repo.display().to_string()))
            .collect(),
    }
}

/// Print the settings' warnings on stderr.
fn warn_all(settings: &Settings, output: OutputSettings) {
    if output.verbosity < 0 {
        return;
    }
    let mut err = TextReport::new(
        std::io::stderr().lock(),
        Style {
            verbosity: output.verbosity,
        },
    );
    for warning in &settings.warnings {
        let _ = err.warning(warning);
    }
}

/// Color for text on stdout.
fn init_stdout_color(output: OutputSettings) {
    report::init_color(output.color, std::io::stdout().is_terminal());
}

/// Color for text on stderr.
fn init_stderr_color(output: OutputSettings) {
    report::init_color(output.color, std::io::stderr().is_terminal());
}

/// Close a run: the summary (or the JSON object) from the ingest and node counts. Returns whether
/// any incident tripped.
fn finish_run(
    ingest: &ingest::Ingest,
    node: &mut crate::node::Node,
    reporter: &mut report::Reporter,
    started: std::time::Instant,
) -> Result<bool> {
    // Webhooks get their timeout to drain before the summary; what they did not take is said.
    let delivered = node.finish();
    if delivered.failed > 0 || delivered.dropped > 0 {
        reporter.warning(&format!(
            "notify: {} sent, {} failed (refused or no answer after retries), {} dropped (over \
             max_per_minute, or not sent within the webhook's timeout at the end)",
            delivered.sent, delivered.failed, delivered.dropped
        ))?;
    }
    let mut counts = ingest.counts();
    let summary = node.summary();
    counts.incidents = summary.incidents;
    counts.solutions = summary.solutions;
    counts.bad_timestamps += summary.skewed_timestamps;
    counts.ignored = summary.ignored;
    reporter.finish(counts, node.patterns(), started.elapsed())?;
    Ok(summary.incidents > 0)
}
