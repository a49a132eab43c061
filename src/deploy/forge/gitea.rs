//! Gitea and Forgejo (`api_url: https://HOST/api/v1`). Labels are given by id, so their names are
//! looked up first; names the repository does not have are left out.

use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::Method;
use serde_json::{json, Value};

use super::{
    expect, listed, post_comment, pull_request, segment, send_expecting, token_header, what, Forge,
    ForgeError, Listed, PlannedRequest, PrRequest, PullRequest, Repo,
};
use crate::deploy::retry::{Http, RetryPolicy};
use crate::deploy::{RemoteSettings, Secret};

pub struct Gitea {
    http: Http,
    repo: Repo,
}

impl Gitea {
    pub fn new(
        api: String,
        remote: &RemoteSettings,
        token: &Secret,
        policy: RetryPolicy,
    ) -> Result<Gitea, ForgeError> {
        let mut headers = HeaderMap::new();
        if !token.is_empty() {
            headers.insert(
                AUTHORIZATION,
                token_header(format!("token {}", token.expose()))?,
            );
        }
        Ok(Gitea {
            http: Http::new("Gitea", headers, policy)?,
            repo: Repo::new(api, remote),
        })
    }

    fn find_url(&self, base: &str, head: &str) -> String {
        format!(
            "{}/pulls/{}/{}",
            self.repo.repos_url(),
            segment(base),
            segment(head)
        )
    }

    fn label_ids(&self, names: &[String]) -> Result<Vec<u64>, ForgeError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let url = format!("{}/labels", self.repo.repos_url());
        let response = send_expecting(&self.http, Method::GET, &url, None, &[200], &self.repo)?;
        Ok(response
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| {
                l["name"]
                    .as_str()
                    .is_some_and(|n| names.iter().any(|w| w == n))
            })
            .filter_map(|l| l["id"].as_u64())
            .collect())
    }

    fn create_body(pr: &PrRequest, labels: Vec<u64>) -> Value {
        json!({
            "head": pr.head,
            "base": pr.base,
            "title": if pr.draft { format!("WIP: {}", pr.title) } else { pr.title.clone() },
            "body": pr.body,
            "labels": labels,
        })
    }

    /// `GET /pulls/{base}/{head}`: the newest pull request of the pair in any state; 404 when
    /// there is none.
    fn find(&self, base: &str, head: &str) -> Result<Option<PullRequest>, ForgeError> {
        let url = self.find_url(base, head);
        let what = what(&Method::GET, &url);
        let response = self.http.send(Method::GET, &url, None)?;
        if response.status == 404 {
            // Gitea says 404 both for "no such pull request" and "no such repository".
            let repo_url = self.repo.repos_url();
            send_expecting(&self.http, Method::GET, &repo_url, None, &[200], &self.repo)?;
            return Ok(None);
        }
        let response = expect(&self.http, response, &[200], &what, &self.repo.full_name())?;
        pull_request("Gitea", &what, &response.body, "number", "html_url").map(Some)
    }
}

impl Forge for Gitea {
    fn name(&self) -> &'static str {
        "Gitea"
    }

    fn push_username(&self) -> String {
        self.repo.owner.clone()
    }

    fn find_latest(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        self.find(base, head)
    }

    fn recent(&self) -> Result<Vec<Listed>, ForgeError> {
        // Gitea lists the newest first.
        let url = format!("{}/pulls?state=all&limit=50", self.repo.repos_url());
        listed(&self.http, &self.repo, &url, "/head/ref")
    }

    fn comment(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        let url = format!("{}/issues/{}/comments", self.repo.repos_url(), pr.number);
        post_comment(&self.http, &self.repo, &url, body)
    }

    fn set_body(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        std::thread::sleep(self.http.policy().write_gap());
        let url = format!("{}/pulls/{}", self.repo.repos_url(), pr.number);
        send_expecting(
            &self.http,
            Method::PATCH,
            &url,
            Some(&json!({ "body": body })),
            &[201],
            &self.repo,
        )?;
        Ok(())
    }

    fn create(&self, pr: &PrRequest) -> Result<PullRequest, ForgeError> {
        let labels = self.label_ids(&pr.labels)?;
        let url = format!("{}/pulls", self.repo.repos_url());
        let what = what(&Method::POST, &url);
        let response = self
            .http
            .send(Method::POST, &url, Some(&Self::create_body(pr, labels)))?;
        if response.status == 409 {
            return self
                .find_open(&pr.head, &pr.base)?
                .ok_or(ForgeError::Unexpected {
                    forge: "Gitea",
                    what,
                    detail: "a pull request already exists for the branch but none is open".into(),
                });
        }
        let response = expect(&self.http, response, &[201], &what, &self.repo.full_name())?;
        pull_request("Gitea", &what, &response.body, "number", "html_url")
    }

    fn plan(&self, pr: &PrRequest) -> Vec<PlannedRequest> {
        let mut plan = vec![
            PlannedRequest {
                method: "GET".into(),
                url: self.find_url(&pr.base, &pr.head),
                body: None,
            },
            PlannedRequest {
                method: "GET".into(),
                url: self.repo.repos_url(),
                body: None,
            },
        ];
        if !pr.labels.is_empty() {
            plan.push(PlannedRequest {
                method: "GET".into(),
                url: format!("{}/labels", self.repo.repos_url()),
                body: None,
            });
        }
        plan.push(PlannedRequest {
            method: "POST".into(),
            url: format!("{}/pulls", self.repo.repos_url()),
            body: Some(Self::create_body(pr, Vec::new())),
        });
        plan
    }
}
