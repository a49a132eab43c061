//! `hephaestus init`: write the annotated configuration, prefilled from the git origin.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::cli::InitArgs;
use crate::config::EXAMPLE_CONFIG;
use crate::deploy::origin::{self, RemoteUrl};
use crate::report::{Style, TextReport};
use crate::ExitStatus;

pub fn run(args: &InitArgs, style: Style) -> Result<ExitStatus> {
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let origin = origin(dir);
    let text = match &origin {
        Some(origin) => prefill(EXAMPLE_CONFIG, origin),
        None => EXAMPLE_CONFIG.to_owned(),
    };
    let mut options = OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        // create_new: the existence check and the write are one step, so nothing is clobbered.
        options.create_new(true);
    }
    let mut file = match options.open(&args.output) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            bail!(
                "'{}' already exists (use --force to overwrite it)",
                args.output.display()
            )
        }
        Err(e) => {
            return Err(e).with_context(|| format!("failed to create '{}'", args.output.display()))
        }
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("failed to write '{}'", args.output.display()))?;
    let mut report = TextReport::new(std::io::stderr(), style);
    let written = args.output.display();
    report.done(&match &origin {
        Some(o) => format!(
            "wrote {written} for {} project {}/{} (base branch {})",
            o.forge.provider, o.owner, o.repo, o.branch
        ),
        None => format!("wrote {written} (no git origin found: fill in remote_repo to deploy)"),
    })?;
    if let Some(o) = origin.as_ref().filter(|o| !o.forge.certain) {
        report.done(&format!(
            "  '{}' does not say which forge it is: check provider and api_url",
            o.host
        ))?;
    }
    for line in [
        "next:".to_owned(),
        format!("  1. if the built-in formats do not read your logs, add yours under `formats:` in {written}"),
        "  2. try it: hephaestus analyze path/to/app.log -v".to_owned(),
        "  3. to open pull requests: set `mode: deploy` and put a token in HEPHAESTUS_TOKEN".to_owned(),
    ] {
        report.done(&line)?;
    }
    Ok(ExitStatus::Clean)
}

/// What `init` learns from the `origin` remote.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    host: String,
    owner: String,
    repo: String,
    forge: Forge,
    /// The remote's default branch, else the current branch's upstream, else `main`.
    branch: String,
}

/// The forge a host is taken for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Forge {
    provider: &'static str,
    /// The API base URL when it is not the provider's public one.
    api_url: Option<String>,
    /// Whether the host says which forge it is; when not, the config tells the user to check.
    certain: bool,
}

/// `github.com` → github; `gitlab.com` or a host with `gitlab` in its name → gitlab; `codeberg.org`
/// or a host with `gitea` or `forgejo` in its name → gitea; anything else → github, unsure
/// (GitHub Enterprise and self-hosted forges alike need `api_url`).
fn forge_of(host: &str) -> Forge {
    let host = host.to_ascii_lowercase();
    let name = host.rsplit_once('@').map_or(host.as_str(), |(_, h)| h);
    let bare = name.split(':').next().unwrap_or(name);
    let forge = |provider, api_url: Option<String>| Forge {
        provider,
        api_url,
        certain: true,
    };
    if bare == "github.com" || bare == "ssh.github.com" {
        forge("github", None)
    } else if bare == "gitlab.com" {
        forge("gitlab", None)
    } else if bare.contains("gitlab") {
        forge("gitlab", Some(format!("https://{bare}/api/v4")))
    } else if bare == "codeberg.org" || bare.contains("gitea") || bare.contains("forgejo") {
        forge("gitea", Some(format!("https://{bare}/api/v1")))
    } else {
        Forge {
            provider: "github",
            api_url: Some(format!("https://{bare}/api/v3")),
            certain: false,
        }
    }
}

/// The `origin` remote of the repository containing `dir`.
fn origin(dir: &Path) -> Option<Origin> {
    let repo = git2::Repository::discover(dir).ok()?;
    let RemoteUrl {
        host,
        owner,
        repo: name,
    } = origin::project(&repo, "origin")?;
    Some(Origin {
        forge: forge_of(&host),
        host,
        owner,
        repo: name,
        branch: origin::base_branch(&repo, "origin").unwrap_or_else(|| "main".to_owned()),
    })
}

fn prefill(template: &str, origin: &Origin) -> String {
    let Forge {
        provider,
        api_url,
        certain,
    } = &origin.forge;
    let provider_line = if *certain {
        format!("  provider: {provider}")
    } else {
        format!(
            "  # '{}' does not say which forge it is: set provider (github, gitlab or gitea) and\n  \
             # api_url to match it.\n  provider: {provider}",
            origin.host
        )
    };
    let mut text = template
        .replacen("  provider: github", &provider_line, 1)
        .replacen(
            "  owner: \"\"",
            &format!("  owner: \"{}\"", origin.owner),
            1,
        )
        .replacen(
            "  repository: \"\"",
            &format!("  repository: \"{}\"", origin.repo),
            1,
        )
        .replacen("  branch: main", &format!("  branch: {}", origin.branch), 1);
    if let Some(api_url) = api_url {
        text = text.replacen(
            "  # api_url: https://api.github.com",
            &format!("  api_url: {api_url}"),
            1,
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_names_the_forge() {
        let of = |host: &str| {
            let f = forge_of(host);
            (f.provider, f.api_url, f.certain)
        };
        assert_eq!(of("github.com"), ("github", None, true));
        assert_eq!(of("gitlab.com"), ("gitlab", None, true));
        assert_eq!(
            of("gitlab.acme.io"),
            ("gitlab", Some("https://gitlab.acme.io/api/v4".into()), true)
        );
        assert_eq!(
            of("codeberg.org"),
            ("gitea", Some("https://codeberg.org/api/v1".into()), true)
        );
        assert_eq!(
            of("git.forgejo.example:3000"),
            (
                "gitea",
                Some("https://git.forgejo.example/api/v1".into()),
                true
            )
        );
        assert_eq!(
            of("git.acme.io"),
            ("github", Some("https://git.acme.io/api/v3".into()), false)
        );
    }

    #[test]
    fn prefill_fills_the_remote() {
        let origin = Origin {
            host: "gitlab.com".into(),
            owner: "acme-group/sub".into(),
            repo: "payments".into(),
            forge: forge_of("gitlab.com"),
            branch: "develop".into(),
        };
        let text = prefill(EXAMPLE_CONFIG, &origin);
        for line in [
            "  provider: gitlab\n",
            "  owner: \"acme-group/sub\"\n",
            "  repository: \"payments\"\n",
            "  branch: develop\n",
        ] {
            assert!(text.contains(line), "{line:?} in {text}");
        }
        assert!(text.contains("  # api_url: https://api.github.com"));
    }
}
