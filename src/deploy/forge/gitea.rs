//! Gitea and Forgejo (`api_url: https://HOST/api/v1`). Labels are given by id, so their names are
//! looked up first; names the repository does not have are left out.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde_json::{json, Value};

use super::{
    expect, pull_request, segment, what, Forge, ForgeError, PlannedRequest, PrRequest, PullRequest,
};
use crate::config::{RemoteSettings, Secret};
use crate::deploy::retry::{Http, RetryPolicy};

pub struct Gitea {
    http: Http,
    api: String,
    owner: String,
    repo: String,
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
            let mut value =
                HeaderValue::from_str(&format!("token {}", token.expose())).map_err(|_| {
                    ForgeError::Client(
                        "the token holds characters not allowed in an HTTP header".into(),
                    )
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        Ok(Gitea {
            http: Http::new("Gitea", headers, policy)?,
            api,
            owner: remote.owner.clone(),
            repo: remote.repository.clone(),
        })
    }

    fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    fn repo_url(&self) -> String {
        format!(
            "{}/repos/{}/{}",
            self.api,
            segment(&self.owner),
            segment(&self.repo)
        )
    }

    fn find_url(&self, base: &str, head: &str) -> String {
        format!(
            "{}/pulls/{}/{}",
            self.repo_url(),
            segment(base),
            segment(head)
        )
    }

    fn label_ids(&self, names: &[String]) -> Result<Vec<u64>, ForgeError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let url = format!("{}/labels", self.repo_url());
        let what = what(&Method::GET, &url);
        let response = self.http.send(Method::GET, &url, None)?;
        let response = expect(&self.http, response, &[200], &what, &self.full_name())?;
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

    /// `GET /pulls/{base}/{head}`: 404 when there is none; a closed one does not count.
    fn find(&self, base: &str, head: &str) -> Result<Option<PullRequest>, ForgeError> {
        let url = self.find_url(base, head);
        let what = what(&Method::GET, &url);
        let response = self.http.send(Method::GET, &url, None)?;
        if response.status == 404 {
            // Gitea says 404 both for "no such pull request" and "no such repository".
            let repo_url = self.repo_url();
            let check = self.http.send(Method::GET, &repo_url, None)?;
            expect(
                &self.http,
                check,
                &[200],
                &super::what(&Method::GET, &repo_url),
                &self.full_name(),
            )?;
            return Ok(None);
        }
        let response = expect(&self.http, response, &[200], &what, &self.full_name())?;
        if response.body["state"].as_str() != Some("open") {
            return Ok(None);
        }
        pull_request("Gitea", &what, &response.body, "number", "html_url").map(Some)
    }
}

impl Forge for Gitea {
    fn name(&self) -> &'static str {
        "Gitea"
    }

    fn push_username(&self) -> String {
        self.owner.clone()
    }

    fn find_open(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        self.find(base, head)
    }

    fn create(&self, pr: &PrRequest) -> Result<PullRequest, ForgeError> {
        let labels = self.label_ids(&pr.labels)?;
        let url = format!("{}/pulls", self.repo_url());
        let what = what(&Method::POST, &url);
        let response = self
            .http
            .send(Method::POST, &url, Some(&Self::create_body(pr, labels)))?;
        if response.status == 409 {
            return self
                .find(&pr.base, &pr.head)?
                .ok_or(ForgeError::Unexpected {
                    forge: "Gitea",
                    what,
                    detail: "a pull request already exists for the branch but none is open".into(),
                });
        }
        let response = expect(&self.http, response, &[201], &what, &self.full_name())?;
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
                url: self.repo_url(),
                body: None,
            },
        ];
        if !pr.labels.is_empty() {
            plan.push(PlannedRequest {
                method: "GET".into(),
                url: format!("{}/labels", self.repo_url()),
                body: None,
            });
        }
        plan.push(PlannedRequest {
            method: "POST".into(),
            url: format!("{}/pulls", self.repo_url()),
            body: Some(Self::create_body(pr, Vec::new())),
        });
        plan
    }
}
