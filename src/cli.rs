//! The command line, as clap definitions only. [`crate::config::Settings::from_cli`] turns these into
//! plain settings once; no stage sees clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Watch a program's logs, recognise what keeps going wrong, and propose the fix";

const AFTER_HELP: &str = "\
Examples:
  hephaestus analyze build.log              exit 1 if an error repeats 3 times within 5 minutes
  app 2>&1 | hephaestus watch               follow a program's output live
  hephaestus patterns --raw app.log         list the message templates of a log
  hephaestus init                           write an annotated hephaestus.yaml

Configuration is read from --config, else $HEPHAESTUS_CONFIG, else hephaestus.yaml (or
.hephaestus.yaml) here or in a parent up to the repository's top, else in --repo, else built-in
defaults.
Exit codes: 0 nothing tripped, 1 at least one incident tripped, 2 usage, config or I/O error.";

#[derive(Debug, Parser)]
#[command(name = "hephaestus", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// When to color the output; NO_COLOR in the environment also turns color off
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Print more detail (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print only results and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)
    Init(InitArgs),
    /// Read finished log files and report incidents; exit 1 if one tripped
    Analyze(AnalyzeArgs),
    /// Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip
    Watch(WatchArgs),
    /// Show the message templates mined from logs
    Patterns(PatternsArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the manual page (roff), of hephaestus or of one of its commands
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite the file if it exists
    #[arg(long)]
    pub force: bool,

    /// Where to write the configuration
    #[arg(long, short, value_name = "FILE", default_value = "hephaestus.yaml")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files to read ("-" or none: stdin); .gz files are decompressed
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read at most SIZE bytes of each input (after decompression), e.g. 500MB, 2GiB; the rest of
    /// an input is skipped with a warning [default: no limit for files and pipes, 1GiB for devices
    /// like /dev/zero]
    #[arg(long, value_name = "SIZE", help_heading = "Input")]
    pub max_bytes: Option<String>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Log files or globs to follow ("-" or none: stdin)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Do not pass stdin on to stdout (by default it is echoed byte for byte, like tee)
    #[arg(long)]
    pub no_echo: bool,

    /// Poll files for changes every INTERVAL (1s if not given: --poll or --poll=500ms) instead of
    /// using inotify (network filesystems, containers)
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, require_equals = true,
          default_missing_value = "1s", help_heading = "Files")]
    pub poll: Option<String>,

    /// Read files that exist at start from their beginning instead of their end (files with a
    /// checkpoint go on from it)
    #[arg(long, help_heading = "Files")]
    pub from_start: bool,

    /// Do not follow files matching GLOB (repeatable)
    #[arg(long, value_name = "GLOB", help_heading = "Files")]
    pub exclude: Vec<String>,

    /// Read files through symbolic links (by default a link, given or matched by a glob, is
    /// skipped with a warning)
    #[arg(long, help_heading = "Files")]
    pub follow_symlinks: bool,

    /// Where read positions and deploy records are kept, so a restart goes on where it stopped;
    /// one watch at a time per directory
    /// [default: state_dir from the config, else $XDG_STATE_HOME/hephaestus or ~/.local/state/hephaestus]
    #[arg(long, value_name = "DIR", help_heading = "Files")]
    pub state_dir: Option<PathBuf>,

    /// Hand on an unfinished line or entry after its source is quiet this long
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "1s",
        help_heading = "Files"
    )]
    pub idle_flush: String,

    /// With --format json, also print every parsed entry as a {"type":"entry",...} line
    #[arg(long, help_heading = "Output")]
    pub emit_entries: bool,

    #[command(flatten)]
    pub run: RunArgs,
}

/// One `--repo`: the default repository, or a service's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoArg {
    Default(PathBuf),
    Service(String, PathBuf),
}

/// `DIR` or `SERVICE=DIR`. A directory whose name holds `=` is still a directory: the value is
/// read as a service's only when it does not name one.
fn parse_repo_arg(value: &str) -> Result<RepoArg, String> {
    let service = value.split_once('=').filter(|(name, _)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    });
    match service {
        Some((name, dir)) if !std::path::Path::new(value).is_dir() => {
            if dir.is_empty() {
                return Err(format!("'{value}' names no directory after '{name}='"));
            }
            Ok(RepoArg::Service(name.to_owned(), PathBuf::from(dir)))
        }
        _ if value.is_empty() => Err("an empty directory name".into()),
        _ => Ok(RepoArg::Default(PathBuf::from(value))),
    }
}

impl RunArgs {
    /// The `--repo DIR` without a service, if given.
    pub fn default_repo(&self) -> Option<&std::path::Path> {
        self.repo.iter().find_map(|r| match r {
            RepoArg::Default(dir) => Some(dir.as_path()),
            RepoArg::Service(..) => None,
        })
    }
}

/// Flags shared by `analyze` and `watch`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Repository the fixes are proposed for [default: the git repository containing the current
    /// directory]. Repeat as SERVICE=DIR to send each service's fixes to its own repository: an
    /// entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the
    /// config for log-path globs)
    #[arg(long, value_name = "[SERVICE=]DIR", value_parser = parse_repo_arg, help_heading = "Pipeline")]
    pub repo: Vec<RepoArg>,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, help_heading = "Output")]
    pub format: OutputFormat,

    /// Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub patch_out: Option<PathBuf>,

    /// Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)
    #[arg(long, value_name = "LEVEL", help_heading = "Threshold")]
    pub threshold_level: Option<String>,

    /// How many entries of one kind within the window trip an incident
    #[arg(long, value_name = "N", help_heading = "Threshold")]
    pub threshold_count: Option<u32>,

    /// Length of the sliding window, e.g. 30s, 5m, 1h
    #[arg(long, value_name = "DURATION", help_heading = "Threshold")]
    pub threshold_window: Option<String>,

    /// suggest: print the patch; deploy: commit it on a branch and open a pull request
    #[arg(long, value_enum, help_heading = "Pipeline")]
    pub mode: Option<ModeArg>,

    /// With --mode deploy: print the branch, commit and requests a deploy would make; change nothing
    #[arg(long, help_heading = "Pipeline")]
    pub dry_run: bool,

    /// Print the request fix.llm would send to the model for each incident, after redaction, and
    /// send nothing
    #[arg(long, help_heading = "Pipeline")]
    pub show_prompt: bool,
}

#[derive(Debug, Args)]
pub struct PatternsArgs {
    /// Log files to read ("-" or none: stdin)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Treat every line as one message: no format parsing, no multi-line joining
    #[arg(long)]
    pub raw: bool,

    /// Print the pattern of every entry instead of the table
    #[arg(long)]
    pub per_line: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, hephaestus-COMMAND(1) [default: the page of hephaestus]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// `analyze` only: the proposed fixes as one patch on stdout, for `git apply`; the report
    /// goes to stderr
    Patch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Suggest,
    Deploy,
}

/// The clap command, for completions and help tests.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
